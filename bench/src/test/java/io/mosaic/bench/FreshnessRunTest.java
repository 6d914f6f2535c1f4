package io.mosaic.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FreshnessRunTest {

    private static String scrape(int le25, int le100, int inf) {
        return "# HELP mosaic_source_lag_seconds x\n"
                + "mosaic_source_lag_seconds_bucket{source=\"admin\",le=\"0.025\"} " + le25 + "\n"
                + "mosaic_source_lag_seconds_bucket{source=\"admin\",le=\"0.1\"} " + le100 + "\n"
                + "mosaic_source_lag_seconds_bucket{source=\"admin\",le=\"+Inf\"} " + inf + "\n"
                + "mosaic_source_lag_seconds_bucket{source=\"labor\",le=\"0.025\"} 0\n"
                + "mosaic_source_lag_seconds_bucket{source=\"labor\",le=\"0.1\"} 0\n"
                + "mosaic_source_lag_seconds_bucket{source=\"labor\",le=\"+Inf\"} 10\n";
    }

    @Test
    void percentilesAreTheBucketBoundsOfTheObservationsBetweenTwoScrapes() {
        // between the scrapes: 10 observations of admin, 8 of them <= 25 ms, 1 more <= 100 ms, 1 beyond
        var p = FreshnessRun.percentiles(scrape(100, 100, 100), scrape(108, 109, 110)).get("mosaic_source_lag_seconds");
        assertThat(p[0]).isEqualTo(25.0);
        assertThat(p[1]).isInfinite();
        assertThat(FreshnessRun.bound(p[0])).isEqualTo("≤ 25");
    }

    @Test
    void theBinlogSourceWithWholeSecondCommitTimesIsLeftOut() {
        // labor's 10 observations beyond 100 ms never change the others' percentiles
        var p = FreshnessRun.percentiles(scrape(0, 0, 0).replace("} 10", "} 0"), scrape(10, 10, 10));
        assertThat(p.get("mosaic_source_lag_seconds")[1]).isEqualTo(25.0);
    }

    @Test
    void aHistogramMissingOrUnchangedHasNoPercentile() {
        var p = FreshnessRun.percentiles(scrape(1, 1, 1), scrape(1, 1, 1));
        assertThat(p.get("mosaic_source_lag_seconds")[0]).isNaN();
        assertThat(p.get("mosaic_writer_batch_duration_seconds")[1]).isNaN();
        assertThat(FreshnessRun.bound(Double.NaN)).isEqualTo("–");
    }
}
