package io.mosaic.writer;

import static io.mosaic.writer.WriterFixtures.CONTRACTS;
import static io.mosaic.writer.WriterFixtures.EMPLOYEES;
import static io.mosaic.writer.WriterFixtures.row;
import static io.mosaic.writer.WriterFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.ConfigProblem;
import io.mosaic.config.Problems;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingLoader;
import io.mosaic.mapping.MappingSet;

/**
 * Row filters in the writer: a root row that stops passing removes its document and one that starts
 * passing brings it back with everything it collected meanwhile; a collection filter decides the
 * elements; a single-table document type honours its filter too.
 */
class RowFilterWritesTest {

    @TempDir
    Path dir;
    private InMemoryDocumentStore store;
    private DocumentWriter writer;

    @BeforeEach
    void writer() throws Exception {
        String scenario = Files.readString(WriterFixtures.scenarioMappingFile());
        String filtered = scenario
                .replace("  key: id                     # the document _id\n",
                        "  key: id                     # the document _id\n  filter:\n    status: { not_in: [retired] }\n")
                .replace("    table: labor.contracts\n", "    table: labor.contracts\n    filter: { ends_on: { is: null } }\n")
                .replace("template: employees.index.json", "");
        assertThat(filtered).contains("not_in: [retired]").contains("ends_on: { is: null }");
        Files.writeString(dir.resolve("employees.yaml"), filtered);
        Files.writeString(dir.resolve("directory.yaml"), """
                document: directory
                index: { alias: directory }
                root:
                  source: admin
                  table: public.employees
                  key: id
                  filter: { status: { equals: active }, email: { is: not_null } }
                  fields: { id: id, email: email }
                """);
        DocumentMapping employees = WriterFixtures.load(dir.resolve("employees.yaml"), WriterFixtures.SCENARIO_SOURCES);
        DocumentMapping directory = WriterFixtures.load(dir.resolve("directory.yaml"), WriterFixtures.SCENARIO_SOURCES);
        store = new InMemoryDocumentStore();
        writer = WriterFixtures.writer(store, new MappingSet(List.of(employees, directory)), letter -> { });
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRootThatStopsPassingLeavesAndComesBackWithItsElements() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employee(1, "active", "a@example.com")),
                upsert(CONTRACTS, 11, contract(5, 1, null)), upsert(CONTRACTS, 12, contract(6, 1, "2020-03-31"))));
        assertThat((List<Map<String, Object>>) store.doc("employees", "1").get("contracts")).extracting(c -> String.valueOf(c.get("id")))
                .as("only the open contract passes the collection filter").containsExactly("5");
        assertThat(store.doc("directory", "1")).containsEntry("email", "a@example.com");

        writer.write(List.of(upsert(EMPLOYEES, 20, employee(1, "retired", "a@example.com"))));
        assertThat(store.doc("employees", "1")).as("retired: filtered out").isNull();
        assertThat(store.doc("directory", "1")).as("single-table type: not active any more").isNull();

        writer.write(List.of(upsert(CONTRACTS, 21, contract(7, 1, null)))); // arrives while filtered out: kept in the state
        assertThat(store.doc("employees", "1")).isNull();

        writer.write(List.of(upsert(EMPLOYEES, 30, employee(1, "on_leave", null))));
        assertThat((List<Map<String, Object>>) store.doc("employees", "1").get("contracts")).extracting(c -> String.valueOf(c.get("id")))
                .containsExactly("5", "7");
        assertThat(store.doc("directory", "1")).as("on leave, no email").isNull();

        writer.write(List.of(upsert(CONTRACTS, 31, contract(5, 1, "2026-11-30"))));
        assertThat((List<Map<String, Object>>) store.doc("employees", "1").get("contracts")).extracting(c -> String.valueOf(c.get("id")))
                .as("a contract that ended leaves the collection").containsExactly("7");

        writer.write(List.of(upsert(EMPLOYEES, 15, employee(1, "retired", "old@example.com"))));
        assertThat(store.doc("employees", "1")).as("an older change that would filter it out loses").isNotNull();
    }

    @Test
    void filterMistakesAreReportedWithTheirLine() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                document: bad
                root:
                  source: admin
                  table: public.employees
                  key: id
                  filter:
                    status: { not_in: retired }
                    deleted_at: { is: gone }
                    email: { like: "%@example.com" }
                  fields: { id: id }
                """);
        Problems problems = new Problems();
        new MappingLoader(Set.of("admin")).loadFile(dir.resolve("bad.yaml"), problems);
        assertThat(problems.list().stream().map(ConfigProblem::toString).toList())
                .anySatisfy(s -> assertThat(s).contains("bad.yaml:7").contains("root.filter.status.not_in").contains("a list of values"))
                .anySatisfy(s -> assertThat(s).contains("bad.yaml:8").contains("must be null or not_null"))
                .anySatisfy(s -> assertThat(s).contains("bad.yaml:9").contains("root.filter.email.like"));
    }

    private static Map<String, Object> employee(long id, String status, String email) {
        return row("id", id, "company_id", 1L, "code", "E" + id, "family_name", "山田", "given_name", "太郎",
                "family_name_kana", null, "given_name_kana", null, "email", email, "status", status, "hired_on", null,
                "department_id", null);
    }

    private static Map<String, Object> contract(long id, long employee, String endsOn) {
        return row("id", id, "employee_id", employee, "contract_type", "full_time", "starts_on", "2020-04-01", "ends_on", endsOn,
                "weekly_hours", null);
    }
}
