package io.mosaic.writer;

import static io.mosaic.writer.WriterFixtures.ANSWERS;
import static io.mosaic.writer.WriterFixtures.CONTRACTS;
import static io.mosaic.writer.WriterFixtures.DEPARTMENTS;
import static io.mosaic.writer.WriterFixtures.EMPLOYEES;
import static io.mosaic.writer.WriterFixtures.QUALIFICATIONS;
import static io.mosaic.writer.WriterFixtures.SURVEYS;
import static io.mosaic.writer.WriterFixtures.contract;
import static io.mosaic.writer.WriterFixtures.count;
import static io.mosaic.writer.WriterFixtures.employeeRow;
import static io.mosaic.writer.WriterFixtures.list;
import static io.mosaic.writer.WriterFixtures.name;
import static io.mosaic.writer.WriterFixtures.read;
import static io.mosaic.writer.WriterFixtures.row;
import static io.mosaic.writer.WriterFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.model.RowChange;

/**
 * A snapshot's documents written once, from their state, when the sources' snapshots end
 * ({@link DeferredAssembly}), on the reference scenario's mapping against the in-memory store: the same
 * documents as the normal path, in one write each, and the ordering, sweep, fan-out and restart cases.
 */
class DeferredAssemblyTest {

    private static final int N = 50;

    private static MappingSet mappings;
    private static DocumentMapping employee;
    private InMemoryDocumentStore store;
    private List<DeadLetter> letters;
    private DocumentWriter writer;
    private SimpleMeterRegistry registry;

    @BeforeAll
    static void load() {
        employee = WriterFixtures.scenarioMapping();
        mappings = new MappingSet(List.of(employee));
    }

    @BeforeEach
    void writer() {
        store = new InMemoryDocumentStore();
        letters = new ArrayList<>();
        writer = newWriter();
    }

    private DocumentWriter newWriter() {
        registry = new SimpleMeterRegistry();
        return WriterFixtures.writer(store, mappings, letters::add, registry);
    }

    // ------------------------------------------------------------------ the three sources' snapshots

    private List<RowChange> admin(long v) {
        List<RowChange> out = new ArrayList<>();
        out.add(read(DEPARTMENTS, v, row("id", 3L, "company_id", 1L, "name", "開発部")));
        for (long id = 1; id <= N; id++) {
            out.add(read(EMPLOYEES, v + id, employeeRow(id, "社員" + id, 3L)));
        }
        return out;
    }

    private List<RowChange> motivation(long v) {
        List<RowChange> out = new ArrayList<>();
        out.add(read(SURVEYS, v, row("id", 1L, "title", "満足度調査", "conducted_on", "2026-04-01")));
        for (long id = 1; id <= N; id++) {
            out.add(read(ANSWERS, v + id, row("id", id, "survey_id", 1L, "employee_id", id, "score", 50 + id, "condition", null)));
        }
        return out;
    }

    private List<RowChange> labor(long v) {
        List<RowChange> out = new ArrayList<>();
        for (long id = 1; id <= N; id++) {
            out.add(read(CONTRACTS, v + id, contract(id, id, 40.0)));
            out.add(read(QUALIFICATIONS, v + N + id, row("id", id, "employee_id", id, "name", "資格" + id, "acquired_on", null)));
        }
        return out;
    }

    /** Every document complete: its root, department, survey answer, contract and qualification. */
    private void assertComplete(String family1) {
        assertThat(store.ids(employee.alias())).hasSize(N);
        for (long id = 1; id <= N; id++) {
            Map<String, Object> d = doc(Long.toString(id));
            assertThat(name(d)).containsEntry("family", id == 1 ? family1 : "社員" + id);
            assertThat(d.get("department")).isEqualTo(Map.of("id", 3, "name", "開発部"));
            assertThat(list(d, "contracts")).hasSize(1);
            assertThat(list(d, "qualifications")).hasSize(1);
            assertThat(list(d, "surveys")).hasSize(1);
        }
        assertThat(letters).isEmpty();
    }

    @Test
    void threeSourcesSnapshotsWriteEachDocumentOnceWhenTheLastEnds() throws Exception {
        // the three snapshots run at once: each source's first batch is in before any ends
        writer.writeSnapshot("admin", admin(100));
        writer.writeSnapshot("motivation", motivation(100));
        writer.writeSnapshot("labor", labor(100));
        assertThat(store.ids(employee.alias())).as("nothing published while the snapshots run").isEmpty();

        writer.sweep("admin", 100);
        writer.sweep("motivation", 100);
        assertThat(store.ids(employee.alias())).as("labor is still snapshotting").isEmpty();
        writer.sweep("labor", 100);

        assertComplete("社員1");
        assertThat(store.itemsWritten.get(employee.alias())).as("one write per document").isEqualTo(N);
        assertThat(count(registry, MosaicMetrics.DOCUMENTS_WRITTEN, "index", employee.alias(), "kind", "document")).isEqualTo(N);
        assertThat(store.ids(employee.stateIndex())).as("no marker left").noneMatch(id -> id.startsWith(StateIndex.DEFERRED_PREFIX));
    }

    @Test
    void theSameDocumentsAsTheNormalPath() throws Exception {
        writer.writeSnapshot("labor", labor(100)); // children before their root, as on the normal path
        writer.writeSnapshot("admin", admin(100));
        writer.writeSnapshot("motivation", motivation(100));
        writer.sweep("labor", 100);
        writer.sweep("admin", 100);
        writer.sweep("motivation", 100);
        Map<String, Map<String, Object>> deferred = new LinkedHashMap<>();
        for (long id = 1; id <= N; id++) {
            deferred.put(Long.toString(id), withoutSeq(doc(Long.toString(id))));
        }

        store = new InMemoryDocumentStore();
        writer = newWriter();
        writer.write(labor(100));
        writer.write(admin(100));
        writer.write(motivation(100));
        for (long id = 1; id <= N; id++) {
            assertThat(deferred.get(Long.toString(id))).isEqualTo(withoutSeq(doc(Long.toString(id))));
        }
    }

    @Test
    void aSourceThatEndsFirstStreamsOnTheNormalPathAndTheLastOnesPassKeepsItsChange() throws Exception {
        writer.writeSnapshot("admin", admin(100));
        writer.writeSnapshot("labor", labor(100));
        writer.sweep("admin", 100);
        // admin streams while labor still snapshots: published at once, from the state as it is
        writer.write(List.of(upsert(EMPLOYEES, 1000, employeeRow(1, "改名", 3L))));
        assertThat(name(doc("1"))).containsEntry("family", "改名");
        assertThat(list(doc("1"), "contracts")).hasSize(1);
        assertThat(doc("2")).as("the others wait for labor's end").isNull();
        writer.writeSnapshot("motivation", motivation(100));
        writer.sweep("motivation", 100);
        assertThat(doc("2")).as("labor is still snapshotting").isNull();
        writer.sweep("labor", 100);
        assertComplete("改名");
    }

    @Test
    void whicheverWritesLastTheLaterStateWinsWhenAnotherWriterStreamsDuringThePass() throws Exception {
        writer.writeSnapshot("admin", admin(100));
        writer.writeSnapshot("labor", labor(100));
        writer.writeSnapshot("motivation", motivation(100));
        writer.sweep("admin", 100);
        writer.sweep("motivation", 100);
        // another process streams a change of document 1 right before the pass writes it (the pass read the older state)
        DocumentWriter other = newWriter();
        AtomicBoolean once = new AtomicBoolean();
        store.beforeWrite = a -> {
            if (a.index().equals(employee.alias()) && a.id().equals("1") && once.compareAndSet(false, true)) {
                try {
                    other.write(List.of(upsert(EMPLOYEES, 1000, employeeRow(1, "並行", 3L))));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        writer.sweep("labor", 100);
        assertThat(once).isTrue();
        assertComplete("並行");
        // and a change after the pass wins as ever
        writer.write(List.of(upsert(EMPLOYEES, 1001, employeeRow(1, "後", 3L))));
        assertThat(name(doc("1"))).containsEntry("family", "後");
    }

    @Test
    void aRepeatedSnapshotSweepsTheRowsItNoLongerHadAndThePassDeletesTheirDocuments() throws Exception {
        writer.write(admin(100));
        writer.write(labor(100));
        assertThat(store.ids(employee.alias())).hasSize(N);
        // admin again, at 1000, without employee 2; labor streams meanwhile
        List<RowChange> again = admin(1000);
        again.removeIf(c -> c.table().equals(EMPLOYEES) && c.row().get("id").equals(2L));
        writer.writeSnapshot("admin", again);
        writer.write(List.of(upsert(CONTRACTS, 5000, contract(1, 1, 10.0))));
        assertThat(writer.sweep("admin", 1000)).isEqualTo(1);
        assertThat(store.ids(employee.alias())).hasSize(N - 1).doesNotContain("2");
        assertThat(list(doc("1"), "contracts")).extracting(c -> ((Number) c.get("weekly_hours")).doubleValue()).containsExactly(10.0);
        assertThat(letters).isEmpty();
    }

    @Test
    void aLookupRowThatDocumentsReferToFansOutAtOnceOnTheNormalPath() throws Exception {
        writer.write(admin(100));
        // a re-snapshot of admin whose first batch renames the department: the documents published with the old
        // name are at their state's counter, which a pass would write again and lose
        writer.writeSnapshot("admin", List.of(read(DEPARTMENTS, 1000, row("id", 3L, "company_id", 1L, "name", "研究部"))));
        for (long id = 1; id <= N; id++) {
            assertThat(doc(Long.toString(id)).get("department")).isEqualTo(Map.of("id", 3, "name", "研究部"));
        }
        List<RowChange> employees = admin(1000);
        employees.removeIf(c -> c.table().equals(DEPARTMENTS));
        writer.writeSnapshot("admin", employees);
        writer.sweep("admin", 1000);
        for (long id = 1; id <= N; id++) {
            assertThat(doc(Long.toString(id)).get("department")).isEqualTo(Map.of("id", 3, "name", "研究部"));
        }
        assertThat(letters).isEmpty();
    }

    @Test
    void aCrashBeforeTheLastSnapshotEndsIsFinishedAtTheNextStart() throws Exception {
        writer.writeSnapshot("admin", admin(100));
        writer.writeSnapshot("labor", labor(100));
        writer.writeSnapshot("motivation", motivation(100));
        writer.sweep("admin", 100); // admin ended and left the pass to the others; its end is committed
        // crash; the next start has a configuration in which motivation and labor are not snapshotted again
        writer = newWriter();
        writer.finishDeferredAssemblies();
        assertComplete("社員1");
        assertThat(store.ids(employee.stateIndex())).as("the markers of the two that were mid-snapshot stay")
                .filteredOn(id -> id.startsWith(StateIndex.DEFERRED_PREFIX))
                .containsExactlyInAnyOrder(StateIndex.deferredId("labor"), StateIndex.deferredId("motivation"));
        // when they are snapshotted again, their end clears everything
        writer.writeSnapshot("labor", labor(200));
        writer.writeSnapshot("motivation", motivation(200));
        writer.sweep("labor", 200);
        writer.sweep("motivation", 200);
        assertThat(store.ids(employee.stateIndex())).noneMatch(id -> id.startsWith(StateIndex.DEFERRED_PREFIX));
    }

    @Test
    void aCrashDuringThePassIsFinishedByTheReplayedSnapshotOrTheNextStart() throws Exception {
        writer.writeSnapshot("admin", admin(100));
        writer.writeSnapshot("labor", labor(100));
        writer.writeSnapshot("motivation", motivation(100));
        writer.sweep("admin", 100);
        writer.sweep("labor", 100);
        store.beforeWrite = a -> {
            if (a.index().equals(employee.alias()) && a.id().equals("20")) {
                throw new IllegalStateException("crash");
            }
        };
        assertThatThrownBy(() -> writer.sweep("motivation", 100)).hasMessage("crash");
        store.beforeWrite = a -> { };
        assertThat(store.ids(employee.alias())).hasSizeLessThan(N);
        // the last batch was not committed: the next start runs a pass, and motivation's snapshot is read again
        writer = newWriter();
        writer.finishDeferredAssemblies();
        assertComplete("社員1");
        writer.writeSnapshot("motivation", motivation(100));
        writer.sweep("motivation", 100);
        assertComplete("社員1");
        assertThat(store.ids(employee.stateIndex())).noneMatch(id -> id.startsWith(StateIndex.DEFERRED_PREFIX));
    }

    @Test
    void aBatchThatIsNotAllSnapshotReadsTakesTheNormalPath() throws Exception {
        writer.write(admin(100));
        writer.writeSnapshot("labor", List.of(read(CONTRACTS, 200, contract(1, 1, 40.0)), upsert(CONTRACTS, 300, contract(2, 1, 20.0))));
        assertThat(list(doc("1"), "contracts")).hasSize(2);
        // and the sweep of a source that deferred nothing writes no pass
        int before = store.itemsWritten.get(employee.alias());
        writer.sweep("labor", 200);
        assertThat(store.itemsWritten.get(employee.alias())).isEqualTo(before);
    }

    @Test
    void aSnapshotOfAnotherProcessDoesNotHoldThisOnesPassBack() throws Exception {
        writer.writeSnapshot("admin", admin(100));
        DocumentWriter other = newWriter(); // labor runs in another process, and is mid-snapshot there
        other.writeSnapshot("labor", labor(100));
        writer.sweep("admin", 100);
        assertThat(store.ids(employee.alias())).hasSize(N);
        assertThat(store.ids(employee.stateIndex())).filteredOn(id -> id.startsWith(StateIndex.DEFERRED_PREFIX))
                .containsExactly(StateIndex.deferredId("labor"));
        other.writeSnapshot("motivation", motivation(100));
        other.sweep("labor", 100);
        other.sweep("motivation", 100);
        assertComplete("社員1");
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, Object> withoutSeq(Map<String, Object> doc) {
        Map<String, Object> copy = new LinkedHashMap<>(doc);
        copy.remove("mosaic");
        return copy;
    }

    private Map<String, Object> doc(String id) {
        return store.doc(employee.alias(), id);
    }
}
