package io.mosaic.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** What /metrics shows of Mosaic's own meters, as Prometheus scrapes them. */
class MosaicMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MosaicMetrics metrics = new MosaicMetrics();

    MosaicMetricsTest() {
        metrics.bindTo(registry);
    }

    @Test
    void countersEndInTotalAndDurationsAreHistogramsInSeconds() {
        metrics.source("admin").changes("public.employees", 3);
        metrics.request(10, 250_000_000L, true);
        metrics.source("admin").acknowledged(System.currentTimeMillis(), new long[] {System.currentTimeMillis() - 1500}, 1, 0);
        String scrape = registry.scrape();
        assertThat(scrape).contains("mosaic_source_changes_total{source=\"admin\",table=\"public.employees\"} 3.0")
                .contains("mosaic_elasticsearch_bulk_duration_seconds_bucket{outcome=\"answered\",le=\"0.25\"} 1")
                .contains("mosaic_elasticsearch_bulk_size_items_bucket{le=\"10.0\"} 1")
                .contains("mosaic_source_lag_seconds_bucket{source=\"admin\",le=\"2.0\"} 1")
                .contains("mosaic_source_lag_seconds_bucket{source=\"admin\",le=\"1.0\"} 0")
                .doesNotContain("quantile=");
    }

    @Test
    void eachMeterIsBuiltOnceAndCountsAcrossBatches() {
        SourceMeters admin = metrics.source("admin");
        admin.changes("public.employees", 3);
        int meters = registry.getMeters().size();
        admin.changes("public.employees", 4);
        metrics.source("admin").changes("public.employees", 1);
        metrics.written("employees-v1", "document", 2);
        int withWrites = registry.getMeters().size();
        metrics.written("employees-v1", "document", 2);
        assertThat(registry.getMeters()).hasSize(withWrites);
        assertThat(withWrites).isEqualTo(meters + 1);
        assertThat(metrics.source("admin")).isSameAs(admin);
        assertThat(registry.get(MosaicMetrics.CHANGES).tags("source", "admin", "table", "public.employees").counter().count()).isEqualTo(8.0);
    }

    @Test
    void theCurrentLagGrowsWhileABatchIsInFlightAndIsTheLastAcknowledgedOneOtherwise() {
        SourceMeters s = metrics.source("labor");
        assertThat(s.currentLagSeconds()).as("before any streamed change").isNaN();
        long now = System.currentTimeMillis();
        s.writing(now - 30_000);
        assertThat(s.currentLagSeconds()).isCloseTo(30.0, within(2.0));
        s.acknowledged(now, new long[] {now - 30_000, now - 2_000, 0}, 2, 0);
        assertThat(s.currentLagSeconds()).as("the newest change of the last batch").isCloseTo(2.0, within(0.01));
        assertThat(s.lastEventAgeSeconds()).isLessThan(2.0);
        assertThat(registry.get(MosaicMetrics.LAG).tag("source", "labor").timer().count()).isEqualTo(2);
    }

    @Test
    void theLagSplitsIntoTheWaitBeforeMosaicHasABatchAndTheBatchsWriting() {
        SourceMeters s = metrics.source("motivation");
        long now = System.currentTimeMillis();
        s.received(now, new long[] {now - 40, now - 300, 0}, 2);
        s.batchWritten(20_000_000L);
        String scrape = registry.scrape();
        assertThat(scrape).contains("mosaic_source_receive_lag_seconds_bucket{source=\"motivation\",le=\"0.05\"} 1")
                .contains("mosaic_source_receive_lag_seconds_bucket{source=\"motivation\",le=\"0.5\"} 2")
                .contains("mosaic_source_receive_lag_seconds_count{source=\"motivation\"} 2")
                .contains("mosaic_writer_batch_duration_seconds_bucket{source=\"motivation\",le=\"0.01\"} 0")
                .contains("mosaic_writer_batch_duration_seconds_bucket{source=\"motivation\",le=\"0.025\"} 1");
    }

    @Test
    void thePhaseIsAStateSetAndDeadLettersAreDeclaredWithZero() {
        metrics.declareTable("admin", "public.employees");
        metrics.source("admin").phase("streaming");
        String scrape = registry.scrape();
        assertThat(scrape).contains("mosaic_source_phase{phase=\"streaming\",source=\"admin\"} 1.0")
                .contains("mosaic_source_phase{phase=\"snapshotting\",source=\"admin\"} 0.0")
                .contains("mosaic_writer_dead_letters_total{source=\"admin\",table=\"public.employees\"} 0.0")
                .contains("mosaic_elasticsearch_retries_total{operation=\"bulk\"} 0.0");
    }

    @Test
    void itemFailuresAreCountedByErrorTypeNeverByReasonText() {
        metrics.itemFailed(400, "document_parsing_exception", false);
        metrics.itemFailed(400, "failed to parse field [email] value 'clash@example.com'", false);
        metrics.itemFailed(429, null, true);
        String scrape = registry.scrape();
        assertThat(scrape).contains("mosaic_elasticsearch_bulk_item_failures_total{reason=\"document_parsing_exception\",retryable=\"false\"} 1.0")
                .contains("reason=\"status_400\"").contains("reason=\"status_429\",retryable=\"true\"")
                .doesNotContain("clash@example.com");
    }

    @Test
    void retriedOperationsAreAClosedSet() {
        assertThat(MosaicMetrics.operation("bulk employees")).isEqualTo("bulk");
        assertThat(MosaicMetrics.operation("batch of admin")).isEqualTo("batch");
        assertThat(MosaicMetrics.operation("POST /mosaic-employees-state/_pit?keep_alive=1m")).isEqualTo("search");
        assertThat(MosaicMetrics.operation("PUT /employees-v1")).isEqualTo("admin");
    }

    /** A stand-in for Debezium's connector MBean: the bridge reads attributes by name, whatever the class. */
    public interface FakeStreamingMBean {
        long getMilliSecondsBehindSource();

        int getQueueRemainingCapacity();

        int getQueueTotalCapacity();

        boolean getConnected();
    }

    public static final class FakeStreaming implements FakeStreamingMBean {
        @Override
        public long getMilliSecondsBehindSource() {
            return 1500;
        }

        @Override
        public int getQueueRemainingCapacity() {
            return 2000;
        }

        @Override
        public int getQueueTotalCapacity() {
            return 2048;
        }

        @Override
        public boolean getConnected() {
            return true;
        }
    }

    @Test
    void debeziumsMBeansAreBridgedAndNaNWhileAbsent() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        DebeziumMetricsBridge bridge = new DebeziumMetricsBridge("bridged", "postgres");
        bridge.bindTo(registry);
        ObjectName name = new ObjectName("debezium.postgres:type=connector-metrics,context=streaming,server=bridged");
        assertThat(bridge.objectName("streaming")).isEqualTo(name);
        assertThat(registry.get("mosaic.debezium.behind.source").tag("source", "bridged").gauge().value()).isNaN();
        server.registerMBean(new FakeStreaming(), name);
        try {
            assertThat(registry.get("mosaic.debezium.behind.source").gauge().value()).isEqualTo(1.5);
            assertThat(registry.get("mosaic.debezium.queue.remaining.capacity").gauge().value()).isEqualTo(2000);
            assertThat(registry.get("mosaic.debezium.connected").gauge().value()).isEqualTo(1);
            assertThat(registry.get("mosaic.debezium.snapshot.tables").gauge().value()).as("no snapshot MBean").isNaN();
            assertThat(registry.scrape()).contains("mosaic_debezium_behind_source_seconds{source=\"bridged\"} 1.5");
        } finally {
            server.unregisterMBean(name);
        }
        assertThat(bridge.value("streaming", "QueueTotalCapacity")).isNaN();
    }

    /** As Debezium's snapshot MBean, an MXBean: its map of rows per table reaches the bridge as TabularData. */
    public interface FakeSnapshotMXBean {
        Map<String, Long> getRowsScanned();

        int getTotalTableCount();

        int getRemainingTableCount();

        boolean getSnapshotRunning();
    }

    @Test
    void rowsScannedPerTableAreSummed() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        DebeziumMetricsBridge bridge = new DebeziumMetricsBridge("snap", "mariadb");
        bridge.bindTo(registry);
        ObjectName name = bridge.objectName("snapshot");
        server.registerMBean(new FakeSnapshotMXBean() {
            public Map<String, Long> getRowsScanned() {
                return Map.of("labor.contracts", 300L, "labor.qualifications", 20L);
            }

            public int getTotalTableCount() {
                return 2;
            }

            public int getRemainingTableCount() {
                return 1;
            }

            public boolean getSnapshotRunning() {
                return true;
            }
        }, name);
        try {
            assertThat(registry.get("mosaic.debezium.snapshot.rows.scanned").tag("source", "snap").gauge().value()).isEqualTo(320);
            assertThat(registry.get("mosaic.debezium.snapshot.tables.remaining").tag("source", "snap").gauge().value()).isEqualTo(1);
            assertThat(registry.get("mosaic.debezium.snapshot.running").tag("source", "snap").gauge().value()).isEqualTo(1);
        } finally {
            server.unregisterMBean(name);
        }
    }
}
