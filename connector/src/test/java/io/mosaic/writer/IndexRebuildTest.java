package io.mosaic.writer;

import static io.mosaic.writer.WriterFixtures.CONTRACTS;
import static io.mosaic.writer.WriterFixtures.DEPARTMENTS;
import static io.mosaic.writer.WriterFixtures.EMPLOYEES;
import static io.mosaic.writer.WriterFixtures.delete;
import static io.mosaic.writer.WriterFixtures.employeeRow;
import static io.mosaic.writer.WriterFixtures.row;
import static io.mosaic.writer.WriterFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.RowChange;

/** The rebuild's passes on the scenario's mapping against the in-memory store: what it writes, skips, deletes and refuses. */
class IndexRebuildTest {

    private static final String TARGET = "employees-v2";

    private static DocumentMapping employee;
    private InMemoryDocumentStore store;
    private DocumentWriter writer;

    @BeforeAll
    static void load() {
        employee = WriterFixtures.scenarioMapping();
    }

    @BeforeEach
    void writer() {
        store = new InMemoryDocumentStore();
        writer = WriterFixtures.writer(store, new MappingSet(List.of(employee)), letter -> { });
    }

    @Test
    void aPassWritesWhatTheWriterWroteFromTheStateAlone() throws Exception {
        writer.write(List.of(upsert(DEPARTMENTS, 1, row("id", 3L, "company_id", 1L, "name", "開発部"))));
        writer.write(List.of(upsert(EMPLOYEES, 2, employeeRow(1, "山田", 3L)), upsert(EMPLOYEES, 3, employeeRow(2, "佐藤", null)),
                upsert(CONTRACTS, 4, contractRow(5, 1))));
        writer.write(List.of(upsert(DEPARTMENTS, 6, row("id", 3L, "company_id", 1L, "name", "研究開発部"))));

        List<Long> progress = new ArrayList<>();
        IndexRebuild.Result r = new IndexRebuild(store).run(employee, TARGET, false, progress::add);

        assertThat(r.states()).isEqualTo(2);
        assertThat(r.written()).isEqualTo(2);
        assertThat(r.missingColumns()).isEmpty();
        assertThat(r.rejectedCount()).isZero();
        assertThat(progress).containsExactly(2L);
        assertThat(store.ids(TARGET)).containsExactly("1", "2");
        assertThat(store.doc(TARGET, "1")).as("the same assembly as the writer's, lookup rows and seq included")
                .isEqualTo(store.doc(employee.alias(), "1"));
        assertThat(store.doc(TARGET, "2")).isEqualTo(store.doc(employee.alias(), "2"));
    }

    @Test
    void theCatchUpPassDeletesWhatWasDeletedAndNeverOverwritesANewerAssembly() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 2, employeeRow(1, "山田", null)), upsert(EMPLOYEES, 3, employeeRow(2, "佐藤", null))));
        IndexRebuild rebuild = new IndexRebuild(store);
        rebuild.run(employee, TARGET, false, d -> { });

        // meanwhile the stream deletes 2, and (after the alias moved) writes a newer 1 into the new index directly
        writer.write(List.of(delete(EMPLOYEES, 4, employeeRow(2, "佐藤", null))));
        writer.write(List.of(upsert(EMPLOYEES, 5, employeeRow(1, "山本", null))));
        Map<String, Object> newer = store.doc(employee.alias(), "1");
        store.apply(io.mosaic.es.BulkAction.index(TARGET, "1", newer, ((Number) ((Map<?, ?>) newer.get("mosaic")).get("seq")).longValue(),
                io.mosaic.es.BulkAction.VersionGuard.EXTERNAL));

        IndexRebuild.Result r = rebuild.run(employee, TARGET, true, d -> { });

        assertThat(r.deleted()).isEqualTo(1);
        assertThat(r.stale()).as("document 1 was already written with the same counter").isEqualTo(1);
        assertThat(store.ids(TARGET)).containsExactly("1");
        assertThat(((Map<?, ?>) store.doc(TARGET, "1").get("name")).get("family")).isEqualTo("山本");
    }

    @Test
    void aCatchUpFromTheFirstPassesCheckpointReadsOnlyWhatChangedAndEndsAsAFullOneWould() throws Exception {
        writer.write(List.of(upsert(DEPARTMENTS, 1, row("id", 3L, "company_id", 1L, "name", "開発部"))));
        writer.write(List.of(upsert(EMPLOYEES, 2, employeeRow(1, "山田", 3L)), upsert(EMPLOYEES, 3, employeeRow(2, "佐藤", null)),
                upsert(EMPLOYEES, 4, employeeRow(3, "鈴木", null)), upsert(EMPLOYEES, 5, employeeRow(4, "高橋", 3L))));
        IndexRebuild rebuild = new IndexRebuild(store);
        IndexRebuild.Result first = rebuild.run(employee, TARGET, false, d -> { });
        assertThat(first.checkpoint()).isPresent();

        // meanwhile: 2 is deleted, 3 changes, and the department that 1 and 4 use is renamed (a change through a lookup only)
        writer.write(List.of(delete(EMPLOYEES, 6, employeeRow(2, "佐藤", null))));
        writer.write(List.of(upsert(EMPLOYEES, 7, employeeRow(3, "鈴木一郎", null))));
        writer.write(List.of(upsert(DEPARTMENTS, 8, row("id", 3L, "company_id", 1L, "name", "研究開発部"))));

        IndexRebuild.Result second = rebuild.run(employee, TARGET, true, d -> { }, first.checkpoint());

        assertThat(second.states()).as("only the states written after the first pass's view: 1, 2, 3 and 4 changed").isEqualTo(4);
        assertThat(second.deleted()).isEqualTo(1);
        assertThat(store.ids(TARGET)).containsExactly("1", "3", "4");
        for (String id : List.of("1", "3", "4")) {
            assertThat(store.doc(TARGET, id)).as("document %s as the writer has it", id).isEqualTo(store.doc(employee.alias(), id));
        }

        // an unchanged state is not read again
        IndexRebuild.Result third = rebuild.run(employee, TARGET, true, d -> { }, second.checkpoint());
        assertThat(third.states()).isZero();
    }

    @Test
    void withoutACheckpointTheCatchUpReadsEveryState() throws Exception {
        store.checkpointReadable = false;
        writer.write(List.of(upsert(EMPLOYEES, 2, employeeRow(1, "山田", null)), upsert(EMPLOYEES, 3, employeeRow(2, "佐藤", null))));
        IndexRebuild rebuild = new IndexRebuild(store);
        IndexRebuild.Result first = rebuild.run(employee, TARGET, false, d -> { });
        assertThat(first.checkpoint()).isEmpty();
        assertThat(rebuild.run(employee, TARGET, true, d -> { }, first.checkpoint()).states()).isEqualTo(2);
    }

    @Test
    void aColumnTheStateNeverCapturedIsReportedNotWrittenAsNull() throws Exception {
        Map<String, Object> captured = employeeRow(1, "山田", null);
        captured.remove("email"); // as if email had not been mapped when the row was captured
        writer.write(List.of(upsert(EMPLOYEES, 2, captured)));

        IndexRebuild.Result r = new IndexRebuild(store).run(employee, TARGET, false, d -> { });

        assertThat(r.missingColumns()).containsEntry("admin.public.employees.email", 1L);
    }

    /** The in-memory store, counting the states its search handed over and failing a rebuild's bulk on demand. */
    private final class Watched implements DocumentStore {
        final java.util.concurrent.atomic.AtomicLong handed = new java.util.concurrent.atomic.AtomicLong();
        final List<Long> handedAtWrite = new ArrayList<>();
        int failAt = -1;

        @Override
        public Map<String, io.mosaic.es.ElasticsearchGateway.Doc> get(String index, java.util.Collection<String> ids) throws Exception {
            return store.get(index, ids);
        }

        @Override
        public List<io.mosaic.es.BulkOutcome> write(String what, List<io.mosaic.es.BulkAction> actions) throws Exception {
            if (what.startsWith("rebuild")) {
                handedAtWrite.add(handed.get());
                if (handedAtWrite.size() - 1 == failAt) {
                    throw new IllegalStateException("bulk refused");
                }
            }
            return store.write(what, actions);
        }

        @Override
        public void refresh(String index) throws Exception {
            store.refresh(index);
        }

        @Override
        public void search(String index, Map<String, Object> query, boolean withSource, io.mosaic.es.ElasticsearchGateway.DocConsumer consumer)
                throws Exception {
            store.search(index, query, withSource, d -> {
                handed.incrementAndGet();
                consumer.accept(d);
            });
        }

        @Override
        public java.util.OptionalLong checkpoint(String index) throws Exception {
            return store.checkpoint(index);
        }
    }

    private void employees(int n) throws Exception {
        List<RowChange> changes = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            changes.add(upsert(EMPLOYEES, i, employeeRow(i, "山田" + i, null)));
        }
        writer.write(changes);
    }

    @Test
    void aPassHoldsOnePageOfStatesAtATimeAndWritesThePagesInOrder() throws Exception {
        int n = IndexRebuild.PAGE * 5 + 17;
        employees(n);
        Watched watched = new Watched();
        List<Long> progress = new ArrayList<>();
        IndexRebuild.Result r = new IndexRebuild(watched).run(employee, TARGET, false, progress::add);

        assertThat(r.states()).isEqualTo(n);
        assertThat(r.written()).isEqualTo(n);
        assertThat(store.ids(TARGET)).hasSize(n);
        assertThat(watched.handedAtWrite).hasSize(6);
        for (int page = 0; page < watched.handedAtWrite.size(); page++) {
            // page k is written as soon as the scan has read it, before it reads on: memory holds one page of states
            assertThat(watched.handedAtWrite.get(page)).as("states read when page %d was written", page)
                    .isEqualTo(Math.min(n, (long) (page + 1) * IndexRebuild.PAGE));
        }
        List<Long> expected = new ArrayList<>();
        for (int page = 1; page <= 5; page++) {
            expected.add((long) page * IndexRebuild.PAGE);
        }
        expected.add((long) n);
        assertThat(progress).as("progress after each page, in order").isEqualTo(expected);
    }

    @Test
    void aBulkThatFailsFailsThePassAndNoLaterPageIsWritten() throws Exception {
        employees(IndexRebuild.PAGE * 4);
        Watched watched = new Watched();
        watched.failAt = 1;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new IndexRebuild(watched).run(employee, TARGET, false, d -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessage("bulk refused");
        assertThat(watched.handedAtWrite).as("the pass stopped at the failed page").hasSize(2);
        assertThat(watched.handed.get()).as("and read no further").isEqualTo(2L * IndexRebuild.PAGE);
        assertThat(store.ids(TARGET)).hasSize(IndexRebuild.PAGE);
    }

    private static Map<String, Object> contractRow(long id, long employee) {
        return WriterFixtures.contract(id, employee, new BigDecimal("40.0"));
    }
}
