package io.mosaic.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** What /metrics shows of Mosaic's own meters. */
class MosaicMetricsTest {

    @Test
    void theLastEventAgeOfASourceIsExported() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MosaicMetrics metrics = new MosaicMetrics();
        metrics.bindTo(registry);
        metrics.lastEvent("admin");
        assertThat(registry.scrape()).contains("mosaic_source_last_event_age_seconds{source=\"admin\"}");
    }

    @Test
    void eachMeterIsBuiltOnceAndCountsAcrossBatches() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MosaicMetrics metrics = new MosaicMetrics();
        metrics.bindTo(registry);
        metrics.changes("admin", "employees", 3);
        int meters = registry.getMeters().size();
        metrics.changes("admin", "employees", 4);
        metrics.batchTimer("admin");
        int withTimer = registry.getMeters().size();
        metrics.batchTimer("admin");
        assertThat(registry.getMeters()).hasSize(withTimer);
        assertThat(withTimer).isEqualTo(meters + 1);
        assertThat(registry.get(MosaicMetrics.CHANGES).tags("source", "admin", "table", "employees").counter().count()).isEqualTo(7.0);
        assertThat(metrics.batchTimer("admin")).isSameAs(metrics.batchTimer("admin"));
    }
}
