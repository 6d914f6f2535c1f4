package io.mosaic.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaic.scenario.ScenarioNames.Name;
import io.mosaic.scenario.ScenarioRows.Contract;
import io.mosaic.scenario.ScenarioRows.Employee;
import io.mosaic.scenario.ScenarioRows.Survey;
import io.mosaic.scenario.ScenarioRows.SurveyAnswer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScenarioGeneratorTest {

    private static final ScenarioSize SIZE = ScenarioSize.ofEmployees(5_000);
    private static RecordingSink rows;

    @BeforeAll
    static void generate() {
        rows = RecordingSink.generate(SIZE, 42);
    }

    @Test
    void sameSizeAndSeedGiveTheSameRows() {
        RecordingSink again = RecordingSink.generate(SIZE, 42);
        assertThat(again.all).isEqualTo(rows.all);
    }

    @Test
    void aDifferentSeedGivesDifferentRows() {
        RecordingSink other = RecordingSink.generate(SIZE, 43);
        assertThat(other.employees).isNotEqualTo(rows.employees);
        assertThat(other.answers).isNotEqualTo(rows.answers);
        assertThat(other.contracts).isNotEqualTo(rows.contracts);
        assertThat(other.qualifications).isNotEqualTo(rows.qualifications);
        // the organisation does not depend on the seed, except survey dates
        assertThat(other.companies).isEqualTo(rows.companies);
        assertThat(other.departments).isEqualTo(rows.departments);
    }

    @Test
    void aLargeScenarioIsDeterministicToo() throws Exception {
        ScenarioSize size = ScenarioSize.ofEmployees(30_000);
        assertThat(digest(size, 7)).isEqualTo(digest(size, 7)).isNotEqualTo(digest(size, 8));
    }

    @Test
    void idsAreOneToNInOrder() {
        assertSequential(rows.companies, ScenarioRows.Company::id);
        assertSequential(rows.departments, ScenarioRows.Department::id);
        assertSequential(rows.surveys, Survey::id);
        assertSequential(rows.employees, Employee::id);
        assertSequential(rows.answers, SurveyAnswer::id);
        assertSequential(rows.contracts, Contract::id);
        assertSequential(rows.qualifications, ScenarioRows.Qualification::id);
    }

    @Test
    void countsMatchTheSize() {
        assertThat(rows.companies).hasSize(SIZE.companies()).hasSize(50);
        assertThat(rows.departments).hasSize((int) SIZE.departments()).hasSize(500);
        assertThat(rows.surveys).hasSize((int) SIZE.surveys()).hasSize(200);
        assertThat(rows.employees).hasSize(5_000);
        assertThat(ScenarioGenerator.count(SIZE, 42)).isEqualTo(new ScenarioCounts(
                rows.companies.size(), rows.departments.size(), rows.employees.size(), rows.surveys.size(),
                rows.answers.size(), rows.contracts.size(), rows.qualifications.size()));
        assertThat(rows.answers.size() / 5_000.0).isBetween(3.0, 3.4);
        assertThat(rows.contracts.size() / 5_000.0).isBetween(1.4, 1.6);
        assertThat(rows.qualifications.size() / 5_000.0).isBetween(1.4, 1.6);
    }

    @Test
    void referencesStayInsideTheEmployeesCompany() {
        Map<Long, Long> departmentCompany = rows.departments.stream()
                .collect(Collectors.toMap(ScenarioRows.Department::id, ScenarioRows.Department::companyId));
        Map<Long, Long> surveyCompany = rows.surveys.stream().collect(Collectors.toMap(Survey::id, Survey::companyId));
        Map<Long, Employee> employees = rows.employees.stream()
                .collect(Collectors.toMap(Employee::id, Function.identity()));

        for (Employee e : rows.employees) {
            assertThat(e.companyId()).isEqualTo(SIZE.companyOf(e.id())).isBetween(1L, (long) SIZE.companies());
            if (e.departmentId() != null) {
                assertThat(departmentCompany.get(e.departmentId())).isEqualTo(e.companyId());
            }
        }
        Map<Long, Set<Long>> surveysPerEmployee = new HashMap<>();
        for (SurveyAnswer a : rows.answers) {
            Employee e = employees.get(a.employeeId());
            assertThat(e).isNotNull();
            assertThat(surveyCompany.get(a.surveyId())).isEqualTo(e.companyId());
            assertThat(surveysPerEmployee.computeIfAbsent(a.employeeId(), k -> new HashSet<>()).add(a.surveyId()))
                    .as("one answer per survey and employee").isTrue();
        }
        assertThat(surveysPerEmployee.values()).allSatisfy(s -> assertThat(s).hasSizeBetween(1, 4));
        Map<Long, Long> contractsPerEmployee = rows.contracts.stream()
                .collect(Collectors.groupingBy(Contract::employeeId, Collectors.counting()));
        assertThat(contractsPerEmployee).hasSize(5_000);
        assertThat(contractsPerEmployee.values()).allSatisfy(n -> assertThat(n).isBetween(1L, 2L));
        Map<Long, List<String>> qualificationNames = rows.qualifications.stream().collect(Collectors.groupingBy(
                ScenarioRows.Qualification::employeeId,
                Collectors.mapping(ScenarioRows.Qualification::name, Collectors.toList())));
        assertThat(qualificationNames.values()).allSatisfy(names -> assertThat(names).hasSizeBetween(1, 3)
                .doesNotHaveDuplicates().allSatisfy(n -> assertThat(ScenarioNames.QUALIFICATIONS).contains(n)));
        assertThat(rows.qualifications).allSatisfy(q -> assertThat(employees).containsKey(q.employeeId()));
    }

    @Test
    void employeesLookReal() {
        Set<String> emails = new HashSet<>();
        for (Employee e : rows.employees) {
            assertThat(e.code()).matches("E[0-9]{4,}");
            assertThat(e.code().substring(1)).asLong().isEqualTo(e.id());
            assertThat(e.status()).isIn("active", "on_leave", "retired");
            if (e.hiredOn() != null) {
                assertThat(e.hiredOn()).isBetween(LocalDate.of(1990, 1, 1), LocalDate.of(2025, 12, 31));
            }
            if (e.email() != null) {
                assertThat(e.email()).matches("[a-z]+\\.[a-z]+\\.[0-9]+@example\\.com");
                assertThat(emails.add(e.email())).isTrue();
            }
            assertThat(e.myNumber()).isEqualTo(ScenarioSeeder.myNumber(e.id()));
            assertThat(e.updatedAt()).isNotNull();
        }
        assertThat(ScenarioGenerator.employeeCode(42)).isEqualTo("E0042");
        assertThat(ScenarioGenerator.employeeCode(123_456)).isEqualTo("E123456");

        assertThat(share(rows.employees, e -> e.departmentId() == null)).isBetween(0.07, 0.13);
        assertThat(share(rows.employees, e -> e.familyNameKana() == null)).isBetween(0.03, 0.07);
        assertThat(share(rows.employees, e -> e.email() == null)).isBetween(0.03, 0.07);
        assertThat(share(rows.employees, e -> "active".equals(e.status()))).isBetween(0.8, 0.9);
        assertThat(share(rows.employees, e -> "on_leave".equals(e.status()))).isGreaterThan(0.02);
        assertThat(share(rows.employees, e -> "retired".equals(e.status()))).isGreaterThan(0.05);
        assertThat(share(rows.employees, e -> e.hiredOn() == null)).isBetween(0.01, 0.05);
    }

    @Test
    void familyAndGivenNamesComeWithTheirOwnReadings() {
        assertThat(ScenarioNames.FAMILY_NAMES).hasSizeGreaterThanOrEqualTo(40);
        assertThat(ScenarioNames.GIVEN_NAMES).hasSizeGreaterThanOrEqualTo(40);
        for (List<Name> names : List.of(ScenarioNames.FAMILY_NAMES, ScenarioNames.GIVEN_NAMES)) {
            assertThat(names).extracting(Name::kanji).doesNotHaveDuplicates();
            assertThat(names).allSatisfy(n -> {
                assertThat(n.kana()).matches("[\\p{InKatakana}]+");
                assertThat(n.romaji()).matches("[a-z]+");
            });
        }
        assertThat(ScenarioNames.familyName("山田")).map(Name::kana).contains("ヤマダ");
        assertThat(ScenarioNames.givenName("太郎")).map(Name::kana).contains("タロウ");
        assertThat(ScenarioNames.familyName("佐々木")).map(Name::kana).contains("ササキ");

        for (Employee e : rows.employees) {
            Name family = ScenarioNames.familyName(e.familyName()).orElseThrow();
            Name given = ScenarioNames.givenName(e.givenName()).orElseThrow();
            assertThat(e.familyNameKana() == null).isEqualTo(e.givenNameKana() == null);
            if (e.familyNameKana() != null) {
                assertThat(e.familyNameKana()).isEqualTo(family.kana());
                assertThat(e.givenNameKana()).isEqualTo(given.kana());
            }
            if (e.email() != null) {
                assertThat(e.email()).startsWith(given.romaji() + "." + family.romaji() + "." + e.id() + "@");
            }
        }
        // the names are spread over the whole lists
        assertThat(rows.employees.stream().map(Employee::familyName).distinct().count()).isEqualTo(40);
        assertThat(rows.employees.stream().map(Employee::givenName).distinct().count()).isEqualTo(40);
    }

    @Test
    void organisationLooksReal() {
        assertThat(rows.companies.get(6).name()).isEqualTo("株式会社サンプル7");
        assertThat(rows.departments.subList(0, 10)).extracting(ScenarioRows.Department::name)
                .containsExactlyElementsOf(ScenarioNames.DEPARTMENTS);
        assertThat(rows.surveys).allSatisfy(s -> {
            assertThat(s.title()).matches("20[0-9]{2}年(上期|下期) .+");
            assertThat(s.conductedOn()).isBetween(LocalDate.of(2023, 1, 1), LocalDate.of(2026, 12, 31));
        });
        assertThat(rows.surveys.stream().filter(s -> s.companyId() == 1)).hasSize(4);
    }

    @Test
    void answersHaveATwoDecimalScoreAndADerivedCondition() {
        for (SurveyAnswer a : rows.answers) {
            assertThat(a.score().scale()).isEqualTo(2);
            assertThat(a.score()).isBetween(BigDecimal.ZERO, new BigDecimal("100.00"));
            String expected = a.score().compareTo(new BigDecimal("60")) >= 0 ? "good"
                    : a.score().compareTo(new BigDecimal("40")) >= 0 ? "caution" : "danger";
            assertThat(a.condition()).isEqualTo(expected).isEqualTo(ScenarioGenerator.condition(a.score()));
            if (a.comment() != null) {
                assertThat(a.comment()).endsWith(" " + ScenarioSeeder.secretComment(a.id()))
                        .matches("[^ -~]+ SECRET-COMMENT-[0-9]+");
            }
        }
        assertThat(share(rows.answers, a -> "good".equals(a.condition()))).isBetween(0.5, 0.8);
        assertThat(share(rows.answers, a -> "caution".equals(a.condition()))).isBetween(0.1, 0.4);
        assertThat(share(rows.answers, a -> "danger".equals(a.condition()))).isBetween(0.02, 0.2);
        assertThat(share(rows.answers, a -> a.comment() == null)).isBetween(0.2, 0.4);
        assertThat(ScenarioGenerator.condition(new BigDecimal("60.00"))).isEqualTo("good");
        assertThat(ScenarioGenerator.condition(new BigDecimal("59.99"))).isEqualTo("caution");
        assertThat(ScenarioGenerator.condition(new BigDecimal("40.00"))).isEqualTo("caution");
        assertThat(ScenarioGenerator.condition(new BigDecimal("39.99"))).isEqualTo("danger");
    }

    @Test
    void contractsLookReal() {
        for (Contract c : rows.contracts) {
            assertThat(c.contractType()).isIn("full_time", "part_time", "fixed_term");
            if (c.endsOn() != null) {
                assertThat(c.endsOn()).isAfterOrEqualTo(c.startsOn());
            }
            if (c.weeklyHours() != null) {
                assertThat(c.weeklyHours().scale()).isEqualTo(1);
                assertThat(c.weeklyHours()).isBetween(new BigDecimal("10.0"), new BigDecimal("40.0"));
            }
            assertThat(c.monthlySalary()).isEqualTo(ScenarioSeeder.monthlySalary(c.id()));
        }
        assertThat(share(rows.contracts, c -> c.endsOn() == null)).isGreaterThan(0.5);
        assertThat(share(rows.contracts, c -> c.weeklyHours() == null)).isBetween(0.02, 0.08);
        assertThat(share(rows.contracts, c -> "full_time".equals(c.contractType()))).isBetween(0.5, 0.8);
        // a second contract starts the day after the first ends
        Map<Long, List<Contract>> byEmployee = rows.contracts.stream()
                .collect(Collectors.groupingBy(Contract::employeeId));
        for (List<Contract> pair : byEmployee.values()) {
            if (pair.size() == 2) {
                assertThat(pair.get(0).endsOn()).isNotNull();
                assertThat(pair.get(1).startsOn()).isEqualTo(pair.get(0).endsOn().plusDays(1));
            }
        }
        assertThat(share(rows.qualifications, q -> q.acquiredOn() == null)).isBetween(0.1, 0.3);
    }

    private static <T> void assertSequential(List<T> list, ToLongFunction<T> id) {
        for (int i = 0; i < list.size(); i++) {
            assertThat(id.applyAsLong(list.get(i))).isEqualTo(i + 1L);
        }
    }

    private static <T> double share(List<T> list, java.util.function.Predicate<T> predicate) {
        return list.stream().filter(predicate).count() / (double) list.size();
    }

    /** A digest over every row's text, to compare big scenarios without keeping them. */
    private static String digest(ScenarioSize size, long seed) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        new ScenarioGenerator(size, seed).generate(new ScenarioRows.Sink() {
            private void add(Record row) {
                digest.update(row.toString().getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public void company(ScenarioRows.Company row) {
                add(row);
            }

            @Override
            public void department(ScenarioRows.Department row) {
                add(row);
            }

            @Override
            public void survey(Survey row) {
                add(row);
            }

            @Override
            public void employee(Employee row) {
                add(row);
            }

            @Override
            public void surveyAnswer(SurveyAnswer row) {
                add(row);
            }

            @Override
            public void contract(Contract row) {
                add(row);
            }

            @Override
            public void qualification(ScenarioRows.Qualification row) {
                add(row);
            }
        });
        return java.util.HexFormat.of().formatHex(digest.digest());
    }
}
