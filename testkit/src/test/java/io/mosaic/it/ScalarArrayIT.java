package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.cli.ExitCodes;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ExpectedDocuments;
import io.mosaic.testkit.MosaicHarness;

/**
 * A {@code value:} collection on real servers: the scenario's mapping plus {@code qualification_names}, the
 * names of the employee's qualifications (MariaDB) as an array of strings in key order, mapped as keyword in the
 * template. {@code mosaic validate} accepts it; inserts, updates, moves and deletes of qualifications change the
 * array while Mosaic streams; the documents equal the SQL projection plus the names taken from its
 * {@code qualifications}; {@code mosaic verify} finds no drift, and finds an array edited behind Mosaic's back.
 */
class ScalarArrayIT {

    static MosaicHarness harness;

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theArrayFollowsTheQualificationsWhileStreaming() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 200), 43);
        Path dir = harness.workDir.resolve("mappings");
        Files.createDirectories(dir);
        String template = Files.readString(MosaicHarness.scenarioMapping().resolveSibling("employees.index.json"));
        String withNames = template.replace("\"hired_on\":", "\"qualification_names\": { \"type\": \"keyword\" },\n      \"hired_on\":");
        assertThat(withNames).contains("qualification_names");
        Files.writeString(dir.resolve("employees.index.json"), withNames);
        Files.writeString(dir.resolve("employees.yaml"), Files.readString(MosaicHarness.scenarioMapping()) + """
                  qualification_names:        # the same rows as qualifications, each element just its name
                    source: labor
                    table: labor.qualifications
                    key: id
                    parent: employee_id
                    value: name
                """);
        Path config = harness.config(dir.resolve("employees.yaml").toString(), "admin", "motivation", "labor");
        MosaicCli.Run validate = MosaicCli.run("validate", "--config", config.toString());
        assertThat(validate.exit()).as(validate.err() + validate.out()).isZero();

        harness.start(config);
        harness.awaitConverged("employees", ScalarArrayIT::expected, Duration.ofSeconds(180));
        assertThat(expected().values()).as("the seed gives some employees several qualifications")
                .anySatisfy(d -> assertThat((List<?>) d.get("qualification_names")).hasSizeGreaterThan(1));

        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO qualifications (id, employee_id, name) VALUES (900002, 5, '第二種電気工事士'), (900001, 5, '衛生管理者')");
            s.execute("UPDATE qualifications SET name = CONCAT(name, '（更新）') WHERE id % 7 = 0");
            s.execute("UPDATE qualifications SET employee_id = 6 WHERE id % 11 = 0");
            s.execute("DELETE FROM qualifications WHERE id % 5 = 0");
        }
        harness.awaitConverged("employees", ScalarArrayIT::expected, Duration.ofSeconds(180));
        List<Object> five = (List<Object>) harness.documents("employees").get("5").get("qualification_names");
        assertThat(five).as("the inserted names, in key order, after employee 5's own").endsWith("衛生管理者", "第二種電気工事士");

        MosaicCli.Run clean = verify(config);
        assertThat(clean.exit()).as(clean.out()).isEqualTo(ExitCodes.OK);

        assertThat(MosaicHarness.es("POST", "/employees/_update/5?refresh=true",
                Map.of("doc", Map.of("qualification_names", List.of("衛生管理者")))).get("_status")).isEqualTo(200);
        MosaicCli.Run drift = verify(config);
        assertThat(drift.exit()).as(drift.out()).isEqualTo(ExitCodes.DRIFT);
        assertThat(drift.out() + drift.err()).contains("different 5 fields [qualification_names]");
    }

    static MosaicCli.Run verify(Path config) {
        MosaicCli.Run run = MosaicCli.run("verify", "--config", config.toString(), "--settle", "3s");
        System.out.println("verify -> " + run.exit() + "\n" + run.out().lines().filter(l -> !l.contains(" INFO ") && !l.contains(" WARN "))
                .reduce("", (a, b) -> a + b + "\n") + run.err());
        return run;
    }

    /** The scenario's SQL projection plus {@code qualification_names}: its qualifications' names, by id, nulls left out. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> expected() {
        try {
            Map<String, Map<String, Object>> out = new LinkedHashMap<>();
            ExpectedDocuments.compute(harness.dbs).forEach((id, doc) -> {
                Map<String, Object> d = new LinkedHashMap<>(doc);
                List<Map<String, Object>> qualifications = new ArrayList<>((List<Map<String, Object>>) doc.get("qualifications"));
                qualifications.sort(Comparator.comparingLong(q -> ((Number) q.get("id")).longValue()));
                d.put("qualification_names", qualifications.stream().map(q -> q.get("name")).filter(n -> n != null).toList());
                out.put(id, d);
            });
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
