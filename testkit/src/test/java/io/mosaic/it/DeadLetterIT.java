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

    /** The values of the rows that become dead letters below: none may be in a log line or a letter's error (issue 13). */
    static final List<String> SEEDED_VALUES = List.of("clash@example.com", "X-901", "変換", "不能", "型", "衝突", "巨");

    @Test
    @SuppressWarnings("unchecked")
    void badRowsBecomeDeadLettersAndCanBeReplayed() throws Exception {
        // everything Mosaic logs in this JVM, whatever the logger
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        ch.qos.logback.classic.Logger rootLogger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logged.start();
        rootLogger.addAppender(logged);
        try {
            badRowsBecomeDeadLetters(logged);
        } finally {
            rootLogger.detachAppender(logged);
        }
    }

    @SuppressWarnings("unchecked")
    private void badRowsBecomeDeadLetters(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged) throws Exception {
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
        // the error says what failed (type, field), never the value: ES quoted it ("Preview of field's value: 'clash@example.com'")
        assertThat(letters.values()).anySatisfy(l -> assertThat(l.get("error")).asString()
                .contains("document_parsing_exception").contains("[email]").contains("not shown"));
        for (Map<String, Object> letter : letters.values()) {
            Map<String, Object> described = new java.util.HashMap<>(letter);
            described.remove("before"); // the mapped columns, kept for the replay: the only place a value may be
            described.remove("after");
            assertThat(described.toString()).as("dead letter %s", letter.get("key")).doesNotContain(SEEDED_VALUES);
        }
        harness.stop();

        // Fix the mapping (the field that cannot convert goes); the template's conflict stays.
        Files.writeString(dir.resolve("employees.yaml"), mapping);
        MosaicCli.Run replay = MosaicCli.run("dead-letters", "replay", "--config", config.toString());
        assertThat(replay.out()).contains("1 dead letter(s) replayed, 2 still failing");
        assertThat(replay.exit()).isEqualTo(io.mosaic.cli.ExitCodes.FAILURE);
        assertThat(harness.documents("employees")).containsKey("901");
        assertThat(harness.documents("mosaic-dead-letters")).hasSize(2);
        MosaicCli.Run list = MosaicCli.run("dead-letters", "list", "--config", config.toString());
        assertThat(list.out()).contains("admin.public.employees key 902").contains("2 dead letter(s)");
        assertThat(List.of(list.exit())).containsExactly(0);

        List<String> lines = logged.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : "\n" + ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
        assertThat(lines).as("the dead letters' log lines").filteredOn(l -> l.startsWith("dead letter:")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(lines).as("log lines").allSatisfy(l -> assertThat(l).doesNotContain(SEEDED_VALUES));
        assertThat(list.out() + list.err() + replay.out() + replay.err()).doesNotContain(SEEDED_VALUES);
    }
}
