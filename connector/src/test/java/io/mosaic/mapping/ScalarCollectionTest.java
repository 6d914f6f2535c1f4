package io.mosaic.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.ConfigProblem;
import io.mosaic.config.Problems;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableInfo;
import io.mosaic.model.TableRef;

/** {@code value:} collections (arrays of scalars): loading, projection and the live checks, without servers. */
class ScalarCollectionTest {

    /** The scenario's mapping plus {@code qualification_names}, an array of the qualifications' names. */
    static final String QUALIFICATION_NAMES = """
              qualification_names:
                source: labor
                table: labor.qualifications
                key: id
                parent: employee_id
                value: name
            """;

    @TempDir
    Path dir;

    static String scenario() throws IOException {
        return Files.readString(Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml"));
    }

    DocumentMapping load(String yaml, List<String> problemsOut) throws IOException {
        Path f = dir.resolve("employees.yaml");
        Files.writeString(f, yaml);
        Problems p = new Problems();
        DocumentMapping m = new MappingLoader(Set.of("admin", "motivation", "labor")).loadFile(f, p);
        p.list().stream().map(ConfigProblem::toString).forEach(problemsOut::add);
        return m;
    }

    DocumentMapping withNames(String collection) throws IOException {
        List<String> problems = new java.util.ArrayList<>();
        DocumentMapping m = load(scenario().replace("template: employees.index.json", "") + collection, problems);
        assertThat(problems).isEmpty();
        return m;
    }

    static CollectionMapping collection(DocumentMapping m, String name) {
        return m.collections().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Contribution qualification(long version, long id, String name) {
        return Contribution.of(new RowChange(new TableRef("labor", "labor.qualifications"), RowChange.Op.UPSERT, null,
                row("id", id, "employee_id", 1L, "name", name, "acquired_on", "2020-01-01"), version, "test", false));
    }

    static DocumentState employee() {
        DocumentState s = new DocumentState("1");
        s.applyRoot(new RowChange(new TableRef("admin", "public.employees"), RowChange.Op.UPSERT, null,
                row("id", 1L, "company_id", 1L, "code", "E1", "family_name", "山田", "given_name", "太郎", "status", "active"),
                1, "test", false));
        return s;
    }

    @Test
    void aValueCollectionLoadsAsAScalarCollectionOfTheSameTable() throws IOException {
        DocumentMapping m = withNames(QUALIFICATION_NAMES);
        CollectionMapping c = collection(m, "qualification_names");
        assertThat(c.scalar()).isTrue();
        assertThat(c.fields()).isEmpty();
        assertThat(c.lookups()).isEmpty();
        assertThat(c.value().name()).isEqualTo("qualification_names");
        assertThat(c.value().expr()).isEqualTo(new FieldExpr.Column("name", ValueType.AUTO));
        assertThat(c.value().location()).matches(".*employees\\.yaml:\\d+");
        assertThat(c.columns()).containsExactly("id", "employee_id", "name");
        assertThat(collection(m, "qualifications").scalar()).isFalse();
        assertThat(new MappingSet(List.of(m)).columns("labor.labor.qualifications")).as("the union of both collections' columns")
                .containsExactlyInAnyOrder("id", "employee_id", "name", "acquired_on");
    }

    @Test
    void theElementsAreTheValuesInKeyOrderWithoutNulls() throws IOException {
        DocumentMapping m = withNames(QUALIFICATION_NAMES);
        DocumentState s = employee();
        for (String c : List.of("qualifications", "qualification_names")) {
            s.applyChild(c, "10", qualification(5, 10, "危険物取扱者"));
            s.applyChild(c, "9", qualification(5, 9, "衛生管理者"));
            s.applyChild(c, "11", qualification(5, 11, null));
            s.applyChild(c, "12", qualification(5, 12, "簿記2級"));
            s.applyChild(c, "12", new Contribution(6, true, null)); // deleted
        }

        Map<String, Object> doc = Projector.project(m, s, (t, k) -> null);

        assertThat(doc.get("qualification_names")).as("ordered by the numeric key, a null name is no element, a deleted row none")
                .isEqualTo(List.of("衛生管理者", "危険物取扱者"));
        assertThat((List<?>) doc.get("qualifications")).as("the object collection of the same rows is unchanged").hasSize(3);
        assertThat(Projector.project(m, employee(), (t, k) -> null).get("qualification_names")).isEqualTo(List.of());
    }

    @Test
    void aValueMayBeAnyFieldExpressionAndTheCollectionFilterApplies() throws IOException {
        DocumentMapping m = withNames("""
                  qualified_since:
                    source: labor
                    table: labor.qualifications
                    key: id
                    parent: employee_id
                    value: { column: acquired_on, type: date }
                    filter: { name: { not_equals: 簿記2級 } }
                """);
        DocumentState s = employee();
        s.applyChild("qualified_since", "9", qualification(5, 9, "衛生管理者"));
        s.applyChild("qualified_since", "12", qualification(5, 12, "簿記2級"));
        assertThat(Projector.project(m, s, (t, k) -> null).get("qualified_since")).isEqualTo(List.of("2020-01-01"));
    }

    @Test
    void valueAndFieldsAreExclusiveAndOneIsRequiredWithFileAndLine() throws IOException {
        List<String> p = new java.util.ArrayList<>();
        load("""
                document: member
                root:
                  source: admin
                  table: public.members
                  key: id
                  fields: {id: id}
                collections:
                  both:
                    source: admin
                    table: public.tags_a
                    key: id
                    parent: member_id
                    value: tag
                    fields: {tag: tag}
                  neither:
                    source: admin
                    table: public.tags_b
                    key: id
                    parent: member_id
                  looked_up:
                    source: admin
                    table: public.tags_c
                    key: id
                    parent: member_id
                    value: tag
                    lookups:
                      tag: {table: public.tags, key: id, on: tag_id, fields: {name: name}}
                  bad_type:
                    source: admin
                    table: public.tags_d
                    key: id
                    parent: member_id
                    value: {column: tag, type: money}
                """, p);
        assertThat(p).anySatisfy(s -> assertThat(s).contains("employees.yaml:13").contains("collection 'both' has both 'value'")
                        .contains("keep one of them"))
                .anySatisfy(s -> assertThat(s).contains("employees.yaml:16").contains("collection 'neither' needs 'fields'")
                        .contains("or 'value'"))
                .anySatisfy(s -> assertThat(s).contains("employees.yaml:27").contains("collection 'looked_up' has 'value'")
                        .contains("cannot take lookups"))
                .anySatisfy(s -> assertThat(s).contains("employees.yaml:33").contains("unknown type 'money'"))
                .hasSize(4);
    }

    @Test
    void twoCollectionsOfOneTableMustAgreeOnKeyAndParent() throws IOException {
        List<String> p = new java.util.ArrayList<>();
        load(scenario().replace("template: employees.index.json", "") + QUALIFICATION_NAMES.replace("parent: employee_id", "parent: id"), p);
        assertThat(p).singleElement().satisfies(s -> assertThat(s).contains("table labor.labor.qualifications is also read by collection "
                + "'qualifications'").contains("same key and parent"));
    }

    @Test
    void theLiveChecksSeeTheValuesColumnAndTheTemplateMustMapItAsAScalar() throws IOException {
        Map<String, TableInfo> tables = catalog();
        String template = Files.readString(Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.index.json"));
        String yaml = scenario() + QUALIFICATION_NAMES;

        Files.writeString(dir.resolve("employees.index.json"), template.replace("\"hired_on\":",
                "\"qualification_names\": { \"type\": \"keyword\" },\n      \"hired_on\":"));
        assertThat(validate(yaml, tables)).as("keyword: an array of keywords").isEmpty();

        Files.writeString(dir.resolve("employees.index.json"), template.replace("\"hired_on\":",
                "\"qualification_names\": { \"type\": \"nested\" },\n      \"hired_on\":"));
        assertThat(validate(yaml, tables)).singleElement().satisfies(s -> assertThat(s).contains("employees.yaml:")
                .contains("collection 'qualification_names' is an array of single values").contains("maps 'qualification_names' as nested")
                .contains("e.g. keyword"));

        Files.writeString(dir.resolve("employees.index.json"), template.replace("\"hired_on\":",
                "\"qualification_names\": { \"type\": \"boolean\" },\n      \"hired_on\":"));
        assertThat(validate(yaml.replace("value: name", "value: { column: acquired_on, type: date }"), tables)).singleElement()
                .satisfies(s -> assertThat(s).contains("field 'qualification_names' holds date").contains("maps it as boolean"));

        Files.writeString(dir.resolve("employees.index.json"), template);
        assertThat(validate(yaml.replace("value: name", "value: title"), tables)).singleElement().satisfies(s -> assertThat(s)
                .contains("employees.yaml:" + (yaml.split("\n").length)).contains("field 'qualification_names': column 'title' does not exist"));
        assertThat(validate(yaml.replace("value: name", "value: { column: acquired_on, type: integer }"), tables)).singleElement()
                .satisfies(s -> assertThat(s).contains("column 'acquired_on' is date, which cannot convert to integer"));
    }

    List<String> validate(String yaml, Map<String, TableInfo> tables) throws IOException {
        List<String> loading = new java.util.ArrayList<>();
        DocumentMapping m = load(yaml, loading);
        assertThat(loading).isEmpty();
        Problems p = new Problems();
        MappingValidator.check(new MappingSet(List.of(m)), tables, Set.of("admin", "motivation", "labor"), p);
        return p.list().stream().map(ConfigProblem::toString).toList();
    }

    static Map<String, TableInfo> catalog() {
        Map<String, TableInfo> t = new HashMap<>();
        t.put("admin.public.employees", table("d", "id", "int8", "company_id", "int8", "code", "text", "family_name", "text",
                "given_name", "text", "family_name_kana", "text", "given_name_kana", "text", "email", "text", "department_id", "int8",
                "status", "text", "hired_on", "date"));
        t.put("admin.public.departments", table("d", "id", "int8", "company_id", "int8", "name", "text"));
        t.put("motivation.public.surveys", table("d", "id", "int8", "title", "text", "conducted_on", "date"));
        t.put("motivation.public.survey_answers", table("f", "id", "int8", "survey_id", "int8", "employee_id", "int8",
                "score", "numeric", "condition", "text"));
        t.put("labor.labor.contracts", table(null, "id", "bigint", "employee_id", "bigint", "contract_type", "varchar",
                "starts_on", "date", "ends_on", "date", "weekly_hours", "decimal"));
        t.put("labor.labor.qualifications", table(null, "id", "bigint", "employee_id", "bigint", "name", "varchar", "acquired_on", "date"));
        return t;
    }

    static TableInfo table(String identity, String... columnsAndTypes) {
        Map<String, String> cols = new LinkedHashMap<>();
        for (int i = 0; i < columnsAndTypes.length; i += 2) {
            cols.put(columnsAndTypes[i], columnsAndTypes[i + 1]);
        }
        return new TableInfo(cols, List.of("id"), identity);
    }
}
