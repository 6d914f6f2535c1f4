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
    void myNumberIsEightAndTheZeroPaddedId() {
        assertThat(ScenarioSeeder.myNumber(42)).isEqualTo("800000000042").hasSize(12);
        assertThat(ScenarioSeeder.myNumber(1)).isEqualTo("800000000001");
        assertThat(ScenarioSeeder.myNumber(123_456)).isEqualTo("800000123456");
        assertThat(ScenarioSeeder.myNumber(99_999_999_999L)).isEqualTo("899999999999");
        assertThatThrownBy(() -> ScenarioSeeder.myNumber(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretCommentAndSalaryMarkers() {
        assertThat(ScenarioSeeder.secretComment(7)).isEqualTo("SECRET-COMMENT-7");
        assertThat(ScenarioSeeder.monthlySalary(1)).isEqualTo(31_000_001);
        assertThat(ScenarioSeeder.monthlySalary(200_000)).isEqualTo(31_200_000);
        assertThatThrownBy(() -> ScenarioSeeder.monthlySalary(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScenarioSeeder.monthlySalary(10_000_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void predicatesRecogniseSensitiveValues() {
        assertThat(ScenarioSeeder.isSensitiveValue("800000000042")).isTrue();
        assertThat(ScenarioSeeder.isSensitiveValue("業務量が多いです。 SECRET-COMMENT-3")).isTrue();
        assertThat(ScenarioSeeder.isSensitiveValue("SECRET-COMMENT-3")).isTrue();
        assertThat(ScenarioSeeder.isSensitiveValue("31000042")).isTrue();
        assertThat(ScenarioSeeder.isSensitiveValue("31000042.0")).isTrue();
        assertThat(ScenarioSeeder.isSensitiveNumber(31_000_042)).isTrue();

        assertThat(ScenarioSeeder.isSensitiveValue(null)).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("31000000")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("42")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("72.50")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("8000000000421")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("E0042")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("2024-06-15")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveNumber(1_718_409_600_000L)).isFalse();

        assertThat(ScenarioSeeder.containsSensitiveText("{\"my_number\":\"800000000042\"}")).isTrue();
        assertThat(ScenarioSeeder.containsSensitiveText("{\"comment\":\"x SECRET-COMMENT-9\"}")).isTrue();
        assertThat(ScenarioSeeder.containsSensitiveText("{\"ts\":1800000000042,\"id\":42}")).isFalse();
        assertThat(ScenarioSeeder.containsSensitiveText(null)).isFalse();
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
        assertThat(values.strings()).allMatch(ScenarioSeeder::isSensitiveValue);
    }

    /** Every field of every row: flagged exactly when it is one of the three sensitive columns. */
    @Test
    void noOtherSeededValueLooksSensitive() throws Exception {
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
                boolean sensitive = sensitiveFields.contains(field);
                String text = value.toString();
                assertThat(ScenarioSeeder.isSensitiveValue(text)).as("%s = %s", field, text).isEqualTo(sensitive);
                if (!sensitive) {
                    assertThat(ScenarioSeeder.containsSensitiveText(text)).as("%s = %s", field, text).isFalse();
                    if (value instanceof Number number) {
                        assertThat(ScenarioSeeder.isSensitiveNumber(number.longValue())).isFalse();
                    }
                } else {
                    seenSensitive.add(field);
                }
            }
        }
        assertThat(seenSensitive).isEqualTo(sensitiveFields);
    }

    @Test
    void copyTextFormatEscapesSpecialCharacters() {
        StringBuilder out = new StringBuilder();
        ScenarioSeeder.PgCopy.appendEscaped(out, "a\\b\tc\nd\re 山田");
        assertThat(out).hasToString("a\\\\b\\tc\\nd\\re 山田");
    }

    @Test
    void multiRowInsertSql() {
        ScenarioSeeder.MultiRowInsert insert = new ScenarioSeeder.MultiRowInsert(
                null, "qualifications", java.util.List.of("id", "name"), new int[] {java.sql.Types.BIGINT,
                    java.sql.Types.VARCHAR});
        assertThat(insert.sql(2)).isEqualTo("INSERT INTO qualifications (id, name) VALUES (?, ?), (?, ?)");
    }
}
