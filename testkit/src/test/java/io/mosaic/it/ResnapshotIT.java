package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.MosaicHarness;

/**
 * A snapshot only emits rows that exist: rows deleted while Mosaic was not reading the log (here:
 * its slot and offsets are gone and it must snapshot again) must still disappear from the documents.
 */
class ResnapshotIT {

    static MosaicHarness harness;

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    void converged() {
        harness.awaitScenarioConverged(Duration.ofSeconds(60));
    }

    @Test
    void rowsDeletedBeforeARepeatedSnapshotDisappear() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 100), 5);
        var config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        harness.start(config);
        converged();
        harness.stop();

        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM employees WHERE id IN (5, 6)");
            s.execute("UPDATE employees SET department_id = NULL WHERE department_id = 2");
            s.execute("DELETE FROM departments WHERE id = 2");
        }
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM contracts WHERE employee_id = 7");
        }
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM survey_answers WHERE employee_id = 8");
        }
        // Mosaic lost its place in every source: slots dropped, stored offsets and history deleted
        try (Connection c = harness.dbs.openPgServer(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'mosaic%'");
        }
        MosaicHarness.es("DELETE", "/mosaic-offsets,mosaic-schema-history", null);

        harness.start(config);
        converged();
        assertThat(harness.documents("employees")).doesNotContainKeys("5", "6");
        assertThat((List<?>) harness.documents("employees").get("7").get("contracts")).isEmpty();
    }

    @Test
    void aDroppedSlotIsAClearErrorAndResnapshotRecovers() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 60), 6);
        var config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        harness.start(config);
        converged();
        harness.stop();
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM employees WHERE id = 9");
        }
        try (Connection c = harness.dbs.openPgServer(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot('mosaic_admin')");
        }

        refusedUntilAdminIsSnapshottedAgain(config, "source 'admin': the replication slot mosaic_admin no longer exists", "9");
    }

    /**
     * A slot dropped and created again while Mosaic was stopped exists, but starts after Mosaic's position: the changes
     * in between are gone. Debezium refuses it only once its engine runs, and a source restarted in-process met the same
     * refusal at every attempt; start-up now says so at once, with the fix.
     */
    @Test
    void aSlotCreatedAgainIsAClearErrorAndResnapshotRecovers() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 60), 7);
        var config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        harness.start(config);
        converged();
        harness.stop();
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM employees WHERE id = 10");
        }
        try (Connection c = harness.dbs.openPgServer(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot('mosaic_admin')");
        }
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_create_logical_replication_slot('mosaic_admin', 'pgoutput')");
        }

        refusedUntilAdminIsSnapshottedAgain(config,
                "source 'admin': the replication slot mosaic_admin has moved past Mosaic's last position", "10");
    }

    /**
     * {@code mosaic run} refuses to start, naming the lost position ({@code refusal}) and {@code --resnapshot admin};
     * a start with {@code --resnapshot admin} then converges, without the employee deleted while the changes were lost.
     */
    private void refusedUntilAdminIsSnapshottedAgain(java.nio.file.Path config, String refusal, String deletedEmployee) throws Exception {
        MosaicCli.Run refused = MosaicCli.run("run", "--config", config.toString());
        assertThat(refused.exit()).isEqualTo(io.mosaic.cli.ExitCodes.CONFIG);
        assertThat(refused.err()).contains(refusal).contains("--resnapshot admin");

        var mosaic = new io.mosaic.pipeline.Mosaic(io.mosaic.config.MosaicConfig.load(config)).resnapshot(java.util.Set.of("admin"));
        try {
            mosaic.start();
            converged();
            assertThat(harness.documents("employees")).doesNotContainKey(deletedEmployee);
        } finally {
            mosaic.close();
        }
    }
}
