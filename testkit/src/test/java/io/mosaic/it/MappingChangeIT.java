package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.LocalServices;
import io.mosaic.testkit.MosaicHarness;

/** A user adds a field and a child collection from a new table by editing the mapping file only. */
class MappingChangeIT {

    static MosaicHarness harness;

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.stop(); // first: dropping a mapped table under a running Mosaic stops its source, with an ERROR
            try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS trainings");
            }
            harness.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNewFieldAndANewCollectionNeedOnlyTheMappingFile() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 50), 3);
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS trainings");
            s.execute("CREATE TABLE trainings (id BIGINT PRIMARY KEY, employee_id BIGINT NOT NULL, title VARCHAR(200) NOT NULL, hours DECIMAL(5,1))");
            s.execute("INSERT INTO trainings VALUES (1, 7, '安全衛生研修', 3.5), (2, 7, 'ハラスメント防止研修', 1.0)");
        }
        Path dir = harness.workDir.resolve("mappings");
        Files.createDirectories(dir);
        Path original = LocalServices.root().resolve("mappings");
        Files.copy(original.resolve("employees.index.json"), dir.resolve("employees.index.json"));
        String mapping = Files.readString(original.resolve("employees.yaml"))
                .replace("    hired_on: { column: hired_on, type: date }",
                        "    hired_on: { column: hired_on, type: date }\n    status_label: { column: status, map: { active: 在籍, on_leave: 休職, retired: 退職 } }")
                + """
                  trainings:
                    source: labor
                    table: labor.trainings
                    key: id
                    parent: employee_id
                    fields:
                      id: id
                      title: title
                      hours: hours
                """;
        Files.writeString(dir.resolve("employees.yaml"), mapping);
        harness.start(harness.config(dir.resolve("employees.yaml").toString(), "admin", "motivation", "labor"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<String, Object> doc = harness.documents("employees").get("7");
            assertThat(doc).isNotNull();
            assertThat(doc.get("status_label")).isIn("在籍", "休職", "退職");
            assertThat((List<Map<String, Object>>) doc.get("trainings")).extracting(t -> t.get("title"))
                    .containsExactlyInAnyOrder("安全衛生研修", "ハラスメント防止研修");
        });
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM trainings WHERE id = 1");
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat((List<?>) harness.documents("employees").get("7").get("trainings")).hasSize(1));
    }
}
