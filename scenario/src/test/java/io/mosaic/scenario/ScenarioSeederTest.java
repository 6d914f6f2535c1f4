package io.mosaic.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaic.scenario.ScenarioRows.Contract;
import io.mosaic.scenario.ScenarioRows.Employee;
import io.mosaic.scenario.ScenarioRows.SurveyAnswer;
import java.lang.reflect.RecordComponent;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScenarioSeederTest {

    @Test
    void myNumberIsTheMarkerEightAndTheZeroPaddedId() {
        assertThat(ScenarioSeeder.myNumber(42)).isEqualTo("SECRET-MY-NUMBER-800000000042");
        assertThat(ScenarioSeeder.myNumber(1)).isEqualTo("SECRET-MY-NUMBER-800000000001");
        assertThat(ScenarioSeeder.myNumber(99_999_999_999L)).isEqualTo("SECRET-MY-NUMBER-899999999999");
        assertThatThrownBy(() -> ScenarioSeeder.myNumber(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretCommentAndSalaryMarkers() {
        assertThat(ScenarioSeeder.secretComment(7)).isEqualTo("SECRET-COMMENT-7");
        assertThat(ScenarioSeeder.monthlySalary(1)).isEqualTo(-1_000_000_001);
        assertThat(ScenarioSeeder.monthlySalary(200_000)).isEqualTo(-1_000_200_000);
        assertThat(ScenarioSeeder.monthlySalary(999_999_999)).isEqualTo(-1_999_999_999);
        assertThatThrownBy(() -> ScenarioSeeder.monthlySalary(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScenarioSeeder.monthlySalary(1_000_000_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sensitiveValuesListEverySeededSensitiveValue() {
        ScenarioSize size = ScenarioSize.ofEmployees(2_000);
        RecordingSink rows = RecordingSink.generate(size, 42);
        ScenarioSeeder.SensitiveValues values = ScenarioSeeder.sensitiveValues(size, 42);

        assertThat(values.myNumbers()).containsExactlyElementsOf(
                rows.employees.stream().map(Employee::myNumber).toList()).hasSize(2_000).doesNotHaveDuplicates();
        assertThat(values.comments()).containsExactlyElementsOf(
                rows.answers.stream().map(SurveyAnswer::comment).filter(Objects::nonNull).toList());
        assertThat(values.monthlySalaries()).containsExactlyElementsOf(
                rows.contracts.stream().map(Contract::monthlySalary).toList()).doesNotHaveDuplicates();
        assertThat(values.size()).isEqualTo((int) values.strings().count());
    }

    /** The three sensitive columns all hold seeded values (SensitiveOracleTest: only they look sensitive). */
    @Test
    void everySensitiveColumnIsSeeded() throws Exception {
        RecordingSink rows = RecordingSink.generate(ScenarioSize.ofEmployees(3_000), 5);
        Set<String> sensitiveFields = Set.of("Employee.myNumber", "SurveyAnswer.comment", "Contract.monthlySalary");
        Set<String> seenSensitive = new HashSet<>();
        for (Record row : rows.all) {
            for (RecordComponent component : row.getClass().getRecordComponents()) {
                Object value = component.getAccessor().invoke(row);
                if (value == null) {
                    continue;
                }
                String field = row.getClass().getSimpleName() + "." + component.getName();
                if (sensitiveFields.contains(field)) {
                    seenSensitive.add(field);
                }
            }
        }
        assertThat(seenSensitive).isEqualTo(sensitiveFields);
    }

    @Test
    void copyTextFormatEscapesSpecialCharacters() {
        StringBuilder out = new StringBuilder();
        PgCopy.appendEscaped(out, "a\\b\tc\nd\re 山田");
        assertThat(out).hasToString("a\\\\b\\tc\\nd\\re 山田");
    }

    @Test
    void multiRowInsertSql() {
        MultiRowInsert insert = new MultiRowInsert(
                null, "qualifications", java.util.List.of("id", "name"), new int[] {java.sql.Types.BIGINT,
                    java.sql.Types.VARCHAR});
        assertThat(insert.sql(2)).isEqualTo("INSERT INTO qualifications (id, name) VALUES (?, ?), (?, ?)");
    }
}
