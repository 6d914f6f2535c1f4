package io.mosaic.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioGenerator;
import io.mosaic.scenario.ScenarioRows;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;

/** The leak oracle's predicates on values: every seeded sensitive value is recognised, nothing else is. */
class SensitiveOracleTest {

    @Test
    void predicatesRecogniseSensitiveValues() {
        assertThat(SensitiveOracle.isSensitiveValue("SECRET-MY-NUMBER-800000000042")).isTrue();
        assertThat(SensitiveOracle.isSensitiveValue("業務量が多いです。 SECRET-COMMENT-3")).isTrue();
        assertThat(SensitiveOracle.isSensitiveValue("SECRET-COMMENT-3")).isTrue();
        assertThat(SensitiveOracle.isSensitiveValue("-1000000042")).isTrue();
        assertThat(SensitiveOracle.isSensitiveValue("-1000000042.0")).isTrue();
        assertThat(SensitiveOracle.isSensitiveNumber(-1_000_000_042)).isTrue();

        assertThat(SensitiveOracle.isSensitiveValue(null)).isFalse();
        assertThat(SensitiveOracle.isSensitiveValue("-1000000000")).isFalse();
        assertThat(SensitiveOracle.isSensitiveValue("42")).isFalse();
        assertThat(SensitiveOracle.isSensitiveValue("72.50")).isFalse();
        assertThat(SensitiveOracle.isSensitiveValue("800000000042")).isFalse();
        assertThat(SensitiveOracle.isSensitiveValue("E0042")).isFalse();
        assertThat(SensitiveOracle.isSensitiveValue("2024-06-15")).isFalse();

        assertThat(SensitiveOracle.containsSensitiveText("{\"my_number\":\"SECRET-MY-NUMBER-800000000042\"}")).isTrue();
        assertThat(SensitiveOracle.containsSensitiveText("Preview of field's value: 'x SECRET-COMMENT-9'")).isTrue();
        assertThat(SensitiveOracle.containsSensitiveText("{\"lsn\":800000000042,\"ts_usec\":1796128677421542}")).isFalse();
        assertThat(SensitiveOracle.containsSensitiveText(null)).isFalse();
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
                assertThat(SensitiveOracle.isSensitiveNumber(v)).as("%d", v).isFalse();
                assertThat(SensitiveOracle.isSensitiveValue(Long.toString(v))).as("%d", v).isFalse();
            }
        }
        for (long v = 1; v > 0 && v < Long.MAX_VALUE / 10; v *= 10) {
            assertThat(SensitiveOracle.isSensitiveNumber(v)).isFalse();
            assertThat(SensitiveOracle.isSensitiveNumber(31_000_000L + v)).isFalse();
        }
        assertThat(SensitiveOracle.isSensitiveNumber(Long.MAX_VALUE)).isFalse();
        assertThat(SensitiveOracle.isSensitiveNumber(0)).isFalse();
        assertThat(SensitiveOracle.isSensitiveNumber(-1)).isFalse();
    }

    @Test
    void everySeededSensitiveValueIsRecognised() {
        ScenarioSeeder.SensitiveValues values = ScenarioSeeder.sensitiveValues(ScenarioSize.ofEmployees(2_000), 42);
        assertThat(values.strings()).allMatch(SensitiveOracle::isSensitiveValue);
    }

    /** Every field of every row: flagged exactly when it is one of the three sensitive columns. */
    @Test
    void noOtherSeededValueLooksSensitive() throws Exception {
        List<Record> rows = generate(ScenarioSize.ofEmployees(3_000), 5);
        Set<String> sensitiveFields = Set.of("Employee.myNumber", "SurveyAnswer.comment", "Contract.monthlySalary");
        Set<String> seenSensitive = new HashSet<>();
        for (Record row : rows) {
            for (RecordComponent component : row.getClass().getRecordComponents()) {
                Object value = component.getAccessor().invoke(row);
                if (value == null) {
                    continue;
                }
                String field = row.getClass().getSimpleName() + "." + component.getName();
                boolean sensitive = sensitiveFields.contains(field);
                String text = value.toString();
                assertThat(SensitiveOracle.isSensitiveValue(text)).as("%s = %s", field, text).isEqualTo(sensitive);
                if (!sensitive) {
                    assertThat(SensitiveOracle.containsSensitiveText(text)).as("%s = %s", field, text).isFalse();
                    if (value instanceof Number number) {
                        assertThat(SensitiveOracle.isSensitiveNumber(number.longValue())).isFalse();
                    }
                } else {
                    seenSensitive.add(field);
                }
            }
        }
        assertThat(seenSensitive).isEqualTo(sensitiveFields);
    }

    /** Every row the scenario's generator produces, in order. */
    private static List<Record> generate(ScenarioSize size, long seed) {
        List<Record> all = new ArrayList<>();
        new ScenarioGenerator(size, seed).generate(new ScenarioRows.Sink() {
            @Override
            public void company(ScenarioRows.Company row) {
                all.add(row);
            }

            @Override
            public void department(ScenarioRows.Department row) {
                all.add(row);
            }

            @Override
            public void survey(ScenarioRows.Survey row) {
                all.add(row);
            }

            @Override
            public void employee(ScenarioRows.Employee row) {
                all.add(row);
            }

            @Override
            public void surveyAnswer(ScenarioRows.SurveyAnswer row) {
                all.add(row);
            }

            @Override
            public void contract(ScenarioRows.Contract row) {
                all.add(row);
            }

            @Override
            public void qualification(ScenarioRows.Qualification row) {
                all.add(row);
            }
        });
        return all;
    }
}
