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
    void predicatesRecogniseSensitiveValues() {
        assertThat(ScenarioSeeder.isSensitiveValue("SECRET-MY-NUMBER-800000000042")).isTrue();
        assertThat(ScenarioSeeder.isSensitiveValue("業務量が多いです。 SECRET-COMMENT-3")).isTrue();
        assertThat(ScenarioSeeder.isSensitiveValue("SECRET-COMMENT-3")).isTrue();
        assertThat(ScenarioSeeder.isSensitiveValue("-1000000042")).isTrue();
        assertThat(ScenarioSeeder.isSensitiveValue("-1000000042.0")).isTrue();
        assertThat(ScenarioSeeder.isSensitiveNumber(-1_000_000_042)).isTrue();

        assertThat(ScenarioSeeder.isSensitiveValue(null)).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("-1000000000")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("42")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("72.50")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("800000000042")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("E0042")).isFalse();
        assertThat(ScenarioSeeder.isSensitiveValue("2024-06-15")).isFalse();

        assertThat(ScenarioSeeder.containsSensitiveText("{\"my_number\":\"SECRET-MY-NUMBER-800000000042\"}")).isTrue();
        assertThat(ScenarioSeeder.containsSensitiveText("Preview of field's value: 'x SECRET-COMMENT-9'")).isTrue();
        assertThat(ScenarioSeeder.containsSensitiveText("{\"lsn\":800000000042,\"ts_usec\":1796128677421542}")).isFalse();
        assertThat(ScenarioSeeder.containsSensitiveText(null)).isFalse();
    }

    /**
     * The numbers Mosaic writes: positions, versions, counters, ids, dates and epoch times are never
     * negative. Every power of two and ten up to Long.MAX_VALUE, and the neighbours of each, is clean,
     * which covers the range an LSN passes through (the old salary range did not: issue 10).
     */
    @Test
    void noNonNegativeNumberIsASalary() {
        for (long base = 1; base > 0 && base <= Long.MAX_VALUE / 2; base *= 2) {
            for (long v : new long[] {base - 1, base, base + 1}) {
                assertThat(ScenarioSeeder.isSensitiveNumber(v)).as("%d", v).isFalse();
                assertThat(ScenarioSeeder.isSensitiveValue(Long.toString(v))).as("%d", v).isFalse();
            }
        }
        for (long v = 1; v > 0 && v < Long.MAX_VALUE / 10; v *= 10) {
            assertThat(ScenarioSeeder.isSensitiveNumber(v)).isFalse();
            assertThat(ScenarioSeeder.isSensitiveNumber(31_000_000L + v)).isFalse();
        }
        assertThat(ScenarioSeeder.isSensitiveNumber(Long.MAX_VALUE)).isFalse();
        assertThat(ScenarioSeeder.isSensitiveNumber(0)).isFalse();
        assertThat(ScenarioSeeder.isSensitiveNumber(-1)).isFalse();
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
