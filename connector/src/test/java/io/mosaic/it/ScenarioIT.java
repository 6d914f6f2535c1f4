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
        harness.awaitConverged("employees", () -> {
            try {
                return ExpectedDocuments.compute(harness.dbs);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, CONVERGE);
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
                + "VALUES (900002, 200002, 'part_time', '2024-04-01', 20.5, 31900002)");
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
}
