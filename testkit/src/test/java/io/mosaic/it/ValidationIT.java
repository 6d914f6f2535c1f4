package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mosaic.testkit.LocalServices;
import io.mosaic.testkit.MosaicHarness;

/** {@code mosaic validate} and start-up against live servers: every problem at once, with where and how to fix it. */
class ValidationIT {

    static MosaicHarness harness;

    @BeforeAll
    static void start() throws Exception {
        harness = new MosaicHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        restoreServers();
        harness.close();
    }

    static void restoreServers() throws Exception {
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE survey_answers REPLICA IDENTITY USING INDEX survey_answers_mosaic_identity");
        }
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL binlog_row_image = 'FULL'");
        }
    }

    static MosaicCli.Run cli(String... args) {
        return MosaicCli.run(args);
    }

    @Test
    void theScenarioValidates() throws Exception {
        MosaicCli.Run run = cli("validate", "--config", harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor").toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("configuration OK");
        // the SQL a DBA runs: grants, the publications with the mapped columns only, Debezium's MariaDB grants
        assertThat(run.out().lines().toList()).contains(
                "ALTER ROLE postgres WITH LOGIN REPLICATION;",
                "GRANT SELECT ON public.departments, public.employees TO postgres;",
                "CREATE PUBLICATION mosaic_admin FOR TABLE public.departments (id, name), public.employees (id, company_id, code, "
                        + "family_name, given_name, family_name_kana, given_name_kana, email, department_id, status, hired_on);",
                "CREATE PUBLICATION mosaic_motivation FOR TABLE public.surveys (id, title, conducted_on), "
                        + "public.survey_answers (id, survey_id, employee_id, score, condition);",
                "GRANT RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'debezium'@'%';",
                "GRANT SELECT ON `labor`.`contracts` TO 'debezium'@'%';");
        // survey_answers already has the replica identity of the scenario's DDL: nothing to do there
        assertThat(run.out()).doesNotContain("REPLICA IDENTITY USING INDEX");
    }

    @Test
    void aPublicationWithMoreColumnsThanTheMappingsReadIsReportedWithTheFix() throws Exception {
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("DROP PUBLICATION IF EXISTS mosaic_admin");
            s.execute("CREATE PUBLICATION mosaic_admin FOR TABLE public.departments, public.employees (id, company_id, code, family_name, "
                    + "given_name, email, department_id, status, hired_on, my_number)");
        }
        MosaicCli.Run run;
        MosaicCli.Run after;
        try {
            Path config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
            run = cli("validate", "--config", config.toString());
            try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
                // the fix the message names, run as printed
                String fix = run.err().substring(run.err().indexOf("ALTER PUBLICATION"));
                s.execute(fix.substring(0, fix.indexOf(';')));
            }
            after = cli("validate", "--config", config.toString());
        } finally {
            try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
                s.execute("DROP PUBLICATION IF EXISTS mosaic_admin");
            }
        }
        assertThat(run.exit()).isEqualTo(io.mosaic.cli.ExitCodes.CONFIG);
        assertThat(run.err()).contains("publication mosaic_admin differs from what the mappings need")
                .contains("public.departments also carries [company_id]")
                .contains("public.employees lacks [family_name_kana, given_name_kana]")
                .contains("public.employees also carries [my_number]")
                .contains("ALTER PUBLICATION mosaic_admin SET TABLE public.departments (id, name), public.employees (id, company_id, code, ");
        assertThat(run.out()).contains("ALTER PUBLICATION mosaic_admin SET TABLE");
        assertThat(after.exit()).as(after.err()).isZero();
    }

    @Test
    void aLookupWithoutItsSourceIsReportedWithTheRightAdviceAndAtTheSameTimeAsTheMissingTable() throws Exception {
        Path dir = harness.workDir.resolve("lookup-source");
        Files.createDirectories(dir);
        Path root = LocalServices.root().resolve("mappings");
        // the survey lookup's table lives in motivation; written without 'source:', it reads from the owner's
        // source, and the whole motivation source ends up unread once the answers move to admin as well
        String mapping = Files.readString(root.resolve("employees.yaml"))
                .replace("    source: motivation\n    table: public.survey_answers", "    source: admin\n    table: public.survey_answers")
                .replace("table: public.employees", "table: public.employee");
        assertThat(mapping).doesNotContain("source: motivation");
        Files.writeString(dir.resolve("employees.yaml"), mapping);
        Files.copy(root.resolve("employees.index.json"), dir.resolve("employees.index.json"));
        MosaicCli.Run run = cli("validate", "--config", harness.config(dir.resolve("employees.yaml").toString(), "admin", "motivation", "labor").toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("no mapping reads from source 'motivation'").contains("needs 'source: motivation'")
                .doesNotContain("remove it from the config file or map")
                .contains("table public.survey_answers does not exist in source 'admin'")
                .containsPattern("employees\\.yaml:13: .*table public.employee does not exist in source 'admin'.*source 'admin' has public.employees");
    }

    @Test
    void brokenMappingAndServersAreReportedTogether() throws Exception {
        Path dir = harness.workDir.resolve("broken");
        Files.createDirectories(dir);
        Path root = LocalServices.root().resolve("mappings");
        Files.writeString(dir.resolve("employees.yaml"), Files.readString(root.resolve("employees.yaml"))
                .replace("    email: email", "    email: e_mail")
                .replace("table: public.surveys", "table: public.survey"));
        Files.writeString(dir.resolve("employees.index.json"), Files.readString(root.resolve("employees.index.json"))
                .replace("\"score\": { \"type\": \"double\" }", "\"score\": { \"type\": \"long\" }"));
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE survey_answers REPLICA IDENTITY DEFAULT");
        }
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL binlog_row_image = 'MINIMAL'");
        }
        Path config = harness.config(dir.resolve("employees.yaml").toString(), "admin", "motivation", "labor");
        MosaicCli.Run run;
        MosaicCli.Run start;
        try {
            run = cli("validate", "--config", config.toString());
            start = cli("run", "--config", config.toString());
        } finally {
            restoreServers();
        }
        assertThat(run.exit()).isEqualTo(io.mosaic.cli.ExitCodes.CONFIG);
        assertThat(run.err()).contains("employees.yaml:24: field 'email': column 'e_mail' does not exist in admin.public.employees")
                .contains("table public.survey does not exist in source 'motivation'")
                .contains("child table public.survey_answers has REPLICA IDENTITY DEFAULT")
                .contains("ALTER TABLE public.survey_answers REPLICA IDENTITY USING INDEX survey_answers_mosaic_identity")
                .contains("binlog_row_image is MINIMAL")
                .contains("field 'score' holds a decimal").contains("maps it as long")
                .doesNotContain("Exception").doesNotContain("\tat ");

        assertThat(start.exit()).isEqualTo(io.mosaic.cli.ExitCodes.CONFIG);
        assertThat(start.err()).contains("column 'e_mail' does not exist");
    }

    @Test
    void unreachableServersAreNamedWithTheirAddress() throws Exception {
        Path config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        Files.writeString(config, Files.readString(config).replace(LocalServices.ES_URL, "http://127.0.0.1:1")
                .replace("port: " + harness.dbs.mysqlPort(), "port: 2"));
        MosaicCli.Run run = cli("validate", "--config", config.toString());
        assertThat(run.exit()).isEqualTo(io.mosaic.cli.ExitCodes.CONFIG);
        assertThat(run.err()).contains("elasticsearch: cannot reach [http://127.0.0.1:1]")
                .contains("source 'labor': cannot connect to mariadb://debezium@127.0.0.1:2")
                .doesNotContain("source 'admin': cannot connect").doesNotContain("source 'motivation': cannot connect")
                .doesNotContain("..")
                .doesNotContain("password: debezium").doesNotContain("\tat ");
    }
}
