package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.ExpectedDocuments;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.MosaicHarness;

/**
 * Row filters on real servers: retired employees have no document (root filter on PostgreSQL), and only
 * open contracts are elements (collection filter on MariaDB), while a workload moves employees in and
 * out of retirement and ends contracts, and Mosaic is killed once in the middle of it.
 */
class RowFilterIT {

    static MosaicHarness harness;
    static ChildProcess mosaic;

    @AfterAll
    static void stop() throws Exception {
        if (mosaic != null) {
            mosaic.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void documentsAndElementsFollowTheirFiltersUnderLoadAndAKill() throws Exception {
        harness = new MosaicHarness();
        ScenarioSize size = new ScenarioSize(1, 300);
        ScenarioSeeder.seed(harness.dbs, size, 41);
        String mapping = Files.readString(MosaicHarness.scenarioMapping())
                .replace("  key: id                     # the document _id\n",
                        "  key: id                     # the document _id\n  filter:\n    status: { not_in: [retired] }\n")
                .replace("    table: labor.contracts\n", "    table: labor.contracts\n    filter: { ends_on: { is: null } }\n");
        assertThat(mapping).contains("not_in: [retired]").contains("ends_on: { is: null }");
        Path dir = harness.workDir.resolve("mappings");
        Files.createDirectories(dir);
        Files.copy(MosaicHarness.scenarioMapping().resolveSibling("employees.index.json"), dir.resolve("employees.index.json"));
        Files.writeString(dir.resolve("employees.yaml"), mapping);
        Path config = harness.config(dir.resolve("employees.yaml").toString(), "admin", "motivation", "labor");
        mosaic = ChildProcess.mosaic("mosaic", config, harness.workDir.resolve("mosaic.log"), null).start();
        harness.awaitConverged("employees", RowFilterIT::expected, Duration.ofSeconds(120));
        assertThat(expected().size()).as("some employees are retired").isLessThan(size.employees());

        FaultWorkload workload = new FaultWorkload(harness.dbs, 41, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        try {
            Thread.sleep(3_000);
            try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
                s.execute("UPDATE employees SET status = 'retired' WHERE id % 7 = 0");
                s.execute("UPDATE employees SET status = 'active' WHERE id % 11 = 0");
            }
            try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
                s.execute("UPDATE contracts SET ends_on = '2026-11-30' WHERE id % 5 = 0 AND ends_on IS NULL");
                s.execute("UPDATE contracts SET ends_on = NULL WHERE id % 13 = 0");
            }
            mosaic.kill9();
            Thread.sleep(2_000);
            mosaic.start();
            Thread.sleep(4_000);
        } finally {
            workload.running.set(false);
            writer.join();
        }
        assertThat(workload.committed.get()).isGreaterThan(20);
        harness.awaitConverged("employees", RowFilterIT::expected, Duration.ofSeconds(180));
    }

    /** The scenario's SQL projection, without retired employees and without ended contracts. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> expected() {
        try {
            Map<String, Map<String, Object>> out = new LinkedHashMap<>();
            ExpectedDocuments.compute(harness.dbs).forEach((id, doc) -> {
                if ("retired".equals(doc.get("status"))) {
                    return;
                }
                Map<String, Object> d = new LinkedHashMap<>(doc);
                if (d.get("contracts") instanceof List<?> contracts) {
                    d.put("contracts", contracts.stream().filter(c -> ((Map<String, Object>) c).get("ends_on") == null).toList());
                }
                out.put(id, d);
            });
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
