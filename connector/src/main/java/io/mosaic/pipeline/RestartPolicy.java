package io.mosaic.pipeline;

import java.time.Duration;
import java.util.function.LongSupplier;

import io.mosaic.config.RestartConfig;
import io.mosaic.es.Retry;

/**
 * When a failed source is restarted, and when Mosaic gives up on it. Pure logic with an injected clock:
 * a failure that cannot heal (see {@link io.mosaic.source.SourceFailures}) gives up at once; any other
 * failure is restarted after {@link Retry#backoff} (capped exponential, full jitter) of its attempt
 * number, until the source has been failing for {@code restart.give_up_after} without recovering.
 * A source recovers when it streams again or a batch of it is acknowledged: the next failure starts
 * a new episode, with the first, short wait again.
 */
final class RestartPolicy {

    /** What to do about a failure: restart after {@code delay}, or give up (then {@code reason} says why). */
    record Decision(boolean giveUp, Duration delay, int attempt, Duration failingFor, String reason) {
    }

    private final RestartConfig config;
    private final Retry backoff;
    private final LongSupplier nanoClock;
    private boolean failing;
    private long failingSince;
    private int attempt;

    RestartPolicy(RestartConfig config, Retry backoff, LongSupplier nanoClock) {
        this.config = config;
        this.backoff = backoff;
        this.nanoClock = nanoClock;
    }

    /** With the real clock and random jitter. */
    static RestartPolicy of(RestartConfig config) {
        return new RestartPolicy(config, Retry.forever(config.initialBackoff(), config.maxBackoff(), e -> true, (w, a, d, c) -> { }),
                System::nanoTime);
    }

    /**
     * The source failed (its engine stopped, or a check before a restart failed).
     *
     * @param unrecoverable why it cannot heal, with what to do; null when it may
     */
    synchronized Decision failed(String unrecoverable) {
        long now = nanoClock.getAsLong();
        if (!failing) {
            failing = true;
            failingSince = now;
            attempt = 0;
        }
        Duration failingFor = Duration.ofNanos(now - failingSince);
        if (unrecoverable != null) {
            return new Decision(true, Duration.ZERO, attempt, failingFor, unrecoverable);
        }
        if (config.givesUp() && failingFor.compareTo(config.giveUpAfter()) >= 0) {
            return new Decision(true, Duration.ZERO, attempt, failingFor, "it has been failing for " + failingFor.toSeconds()
                    + " s, longer than restart.give_up_after (" + config.giveUpAfter().toSeconds() + " s); check that the database is "
                    + "running and reachable, and see the log for the cause");
        }
        attempt++;
        return new Decision(false, backoff.backoff(attempt), attempt, failingFor, null);
    }

    /** The source streams again, or a batch of it was acknowledged: the failure episode is over. */
    synchronized void recovered() {
        failing = false;
        attempt = 0;
    }

    synchronized boolean isFailing() {
        return failing;
    }
}
