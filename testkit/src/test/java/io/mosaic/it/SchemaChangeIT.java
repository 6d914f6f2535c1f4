package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mosaic.config.ConfigException;
import io.mosaic.config.MosaicConfig;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.pipeline.SourceRunner;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.MosaicHarness;

/**
 * A source's schema changes while Mosaic streams, on real servers. A mapped column renamed (PostgreSQL and
 * MariaDB) stops the source before any document is written without the field, says which mapping line reads
 * the column and what to do, keeps refusing across restarts (the position was not committed; on MariaDB the
 * schema history in Elasticsearch keeps the rename), and after the column is renamed back and the source
 * snapshotted again, the documents equal the SQL projection. An unmapped column added is never captured,
 * and compatible type changes (wider varchar, numeric and decimal) carry on, also across a restart.
 */
class SchemaChangeIT {

    private MosaicHarness harness;
    private Mosaic mosaic;

    @AfterEach
    void stop() {
        if (mosaic != null) {
            mosaic.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    private Path start() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 40), 15);
        Path config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        run(config, Set.of());
        harness.awaitScenarioConverged(Duration.ofSeconds(90));
        return config;
    }

    private void run(Path config, Set<String> resnapshot) throws Exception {
        if (mosaic != null) {
            mosaic.close();
            mosaic = null;
        }
        mosaic = new Mosaic(MosaicConfig.load(config)).resnapshot(resnapshot);
        mosaic.start();
    }

    private SourceRunner runner(String name) {
        return mosaic.runners().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private SourceRunner awaitFailed(String name) {
        await().atMost(Duration.ofSeconds(90)).until(() -> runner(name).state() == SourceRunner.State.FAILED);
        return runner(name);
    }

    private void awaitStreaming() {
        await().atMost(Duration.ofSeconds(90)).until(() -> mosaic.runners().stream().allMatch(r -> r.state() == SourceRunner.State.STREAMING));
    }

    /**
     * Changes the type of a column of a published table as a DBA must on PostgreSQL 15+ when the
     * publication has a column list (PostgreSQL refuses to retype a listed column): in one transaction,
     * the table leaves the publication, is altered, and comes back with the same columns. Other sessions'
     * changes of the table wait for the ALTER's lock and commit after it, so none goes unpublished.
     */
    private void retypePublished(Connection c, String publication, String table, String alter) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            String columns;
            try (java.sql.ResultSet r = s.executeQuery("SELECT array_to_string(attnames, ', ') FROM pg_publication_tables WHERE pubname = '"
                    + publication + "' AND schemaname || '.' || tablename = '" + table + "'")) {
                assertThat(r.next()).as("%s is in %s", table, publication).isTrue();
                columns = r.getString(1);
            }
            boolean full;
            try (java.sql.ResultSet r = s.executeQuery("SELECT relreplident = 'f' FROM pg_class WHERE oid = '" + table + "'::regclass")) {
                r.next();
                full = r.getBoolean(1); // published whole, as Mosaic publishes a REPLICA IDENTITY FULL table
            }
            c.setAutoCommit(false);
            s.execute("ALTER PUBLICATION " + publication + " DROP TABLE " + table);
            s.execute(alter);
            s.execute("ALTER PUBLICATION " + publication + " ADD TABLE " + table + (full ? "" : " (" + columns + ")"));
            c.commit();
        }
    }

    private void sql(Connection c, String... statements) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            for (String q : statements) {
                s.execute(q);
            }
        }
    }

    @Test
    void aRenamedColumnInPostgresStopsTheSourceUntilItIsFixedAndNothingIsLost() throws Exception {
        Path config = start();
        Map<String, Object> before = harness.documents("employees").get("1");

        sql(harness.dbs.openAdmin(), "ALTER TABLE employees RENAME COLUMN family_name TO surname",
                "UPDATE employees SET surname = '改名後', email = 'renamed@example.com' WHERE id = 1");
        SourceRunner admin = awaitFailed("admin");
        assertThat(admin.lastError()).contains("table public.employees no longer has column 'family_name'")
                .containsPattern("field 'name\\.family' of document 'employee' \\(.*employees\\.yaml:\\d+\\)")
                .contains("rename the column back, or change the mapping").contains("mosaic run --resnapshot admin");
        assertThat(mosaic.awaitTermination()).isNotNull();
        Map<String, Map<String, Object>> docs = harness.documents("employees");
        assertThat(docs.get("1")).as("nothing written without the field").isEqualTo(before);
        assertThat(docs.values()).allSatisfy(d -> assertThat(((Map<?, ?>) d.get("name")).get("family")).isNotNull());

        // while the column is missing, a restart is refused at start-up, naming the mapping line
        assertThatThrownBy(() -> run(config, Set.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("employees.yaml:").hasMessageContaining("column 'family_name' does not exist");

        // renamed back: the change made meanwhile is read again (its position was not committed) and refused again
        sql(harness.dbs.openAdmin(), "ALTER TABLE employees RENAME COLUMN surname TO family_name");
        run(config, Set.of());
        assertThat(awaitFailed("admin").lastError()).contains("no longer has column 'family_name'");
        assertThat(harness.documents("employees").get("1")).isEqualTo(before);

        // the documented fix: snapshot the source again
        run(config, Set.of("admin"));
        harness.awaitScenarioConverged(Duration.ofSeconds(90));
        assertThat(((Map<?, ?>) harness.documents("employees").get("1").get("name")).get("family")).isEqualTo("改名後");
        run(config, Set.of());
        awaitStreaming();
        sql(harness.dbs.openAdmin(), "UPDATE employees SET family_name = '再開後' WHERE id = 2");
        harness.awaitScenarioConverged(Duration.ofSeconds(90));
    }

    @Test
    void aRenamedColumnInMariaDbStopsTheSourceAcrossRestartsUntilItIsFixed() throws Exception {
        Path config = start();
        Map<String, Object> before = harness.documents("employees").get("3");

        sql(harness.dbs.openLabor(), "ALTER TABLE contracts RENAME COLUMN ends_on TO finishes_on",
                "UPDATE contracts SET finishes_on = '2031-03-31', weekly_hours = 12.5 WHERE employee_id = 3");
        SourceRunner labor = awaitFailed("labor");
        assertThat(labor.lastError()).contains("table labor.contracts no longer has column 'ends_on'")
                .containsPattern("field 'ends_on' of document 'employee' \\(.*employees\\.yaml:\\d+\\)")
                .contains("mosaic run --resnapshot labor");
        assertThat(harness.documents("employees").get("3")).as("nothing written without the field").isEqualTo(before);

        assertThatThrownBy(() -> run(config, Set.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("employees.yaml:").hasMessageContaining("column 'ends_on' does not exist");

        // renamed back: the restart reads the rename from the schema history in Elasticsearch, so the change
        // made meanwhile (read again: its position was not committed) is refused again
        sql(harness.dbs.openLabor(), "ALTER TABLE contracts RENAME COLUMN finishes_on TO ends_on");
        run(config, Set.of());
        assertThat(awaitFailed("labor").lastError()).contains("no longer has column 'ends_on'");
        assertThat(harness.documents("employees").get("3")).isEqualTo(before);

        run(config, Set.of("labor"));
        harness.awaitScenarioConverged(Duration.ofSeconds(90));
        run(config, Set.of());
        awaitStreaming();
        sql(harness.dbs.openLabor(), "UPDATE contracts SET weekly_hours = 7.5 WHERE employee_id = 4");
        harness.awaitScenarioConverged(Duration.ofSeconds(90));
    }

    @Test
    void aMappedTableDroppedAndCreatedAgainInMariaDbStopsTheSourceUntilItIsSnapshottedAgain() throws Exception {
        Path config = start();
        Map<String, Map<String, Object>> before = harness.documents("employees");
        sql(harness.dbs.openLabor(), "DROP TABLE qualifications",
                "CREATE TABLE qualifications (id BIGINT NOT NULL, employee_id BIGINT NOT NULL, name VARCHAR(200) NOT NULL, "
                        + "acquired_on DATE NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                "INSERT INTO qualifications (id, employee_id, name, acquired_on) VALUES (9001, 1, '再作成', '2026-01-01')");
        assertThat(awaitFailed("labor").lastError()).contains("the mapped table labor.qualifications was dropped")
                .contains("mosaic run --resnapshot labor");
        assertThat(harness.documents("employees")).isEqualTo(before);

        // a plain restart reads the drop again (from the uncommitted position) and stops again
        run(config, Set.of());
        assertThat(awaitFailed("labor").lastError()).contains("labor.qualifications was dropped");
        run(config, Set.of("labor"));
        harness.awaitScenarioConverged(Duration.ofSeconds(90));
        assertThat((java.util.List<?>) harness.documents("employees").get("1").get("qualifications")).hasSize(1);
        run(config, Set.of());
        awaitStreaming();
        sql(harness.dbs.openLabor(), "INSERT INTO qualifications (id, employee_id, name) VALUES (9002, 2, '再開後')");
        harness.awaitScenarioConverged(Duration.ofSeconds(90));
    }

    @Test
    void aMappedTableDroppedAndCreatedAgainInPostgresStopsTheSourceUntilItIsSnapshottedAgain() throws Exception {
        Path config = start();
        Map<String, Map<String, Object>> before = harness.documents("employees");
        sql(harness.dbs.openMotivation(), "DROP TABLE survey_answers",
                "CREATE TABLE survey_answers (id bigint PRIMARY KEY, survey_id bigint NOT NULL, employee_id bigint NOT NULL, "
                        + "score numeric(5,2) NOT NULL, condition text NOT NULL, comment text NULL)",
                "ALTER TABLE survey_answers REPLICA IDENTITY FULL",
                "INSERT INTO survey_answers (id, survey_id, employee_id, score, condition) SELECT 9001, min(id), 1, 4.5, 'good' FROM surveys");
        // pgoutput carries no DDL: the periodic publication check notices it
        assertThat(awaitFailed("motivation").lastError()).contains("public.survey_answers are no longer in publication mosaic_motivation")
                .contains("ALTER PUBLICATION mosaic_motivation ADD TABLE public.survey_answers").contains("mosaic run --resnapshot motivation");
        assertThat(harness.documents("employees")).isEqualTo(before);

        assertThatThrownBy(() -> run(config, Set.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("public.survey_answers is not in it")
                .hasMessageContaining("--resnapshot motivation");
        sql(harness.dbs.openMotivation(), "ALTER PUBLICATION mosaic_motivation ADD TABLE public.survey_answers");
        run(config, Set.of("motivation"));
        harness.awaitScenarioConverged(Duration.ofSeconds(90));
        assertThat((java.util.List<?>) harness.documents("employees").get("1").get("surveys")).hasSize(1);
        run(config, Set.of());
        awaitStreaming();
        sql(harness.dbs.openMotivation(), "UPDATE survey_answers SET score = 1.5 WHERE id = 9001");
        harness.awaitScenarioConverged(Duration.ofSeconds(90));
    }

    @Test
    void anUnmappedColumnIsNeverCapturedAndCompatibleTypeChangesCarryOnAcrossARestart() throws Exception {
        Path config = start();
        String secret = "UNMAPPED-7f3a9c";
        sql(harness.dbs.openAdmin(), "ALTER TABLE employees ADD COLUMN secret_note text",
                "UPDATE employees SET secret_note = '" + secret + "', given_name = '追加後' WHERE id = 2");
        retypePublished(harness.dbs.openAdmin(), "mosaic_admin", "public.employees", "ALTER TABLE employees ALTER COLUMN code TYPE varchar(200)");
        sql(harness.dbs.openAdmin(), "UPDATE employees SET code = repeat('C', 150) WHERE id = 3");
        retypePublished(harness.dbs.openMotivation(), "mosaic_motivation", "public.survey_answers",
                "ALTER TABLE survey_answers ALTER COLUMN score TYPE numeric(7,2)");
        sql(harness.dbs.openMotivation(), "UPDATE survey_answers SET score = 12345.67 WHERE id = (SELECT min(id) FROM survey_answers)");
        sql(harness.dbs.openLabor(), "ALTER TABLE contracts ADD COLUMN secret_note VARCHAR(40) NULL",
                "UPDATE contracts SET secret_note = '" + secret + "', weekly_hours = 20.0 WHERE employee_id = 5",
                "ALTER TABLE contracts MODIFY weekly_hours DECIMAL(6,1) NULL",
                "ALTER TABLE qualifications MODIFY name VARCHAR(400) NOT NULL",
                "UPDATE contracts SET weekly_hours = 12345.5 WHERE employee_id = 6",
                "UPDATE qualifications SET name = repeat('Q', 300) WHERE employee_id = 7");
        harness.awaitScenarioConverged(Duration.ofSeconds(90));
        assertThat(mosaic.runners()).allSatisfy(r -> assertThat(r.state()).isEqualTo(SourceRunner.State.STREAMING));

        // after a restart (MariaDB reads its schema history back from Elasticsearch) the stream goes on
        run(config, Set.of());
        awaitStreaming();
        sql(harness.dbs.openLabor(), "UPDATE contracts SET weekly_hours = 99999.9, secret_note = '" + secret + "' WHERE employee_id = 8");
        sql(harness.dbs.openMotivation(), "UPDATE survey_answers SET score = 54321.09 WHERE id = (SELECT max(id) FROM survey_answers)");
        sql(harness.dbs.openAdmin(), "UPDATE employees SET secret_note = '" + secret + "', email = 'after-restart@example.com' WHERE id = 4");
        harness.awaitScenarioConverged(Duration.ofSeconds(90));

        // no event carried the unmapped column: it is nowhere in the cluster (documents, state, dead letters, offsets, history)
        StringBuilder everything = new StringBuilder();
        for (String index : harness.allIndexNames()) {
            if (!index.startsWith(".")) {
                harness.documents(index).values().forEach(d -> {
                    try {
                        everything.append(ElasticsearchGateway.JSON.writeValueAsString(d));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
        assertThat(everything).contains("after-restart@example.com").doesNotContain(secret);
    }
}
