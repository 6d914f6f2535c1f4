package io.mosaic.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mosaic.config.ConfigProblem;
import io.mosaic.config.Problems;
import io.mosaic.model.TableInfo;

/** The live checks' logic over fixed catalogs: no servers. */
class MappingValidatorTest {

    static MappingSet set;

    @BeforeAll
    static void load() {
        Problems problems = new Problems();
        Path file = Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml");
        set = new MappingSet(List.of(new MappingLoader(Set.of("admin", "motivation", "labor")).loadFile(file, problems)));
        assertThat(problems.list()).isEmpty();
    }

    static TableInfo table(String identity, String... columnsAndTypes) {
        Map<String, String> cols = new LinkedHashMap<>();
        for (int i = 0; i < columnsAndTypes.length; i += 2) {
            cols.put(columnsAndTypes[i], columnsAndTypes[i + 1]);
        }
        return new TableInfo(cols, List.of("id"), identity);
    }

    static Map<String, TableInfo> scenario() {
        Map<String, TableInfo> t = new HashMap<>();
        t.put("admin.public.employees", table("d", "id", "int8", "company_id", "int8", "code", "text", "family_name", "text",
                "given_name", "text", "family_name_kana", "text", "given_name_kana", "text", "email", "text", "department_id", "int8",
                "status", "text", "hired_on", "date", "my_number", "text"));
        t.put("admin.public.departments", table("d", "id", "int8", "company_id", "int8", "name", "text"));
        t.put("motivation.public.surveys", table("d", "id", "int8", "title", "text", "conducted_on", "date"));
        t.put("motivation.public.survey_answers", table("f", "id", "int8", "survey_id", "int8", "employee_id", "int8",
                "score", "numeric", "condition", "text", "comment", "text"));
        t.put("labor.labor.contracts", table(null, "id", "bigint", "employee_id", "bigint", "contract_type", "varchar",
                "starts_on", "date", "ends_on", "date", "weekly_hours", "decimal", "monthly_salary", "int"));
        t.put("labor.labor.qualifications", table(null, "id", "bigint", "employee_id", "bigint", "name", "varchar", "acquired_on", "date"));
        return t;
    }

    static List<String> check(Map<String, TableInfo> tables, Set<String> sources) {
        Problems p = new Problems();
        MappingValidator.check(set, tables, sources, p);
        return p.list().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void theScenarioIsValid() {
        assertThat(check(scenario(), Set.of("admin", "motivation", "labor"))).isEmpty();
    }

    @Test
    void missingColumnTableAndKeyAreReportedWithTheirMappingLine() {
        Map<String, TableInfo> t = scenario();
        t.put("admin.public.employees", table("d", "id", "int8", "company_id", "int8", "code", "text", "family_name", "text",
                "given_name", "text", "department_id", "int8", "status", "text", "hired_on", "date"));
        t.remove("labor.labor.qualifications");
        t.put("motivation.public.survey_answers", table("d", "id", "int8", "survey_id", "int8", "employee_id", "int8",
                "score", "numeric", "condition", "text"));
        t.put("admin.public.departments", new TableInfo(Map.of("id", "int8", "name", "text"), List.of(), "d"));
        List<String> p = check(t, Set.of("admin", "motivation", "labor"));
        assertThat(p).anySatisfy(s -> assertThat(s).contains("employees.yaml:").contains("'email'").contains("does not exist"))
                .anySatisfy(s -> assertThat(s).contains("labor.qualifications does not exist"))
                .anySatisfy(s -> assertThat(s).contains("admin.public.departments has no primary key"));
    }

    @Test
    void unreachableSourcesAreNotCheckedTwice() {
        assertThat(check(new HashMap<>(), Set.of())).isEmpty();
    }

    @Test
    void conversionsFollowColumnKinds() {
        assertThat(MappingValidator.converts(io.mosaic.model.ColumnKind.INTEGER, ValueType.DATE)).isFalse();
        assertThat(MappingValidator.converts(io.mosaic.model.ColumnKind.TEXT, ValueType.DATE)).isTrue();
        assertThat(MappingValidator.converts(io.mosaic.model.ColumnKind.DECIMAL, ValueType.INTEGER)).isTrue();
        assertThat(MappingValidator.converts(io.mosaic.model.ColumnKind.DATE, ValueType.BOOLEAN)).isFalse();
    }
    @Test
    void aMissingTableIsReportedAtItsTableLineWithTheSourcesTables() {
        Map<String, TableInfo> tables = scenario();
        tables.remove("admin.public.employees");
        tables.remove("labor.labor.contracts");
        Problems p = new Problems();
        MappingValidator.check(set, tables, Set.of("admin", "motivation", "labor"),
                Map.of("admin", List.of("hr.employees", "public.departments", "public.mosaic_signal"),
                        "labor", List.of("labor.contract", "labor.qualifications")), p);
        List<String> problems = p.list().stream().map(ConfigProblem::toString).toList();
        assertThat(problems).anySatisfy(s -> assertThat(s).matches("(?s).*employees\\.yaml:\\d+.*")
                        .contains("table public.employees does not exist in source 'admin'")
                        .contains("source 'admin' has hr.employees, public.departments"))
                .anySatisfy(s -> assertThat(s).contains("table labor.contracts does not exist in source 'labor'")
                        .contains("has labor.contract, labor.qualifications"));
        String yaml = readMapping();
        String root = problems.stream().filter(s -> s.contains("public.employees does not exist")).findFirst().orElseThrow();
        String contracts = problems.stream().filter(s -> s.contains("labor.contracts does not exist")).findFirst().orElseThrow();
        assertThat(lineOf(root)).as("the root's table: line").isEqualTo(lineContaining(yaml, "  table: public.employees"));
        assertThat(lineOf(contracts)).as("the collection's table: line").isEqualTo(lineContaining(yaml, "    table: labor.contracts"));
    }

    private static String readMapping() {
        try {
            return java.nio.file.Files.readString(Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int lineOf(String problem) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("employees\\.yaml:(\\d+)").matcher(problem);
        assertThat(m.find()).as(problem).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static int lineContaining(String text, String needle) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle);
    }
}
