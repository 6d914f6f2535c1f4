package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.MosaicHarness;
import io.mosaic.testkit.SensitiveOracle;

/**
 * What leaves PostgreSQL: after Mosaic created its publications on the scenario, a probe logical slot
 * (pgoutput, the same publications) decodes an update of an unmapped column, an update of a mapped
 * column and a child's delete, and no sensitive value (my_number, comment) is in the bytes, while the
 * documents come out right. A second, column-list-free publication on the same slot is the control:
 * it does carry my_number, so the probe would see a leak if there were one.
 */
class PublicationColumnsIT {

    static MosaicHarness harness;

    /** A role with nothing but what {@code mosaic validate} prints for it. */
    static final String READER = "mosaic_reader";

    @BeforeAll
    static void start() throws Exception {
        harness = new MosaicHarness();
    }

    @BeforeEach
    void fresh() throws Exception {
        harness.stop();
        dropProbes();
        harness.reset(); // Mosaic's slots and publications too
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 40), 13);
    }

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.stop();
            dropProbes();
            harness.reset();
            dropReader();
            harness.close();
        }
    }

    static void dropProbes() throws SQLException {
        for (Connection c : List.of(harness.dbs.openAdmin(), harness.dbs.openMotivation())) {
            try (c; Statement s = c.createStatement()) {
                s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                        + "WHERE slot_name LIKE 'mosaic_probe%' AND database = current_database()");
                s.execute("DROP PUBLICATION IF EXISTS mosaic_probe_wide");
            }
        }
    }

    static void dropReader() throws SQLException {
        for (Connection c : List.of(harness.dbs.openAdmin(), harness.dbs.openMotivation(), harness.dbs.openPgServer())) {
            try (c; Statement s = c.createStatement()) {
                s.execute("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + READER + "') THEN "
                        + "EXECUTE 'DROP OWNED BY " + READER + "'; END IF; END $$");
            }
        }
        try (Connection c = harness.dbs.openPgServer(); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + READER);
        }
    }

    /**
     * The DBA path: a role that may only log in, and whatever {@code mosaic validate} prints for it, run
     * as printed by an administrator (grants, the publication Mosaic's role may not create), is all
     * Mosaic needs; the documents come out right and a child's delete still removes its element.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theSqlValidatePrintsIsAllAnUnprivilegedRoleNeeds() throws Exception {
        dropReader();
        try (Connection c = harness.dbs.openPgServer(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + READER + " LOGIN PASSWORD 'reader'");
        }
        Path config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        Files.writeString(config, Files.readString(config).replace("user: postgres\n    password: postgres",
                "user: " + READER + "\n    password: reader"));

        MosaicCli.Run before = MosaicCli.run("validate", "--config", config.toString());
        assertThat(before.exit()).as(before.out()).isEqualTo(io.mosaic.cli.ExitCodes.CONFIG);
        assertThat(before.err()).contains("user " + READER + " may not replicate")
                .contains("publication mosaic_admin does not exist, and user " + READER + " cannot create it");
        int run = 0;
        for (String source : List.of("admin", "motivation")) {
            List<String> script = section(before.out(), source);
            assertThat(script).as(before.out()).anyMatch(l -> l.startsWith("CREATE PUBLICATION mosaic_" + source + " FOR TABLE"));
            try (Connection c = source.equals("admin") ? harness.dbs.openAdmin() : harness.dbs.openMotivation();
                 Statement s = c.createStatement()) {
                for (String sql : script) {
                    if (!sql.startsWith("--")) {
                        s.execute(sql);
                        run++;
                    }
                }
            }
        }
        assertThat(run).isGreaterThanOrEqualTo(10);
        MosaicCli.Run after = MosaicCli.run("validate", "--config", config.toString());
        assertThat(after.exit()).as(after.err()).isZero();

        harness.start(config);
        harness.awaitScenarioConverged(Duration.ofMinutes(3));
        long answer;
        String employee;
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id, employee_id FROM survey_answers ORDER BY id LIMIT 1")) {
            r.next();
            answer = r.getLong(1);
            employee = Long.toString(r.getLong(2));
            s.execute("DELETE FROM survey_answers WHERE id = " + answer);
        }
        harness.awaitScenarioConverged(Duration.ofMinutes(2));
        Map<String, Object> doc = harness.documents("employees").get(employee);
        if (doc != null) {
            assertThat((List<Map<String, Object>>) doc.getOrDefault("surveys", List.of()))
                    .extracting(e -> ((Number) e.get("answer_id")).longValue()).doesNotContain(answer);
        }
    }

    /** The lines validate printed for one source: from its "-- source 'name'" line to the next source's. */
    static List<String> section(String out, String source) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String line : out.lines().toList()) {
            if (line.startsWith("-- source '")) {
                in = line.startsWith("-- source '" + source + "'");
            } else if (in && !line.startsWith("document ") && !line.startsWith("configuration OK")) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    @SuppressWarnings("unchecked")
    void unmappedColumnsDoNotLeavePostgres() throws Exception {
        harness.start(harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor"));
        harness.awaitScenarioConverged(Duration.ofMinutes(3));

        // Mosaic's publications carry the mapped columns only
        assertThat(publishedColumns(harness.dbs.openAdmin(), "mosaic_admin", "employees"))
                .contains("id", "email", "department_id").doesNotContain("my_number", "updated_at");
        assertThat(publishedColumns(harness.dbs.openMotivation(), "mosaic_motivation", "survey_answers"))
                .containsExactly("id", "survey_id", "employee_id", "score", "condition");

        // an answer with a comment, of an employee that exists (answers of absent employees are seeded too)
        Map<String, Map<String, Object>> documents = harness.documents("employees");
        long employee = -1;
        long answer = -1;
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id, employee_id FROM survey_answers WHERE comment LIKE '%"
                     + ScenarioSeeder.SECRET_COMMENT_PREFIX + "%' ORDER BY id")) {
            while (r.next() && employee < 0) {
                if (documents.containsKey(Long.toString(r.getLong(2)))) {
                    answer = r.getLong(1);
                    employee = r.getLong(2);
                }
            }
        }
        assertThat(employee).as("a seeded answer with a comment, of an existing employee").isPositive();
        String id = Long.toString(employee);
        // the control publication (no column list) and the probe slots, before the changes they decode
        for (String table : List.of("employees", "survey_answers")) {
            try (Connection c = table.equals("employees") ? harness.dbs.openAdmin() : harness.dbs.openMotivation();
                 Statement s = c.createStatement()) {
                s.execute("CREATE PUBLICATION mosaic_probe_wide FOR TABLE public." + table);
                s.execute("SELECT pg_create_logical_replication_slot('mosaic_probe_' || current_database(), 'pgoutput')");
            }
        }

        // the local server runs with synchronous_commit = off; a peek decodes only WAL already flushed
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = on");
            s.execute("UPDATE employees SET my_number = '" + ScenarioSeeder.MY_NUMBER_PREFIX + "999' WHERE id = " + employee);
            s.execute("UPDATE employees SET email = 'probe-" + employee + "@example.com' WHERE id = " + employee);
        }
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = on");
            s.execute("UPDATE survey_answers SET score = 1.5 WHERE employee_id = " + employee + " AND id <> " + answer);
            // a child moving to another document: the old row (the replica identity: id, employee_id) says where it leaves
            String other = documents.keySet().stream().filter(k -> !k.equals(id)).findFirst().orElseThrow();
            assertThat(s.executeUpdate("UPDATE survey_answers SET employee_id = " + other + " WHERE id = (SELECT min(id) FROM survey_answers "
                    + "WHERE employee_id <> " + other + " AND id <> " + answer + ")")).isEqualTo(1);
            s.execute("DELETE FROM survey_answers WHERE id = " + answer);
        }

        List<byte[]> admin = peek(harness.dbs.openAdmin(), "mosaic_probe_admin", "mosaic_admin");
        List<byte[]> motivation = peek(harness.dbs.openMotivation(), "mosaic_probe_motivation", "mosaic_motivation");
        assertThat(text(admin)).as("the probe decoded the mapped update").contains("probe-" + employee + "@example.com");
        assertThat(admin).as("the update of my_number alone is an update message too, without it").filteredOn(m -> m[0] == 'U').hasSize(2);
        assertThat(motivation).as("the child's delete").anyMatch(m -> m[0] == 'D');
        assertThat(SensitiveOracle.containsSensitiveText(text(admin))).as("my_number in the admin stream").isFalse();
        assertThat(SensitiveOracle.containsSensitiveText(text(motivation))).as("comment in the motivation stream").isFalse();

        // the control: without a column list the same changes carry my_number and comment (the updated answers)
        assertThat(text(peek(harness.dbs.openAdmin(), "mosaic_probe_admin", "mosaic_probe_wide"))).contains(ScenarioSeeder.MY_NUMBER_PREFIX);
        List<byte[]> wideMotivation = peek(harness.dbs.openMotivation(), "mosaic_probe_motivation", "mosaic_probe_wide");
        // a delete's old row carries the replica identity's columns (id, employee_id), never comment, whatever the publication
        assertThat(wideMotivation).filteredOn(m -> m[0] == 'D').singleElement()
                .satisfies(m -> assertThat(SensitiveOracle.containsSensitiveText(text(List.of(m)))).isFalse());

        // and the documents: the mapped update arrives, the deleted answer leaves its employee's document
        long deleted = answer;
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, Object> doc = harness.documents("employees").get(id);
            assertThat(doc).containsEntry("email", "probe-" + id + "@example.com");
            List<Map<String, Object>> surveys = (List<Map<String, Object>>) doc.getOrDefault("surveys", List.of());
            assertThat(surveys).extracting(e -> ((Number) e.get("answer_id")).longValue()).doesNotContain(deleted);
        });
        harness.awaitScenarioConverged(Duration.ofMinutes(2));
    }

    /** The columns a publication carries of a table (pg_publication_tables.attnames, PostgreSQL 15+). */
    static List<String> publishedColumns(Connection c, String publication, String table) throws SQLException {
        try (c; PreparedStatement ps = c.prepareStatement(
                "SELECT attnames FROM pg_publication_tables WHERE pubname = ? AND schemaname = 'public' AND tablename = ?")) {
            ps.setString(1, publication);
            ps.setString(2, table);
            try (ResultSet r = ps.executeQuery()) {
                assertThat(r.next()).as(publication + " publishes " + table).isTrue();
                List<String> out = new ArrayList<>();
                for (Object o : (Object[]) r.getArray(1).getArray()) {
                    out.add(o.toString());
                }
                return out;
            }
        }
    }

    /** The pgoutput messages waiting in a slot, decoded for one publication, without consuming them. */
    static List<byte[]> peek(Connection c, String slot, String publication) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (c; PreparedStatement ps = c.prepareStatement("SELECT data FROM pg_logical_slot_peek_binary_changes(?, NULL, NULL, "
                + "'proto_version', '1', 'publication_names', ?)")) {
            ps.setString(1, slot);
            ps.setString(2, publication);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    out.add(r.getBytes(1));
                }
            }
        }
        return out;
    }

    /** The messages' bytes as text: the tuples' values are text in pgoutput, so a value reads as itself. */
    static String text(List<byte[]> messages) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        messages.forEach(m -> all.write(m, 0, m.length));
        return all.toString(StandardCharsets.UTF_8);
    }
}
