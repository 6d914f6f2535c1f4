package io.mosaic.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.mosaic.config.RestartConfig;
import io.mosaic.es.Retry;

/** When a failed source is restarted and when it is given up: pure logic on a fake clock. */
class RestartPolicyTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);

    RestartPolicy policy(Duration initial, Duration max, Duration giveUpAfter) {
        Retry backoff = new Retry(initial, max, 0, e -> true, d -> { }, now::get, new Random(7), (w, a, d, c) -> { });
        return new RestartPolicy(new RestartConfig(initial, max, giveUpAfter), backoff, now::get);
    }

    void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void waitsGrowExponentiallyWithJitterUpToTheCap() {
        RestartPolicy p = policy(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofMinutes(30));
        long[] ceilings = {1000, 2000, 4000, 8000, 8000, 8000, 8000};
        boolean belowCeiling = false;
        for (int i = 0; i < ceilings.length; i++) {
            RestartPolicy.Decision d = p.failed(null);
            assertThat(d.giveUp()).isFalse();
            assertThat(d.attempt()).isEqualTo(i + 1);
            assertThat(d.delay().toMillis()).isBetween(0L, ceilings[i]);
            belowCeiling |= d.delay().toMillis() < ceilings[i];
        }
        assertThat(belowCeiling).as("full jitter: waits are random below the ceiling").isTrue();
    }

    @Test
    void givesUpAfterFailingForGiveUpAfterAndSaysWhatToCheck() {
        RestartPolicy p = policy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5));
        assertThat(p.failed(null).giveUp()).isFalse();
        advance(Duration.ofMinutes(4));
        RestartPolicy.Decision d = p.failed(null);
        assertThat(d.giveUp()).isFalse();
        assertThat(d.failingFor()).isEqualTo(Duration.ofMinutes(4));
        advance(Duration.ofMinutes(1));
        d = p.failed(null);
        assertThat(d.giveUp()).isTrue();
        assertThat(d.reason()).contains("failing for 300 s").contains("restart.give_up_after (300 s)").contains("check that the database");
    }

    @Test
    void aRecoveryStartsANewEpisodeWithAShortWaitAndAFreshClock() {
        RestartPolicy p = policy(Duration.ofMillis(100), Duration.ofMinutes(1), Duration.ofMinutes(5));
        for (int i = 0; i < 10; i++) {
            p.failed(null);
        }
        advance(Duration.ofMinutes(4));
        p.recovered();
        assertThat(p.isFailing()).isFalse();
        advance(Duration.ofHours(1));
        RestartPolicy.Decision d = p.failed(null);
        assertThat(d.giveUp()).isFalse();
        assertThat(d.attempt()).isEqualTo(1);
        assertThat(d.delay().toMillis()).isLessThanOrEqualTo(100);
        assertThat(d.failingFor()).isZero();
    }

    @Test
    void anUnrecoverableFailureGivesUpAtOnce() {
        RestartPolicy p = policy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(30));
        RestartPolicy.Decision d = p.failed("the database refused the credentials");
        assertThat(d.giveUp()).isTrue();
        assertThat(d.reason()).isEqualTo("the database refused the credentials");
    }

    @Test
    void giveUpAfterZeroRestartsForEver() {
        RestartPolicy p = policy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO);
        for (int i = 0; i < 100; i++) {
            advance(Duration.ofHours(1));
            assertThat(p.failed(null).giveUp()).isFalse();
        }
    }
}
