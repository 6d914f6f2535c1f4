package io.mosaic.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioSchemaTest {

    @Test
    void splitsOnSemicolonsAtLineEndsAndDropsCommentLines() {
        assertThat(ScenarioSchema.split("-- a comment; with a semicolon;\nSELECT 1;\n\n  SELECT 'a;b'\n  ;  \nSELECT 3"))
                .containsExactly("SELECT 1", "SELECT 'a;b'", "SELECT 3");
        assertThat(ScenarioSchema.split("CREATE TABLE t (\r\n  id int\r\n);\r\n")).containsExactly("CREATE TABLE t (\n  id int\n)");
        assertThat(ScenarioSchema.split("\n-- only comments\n")).isEmpty();
    }

    @Test
    void adminDropsAndCreatesItsTables() {
        List<String> statements = ScenarioSchema.statements(ScenarioSchema.ADMIN_DDL);
        assertThat(statements).hasSize(8);
        assertThat(statements.subList(0, 3)).allMatch(s -> s.startsWith("DROP TABLE IF EXISTS"));
        assertThat(statements).anyMatch(s -> s.startsWith("CREATE TABLE companies"));
        assertThat(statements).anyMatch(s -> s.startsWith("CREATE TABLE departments"));
        String employees = statements.stream().filter(s -> s.startsWith("CREATE TABLE employees")).findFirst()
                .orElseThrow();
        assertThat(employees).contains("REFERENCES departments (id) ON DELETE SET NULL")
                .contains("CHECK (status IN ('active', 'on_leave', 'retired'))")
                .contains("my_number").contains("updated_at       timestamptz NOT NULL DEFAULT now()");
        assertThat(statements).contains(
                "CREATE INDEX employees_company_id_idx ON employees (company_id)",
                "CREATE INDEX employees_department_id_idx ON employees (department_id)");
        assertThat(String.join("\n", statements)).doesNotContain("REPLICA IDENTITY");
    }

    @Test
    void surveyAnswersCarryTheirParentKeyOnDelete() {
        List<String> statements = ScenarioSchema.statements(ScenarioSchema.MOTIVATION_DDL);
        assertThat(statements).contains("CREATE UNIQUE INDEX survey_answers_mosaic_identity ON survey_answers (id, employee_id)",
                "ALTER TABLE survey_answers REPLICA IDENTITY USING INDEX survey_answers_mosaic_identity",
                "CREATE INDEX survey_answers_employee_id_idx ON survey_answers (employee_id)",
                "CREATE INDEX survey_answers_survey_id_idx ON survey_answers (survey_id)");
        assertThat(statements).anyMatch(s -> s.startsWith("CREATE TABLE surveys"));
        assertThat(statements).anyMatch(s -> s.startsWith("CREATE TABLE survey_answers")
                && s.contains("numeric(5,2)") && s.contains("REFERENCES surveys (id)")
                && s.contains("CHECK (condition IN ('good', 'caution', 'danger'))"));
    }

    @Test
    void laborIsInnoDbUtf8mb4() {
        List<String> statements = ScenarioSchema.statements(ScenarioSchema.LABOR_DDL);
        assertThat(statements).hasSize(4);
        assertThat(statements.subList(2, 4)).allSatisfy(s -> assertThat(s)
                .startsWith("CREATE TABLE").endsWith("ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"));
        assertThat(statements.get(2)).contains("KEY contracts_employee_id_idx (employee_id)")
                .contains("DECIMAL(4,1)").contains("monthly_salary INT");
        assertThat(statements.get(3)).contains("KEY qualifications_employee_id_idx (employee_id)")
                .contains("VARCHAR(200)");
    }
}
