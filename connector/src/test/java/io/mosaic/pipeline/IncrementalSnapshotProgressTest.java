package io.mosaic.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.metrics.SourceMeters;
import io.mosaic.source.SnapshotNotifications.Event;

/**
 * An incremental snapshot's progress as {@code /status} and the meters show it, from Debezium's notifications
 * and the acknowledged records: requested, running with rows per table, done only once a record after its
 * last row is acknowledged, aborted; and one asked for by another process or resumed from the offsets.
 */
class IncrementalSnapshotProgressTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MosaicMetrics metrics = new MosaicMetrics();
    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    private final SourceMeters meters;
    private final IncrementalSnapshotProgress progress;

    IncrementalSnapshotProgressTest() {
        metrics.bindTo(registry);
        meters = metrics.source("admin");
        metrics.declareTable("admin", "public.employees");
        metrics.declareTable("admin", "public.departments");
        progress = new IncrementalSnapshotProgress(List.of("public.employees", "public.departments"), meters, clock::get);
    }

    private static SourceRecord record(boolean inSnapshot) {
        Map<String, Object> offset = new HashMap<>();
        offset.put("lsn", 1L);
        if (inSnapshot) {
            offset.put(Backfill.SNAPSHOT_CONTEXT, "[{\"incremental_snapshot_collections_id\":\"admin.public.departments\"}]");
        }
        return new SourceRecord(Map.of(), offset, "t", null, null);
    }

    private static List<SourceRecord> records(boolean... inSnapshot) {
        List<SourceRecord> out = new ArrayList<>();
        for (boolean b : inSnapshot) {
            out.add(record(b));
        }
        return out;
    }

    private static Event started(String signal, String... tables) {
        return new Event(Event.STARTED, null, null, signal, List.of(tables), null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> table(Map<String, Object> status, String name) {
        return ((List<Map<String, Object>>) status.get("tables")).stream().filter(t -> name.equals(t.get("table"))).findFirst().orElseThrow();
    }

    private double scraped(String sample) {
        for (String line : registry.scrape().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1));
            }
        }
        throw new AssertionError(sample + " not in the scrape");
    }

    @Test
    void aSnapshotAskedForHereIsRequestedThenRunningWithRowsPerTableAndDoneOnceARecordAfterItIsAcknowledged() {
        assertThat(progress.status()).isNull();
        assertThat(scraped("mosaic_source_incremental_snapshot_running{source=\"admin\"}")).isZero();
        assertThat(scraped("mosaic_source_incremental_snapshot_rows_total{source=\"admin\",table=\"public.employees\"}")).isZero();

        progress.requested("sig-1", List.of("public.employees", "public.departments"));
        assertThat(progress.status()).containsEntry("phase", "requested").containsEntry("signal", "sig-1").containsEntry("started_at", null);
        assertThat(progress.status().get("requested_at")).isNotNull();
        assertThat(scraped("mosaic_source_incremental_snapshot_running{source=\"admin\"}")).isEqualTo(1);

        clock.addAndGet(1000);
        progress.notified(started("sig-1", "admin.public.employees", "admin.public.departments"));
        progress.notified(new Event(Event.IN_PROGRESS, "admin.public.employees", null, "sig-1", List.of(), null));
        progress.acknowledged(records(true, true, true), Map.of("public.employees", 3));
        Map<String, Object> s = progress.status();
        assertThat(s).containsEntry("phase", "running").containsEntry("current_table", "public.employees").containsEntry("rows_written", 3L);
        assertThat(s.get("started_at")).isNotEqualTo(s.get("requested_at"));
        assertThat(table(s, "public.employees")).containsEntry("state", "running").containsEntry("rows_written", 3L);
        assertThat(table(s, "public.departments")).containsEntry("state", "pending").containsEntry("rows_written", 0L);

        progress.notified(new Event(Event.TABLE_SCAN_COMPLETED, "admin.public.employees", "SUCCEEDED", "sig-1", List.of(), 3L));
        progress.acknowledged(records(true, true), Map.of("public.departments", 2));
        progress.notified(new Event(Event.TABLE_SCAN_COMPLETED, "admin.public.departments", "SUCCEEDED", "sig-1", List.of(), 2L));
        progress.notified(new Event(Event.COMPLETED, null, null, "sig-1", List.of(), null));
        assertThat(progress.status()).as("completed, but its last rows are not known to be acknowledged").containsEntry("phase", "running");
        assertThat(table(progress.status(), "public.employees")).containsEntry("state", "done").containsEntry("rows_scanned", 3L);

        progress.acknowledged(records(true, false), Map.of("public.departments", 1));
        s = progress.status();
        assertThat(s).containsEntry("phase", "done").containsEntry("rows_written", 6L).containsEntry("current_table", null);
        assertThat(s.get("finished_at")).isNotNull();
        assertThat(table(s, "public.departments")).containsEntry("state", "done").containsEntry("rows_written", 3L).containsEntry("rows_scanned", 2L);
        assertThat(scraped("mosaic_source_incremental_snapshot_running{source=\"admin\"}")).isZero();
        assertThat(scraped("mosaic_source_incremental_snapshot_rows_total{source=\"admin\",table=\"public.employees\"}")).isEqualTo(3);
        assertThat(scraped("mosaic_source_incremental_snapshot_rows_total{source=\"admin\",table=\"public.departments\"}")).isEqualTo(3);
        assertThat(scraped("mosaic_source_incremental_snapshots_total{outcome=\"done\",source=\"admin\"}")).isEqualTo(1);
        assertThat(scraped("mosaic_source_incremental_snapshots_total{outcome=\"aborted\",source=\"admin\"}")).isZero();
    }

    @Test
    void aSnapshotAskedForByAnotherProcessShowsFromItsStartAndAnAbortEndsIt() {
        progress.notified(started("cli-7", "admin.public.departments"));
        Map<String, Object> s = progress.status();
        assertThat(s).containsEntry("phase", "running").containsEntry("signal", "cli-7").containsEntry("requested_at", null);
        assertThat(table(s, "public.departments")).containsEntry("state", "pending");
        progress.notified(new Event(Event.PAUSED, null, null, "cli-7", List.of(), null));
        assertThat(progress.status()).containsEntry("paused", true);
        progress.notified(new Event(Event.ABORTED, null, null, "cli-7", List.of(), null));
        assertThat(progress.status()).containsEntry("phase", "aborted").containsEntry("paused", false);
        assertThat(progress.running()).isFalse();
        assertThat(scraped("mosaic_source_incremental_snapshots_total{outcome=\"aborted\",source=\"admin\"}")).isEqualTo(1);

        // the next one replaces it; a signal that arrives while it runs is added to it
        progress.notified(started("cli-8", "admin.public.employees"));
        progress.notified(new Event(Event.IN_PROGRESS, "admin.public.employees", null, "cli-9", List.of("admin.public.employees",
                "admin.public.departments"), null));
        assertThat(progress.status()).containsEntry("signal", "cli-8").containsEntry("signals", List.of("cli-8", "cli-9"));
        assertThat((List<?>) progress.status().get("tables")).hasSize(2);

    }

    @Test
    void aTableDebeziumCouldNotReadShowsItsStatus() {
        progress.notified(started("s", "admin.public.departments"));
        progress.notified(new Event(Event.TABLE_SCAN_COMPLETED, "admin.public.departments", "SQL_EXCEPTION", "s", List.of(), 0L));
        assertThat(table(progress.status(), "public.departments")).containsEntry("state", "sql_exception");
    }

    @Test
    void aSnapshotResumedFromTheOffsetsShowsFromItsFirstRecordWithTheTablesItsOffsetNames() {
        progress.acknowledged(records(true), Map.of("public.departments", 1));
        Map<String, Object> s = progress.status();
        assertThat(s).containsEntry("phase", "running").containsEntry("resumed", true).containsEntry("signal", null);
        assertThat(table(s, "public.departments")).containsEntry("rows_written", 1L);
        assertThat((List<?>) s.get("tables")).hasSize(1);
        progress.acknowledged(records(false), Map.of());
        assertThat(progress.status()).containsEntry("phase", "done");
    }

    @Test
    void streamingRecordsWithoutASnapshotChangeNothing() {
        progress.acknowledged(records(false, false), Map.of());
        assertThat(progress.status()).isNull();
        progress.notified(new Event(Event.COMPLETED, null, null, null, List.of(), null));
        assertThat(progress.status()).isNull();
    }
}
