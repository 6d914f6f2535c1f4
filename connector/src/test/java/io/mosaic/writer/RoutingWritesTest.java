package io.mosaic.writer;

import static io.mosaic.writer.WriterFixtures.CONTRACTS;
import static io.mosaic.writer.WriterFixtures.EMPLOYEES;
import static io.mosaic.writer.WriterFixtures.row;
import static io.mosaic.writer.WriterFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.es.BulkAction;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.RowChange;

/**
 * Custom routing ({@code root.routing: company_id}) in the writer, against a store that keys documents
 * by routing and id as Elasticsearch does: a company change moves the document (no copy is left at the
 * old routing), a replayed older change does not bring the old copy back, a crash between the state
 * write and the public write is repaired by the replay, and a root row without a routing value is a dead
 * letter. A root-only type with routing takes the same path.
 */
class RoutingWritesTest {

    @TempDir
    Path dir;
    private InMemoryDocumentStore store;
    private DocumentWriter writer;
    private DocumentMapping employees;
    private final List<DeadLetter> deadLetters = new ArrayList<>();

    @BeforeEach
    void writer() throws Exception {
        writer(new InMemoryDocumentStore());
    }

    private void writer(InMemoryDocumentStore store) throws Exception {
        String scenario = Files.readString(WriterFixtures.scenarioMappingFile());
        String routed = scenario
                .replace("  key: id                     # the document _id\n", "  key: id                     # the document _id\n  routing: company_id\n")
                .replace("template: employees.index.json", "");
        assertThat(routed).contains("routing: company_id");
        Files.writeString(dir.resolve("employees.yaml"), routed);
        Files.writeString(dir.resolve("directory.yaml"), """
                document: directory
                index: { alias: directory }
                root:
                  source: admin
                  table: public.employees
                  key: id
                  routing: company_id
                  fields: { id: id, email: email }
                """);
        employees = WriterFixtures.load(dir.resolve("employees.yaml"), WriterFixtures.SCENARIO_SOURCES);
        DocumentMapping directory = WriterFixtures.load(dir.resolve("directory.yaml"), WriterFixtures.SCENARIO_SOURCES);
        assertThat(directory.isSingleTable()).as("a routed type keeps state, to know the old routing").isFalse();
        assertThat(employees.rootColumns()).contains("company_id");
        this.store = store;
        writer = WriterFixtures.writer(store, new MappingSet(List.of(employees, directory)), deadLetters::add);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aCompanyChangeMovesTheDocumentAndLeavesNoCopy() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employee(1, 100L)), upsert(CONTRACTS, 11, contract(5, 1))));
        assertThat(store.routings("employees", "1")).containsExactly("100");
        assertThat(store.routings("directory", "1")).containsExactly("100");

        writer.write(List.of(upsert(EMPLOYEES, 20, employee(1, 200L))));
        assertThat(store.routings("employees", "1")).as("deleted at the old routing, written at the new").containsExactly("200");
        assertThat(store.routings("directory", "1")).containsExactly("200");
        Map<String, Object> moved = store.doc("employees", "200", "1");
        assertThat(moved).containsEntry("company_id", 200);
        assertThat((List<Map<String, Object>>) moved.get("contracts")).as("the elements move with it").hasSize(1);

        writer.write(List.of(upsert(CONTRACTS, 30, contract(6, 1))));
        assertThat(store.routings("employees", "1")).as("a child change writes at the current routing").containsExactly("200");
        assertThat((List<Object>) store.doc("employees", "200", "1").get("contracts")).hasSize(2);

        writer.write(List.of(upsert(EMPLOYEES, 40, employee(1, 100L))));
        assertThat(store.routings("employees", "1")).as("and back").containsExactly("100");

        writer.write(List.of(new RowChange(EMPLOYEES, RowChange.Op.DELETE, Map.of("id", 1L), null, 50, "pos 50", false)));
        assertThat(store.routings("employees", "1")).as("a delete finds the document at its routing").isEmpty();
        assertThat(store.routings("directory", "1")).isEmpty();
        assertThat(deadLetters).isEmpty();
    }

    /**
     * A routed type is not written by the deferred pass, so a crash between a snapshot sweep's state writes and its
     * public writes is repaired by the next snapshot's sweep alone, though that one comes at a new version (a snapshot
     * repeated after a crash is a new one): it deletes again, at its own version, every row of the source it finds
     * deleted, which publishes the documents the first sweep left behind.
     */
    @Test
    void aSnapshotRepeatedAfterACrashInItsSweepDeletesTheDocumentsTheSweepLeftBehind() throws Exception {
        // the one type of the table: the directory's sweep would delete the row in both types and hide the gap
        writer = WriterFixtures.writer(store, new MappingSet(List.of(employees)), deadLetters::add);
        writer.write(List.of(upsert(EMPLOYEES, 10, employee(1, 100L)), upsert(EMPLOYEES, 11, employee(2, 100L)),
                upsert(CONTRACTS, 12, contract(5, 2))));
        // a snapshot of admin at 100 sees employee 1 only; the process dies in its sweep, after the state writes
        writer.write(List.of(upsert(EMPLOYEES, 100, employee(1, 100L))));
        WriterFixtures.crashAtThePublicWrite(store, "employees", () -> writer.sweep("admin", 100));
        assertThat(store.routings("employees", "2")).as("the crash left the document published").containsExactly("100");

        // the restart snapshots admin again, at 200: employee 2 is still gone
        writer = WriterFixtures.writer(store, new MappingSet(List.of(employees)), deadLetters::add);
        writer.write(List.of(upsert(EMPLOYEES, 200, employee(1, 100L))));
        writer.sweep("admin", 200);
        assertThat(store.routings("employees", "2")).isEmpty();
        assertThat(store.routings("employees", "1")).containsExactly("100");
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void aMoveBetweenRoutingsOfOneShardKeepsTheDocument() throws Exception {
        // two routing values may hash to one shard, which keys documents by _id alone: the delete at the old
        // routing then removes the very copy that the index at the new one must replace, so it must not win
        writer(InMemoryDocumentStore.oneShard());
        writer.write(List.of(upsert(EMPLOYEES, 10, employee(1, 100L)), upsert(CONTRACTS, 11, contract(5, 1))));
        writer.write(List.of(upsert(EMPLOYEES, 20, employee(1, 200L))));
        assertThat(store.routings("employees", "1")).containsExactly("200");
        assertThat(store.doc("employees", "200", "1")).containsEntry("company_id", 200);
        writer.write(List.of(upsert(EMPLOYEES, 20, employee(1, 200L)))); // a replay
        assertThat(store.routings("employees", "1")).containsExactly("200");
        assertThat(store.routings("directory", "1")).containsExactly("200");
    }

    @Test
    void aReplayedOlderChangeDoesNotResurrectTheOldCopy() throws Exception {
        RowChange before = upsert(EMPLOYEES, 10, employee(1, 100L));
        writer.write(List.of(before));
        writer.write(List.of(upsert(EMPLOYEES, 20, employee(1, 200L))));
        writer.write(List.of(before, upsert(CONTRACTS, 5, contract(5, 1))));
        assertThat(store.routings("employees", "1")).containsExactly("200");
        assertThat(store.routings("directory", "1")).containsExactly("200");
        assertThat(store.doc("employees", "200", "1")).containsEntry("company_id", 200);
    }

    @Test
    void aMoveInterruptedAfterTheStateWriteIsCompletedByTheReplay() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employee(1, 100L))));
        RowChange move = upsert(EMPLOYEES, 20, employee(1, 200L));
        store.beforeWrite = a -> {
            if (a.index().equals("employees")) {
                throw new IllegalStateException("crash before the public write");
            }
        };
        assertThatThrownBy(() -> writer.write(List.of(move))).hasMessageContaining("crash");
        assertThat(store.routings("employees", "1")).as("the state moved on, the public copy did not").containsExactly("100");

        store.beforeWrite = a -> { };
        writer.write(List.of(move)); // the source position was not committed: the batch comes again
        assertThat(store.routings("employees", "1")).containsExactly("200");
    }

    @Test
    void theDeleteAtTheOldRoutingGoesFirstInABulkOfItsOwn() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employee(1, 100L))));
        List<BulkAction> seen = new ArrayList<>();
        store.beforeWrite = a -> {
            if (a.index().equals("employees")) {
                seen.add(a);
            }
        };
        writer.write(List.of(upsert(EMPLOYEES, 20, employee(1, 200L))));
        assertThat(seen).extracting(a -> a.kind() + "@" + a.routing()).containsExactly("DELETE@100", "INDEX@200");
        assertThat(seen.get(0).version()).as("the delete just below the index's version").isEqualTo(seen.get(1).version() - 1);
        assertThat(seen.get(0).versionGuard()).isEqualTo(BulkAction.VersionGuard.EXTERNAL_GTE);

        seen.clear();
        writer.write(List.of(upsert(EMPLOYEES, 30, employee(1, 200L))));
        assertThat(seen).extracting(a -> a.kind() + "@" + a.routing()).as("a later change at the same routing deletes nothing")
                .containsExactly("INDEX@200");
        seen.clear();
        writer.write(List.of(upsert(EMPLOYEES, 20, employee(1, 200L)), upsert(EMPLOYEES, 30, employee(1, 200L))));
        assertThat(seen).extracting(a -> a.kind() + "@" + a.routing()).as("a replay of the last change deletes at the former routing again")
                .containsExactly("DELETE@100", "INDEX@200");
    }

    @Test
    void aRebuildWritesAtTheRootRowsRoutingAndItsCatchUpDeletesAtTheFormerOne() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employee(1, 100L)), upsert(EMPLOYEES, 11, employee(2, 100L))));
        IndexRebuild rebuild = new IndexRebuild(store);
        rebuild.run(employees, "employees-v2", false, d -> { });
        assertThat(store.routings("employees-v2", "1")).containsExactly("100");

        // meanwhile 1 moves (written to the old index, the alias not moved yet) and 2 is deleted
        writer.write(List.of(upsert(EMPLOYEES, 20, employee(1, 200L)),
                new RowChange(EMPLOYEES, RowChange.Op.DELETE, Map.of("id", 2L), null, 21, "pos 21", false)));
        rebuild.run(employees, "employees-v2", true, d -> { });
        assertThat(store.routings("employees-v2", "1")).as("the catch-up pass moves it too").containsExactly("200");
        assertThat(store.doc("employees-v2", "200", "1")).isEqualTo(store.doc("employees", "200", "1"));
        assertThat(store.routings("employees-v2", "2")).as("deleted at its routing").isEmpty();
    }

    @Test
    void theSnapshotSweepDeletesAMovedDocumentAtItsCurrentRouting() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employee(1, 100L)), upsert(EMPLOYEES, 11, employee(2, 100L))));
        writer.write(List.of(upsert(EMPLOYEES, 20, employee(1, 200L))));
        // a re-snapshot at 30 finds employee 2 only: 1 is gone
        writer.write(List.of(new RowChange(EMPLOYEES, RowChange.Op.UPSERT, null, employee(2, 100L), 30, "snap", true)));
        assertThat(writer.sweep("admin", 30)).as("row 1, once per document type").isEqualTo(2);
        assertThat(store.routings("employees", "1")).isEmpty();
        assertThat(store.routings("directory", "1")).isEmpty();
        assertThat(store.routings("employees", "2")).containsExactly("100");
    }

    @Test
    void aRootRowWithoutARoutingValueIsADeadLetter() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employee(1, null))));
        assertThat(store.ids("employees")).isEmpty();
        assertThat(deadLetters).extracting(DeadLetter::error).anyMatch(r -> r.contains("routing column 'company_id'"));
        writer.write(List.of(upsert(EMPLOYEES, 20, employee(1, 300L))));
        assertThat(store.routings("employees", "1")).as("published once it has one").containsExactly("300");
    }

    private static Map<String, Object> employee(long id, Long company) {
        return row("id", id, "company_id", company, "code", "E" + id, "family_name", "山田", "given_name", "太郎",
                "email", "e" + id + "@example.com", "status", "active");
    }

    private static Map<String, Object> contract(long id, long employee) {
        return row("id", id, "employee_id", employee, "contract_type", "full_time", "starts_on", "2020-04-01");
    }
}
