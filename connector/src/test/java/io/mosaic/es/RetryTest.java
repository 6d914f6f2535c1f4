package io.mosaic.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

/** {@link Retry} through its injected clock, sleeper and random: nothing sleeps. */
class RetryTest {

    /** A random source that always answers the lowest or the highest value it may. */
    private static RandomGenerator extreme(boolean high) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public long nextLong(long bound) {
                return high ? bound - 1 : 0;
            }
        };
    }

    private static Retry retry(int maxAttempts, RandomGenerator random, List<Duration> waits, AtomicLong clock) {
        return new Retry(Duration.ofMillis(100), Duration.ofSeconds(2), maxAttempts, ErrorClassifier::isRetryable,
                d -> {
                    waits.add(d);
                    clock.addAndGet(d.toNanos());
                }, clock::get, random, (what, attempt, wait, cause) -> { });
    }

    @Test
    void fullJitterSpansZeroToTheCeilingWhichDoublesUpToTheMaximum() {
        Retry low = retry(0, extreme(false), new ArrayList<>(), new AtomicLong());
        Retry high = retry(0, extreme(true), new ArrayList<>(), new AtomicLong());
        long[] ceilings = {100, 200, 400, 800, 1600, 2000, 2000};
        for (int attempt = 1; attempt <= ceilings.length; attempt++) {
            assertThat(low.backoff(attempt)).as("attempt %d, lowest", attempt).isEqualTo(Duration.ZERO);
            assertThat(high.backoff(attempt)).as("attempt %d, highest", attempt).isEqualTo(Duration.ofMillis(ceilings[attempt - 1]));
        }
        assertThat(high.backoff(1_000)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void retriesWhatCanHealUntilItSucceeds() throws Exception {
        List<Duration> waits = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        String result = retry(0, extreme(true), waits, new AtomicLong()).call("bulk", () -> {
            if (calls.incrementAndGet() < 4) {
                throw new ConnectException("Connection refused");
            }
            return "ok";
        });
        assertThat(result).isEqualTo("ok");
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void throwsWhatCannotHealAtOnce() {
        List<Duration> waits = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        IOException permanent = new com.fasterxml.jackson.core.JsonParseException(null, "Unexpected character ('<')");
        assertThatThrownBy(() -> retry(0, extreme(true), waits, new AtomicLong()).call("bulk", () -> {
            calls.incrementAndGet();
            throw permanent;
        })).isSameAs(permanent);
        assertThat(calls).hasValue(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void aBoundedRetryGivesUpAfterItsAttempts() {
        List<Duration> waits = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry(3, extreme(false), waits, new AtomicLong()).call("mget", () -> {
            calls.incrementAndGet();
            throw new ConnectException("Connection refused");
        })).isInstanceOf(ConnectException.class);
        assertThat(calls).hasValue(3);
        assertThat(waits).hasSize(2);
    }

    @Test
    void neverMakesOneAttempt() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> Retry.never().call("health", () -> {
            calls.incrementAndGet();
            throw new ConnectException("Connection refused");
        })).isInstanceOf(ConnectException.class);
        assertThat(calls).hasValue(1);
    }
}
