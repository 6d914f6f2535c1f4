package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.MosaicHarness;

/**
 * A real SIGTERM under load, as Kubernetes stops a pod (issue 13: the process exited 143 and logged
 * ERROR lines on a normal shutdown). Mosaic must exit 0 well within a 30 s grace period, log no ERROR,
 * and a restart must converge to the sources' rows.
 */
class ShutdownIT {

    private static final ScenarioSize SIZE = new ScenarioSize(1, 200);

    private MosaicHarness harness;

    @AfterEach
    void stop() throws Exception {
        if (harness != null) {
            harness.close(); // and the Mosaic process it started
        }
    }

    @Test
    void sigtermUnderLoadExitsZeroWithoutErrorsAndARestartConverges() throws Exception {
        ChildProcess process = convergedMosaic("shutdown", 13);
        Path log = process.log();
        FaultWorkload workload = workload(13);
        Thread writer = started(workload);
        int exit;
        long tookMillis;
        try {
            Thread.sleep(5_000);
            long started = System.nanoTime();
            exit = process.terminate(30);
            tookMillis = (System.nanoTime() - started) / 1_000_000;
            Thread.sleep(2_000); // changes also arrive while Mosaic is down
        } finally {
            // never left running into the next test classes
            workload.running.set(false);
            writer.join();
        }

        assertThat(exit).as("exit code after SIGTERM (log: %s)", log).isZero();
        assertThat(tookMillis).as("time to stop").isLessThan(25_000);
        List<String> errors = Files.readAllLines(log).stream().filter(l -> l.contains(" ERROR ")).toList();
        assertThat(errors).as("ERROR lines on a clean shutdown").isEmpty();
        assertThat(Files.readString(log)).contains("stopping (SIGTERM)")
                .as("the batch in hand is written and committed, not interrupted (so the restart replays none of it)")
                .doesNotContain("stopped while writing a batch").doesNotContain("did not finish within");
        assertThat(workload.committed.get()).isGreaterThan(20);

        process.start();
        harness.awaitScenarioConverged(Duration.ofSeconds(120));
    }

    /**
     * A SIGTERM while Elasticsearch refuses every save of a position, and keeps taking the documents (the offsets
     * index is write-blocked). Debezium's PostgreSQL task confirms to the server whatever the offset store reads back,
     * once more when it stops; a store that read back positions not yet saved let that stop move the replication
     * slot past the stored position, and the restart failed for good with "Last recorded offset is no longer
     * available on the server" (NetworkPartitionIT, under a SIGTERM behind a partition, once in a CI run). The slot
     * must stay at or behind the stored position, and the restart must converge.
     */
    @Test
    void sigtermWhileNoPositionCanBeSavedKeepsEachSlotBehindTheStoredPosition() throws Exception {
        ChildProcess process = convergedMosaic("shutdown-unsaved", 29);
        Path log = process.log();
        FaultWorkload workload = workload(29);
        Thread writer = started(workload);
        Map<String, Map<String, Object>> before;
        int committedWhileBlocked;
        try {
            Thread.sleep(3_000);
            MosaicHarness.es("PUT", "/mosaic-offsets/_settings", Map.of("index.blocks.write", true));
            before = MosaicHarness.storedPositions();
            int committedBefore = workload.committed.get();
            Thread.sleep(6_000); // six flush intervals: batches are written and marked processed, no position is saved
            committedWhileBlocked = workload.committed.get() - committedBefore;
            process.terminate(30);
        } finally {
            workload.running.set(false);
            writer.join();
        }
        Map<String, Map<String, Object>> after = MosaicHarness.storedPositions();
        MosaicHarness.es("PUT", "/mosaic-offsets/_settings", Map.of("index.blocks.write", false));

        assertThat(committedWhileBlocked).as("source transactions while no position could be saved").isGreaterThan(10);
        assertThat(after).as("stored positions: the block held, nothing was saved after it began").isEqualTo(before);
        for (String source : List.of("admin", "motivation")) {
            Map<String, Object> stored = after.get(source);
            assertThat(stored).as("stored position of %s (all: %s)", source, after.keySet()).isNotNull();
            long storedProcessed = ((Number) stored.get("lsn_proc")).longValue();
            long storedCommit = stored.get("lsn_commit") instanceof Number n ? n.longValue() : storedProcessed;
            long[] slot = slot("mosaic_" + source);
            // restart_lsn <= lsn_proc is what Debezium checks before it streams from a stored position
            assertThat(slot[0]).as("slot mosaic_%s: restart_lsn against the stored lsn_proc (log: %s)", source, log)
                    .isLessThanOrEqualTo(storedProcessed);
            assertThat(slot[1]).as("slot mosaic_%s: confirmed_flush_lsn against the stored lsn_commit (log: %s)", source, log)
                    .isLessThanOrEqualTo(Math.max(storedCommit, storedProcessed));
        }

        process.start();
        harness.awaitScenarioConverged(Duration.ofSeconds(120));
        assertThat(Files.readString(log)).as("the restart resumed from the stored positions").doesNotContain("no longer available");
    }

    /** The scenario at {@link #SIZE}, seeded with {@code seed}; Mosaic started on it as a child process, and converged. */
    private ChildProcess convergedMosaic(String name, int seed) throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, SIZE, seed);
        ChildProcess process = harness.mosaicProcess(name, harness.scenarioConfig()).start();
        harness.awaitScenarioConverged(Duration.ofSeconds(120));
        return process;
    }

    /** Transactions on the scenario's rows through all three sources, until {@code running} is cleared. */
    private FaultWorkload workload(int seed) {
        return new FaultWorkload(harness.dbs, seed, SIZE.employees(), (int) SIZE.departments(), (int) SIZE.surveys());
    }

    private static Thread started(FaultWorkload workload) {
        Thread writer = new Thread(workload, "workload");
        writer.start();
        return writer;
    }

    /** The slot's restart_lsn and confirmed_flush_lsn, as numbers (Debezium's offsets keep LSNs as numbers). */
    private long[] slot(String name) throws Exception {
        try (Connection c = harness.dbs.openPgServer(); PreparedStatement ps = c.prepareStatement(
                "SELECT (restart_lsn - '0/0')::bigint, (confirmed_flush_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet r = ps.executeQuery()) {
                assertThat(r.next()).as("slot %s exists", name).isTrue();
                return new long[] {r.getLong(1), r.getLong(2)};
            }
        }
    }
}
