package io.mosaic.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.Problems;
import io.mosaic.config.SourceConfig;
import io.mosaic.config.SourceType;
import io.mosaic.config.StateConfig;
import io.mosaic.es.Retry;
import io.mosaic.mapping.MappingLoader;
import io.mosaic.mapping.MappingSet;
import io.mosaic.offsets.CapturedTables;
import io.mosaic.offsets.StoredPositions;
import io.mosaic.source.SnapshotNotifications;

/**
 * When a start backfills, and when a backfill counts as finished: the decisions of {@link Backfill} against
 * the file store, with the signal and Debezium's records and notifications played by the test.
 */
class BackfillTest {

    static MappingSet set;

    @TempDir
    Path dir;

    final List<List<String>> signalled = new ArrayList<>();

    @BeforeAll
    static void load() {
        Problems problems = new Problems();
        Path file = Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml");
        set = new MappingSet(List.of(new MappingLoader(Set.of("admin", "motivation", "labor")).loadFile(file, problems)));
        assertThat(problems.list()).isEmpty();
    }

    static SourceConfig admin(String signalTable) {
        return new SourceConfig("admin", SourceType.POSTGRES, "db", 5432, "admin", "mosaic", "pw", "mosaic_admin", "mosaic_admin", 1,
                "initial", Duration.ofSeconds(10), Duration.ofSeconds(10), signalTable, Map.of(), null, null);
    }

    StateConfig state() {
        return new StateConfig("file", dir);
    }

    Backfill backfill(SourceConfig source) {
        Retry once = new Retry(Duration.ofMillis(1), Duration.ofMillis(1), 1, e -> false, d -> { }, System::nanoTime,
                java.util.random.RandomGenerator.getDefault(), (what, attempt, wait, cause) -> { });
        return new Backfill(source, set, new CapturedTables(state(), null), new StoredPositions(state(), null), once, (s, tables) -> {
            signalled.add(tables);
            return "signal-" + signalled.size();
        });
    }

    void position() throws Exception {
        Files.writeString(dir.resolve("admin.offsets"), "position");
    }

    /** The record as if the deployment mapped employees without their department. */
    void capturedWithoutDepartments() throws Exception {
        Map<String, Set<String>> before = new LinkedHashMap<>(CapturedTables.mapped(set, "admin"));
        before.remove("public.departments");
        Set<String> employees = new java.util.TreeSet<>(before.get("public.employees"));
        employees.remove("department_id");
        before.put("public.employees", employees);
        new CapturedTables(state(), null).write(admin(null), before, List.of());
    }

    static SourceRecord record(boolean inSnapshot) {
        Map<String, Object> offset = new LinkedHashMap<>();
        offset.put("lsn", 42L);
        if (inSnapshot) {
            offset.put(Backfill.SNAPSHOT_CONTEXT, "[{\"incremental_snapshot_collections_id\":\"public.departments\"}]");
        }
        return new SourceRecord(Map.of("server", "admin"), offset, "admin.public.employees", null, null);
    }

    @Test
    void aNewSourceIsRecordedAsCapturingItsMappingAndSignalsNothing() throws Exception {
        backfill(admin("public.mosaic_signal")).beforeStart();
        assertThat(signalled).isEmpty();
        assertThat(new CapturedTables(state(), null).read(admin(null)).tables()).isEqualTo(CapturedTables.mapped(set, "admin"));
    }

    @Test
    void theFirstStartOfAnOlderDeploymentReadsNothingAgain() throws Exception {
        position();
        Backfill b = backfill(admin(null)); // even without a signal table
        b.beforeStart();
        assertThat(signalled).isEmpty();
        assertThat(b.status()).isNull();
        assertThat(new CapturedTables(state(), null).read(admin(null)).tables()).isEqualTo(CapturedTables.mapped(set, "admin"));
    }

    @Test
    void aNewLookupIsBackfilledAndRecordedOnlyOnceItsRowsAreAcknowledged() throws Exception {
        position();
        capturedWithoutDepartments();
        Backfill b = backfill(admin("public.mosaic_signal"));
        b.beforeStart();
        assertThat(signalled).containsExactly(List.of("public.departments", "public.employees"));
        CapturedTables.Stored pending = new CapturedTables(state(), null).read(admin(null));
        assertThat(pending.backfill()).containsExactly("public.departments", "public.employees");
        assertThat(pending.tables()).doesNotContainKey("public.departments");
        assertThat(b.status()).containsEntry("phase", "running");

        b.beforeStart(); // an in-process restart: Debezium resumes the snapshot from its offsets, nothing is signalled again
        assertThat(signalled).hasSize(1);

        b.acknowledged(List.of(record(false), record(true))); // streaming before the snapshot, then its first rows
        b.notified(new SnapshotNotifications.Event("TABLE_SCAN_COMPLETED", "public.departments", "SUCCEEDED"));
        b.acknowledged(List.of(record(true)));
        b.notified(new SnapshotNotifications.Event("TABLE_SCAN_COMPLETED", "admin.public.employees", "SUCCEEDED"));
        b.notified(new SnapshotNotifications.Event("COMPLETED", null, null));
        assertThat(new CapturedTables(state(), null).read(admin(null)).backfill()).as("rows still in the queue").isNotEmpty();
        b.acknowledged(List.of(record(true), record(false))); // the last rows, then the first change after the snapshot

        CapturedTables.Stored done = new CapturedTables(state(), null).read(admin(null));
        assertThat(done.backfill()).isEmpty();
        assertThat(done.tables()).isEqualTo(CapturedTables.mapped(set, "admin"));
        assertThat(b.status()).containsEntry("phase", "done").containsEntry("tables", List.of("public.departments", "public.employees"));

        backfill(admin("public.mosaic_signal")).beforeStart(); // the next start
        assertThat(signalled).hasSize(1);
    }

    @Test
    void anotherSnapshotEndingFirstDoesNotEndTheBackfill() throws Exception {
        position();
        capturedWithoutDepartments();
        Backfill b = backfill(admin("public.mosaic_signal"));
        b.beforeStart();
        b.acknowledged(List.of(record(true), record(false))); // one asked for by hand, which ends before this one is read
        assertThat(b.status()).containsEntry("phase", "running");
        assertThat(new CapturedTables(state(), null).read(admin(null)).backfill()).isNotEmpty();
    }

    @Test
    void aTableDebeziumCouldNotReadLeavesTheBackfillForTheNextStart() throws Exception {
        position();
        capturedWithoutDepartments();
        Backfill b = backfill(admin("public.mosaic_signal"));
        b.beforeStart();
        b.acknowledged(List.of(record(true)));
        b.notified(new SnapshotNotifications.Event("TABLE_SCAN_COMPLETED", "public.departments", "SQL_EXCEPTION"));
        b.notified(new SnapshotNotifications.Event("TABLE_SCAN_COMPLETED", "public.employees", "SUCCEEDED"));
        b.acknowledged(List.of(record(false)));
        assertThat(b.status()).containsEntry("phase", "failed");
        assertThat(new CapturedTables(state(), null).read(admin(null)).backfill()).containsExactly("public.departments", "public.employees");
        backfill(admin("public.mosaic_signal")).beforeStart();
        assertThat(signalled).hasSize(2);
    }

    @Test
    void withoutASignalTableTheStartIsRefusedNamingTheTablesAndBothFixes() throws Exception {
        position();
        capturedWithoutDepartments();
        assertThatThrownBy(() -> backfill(admin(null)).beforeStart()).isInstanceOf(Backfill.Refused.class)
                .hasMessageContaining("source 'admin'").hasMessageContaining("public.departments (a new table)")
                .hasMessageContaining("public.employees (new column department_id)")
                .hasMessageContaining("sources.admin.signal_table").hasMessageContaining("mosaic run --resnapshot admin");
        assertThat(signalled).isEmpty();
    }

    @Test
    void notificationsNameTablesWithOrWithoutTheirDatabase() {
        assertThat(SnapshotNotifications.sameTable("public.departments", "public.departments")).isTrue();
        assertThat(SnapshotNotifications.sameTable("admin.public.departments", "public.departments")).isTrue();
        assertThat(SnapshotNotifications.sameTable("public.xdepartments", "public.departments")).isFalse();
        assertThat(SnapshotNotifications.sameTable(null, "public.departments")).isFalse();
    }
}
