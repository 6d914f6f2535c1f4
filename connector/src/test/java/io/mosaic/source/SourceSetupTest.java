package io.mosaic.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mosaic.config.Problems;
import io.mosaic.config.SourceConfig;
import io.mosaic.config.SourceType;
import io.mosaic.mapping.MappingLoader;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.TableInfo;
import io.mosaic.model.TableRef;

/** The SQL {@code mosaic validate} prints for a DBA, and the publication's column lists, for the reference scenario. */
class SourceSetupTest {

    static MappingSet set;

    @BeforeAll
    static void load() {
        Problems problems = new Problems();
        Path file = Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml");
        set = new MappingSet(List.of(new MappingLoader(Set.of("admin", "motivation", "labor")).loadFile(file, problems)));
        assertThat(problems.list()).isEmpty();
    }

    static SourceConfig pg(String name) {
        return new SourceConfig(name, SourceType.POSTGRES, "db.example", 5432, name, "mosaic", "pw", "mosaic_" + name, "mosaic_" + name,
                1, "initial", Duration.ofSeconds(10), Duration.ofSeconds(10), Map.of());
    }

    static TableInfo table(String identity, List<String> identityColumns, Set<String> notNull, String... columns) {
        Map<String, String> cols = new LinkedHashMap<>();
        for (String c : columns) {
            cols.put(c, "text");
        }
        return new TableInfo(cols, List.of("id"), identity, identityColumns, notNull);
    }

    static final String[] ANSWER_COLUMNS = {"id", "survey_id", "employee_id", "score", "condition", "comment"};

    static Map<String, TableInfo> motivation(TableInfo answers) {
        Map<String, TableInfo> t = new HashMap<>();
        t.put("motivation.public.surveys", table("d", List.of("id"), Set.of("id"), "id", "company_id", "title", "conducted_on"));
        t.put("motivation.public.survey_answers", answers);
        return t;
    }

    @Test
    void withASignalTableTheColumnListsHaveNoHolesAndTheSignalTableIsPublishedWhole() {
        Map<String, TableInfo> t = new HashMap<>();
        t.put("admin.public.departments", table("d", List.of("id"), Set.of("id"), "id", "company_id", "name"));
        t.put("admin.public.employees", table("d", List.of("id"), Set.of("id"), "id", "company_id", "code", "family_name", "given_name",
                "family_name_kana", "given_name_kana", "email", "department_id", "status", "hired_on", "my_number", "updated_at"));
        SourceConfig plain = pg("admin");
        SourceConfig signalled = new SourceConfig(plain.name(), plain.type(), plain.host(), plain.port(), plain.database(), plain.user(),
                plain.password(), plain.slot(), plain.publication(), plain.serverId(), plain.snapshotMode(), plain.heartbeat(),
                plain.connectTimeout(), "public.mosaic_signal", Map.of(), null, null);
        SourceSetup setup = new SourceSetup(signalled, set, t, 150018);
        assertThat(setup.createPublication()).isEqualTo("CREATE PUBLICATION mosaic_admin FOR TABLE public.departments (id, company_id, name), "
                + "public.employees (id, company_id, code, family_name, given_name, family_name_kana, given_name_kana, email, "
                + "department_id, status, hired_on), public.mosaic_signal;");
        assertThat(setup.gapColumns()).as("what leaves the database only for the incremental snapshots")
                .containsOnlyKeys(new io.mosaic.model.TableRef("admin", "public.departments"))
                .containsValue(List.of("company_id"));
        assertThat(new SourceSetup(plain, set, t, 150018).gapColumns()).isEmpty();
    }

    @Test
    void theAdminPublicationCarriesTheMappedColumnsOnly() {
        Map<String, TableInfo> t = new HashMap<>();
        t.put("admin.public.departments", table("d", List.of("id"), Set.of("id"), "id", "company_id", "name"));
        t.put("admin.public.employees", table("d", List.of("id"), Set.of("id"), "id", "company_id", "code", "family_name", "given_name",
                "family_name_kana", "given_name_kana", "email", "department_id", "status", "hired_on", "my_number", "updated_at"));
        SourceSetup setup = new SourceSetup(pg("admin"), set, t, 150018);
        assertThat(setup.createPublication()).isEqualTo("CREATE PUBLICATION mosaic_admin FOR TABLE public.departments (id, name), "
                + "public.employees (id, company_id, code, family_name, given_name, family_name_kana, given_name_kana, email, "
                + "department_id, status, hired_on);");
        assertThat(setup.script(true)).containsSubsequence(
                        "ALTER ROLE mosaic WITH LOGIN REPLICATION;",
                        "GRANT CONNECT ON DATABASE admin TO mosaic;",
                        "GRANT USAGE ON SCHEMA public TO mosaic;",
                        "GRANT SELECT ON public.departments, public.employees TO mosaic;",
                        setup.alterPublication())
                .noneMatch(s -> s.contains("REPLICA IDENTITY") && !s.startsWith("--"))
                .noneMatch(s -> !s.startsWith("--") && s.contains("my_number"));
        assertThat(setup.alterPublication()).startsWith("ALTER PUBLICATION mosaic_admin SET TABLE public.departments (id, name), ");
    }

    @Test
    void aChildWithoutItsParentInTheReplicaIdentityGetsAnIndexNotFull() {
        SourceSetup setup = new SourceSetup(pg("motivation"), set,
                motivation(table("d", List.of("id"), Set.of("id", "survey_id", "employee_id", "score", "condition"), ANSWER_COLUMNS)), 150018);
        TableRef answers = new TableRef("motivation", "public.survey_answers");
        assertThat(setup.replicaIdentity(answers)).containsExactly(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS survey_answers_mosaic_identity ON public.survey_answers (id, employee_id);",
                "ALTER TABLE public.survey_answers REPLICA IDENTITY USING INDEX survey_answers_mosaic_identity;");
        List<String> script = setup.script(false);
        assertThat(script).containsSubsequence(setup.replicaIdentity(answers).get(0), setup.replicaIdentity(answers).get(1),
                "CREATE PUBLICATION mosaic_motivation FOR TABLE public.surveys (id, title, conducted_on), "
                        + "public.survey_answers (id, survey_id, employee_id, score, condition);");
        assertThat(String.join("\n", script)).doesNotContain("comment)").doesNotContain("comment,");
    }

    @Test
    void aCompositeParentIsCarriedByAPrimaryKeyThatHoldsItOrGetsAnIndexOverKeyAndParent() throws Exception {
        Path file = Files.createTempFile("members", ".yaml");
        Files.writeString(file, """
                document: member
                root: { source: admin, table: public.members, key: [club, member_no], fields: { name: name } }
                collections:
                  tags: { source: admin, table: public.member_tags, key: [club, member_no, tag], parent: [club, member_no], value: tag }
                  notes: { source: admin, table: public.notes, key: id, parent: [club, member_no], value: text }
                """);
        Problems problems = new Problems();
        MappingSet members = new MappingSet(List.of(new MappingLoader(Set.of("admin")).loadFile(file, problems)));
        assertThat(problems.list()).isEmpty();
        Map<String, TableInfo> t = new HashMap<>();
        t.put("admin.public.members", new TableInfo(Map.of("club", "text", "member_no", "int4", "name", "text"), List.of("club", "member_no"), "d"));
        t.put("admin.public.member_tags", new TableInfo(Map.of("club", "text", "member_no", "int4", "tag", "text"),
                List.of("club", "member_no", "tag"), "d"));
        t.put("admin.public.notes", new TableInfo(Map.of("id", "int8", "club", "text", "member_no", "int4", "text", "text"), List.of("id"), "d",
                List.of("id"), Set.of("id", "club")));
        SourceSetup setup = new SourceSetup(pg("admin"), members, t, 150018);
        assertThat(setup.replicaIdentity(new TableRef("admin", "public.member_tags"))).as("the default identity, its primary key, holds the parent")
                .isEmpty();
        assertThat(setup.replicaIdentity(new TableRef("admin", "public.notes"))).containsExactly(
                "-- public.notes.member_no may be NULL, so no index on it can be the replica identity: make it NOT NULL (ALTER TABLE public.notes "
                        + "ALTER COLUMN member_no SET NOT NULL) and run the two statements below, or keep REPLICA IDENTITY FULL (every column "
                        + "of the table then leaves the database)",
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS notes_mosaic_identity ON public.notes (id, club, member_no);",
                "ALTER TABLE public.notes REPLICA IDENTITY USING INDEX notes_mosaic_identity;");
    }

    @Test
    void anIndexIdentityCoveringTheParentNeedsNothingAndItsColumnsArePublished() {
        // an identity index with a column the mapping does not read: the column list must carry it, or PostgreSQL refuses UPDATEs
        SourceSetup setup = new SourceSetup(pg("motivation"), set, motivation(table("i", List.of("id", "employee_id", "comment"),
                Set.of("id", "employee_id", "comment"), ANSWER_COLUMNS)), 150018);
        assertThat(setup.replicaIdentity(new TableRef("motivation", "public.survey_answers"))).isEmpty();
        assertThat(setup.publicationColumns().get(new TableRef("motivation", "public.survey_answers")))
                .containsExactly("id", "survey_id", "employee_id", "score", "condition", "comment");
    }

    @Test
    void aFullIdentityIsPublishedWholeAndTheScriptSaysHowToNarrowIt() {
        SourceSetup setup = new SourceSetup(pg("motivation"), set,
                motivation(table("f", List.of(ANSWER_COLUMNS), Set.of("id", "employee_id"), ANSWER_COLUMNS)), 150018);
        assertThat(setup.publicationTables()).isEqualTo("public.surveys (id, title, conducted_on), public.survey_answers");
        assertThat(setup.script(false)).contains(
                "ALTER TABLE public.survey_answers REPLICA IDENTITY USING INDEX survey_answers_mosaic_identity;");
    }

    @Test
    void aNullableParentIsSaidToNeedNotNull() {
        SourceSetup setup = new SourceSetup(pg("motivation"), set,
                motivation(table("d", List.of("id"), Set.of("id"), ANSWER_COLUMNS)), 150018);
        assertThat(setup.replicaIdentity(new TableRef("motivation", "public.survey_answers")).get(0))
                .startsWith("--").contains("ALTER TABLE public.survey_answers ALTER COLUMN employee_id SET NOT NULL");
    }

    @Test
    void beforePostgres15ThereAreNoColumnListsAndTheScriptSaysSo() {
        SourceSetup setup = new SourceSetup(pg("motivation"), set,
                motivation(table("f", List.of(ANSWER_COLUMNS), Set.of("id", "employee_id"), ANSWER_COLUMNS)), 140011);
        assertThat(setup.createPublication()).isEqualTo("CREATE PUBLICATION mosaic_motivation FOR TABLE public.surveys, public.survey_answers;");
        assertThat(setup.replicaIdentity(new TableRef("motivation", "public.survey_answers"))).isEmpty();
        assertThat(setup.script(false)).anyMatch(s -> s.startsWith("-- PostgreSQL 14 has no publication column lists"));
    }

    @Test
    void mariadbGetsDebeziumsGrantsAndSelectOnTheMappedTablesOnly() {
        SourceConfig labor = new SourceConfig("labor", SourceType.MARIADB, "db.example", 3306, null, "debezium", "pw", "mosaic_labor",
                "mosaic_labor", 5501, "initial", Duration.ofSeconds(10), Duration.ofSeconds(10), Map.of());
        List<String> script = new SourceSetup(labor, set, Map.of(), 0).script(false);
        assertThat(script).containsSubsequence(
                "GRANT RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'debezium'@'%';",
                "GRANT SELECT ON `labor`.`contracts` TO 'debezium'@'%';",
                "GRANT SELECT ON `labor`.`qualifications` TO 'debezium'@'%';")
                .noneMatch(s -> s.contains("PUBLICATION"))
                .anyMatch(s -> s.startsWith("--") && s.contains("binlog_row_image=FULL") && s.contains("every column"));
    }

    @Test
    void identifiersArePlainOrQuoted() {
        assertThat(SourceSetup.ident("employees")).isEqualTo("employees");
        assertThat(SourceSetup.ident("Employees")).isEqualTo("\"Employees\"");
        assertThat(SourceSetup.ident("user")).isEqualTo("\"user\"");
        assertThat(SourceSetup.ident("a\"b")).isEqualTo("\"a\"\"b\"");
    }
}
