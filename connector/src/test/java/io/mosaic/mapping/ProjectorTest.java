package io.mosaic.mapping;

import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mosaic.config.Problems;

/** The scenario's mapping projected over fixtures, without servers. */
class ProjectorTest {

    static DocumentMapping mapping;
    final Map<String, Map<String, Object>> lookups = new HashMap<>();

    @BeforeAll
    static void load() {
        Problems problems = new Problems();
        Path file = Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml");
        mapping = new MappingLoader(Set.of("admin", "motivation", "labor")).loadFile(file, problems);
        assertThat(problems.list()).isEmpty();
    }

    Map<String, Object> lookup(TableRef t, String key) {
        return lookups.get(t.id() + ":" + key);
    }

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static RowChange upsert(String source, String table, long version, Map<String, Object> after) {
        return new RowChange(new TableRef(source, table), RowChange.Op.UPSERT, null, after, version, "test", false);
    }

    DocumentState employee42(long version) {
        DocumentState s = new DocumentState("42");
        s.applyRoot(upsert("admin", "public.employees", version, row("id", 42L, "company_id", 7L, "code", "E0042",
                "family_name", "山田", "given_name", "太郎", "family_name_kana", "ヤマダ", "given_name_kana", "タロウ",
                "email", "taro@example.com", "status", "active", "hired_on", "2020-04-01", "department_id", 3L)));
        return s;
    }

    @Test
    void projectsTheScenarioDocument() {
        lookups.put("admin.public.departments:3", row("id", 3L, "name", "開発部"));
        lookups.put("motivation.public.surveys:1", row("id", 1L, "title", "2024年上期", "conducted_on", "2024-06-01"));
        DocumentState s = employee42(10);
        s.applyChild("surveys", "9", Contribution.of(upsert("motivation", "public.survey_answers", 5,
                row("id", 9L, "survey_id", 1L, "employee_id", 42L, "score", new BigDecimal("72.50"), "condition", "good"))));
        s.applyChild("contracts", "5", Contribution.of(upsert("labor", "labor.contracts", 5,
                row("id", 5L, "employee_id", 42L, "contract_type", "full_time", "starts_on", "2020-04-01", "ends_on", null,
                        "weekly_hours", new BigDecimal("40.0")))));

        Map<String, Object> doc = Projector.project(mapping, s, this::lookup);

        assertThat(doc).containsEntry("id", 42L).containsEntry("company_id", 7L).containsEntry("code", "E0042")
                .containsEntry("status", "active").containsEntry("hired_on", "2020-04-01");
        assertThat(doc.get("name")).isEqualTo(row("family", "山田", "given", "太郎", "family_kana", "ヤマダ",
                "given_kana", "タロウ", "full", "山田 太郎"));
        assertThat(doc.get("department")).isEqualTo(row("id", 3L, "name", "開発部"));
        assertThat(doc.get("surveys")).isEqualTo(List.of(row("answer_id", 9L, "survey_id", 1L, "score", new BigDecimal("72.50"),
                "condition", "good", "title", "2024年上期", "conducted_on", "2024-06-01")));
        assertThat(doc.get("contracts")).isEqualTo(List.of(row("id", 5L, "type", "full_time", "starts_on", "2020-04-01",
                "ends_on", null, "weekly_hours", new BigDecimal("40.0"))));
        assertThat(doc.get("qualifications")).isEqualTo(List.of());
        assertThat(Projector.refs(mapping, s)).containsExactly("admin.public.departments:3", "motivation.public.surveys:1");
    }

    @Test
    void nullDepartmentGivesNullObjectAndMissingLookupGivesNullFields() {
        DocumentState s = employee42(10);
        Map<String, Object> doc = Projector.project(mapping, s, this::lookup);
        assertThat(doc.get("department")).isEqualTo(row("id", null, "name", null));

        s.applyRoot(upsert("admin", "public.employees", 11, row("id", 42L, "company_id", 7L, "code", "E0042",
                "family_name", "山田", "given_name", "太郎", "status", "active", "department_id", null)));
        assertThat(Projector.project(mapping, s, this::lookup)).containsEntry("department", null);
    }

    @Test
    void noDocumentWithoutItsRootButChildrenAreKept() {
        DocumentState s = new DocumentState("42");
        s.applyChild("qualifications", "8", Contribution.of(upsert("labor", "labor.qualifications", 3,
                row("id", 8L, "employee_id", 42L, "name", "衛生管理者", "acquired_on", "2021-03-01"))));
        assertThat(Projector.project(mapping, s, this::lookup)).isNull();

        s.applyRoot(upsert("admin", "public.employees", 1, employee42(1).root().row()));
        assertThat(Projector.project(mapping, s, this::lookup).get("qualifications"))
                .isEqualTo(List.of(row("id", 8L, "name", "衛生管理者", "acquired_on", "2021-03-01")));
    }

    @Test
    void olderChangesNeverOverwriteNewerOnesAndTombstonesBlockResurrection() {
        DocumentState s = employee42(100);
        assertThat(s.applyRoot(upsert("admin", "public.employees", 99, row("id", 42L, "code", "OLD")))).isFalse();
        assertThat(s.root().row()).containsEntry("code", "E0042");
        // an equal version is re-applied: a replay must be able to finish an interrupted write
        assertThat(s.applyRoot(upsert("admin", "public.employees", 100, employee42(100).root().row()))).isTrue();

        assertThat(s.applyChild("contracts", "5", new Contribution(50, true, null))).isTrue();
        assertThat(s.applyChild("contracts", "5", new Contribution(40, false, row("id", 5L)))).isFalse();
        assertThat(Projector.project(mapping, s, this::lookup).get("contracts")).isEqualTo(List.of());
    }

    @Test
    void childrenAreOrderedNumericallyByKey() {
        DocumentState s = employee42(1);
        for (long id : new long[] {10, 9, 100}) {
            s.applyChild("qualifications", Long.toString(id), Contribution.of(upsert("labor", "labor.qualifications", id,
                    row("id", id, "employee_id", 42L, "name", "q" + id, "acquired_on", null))));
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> q = (List<Map<String, Object>>) Projector.project(mapping, s, this::lookup).get("qualifications");
        assertThat(q).extracting(m -> m.get("id")).containsExactly(9L, 10L, 100L);
    }

    @Test
    void conversionFailureNamesTheFieldAndTable() {
        FieldMapping f = new FieldMapping(List.of("hired_on"), new FieldExpr.Column("hired_on", ValueType.DATE), "m.yaml:9");
        assertThatThrownBy(() -> Projector.projectRow(List.of(f), List.of(), row("hired_on", "not a date"), (t, k) -> null,
                new TableRef("admin", "public.employees")))
                .isInstanceOf(ProjectionException.class)
                .hasMessageContaining("hired_on").hasMessageContaining("m.yaml:9").hasMessageContaining("admin.public.employees");
    }

    @Test
    void formatIsNullWhenAColumnIsNullLikeSqlConcatenation() {
        FieldExpr.Format f = FieldExpr.Format.parse("{family_name} {given_name}");
        assertThat(f.evaluate(row("family_name", "山田", "given_name", "太郎"))).isEqualTo("山田 太郎");
        assertThat(f.evaluate(row("family_name", "山田", "given_name", null))).isNull();
        assertThat(f.columns()).containsExactlyInAnyOrder("family_name", "given_name");
    }

    @Test
    void onlyMappedColumnsAreCaptured() {
        MappingSet set = new MappingSet(List.of(mapping));
        assertThat(set.columns("admin.public.employees")).contains("id", "department_id", "family_name")
                .doesNotContain("my_number", "updated_at");
        assertThat(set.columns("motivation.public.survey_answers")).contains("employee_id", "survey_id").doesNotContain("comment");
        assertThat(set.columns("labor.labor.contracts")).doesNotContain("monthly_salary");
        assertThat(set.roles("admin.public.departments")).hasSize(1).first().isInstanceOf(TableRole.Lookup.class);
    }
}
