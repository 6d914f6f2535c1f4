package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ContractComparison;
import io.mosaic.testkit.MosaicHarness;
import io.mosaic.testkit.SensitiveScan;

/**
 * The reference scenario end to end on real servers: three databases (two PostgreSQL, one MariaDB),
 * one Mosaic in-process, documents compared with the SQL projection after every step.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScenarioIT {

    static final Duration CONVERGE = Duration.ofSeconds(60);
    static MosaicHarness harness;

    @BeforeAll
    static void start() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(3, 300), 7);
        harness.start(harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor"));
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    void admin(String sql) throws SQLException {
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    void motivation(String sql) throws SQLException {
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    void labor(String sql) throws SQLException {
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    void converged() {
        harness.awaitScenarioConverged(CONVERGE);
    }

    @Test
    @Order(1)
    void initialSnapshotOfThreeDatabasesMatchesTheContract() throws Exception {
        converged();
        assertThat(harness.documents("employees")).hasSize(300);
    }

    @Test
    @Order(2)
    void insertsUpdatesAndDeletesInAdmin() throws Exception {
        admin("INSERT INTO employees (id, company_id, code, family_name, given_name, status, department_id) "
                + "VALUES (100001, 1, 'E100001', '佐藤', '花子', 'active', NULL)");
        admin("UPDATE employees SET email = 'renamed@example.com', family_name = '鈴木' WHERE id = 5");
        admin("DELETE FROM employees WHERE id = 6");
        converged();
        Map<String, Object> hanako = harness.documents("employees").get("100001");
        assertThat(hanako).containsEntry("department", null);
        assertThat(harness.documents("employees")).doesNotContainKey("6");
    }

    @Test
    @Order(3)
    void departmentRenameAndEmployeeMove() throws Exception {
        admin("UPDATE departments SET name = '研究開発部' WHERE id = 1");
        admin("UPDATE employees SET department_id = 1 WHERE id = 7");
        converged();
    }

    @Test
    @Order(4)
    void childrenAcrossDatabasesSurveyRenameAndChildDelete() throws Exception {
        motivation("UPDATE surveys SET title = '改題された調査' WHERE id = 1");
        labor("INSERT INTO qualifications (id, employee_id, name, acquired_on) VALUES (900001, 8, '宅地建物取引士', '2022-01-15')");
        labor("DELETE FROM contracts WHERE employee_id = 9");
        motivation("DELETE FROM survey_answers WHERE employee_id = 10");
        converged();
    }

    @Test
    @Order(5)
    void childBeforeRootAppearsWhenTheRootDoes() throws Exception {
        labor("INSERT INTO contracts (id, employee_id, contract_type, starts_on, weekly_hours, monthly_salary) "
                + "VALUES (900002, 200002, 'part_time', '2024-04-01', 20.5, " + ScenarioSeeder.monthlySalary(900002) + ")");
        converged();
        assertThat(harness.documents("employees")).doesNotContainKey("200002");
        admin("INSERT INTO employees (id, company_id, code, family_name, given_name, status) "
                + "VALUES (200002, 1, 'E200002', '高橋', '一郎', 'on_leave')");
        converged();
        assertThat((List<?>) harness.documents("employees").get("200002").get("contracts")).hasSize(1);
    }

    @Test
    @Order(6)
    void rootDeleteThenLateChildDoesNotBringTheDocumentBack() throws Exception {
        admin("DELETE FROM employees WHERE id = 11");
        converged();
        labor("INSERT INTO qualifications (id, employee_id, name) VALUES (900003, 11, '簿記1級')");
        motivation("INSERT INTO survey_answers (id, survey_id, employee_id, score, condition) VALUES (900004, 1, 11, 50.00, 'caution')");
        converged();
        assertThat(harness.documents("employees")).doesNotContainKey("11");
    }

    @Test
    @Order(7)
    void departmentRenameReachesAThousandEmployees() throws Exception {
        admin("INSERT INTO departments (id, company_id, name) VALUES (5000, 1, '大部門')");
        admin("INSERT INTO employees (id, company_id, code, family_name, given_name, status, department_id) "
                + "SELECT g, 1, 'E' || g, '大勢', '社員' || g, 'active', 5000 FROM generate_series(300001, 301000) g");
        converged();
        admin("UPDATE departments SET name = '改名された大部門' WHERE id = 5000");
        converged();
        long renamed = harness.documents("employees").values().stream()
                .filter(d -> d.get("department") instanceof Map<?, ?> dept && "改名された大部門".equals(dept.get("name"))).count();
        assertThat(renamed).isEqualTo(1000);
    }

    @Test
    @Order(8)
    void interleavedPostgresTransactions() throws Exception {
        try (Connection t1 = harness.dbs.openAdmin(); Connection t2 = harness.dbs.openAdmin()) {
            t1.setAutoCommit(false);
            t2.setAutoCommit(false);
            try (Statement s1 = t1.createStatement(); Statement s2 = t2.createStatement()) {
                s1.execute("UPDATE employees SET email = 't1-first@example.com' WHERE id = 20"); // T1 writes first...
                s2.execute("UPDATE employees SET email = 't2@example.com' WHERE id = 21");
                s2.execute("UPDATE departments SET name = 'T2の部' WHERE id = 2");
                t2.commit();                                                                  // ...T2 commits first
                s1.execute("UPDATE departments SET name = 'T1の部' WHERE id = 2");              // after T2's commit
                s1.execute("UPDATE employees SET department_id = 2 WHERE id = 21");
                t1.commit();
            }
        }
        converged();
        assertThat(((Map<?, ?>) harness.documents("employees").get("21").get("department")).get("name")).isEqualTo("T1の部");
    }

    @Test
    @Order(9)
    void aRowChangedSeveralTimesInOneTransaction() throws Exception {
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("UPDATE employees SET code = 'A' WHERE id = 30");
            s.execute("UPDATE employees SET code = 'B', status = 'retired' WHERE id = 30");
            s.execute("UPDATE employees SET code = 'C' WHERE id = 30");
            s.execute("DELETE FROM employees WHERE id = 31");
            s.execute("INSERT INTO employees (id, company_id, code, family_name, given_name, status) VALUES (31, 1, 'E31-NEW', '再', '登録', 'active')");
            c.commit();
        }
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO contracts (id, employee_id, contract_type, starts_on, weekly_hours) VALUES (900010, 30, 'fixed_term', '2025-01-01', 10.0)");
            s.execute("UPDATE contracts SET weekly_hours = 12.5 WHERE id = 900010");
            s.execute("UPDATE contracts SET weekly_hours = 15.0, contract_type = 'part_time' WHERE id = 900010");
            s.execute("UPDATE qualifications SET employee_id = 31 WHERE employee_id = 30"); // children move to another document
            c.commit();
        }
        converged();
        assertThat(harness.documents("employees").get("30")).containsEntry("code", "C");
    }

    @Test
    @Order(10)
    void binlogRotationKeepsTheOrder() throws Exception {
        labor("UPDATE contracts SET weekly_hours = 1.0 WHERE employee_id = 40");
        labor("FLUSH BINARY LOGS");
        labor("UPDATE contracts SET weekly_hours = 2.0 WHERE employee_id = 40");
        labor("FLUSH BINARY LOGS");
        labor("DELETE FROM qualifications WHERE employee_id = 40");
        converged();
    }

    @Test
    @Order(11)
    void noSensitiveValueAnywhereInTheCluster() throws Exception {
        // the scan must be able to see a leak: plant one in a side index (a hidden one too), find it, remove it
        MosaicHarness.es("PUT", "/leak-probe/_doc/1?refresh=true", Map.of("nested", Map.of("v", ScenarioSeeder.myNumber(42))));
        MosaicHarness.es("PUT", "/.leak-probe-hidden", Map.of("settings", Map.of("index.hidden", true)));
        MosaicHarness.es("PUT", "/.leak-probe-hidden/_doc/1?refresh=true", Map.of("row", Map.of("monthly_salary", ScenarioSeeder.monthlySalary(3))));
        assertThat(SensitiveScan.scan(harness).leaks()).containsExactlyInAnyOrder("leak-probe/1.nested.v holds a sensitive value",
                ".leak-probe-hidden/1.row.monthly_salary holds a sensitive number");
        MosaicHarness.es("DELETE", "/leak-probe,.leak-probe-hidden", null);
        // and must not raise a false alarm: numbers of every magnitude, as positions and versions reach them
        List<Long> versions = new java.util.ArrayList<>();
        for (long v = 1; v > 0; v *= 3) {
            versions.add(v);
            versions.add(v + 31_000_000L);
        }
        MosaicHarness.es("PUT", "/leak-probe/_doc/2?refresh=true", Map.of("root", Map.of("v", versions), "seq", List.of(0, Long.MAX_VALUE)));
        assertThat(SensitiveScan.scan(harness).leaks()).isEmpty();
        MosaicHarness.es("DELETE", "/leak-probe", null);

        SensitiveScan.Result result = SensitiveScan.scan(harness);
        assertThat(result.documents()).as("documents scanned").isGreaterThan(1000);
        assertThat(result.indices()).as("indices scanned").contains("employees-v1", "mosaic-employees-state");
        assertThat(result.leaks()).isEmpty();
    }

    @Test
    @Order(12)
    void aChangeOlderThanEverythingStoredIsANoOp() throws Exception {
        // what a replay after a crash delivers: nothing newer for the document, so nothing to write -
        // it must neither loop nor fail, and the document stays as it is
        io.mosaic.config.MosaicConfig cfg = io.mosaic.config.MosaicConfig.load(harness.workDir.resolve("mosaic.yaml"));
        Map<String, Object> before = harness.documents("employees").get("8");
        // a bounded retry: a loop or a failure must surface in the test, not stall it
        io.mosaic.es.Retry retry = new io.mosaic.es.Retry(Duration.ofMillis(10), Duration.ofMillis(10), 3,
                io.mosaic.es.ErrorClassifier::isRetryable, d -> { }, System::nanoTime, java.util.random.RandomGenerator.getDefault(),
                (w, a, d, c) -> { });
        try (io.mosaic.es.ElasticsearchGateway es = io.mosaic.pipeline.Components.gateway(cfg, retry)) {
            io.mosaic.metrics.MosaicMetrics metrics = new io.mosaic.metrics.MosaicMetrics();
            metrics.bindTo(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            io.mosaic.writer.DocumentWriter writer = io.mosaic.pipeline.Components.writer(cfg, io.mosaic.pipeline.Mosaic.loadMappings(cfg),
                    es, retry, metrics, letter -> { throw new AssertionError(letter.error()); });
            Map<String, Object> row = new java.util.LinkedHashMap<>();
            row.put("id", 900001L);
            row.put("employee_id", 8L);
            row.put("name", "古い変更");
            row.put("acquired_on", null);
            writer.write(List.of(new io.mosaic.model.RowChange(new io.mosaic.model.TableRef("labor", "labor.qualifications"),
                    io.mosaic.model.RowChange.Op.UPSERT, null, row, 1, "replayed", false)));
        }
        assertThat(ContractComparison.differences(Map.of("8", before), Map.of("8", harness.documents("employees").get("8")))).isEmpty();
    }
}
