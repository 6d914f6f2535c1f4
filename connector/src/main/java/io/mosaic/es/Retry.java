package io.mosaic.es;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry utility: capped exponential backoff with full jitter, an injected clock and sleeper,
 * and a predicate that says what is worth retrying. Anything else is thrown at once. With
 * {@code maxAttempts} of 0 it retries for ever, which is what the pipeline wants for an unreachable
 * Elasticsearch: stall and say so, never skip a change.
 */
public final class Retry {

    /** Waits; injected so that tests need not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Told about every failed attempt that will be retried. */
    @FunctionalInterface
    public interface Listener {
        void retrying(String what, int attempt, Duration wait, Throwable cause);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    private final Duration initial;
    private final Duration max;
    private final int maxAttempts;
    private final Predicate<Throwable> retryable;
    private final Sleeper sleeper;
    private final LongSupplier nanoClock;
    private final RandomGenerator random;
    private final Listener listener;

    public Retry(Duration initial, Duration max, int maxAttempts, Predicate<Throwable> retryable,
                 Sleeper sleeper, LongSupplier nanoClock, RandomGenerator random, Listener listener) {
        this.initial = initial;
        this.max = max;
        this.maxAttempts = maxAttempts;
        this.retryable = retryable;
        this.sleeper = sleeper;
        this.nanoClock = nanoClock;
        this.random = random;
        this.listener = listener;
    }

    /** A retry with the real clock, logging each retry at WARN. */
    public static Retry forever(Duration initial, Duration max, Predicate<Throwable> retryable, Listener listener) {
        return new Retry(initial, max, 0, retryable, d -> Thread.sleep(d.toMillis()), System::nanoTime,
                RandomGenerator.getDefault(), listener);
    }

    /** A retry that never retries: one attempt, its failure thrown at once (for checks that must answer now). */
    public static Retry never() {
        return new Retry(Duration.ZERO, Duration.ZERO, 1, e -> false, d -> { }, System::nanoTime, RandomGenerator.getDefault(),
                (what, attempt, wait, cause) -> { });
    }

    /**
     * The wait before retry number {@code attempt} (1-based): a random duration between zero and
     * {@code min(max, initial * 2^(attempt-1))}. Full jitter spreads the retries of many writers.
     */
    public Duration backoff(int attempt) {
        long ceiling = initial.toMillis();
        for (int i = 1; i < attempt && ceiling < max.toMillis(); i++) {
            ceiling *= 2;
        }
        ceiling = Math.max(1, Math.min(ceiling, max.toMillis()));
        return Duration.ofMillis(random.nextLong(ceiling + 1));
    }

    /** Runs {@code action}, retrying what {@code retryable} accepts; rethrows anything else, or the last failure. */
    public <T> T call(String what, Callable<T> action) throws Exception {
        int attempt = 0;
        long start = nanoClock.getAsLong();
        while (true) {
            try {
                T result = action.call();
                if (attempt > 0) {
                    // the end of a stall is an event of note as much as its start (logged at attempt 1)
                    LOG.info("{} succeeded after {} retr{}, {} s after its first failure", what, attempt, attempt == 1 ? "y" : "ies",
                            Duration.ofNanos(nanoClock.getAsLong() - start).toSeconds());
                }
                return result;
            } catch (Exception e) {
                attempt++;
                if (!retryable.test(e) || (maxAttempts > 0 && attempt >= maxAttempts)) {
                    throw e;
                }
                Duration wait = backoff(attempt);
                listener.retrying(what, attempt, wait, e);
                if (attempt == 1 || attempt % 10 == 0) {
                    LOG.warn("{} failed ({}); retry {} in {} ms, failing for {} s so far", what, ErrorClassifier.describe(e),
                            attempt, wait.toMillis(), Duration.ofNanos(nanoClock.getAsLong() - start).toSeconds());
                }
                sleeper.sleep(wait);
            }
        }
    }
}
