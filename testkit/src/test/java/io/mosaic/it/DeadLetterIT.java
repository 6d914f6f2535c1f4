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

import io.mosaic.Main;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.LocalServices;
import io.mosaic.testkit.MosaicHarness;

/**
 * Bad input: a value that does not convert, a document Elasticsearch rejects (a field type
 * conflict) and an oversized row become dead letters, the pipeline carries on, nothing else is lost, and a replay after
 * fixing the mapping writes what can now be written.
 */
class DeadLetterIT {

    static MosaicHarness harness;

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void badRowsBecomeDeadLettersAndCanBeReplayed() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 40), 9);
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("UPDATE employees SET code = id::text, email = NULL");
        }
        Path dir = harness.workDir.resolve("dl");
        Files.createDirectories(dir);
        Path root = LocalServices.root().resolve("mappings");
        String mapping = Files.readString(root.resolve("employees.yaml"));
        Files.writeString(dir.resolve("employees.index.json"), Files.readString(root.resolve("employees.index.json"))
                .replace("\"email\": { \"type\": \"keyword\" }", "\"email\": { \"type\": \"long\" }"));
        Files.writeString(dir.resolve("employees.yaml"), mapping.replace("    code: code\n",
                "    code: code\n    code_number: { column: code, type: integer }\n"));
        Path config = harness.config(dir.resolve("employees.yaml").toString(), "admin", "motivation", "labor");
        Files.writeString(config, Files.readString(config).replace("  max_backoff: 2s\n", "  max_backoff: 2s\n  max_row_bytes: 1048576\n"));
        harness.start(config);
        await().atMost(Duration.ofSeconds(60)).until(() -> harness.documents("employees").size() == 40);

        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO employees (id, company_id, code, family_name, given_name, status) VALUES (901, 1, 'X-901', '変換', '不能', 'active')");
            s.execute("INSERT INTO employees (id, company_id, code, family_name, given_name, status, email) VALUES (902, 1, '902', '型', '衝突', 'active', 'clash@example.com')");
            s.execute("INSERT INTO employees (id, company_id, code, family_name, given_name, status) VALUES (903, 1, '903', '正常', '行', 'active')");
            s.execute("INSERT INTO employees (id, company_id, code, family_name, given_name, status) VALUES (904, 1, '904', repeat('巨', 700000), '大', 'active')");
            s.execute("INSERT INTO employees (id, company_id, code, family_name, given_name, status) VALUES (905, 1, '905', '後続', '行', 'active')");
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(harness.documents("employees")).containsKeys("903", "905").doesNotContainKeys("901", "902", "904");
            assertThat(harness.documents("mosaic-dead-letters")).hasSize(3);
        });
        Map<String, Map<String, Object>> letters = harness.documents("mosaic-dead-letters");
        assertThat(letters.values()).anySatisfy(l -> assertThat(l).containsEntry("key", "901")
                        .containsEntry("table", "admin.public.employees").extractingByKey("error").asString().contains("code_number"))
                .anySatisfy(l -> assertThat(l).containsEntry("key", "902").extractingByKey("error").asString().contains("email"))
                .anySatisfy(l -> assertThat(l).extractingByKey("error").asString().contains("max_row_bytes"));
        assertThat(letters.values()).allSatisfy(l -> assertThat((Map<String, Object>) l.get("after")).doesNotContainKey("my_number"));
        harness.stop();

        // Fix the mapping (the field that cannot convert goes); the template's conflict stays.
        Files.writeString(dir.resolve("employees.yaml"), mapping);
        ValidationIT.Run replay = ValidationIT.cli("dead-letters", "replay", "--config", config.toString());
        assertThat(replay.out()).contains("1 dead letter(s) replayed, 2 still failing");
        assertThat(replay.exit()).isEqualTo(io.mosaic.cli.ExitCodes.FAILURE);
        assertThat(harness.documents("employees")).containsKey("901");
        assertThat(harness.documents("mosaic-dead-letters")).hasSize(2);
        ValidationIT.Run list = ValidationIT.cli("dead-letters", "list", "--config", config.toString());
        assertThat(list.out()).contains("admin.public.employees key 902").contains("2 dead letter(s)");
        assertThat(List.of(list.exit())).containsExactly(0);
    }
}
