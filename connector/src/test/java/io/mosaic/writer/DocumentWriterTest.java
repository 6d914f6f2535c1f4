package io.mosaic.writer;

import static io.mosaic.writer.WriterFixtures.CONTRACTS;
import static io.mosaic.writer.WriterFixtures.DEPARTMENTS;
import static io.mosaic.writer.WriterFixtures.EMPLOYEES;
import static io.mosaic.writer.WriterFixtures.QUALIFICATIONS;
import static io.mosaic.writer.WriterFixtures.contract;
import static io.mosaic.writer.WriterFixtures.count;
import static io.mosaic.writer.WriterFixtures.delete;
import static io.mosaic.writer.WriterFixtures.employeeRow;
import static io.mosaic.writer.WriterFixtures.list;
import static io.mosaic.writer.WriterFixtures.name;
import static io.mosaic.writer.WriterFixtures.row;
import static io.mosaic.writer.WriterFixtures.truncate;
import static io.mosaic.writer.WriterFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaic.es.BulkAction;
import io.mosaic.mapping.Contribution;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;

/**
 * The document writer's algorithm on the reference scenario's mapping, against an in-memory store
 * that keeps Elasticsearch's guards: no server, milliseconds. The ITs prove the same on real servers.
 */
class DocumentWriterTest {

    private static MappingSet mappings;
    private static DocumentMapping employee;
    private InMemoryDocumentStore store;
    private List<DeadLetter> letters;
    private DocumentWriter writer;

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

    private SimpleMeterRegistry registry;

    private DocumentWriter newWriter() {
        registry = new SimpleMeterRegistry();
        return WriterFixtures.writer(store, mappings, letters::add, registry);
    }

    @Test
    void writesDeletesAndFanOutsAreCountedApart() throws Exception {
        writer.write(List.of(upsert(DEPARTMENTS, 1, row("id", 3L, "company_id", 1L, "name", "開発部"))));
        writer.write(List.of(upsert(EMPLOYEES, 2, employeeRow(1, "山田", 3L)), upsert(EMPLOYEES, 3, employeeRow(2, "佐藤", 3L))));
        writer.write(List.of(delete(EMPLOYEES, 4, employeeRow(2, "佐藤", 3L))));
        writer.write(List.of(upsert(DEPARTMENTS, 5, row("id", 3L, "company_id", 1L, "name", "研究開発部"))));
        assertThat(count(registry, MosaicMetrics.DOCUMENTS_WRITTEN, "index", employee.alias(), "kind", "document")).isEqualTo(3.0);
        assertThat(count(registry, MosaicMetrics.DOCUMENTS_DELETED, "index", employee.alias())).isEqualTo(1.0);
        assertThat(count(registry, MosaicMetrics.DOCUMENTS_WRITTEN, "index", employee.stateIndex(), "kind", "lookup")).isEqualTo(2.0);
        io.micrometer.core.instrument.DistributionSummary fanOut = registry.get(MosaicMetrics.FANOUT).tag("index", employee.alias()).summary();
        assertThat(fanOut.count()).as("batches with lookup changes").isEqualTo(2);
        assertThat(fanOut.totalAmount()).as("documents re-assembled: none the first time, employee 1 the second").isEqualTo(1.0);
    }

    @Test
    void aRepairRepublishesOverAnEditBehindMosaicsBackButNeverOverANewerChange() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employeeRow(1, "山田", null))));
        Map<String, Object> edited = new LinkedHashMap<>(doc("1"));
        edited.put("code", "EDITED");
        store.apply(BulkAction.index(employee.alias(), "1", edited, 0, null)); // internal versioning: one above Mosaic's
        long editedVersion = store.get(employee.alias(), List.of("1")).get("1").version();

        // re-emitted at the state's version: without the floor the republish would lose to the edit's version
        writer.repair(employee, List.of(upsert(EMPLOYEES, 10, employeeRow(1, "山田", null))), Map.of("1", editedVersion));
        assertThat(doc("1")).containsEntry("code", "E1");

        // a newer change streamed meanwhile wins over a repair carrying the older version
        writer.write(List.of(upsert(EMPLOYEES, 20, employeeRow(1, "佐藤", null))));
        writer.repair(employee, List.of(upsert(EMPLOYEES, 10, employeeRow(1, "山田", null))), Map.of());
        assertThat(name(doc("1"))).containsEntry("family", "佐藤");

        // a document without a root row goes with a root delete at version 0, above the planted version
        store.apply(BulkAction.index(employee.alias(), "99", Map.of("id", 99), 0, null));
        writer.repair(employee, List.of(delete(EMPLOYEES, 0, row("id", 99L))), Map.of("99", 1L));
        assertThat(doc("99")).isNull();
        // and any real insert outranks that delete
        writer.write(List.of(upsert(EMPLOYEES, 30, employeeRow(99, "新人", null))));
        assertThat(doc("99")).isNotNull();
    }

    private Map<String, Object> doc(String id) {
        return store.doc(employee.alias(), id);
    }

    @Test
    void aDocumentCombinesItsRootChildrenAndLookupsAcrossSources() throws Exception {
        writer.write(List.of(upsert(DEPARTMENTS, 1, row("id", 3L, "company_id", 1L, "name", "開発部"))));
        writer.write(List.of(upsert(EMPLOYEES, 2, employeeRow(42, "山田", 3L))));
        writer.write(List.of(upsert(CONTRACTS, 3, contract(5, 42, 40.0)),
                upsert(QUALIFICATIONS, 4, row("id", 8L, "employee_id", 42L, "name", "衛生管理者", "acquired_on", null))));
        Map<String, Object> d = doc("42");
        assertThat(name(d)).containsEntry("full", "山田 太郎");
        assertThat(d.get("department")).isEqualTo(Map.of("id", 3, "name", "開発部"));
        assertThat(list(d, "contracts")).extracting(c -> c.get("id")).containsExactly(5);
        assertThat(list(d, "qualifications")).extracting(c -> c.get("name")).containsExactly("衛生管理者");
        assertThat(letters).isEmpty();
    }

    @Test
    void anOlderChangeNeverWins() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employeeRow(1, "新しい", null))));
        writer.write(List.of(upsert(EMPLOYEES, 5, employeeRow(1, "古い", null))));
        assertThat(name(doc("1"))).containsEntry("family", "新しい");
        writer.write(List.of(upsert(CONTRACTS, 20, contract(7, 1, 40.0))));
        writer.write(List.of(upsert(CONTRACTS, 15, contract(7, 1, 10.0))));
        assertThat(list(doc("1"), "contracts")).extracting(c -> ((Number) c.get("weekly_hours")).doubleValue()).containsExactly(40.0);
    }

    @Test
    void aDeleteIsATombstoneThatAReplayedOlderUpsertCannotResurrect() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 1, employeeRow(1, "山田", null)), upsert(CONTRACTS, 2, contract(7, 1, 40.0))));
        writer.write(List.of(delete(CONTRACTS, 10, contract(7, 1, 40.0))));
        writer.write(List.of(upsert(CONTRACTS, 2, contract(7, 1, 40.0)))); // a replay from before the delete
        assertThat(list(doc("1"), "contracts")).isEmpty();

        writer.write(List.of(delete(EMPLOYEES, 20, employeeRow(1, "山田", null))));
        assertThat(doc("1")).isNull();
        writer.write(List.of(upsert(EMPLOYEES, 1, employeeRow(1, "山田", null))));
        assertThat(doc("1")).as("the root's tombstone holds").isNull();
    }

    @Test
    void aChildBeforeItsRootIsKeptAndAppearsWithTheRoot() throws Exception {
        writer.write(List.of(upsert(CONTRACTS, 1, contract(9, 77, 20.0))));
        assertThat(doc("77")).isNull();
        writer.write(List.of(upsert(EMPLOYEES, 2, employeeRow(77, "高橋", null))));
        assertThat(list(doc("77"), "contracts")).extracting(c -> c.get("id")).containsExactly(9);
    }

    @Test
    void theChangesOfOneDocumentInABatchAreCoalescedIntoOneStateWriteAndOneDocumentWrite() throws Exception {
        List<RowChange> batch = new ArrayList<>();
        batch.add(upsert(EMPLOYEES, 1, employeeRow(1, "山田", null)));
        for (int i = 0; i < 20; i++) {
            batch.add(upsert(CONTRACTS, 2 + i, contract(100 + i, 1, i)));
        }
        batch.add(upsert(EMPLOYEES, 30, employeeRow(1, "最後", null)));
        writer.write(batch);
        assertThat(store.itemsWritten).containsEntry(employee.stateIndex(), 1).containsEntry(employee.alias(), 1);
        assertThat(name(doc("1"))).containsEntry("family", "最後");
        assertThat(list(doc("1"), "contracts")).hasSize(20);
    }

    @Test
    void aLostOptimisticConcurrencyRaceIsReadAgainAndBothWritersChangesSurvive() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 1, employeeRow(1, "山田", null))));
        AtomicBoolean raced = new AtomicBoolean();
        DocumentWriter other = newWriter();
        store.beforeWrite = a -> {
            // the first time this writer writes the state of document 1, another writer gets there first
            if (a.index().equals(employee.stateIndex()) && a.id().equals("d:1") && a.ifSeqNo() >= 0 && raced.compareAndSet(false, true)) {
                try {
                    other.write(List.of(upsert(QUALIFICATIONS, 6, row("id", 8L, "employee_id", 1L, "name", "簿記", "acquired_on", null))));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        writer.write(List.of(upsert(CONTRACTS, 5, contract(7, 1, 40.0))));
        assertThat(raced).isTrue();
        assertThat(list(doc("1"), "contracts")).hasSize(1);
        assertThat(list(doc("1"), "qualifications")).hasSize(1);
    }

    @Test
    void aLookupRenameFansOutToEveryReferringDocument() throws Exception {
        writer.write(List.of(upsert(DEPARTMENTS, 1, row("id", 3L, "company_id", 1L, "name", "開発部"))));
        List<RowChange> employees = new ArrayList<>();
        for (long id = 1; id <= 2500; id++) { // more than one chunk of the fan-out
            employees.add(upsert(EMPLOYEES, 1 + id, employeeRow(id, "社員", id % 2 == 0 ? 3L : null)));
        }
        writer.write(employees);
        writer.write(List.of(upsert(DEPARTMENTS, 5000, row("id", 3L, "company_id", 1L, "name", "研究部"))));
        int renamed = 0;
        for (long id = 1; id <= 2500; id++) {
            Object department = doc(Long.toString(id)).get("department");
            if (id % 2 == 0) {
                assertThat(department).isEqualTo(Map.of("id", 3, "name", "研究部"));
                renamed++;
            } else {
                assertThat(department).isNull();
            }
        }
        assertThat(renamed).isEqualTo(1250);
    }

    /**
     * A concurrent writer renames the department after this writer read it for document 1, and before
     * this writer's state write became searchable: the other writer's fan-out could not find document
     * 1, so this writer's re-check of the lookups it used must re-assemble it.
     */
    @Test
    void aLookupChangedDuringAnAssemblyIsCaughtByTheReCheck() throws Exception {
        writer.write(List.of(upsert(DEPARTMENTS, 1, row("id", 3L, "company_id", 1L, "name", "開発部"))));
        AtomicBoolean renamed = new AtomicBoolean();
        store.beforeWrite = a -> {
            if (a.index().equals(employee.stateIndex()) && a.id().equals("d:1") && renamed.compareAndSet(false, true)) {
                // the rename's own fan-out would search the state index now, and not find document 1 yet
                store.apply(BulkAction.index(employee.stateIndex(), StateIndex.lookupId(DEPARTMENTS.id(), "3"),
                        StateIndex.encodeLookup("admin", DEPARTMENTS.id(), "3",
                                new Contribution(9, false, row("id", 3L, "company_id", 1L, "name", "研究部"))), 9, BulkAction.VersionGuard.EXTERNAL_GTE));
            }
        };
        writer.write(List.of(upsert(EMPLOYEES, 2, employeeRow(1, "山田", 3L))));
        assertThat(renamed).isTrue();
        assertThat(doc("1").get("department")).isEqualTo(Map.of("id", 3, "name", "研究部"));
    }

    /**
     * The lookup cache is a first guess only: another process renames the department behind this writer's
     * back (its fan-out ran before document 2 existed), and this writer's cache still holds the old row.
     * The re-check after the state write sees the new version, and document 2 is assembled again with it.
     */
    @Test
    void aStaleCachedLookupRowIsCaughtByTheReCheck() throws Exception {
        writer.write(List.of(upsert(DEPARTMENTS, 1, row("id", 3L, "company_id", 1L, "name", "開発部")),
                upsert(EMPLOYEES, 2, employeeRow(1, "山田", 3L))));
        assertThat(doc("1").get("department")).isEqualTo(Map.of("id", 3, "name", "開発部"));
        store.apply(BulkAction.index(employee.stateIndex(), StateIndex.lookupId(DEPARTMENTS.id(), "3"),
                StateIndex.encodeLookup("admin", DEPARTMENTS.id(), "3",
                        new Contribution(9, false, row("id", 3L, "company_id", 1L, "name", "研究部"))), 9, BulkAction.VersionGuard.EXTERNAL_GTE));
        store.sourceReads.clear();

        writer.write(List.of(upsert(EMPLOYEES, 10, employeeRow(2, "佐藤", 3L))));

        assertThat(doc("2").get("department")).isEqualTo(Map.of("id", 3, "name", "研究部"));
        // the first guess came from the cache; the re-check's mismatch made the writer read the row again
        assertThat(store.sourceReads.get(employee.stateIndex())).containsOnlyOnce(StateIndex.lookupId(DEPARTMENTS.id(), "3"));
    }

    /** A lookup row read by one batch is not read again, with its source, by the next: only its version is re-checked. */
    @Test
    void aLaterBatchTakesItsLookupRowsFromTheCache() throws Exception {
        writer.write(List.of(upsert(DEPARTMENTS, 1, row("id", 3L, "company_id", 1L, "name", "開発部")),
                upsert(EMPLOYEES, 2, employeeRow(1, "山田", 3L))));
        store.sourceReads.clear();

        writer.write(List.of(upsert(EMPLOYEES, 10, employeeRow(2, "佐藤", 3L))));

        assertThat(doc("2").get("department")).isEqualTo(Map.of("id", 3, "name", "開発部"));
        assertThat(store.sourceReads.get(employee.stateIndex())).doesNotContain(StateIndex.lookupId(DEPARTMENTS.id(), "3"));

        // without the cache the same batch reads it again: what the assertion above measures is the cache
        MosaicMetrics metrics = new MosaicMetrics();
        metrics.bindTo(new SimpleMeterRegistry());
        DocumentWriter uncached = new DocumentWriter(store, mappings, metrics, letters::add, 100_000, 0);
        store.sourceReads.clear();
        uncached.write(List.of(upsert(EMPLOYEES, 11, employeeRow(2, "佐藤", 3L))));
        assertThat(store.sourceReads.get(employee.stateIndex())).contains(StateIndex.lookupId(DEPARTMENTS.id(), "3"));
    }

    @Test
    void theSweepDeletesTheRowsOfTheSourceThatARepeatedSnapshotNoLongerHad() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employeeRow(1, "残る", 3L)), upsert(EMPLOYEES, 11, employeeRow(2, "消える", null)),
                upsert(DEPARTMENTS, 12, row("id", 3L, "company_id", 1L, "name", "開発部"))));
        writer.write(List.of(upsert(CONTRACTS, 5, contract(7, 1, 40.0)), upsert(CONTRACTS, 6, contract(8, 1, 20.0))));
        // a new snapshot of labor at version 100 saw contract 8 only (re-read at 100); contract 7 is gone
        writer.write(List.of(upsert(CONTRACTS, 100, contract(8, 1, 20.0))));
        assertThat(writer.sweep("labor", 100)).isEqualTo(1);
        assertThat(list(doc("1"), "contracts")).extracting(c -> c.get("id")).containsExactly(8);
        // a new snapshot of admin at 200 saw employee 1 and the department; employee 2 is gone
        writer.write(List.of(upsert(EMPLOYEES, 200, employeeRow(1, "残る", 3L)), upsert(DEPARTMENTS, 200, row("id", 3L, "company_id", 1L, "name", "開発部"))));
        assertThat(writer.sweep("admin", 200)).isEqualTo(1);
        assertThat(store.ids(employee.alias())).containsExactly("1");
        // the same sweep replayed: nothing present is left to sweep; the row it deleted is deleted again, harmlessly
        assertThat(writer.sweep("admin", 200)).as("nothing left to sweep").isZero();
        assertThat(store.ids(employee.alias())).containsExactly("1");
        assertThat(letters).isEmpty();
    }

    @Test
    void aTruncatedChildTableLosesItsElementsButRowsWrittenAfterTheTruncateStay() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 10, employeeRow(1, "山田", null)), upsert(EMPLOYEES, 11, employeeRow(2, "佐藤", null))));
        writer.write(List.of(upsert(CONTRACTS, 5, contract(7, 1, 40.0)), upsert(CONTRACTS, 6, contract(8, 2, 20.0)),
                upsert(QUALIFICATIONS, 7, row("id", 1L, "employee_id", 1L, "name", "簿記", "acquired_on", null))));
        // one batch: a contract before the truncate, the truncate, a contract after it
        writer.write(List.of(upsert(CONTRACTS, 20, contract(9, 1, 10.0)), truncate(CONTRACTS, 30), upsert(CONTRACTS, 40, contract(10, 2, 30.0))));
        assertThat(list(doc("1"), "contracts")).isEmpty();
        assertThat(list(doc("2"), "contracts")).extracting(c -> c.get("id")).containsExactly(10);
        assertThat(list(doc("1"), "qualifications")).as("another table of the same source").hasSize(1);
        // a replay of a change from before the truncate does not bring its row back
        writer.write(List.of(upsert(CONTRACTS, 20, contract(9, 1, 10.0)), upsert(CONTRACTS, 6, contract(8, 2, 20.0))));
        assertThat(list(doc("1"), "contracts")).isEmpty();
        assertThat(list(doc("2"), "contracts")).extracting(c -> c.get("id")).containsExactly(10);
        assertThat(letters).isEmpty();
    }

    @Test
    void aTruncatedRootDeletesItsDocumentsAndATruncatedLookupNullsTheReferringFields() throws Exception {
        writer.write(List.of(upsert(DEPARTMENTS, 1, row("id", 3L, "company_id", 1L, "name", "開発部")),
                upsert(EMPLOYEES, 2, employeeRow(1, "山田", 3L)), upsert(EMPLOYEES, 3, employeeRow(2, "佐藤", 3L))));
        writer.write(List.of(upsert(CONTRACTS, 5, contract(7, 1, 40.0))));
        writer.write(List.of(truncate(DEPARTMENTS, 10)));
        @SuppressWarnings("unchecked")
        Map<String, Object> department = (Map<String, Object>) doc("1").get("department");
        assertThat(department.get("name")).isNull();
        assertThat(department.get("id")).isNull();
        writer.write(List.of(truncate(EMPLOYEES, 20), upsert(EMPLOYEES, 21, employeeRow(3, "鈴木", null))));
        assertThat(store.ids(employee.alias())).containsExactly("3");
        // the contract of employee 1 is still in its table: it comes back with its employee
        writer.write(List.of(upsert(EMPLOYEES, 22, employeeRow(1, "山田", null))));
        assertThat(list(doc("1"), "contracts")).extracting(c -> c.get("id")).containsExactly(7);
        writer.write(List.of(truncate(new TableRef("admin", "public.unmapped"), 30)));
        assertThat(store.ids(employee.alias())).containsExactly("1", "3");
    }

    /**
     * Mosaic killed after a truncate's state writes and before its public writes: the states hold the rows it
     * deleted (tombstones at its version) and the documents still show them. The truncate is replayed (its
     * position was not committed) and must publish them, though it has no row left to delete: of a child
     * table, of a lookup table (whose fan-out never ran) and of the root (whose documents were never deleted).
     */
    @Test
    @SuppressWarnings("unchecked")
    void aTruncateReplayedAfterACrashBetweenItsStateAndItsPublicWritesPublishesTheDocuments() throws Exception {
        writer.write(List.of(upsert(DEPARTMENTS, 1, row("id", 3L, "company_id", 1L, "name", "開発部")),
                upsert(EMPLOYEES, 2, employeeRow(1, "山田", 3L)), upsert(EMPLOYEES, 3, employeeRow(2, "佐藤", null))));
        writer.write(List.of(upsert(CONTRACTS, 5, contract(7, 1, 40.0)), upsert(CONTRACTS, 6, contract(8, 2, 20.0))));

        WriterFixtures.crashAtThePublicWrite(store, writer, employee.alias(), truncate(CONTRACTS, 30));
        assertThat(list(doc("1"), "contracts")).as("the crash left the public document behind its state").hasSize(1);
        writer = newWriter();
        writer.write(List.of(truncate(CONTRACTS, 30)));
        assertThat(list(doc("1"), "contracts")).isEmpty();
        assertThat(list(doc("2"), "contracts")).isEmpty();

        WriterFixtures.crashAtThePublicWrite(store, writer, employee.alias(), truncate(DEPARTMENTS, 31));
        assertThat(((Map<String, Object>) doc("1").get("department")).get("name")).isEqualTo("開発部");
        writer = newWriter();
        writer.write(List.of(truncate(DEPARTMENTS, 31)));
        assertThat(((Map<String, Object>) doc("1").get("department")).get("name")).isNull();

        WriterFixtures.crashAtThePublicWrite(store, writer, employee.alias(), truncate(EMPLOYEES, 32));
        assertThat(store.ids(employee.alias())).containsExactly("1", "2");
        writer = newWriter();
        writer.write(List.of(truncate(EMPLOYEES, 32)));
        assertThat(store.ids(employee.alias())).isEmpty();
        assertThat(letters).isEmpty();
    }

    @Test
    void aRowWithoutItsKeyBecomesADeadLetterAndTheRestIsWritten() throws Exception {
        writer.write(List.of(upsert(EMPLOYEES, 1, employeeRow(1, "山田", null)),
                upsert(CONTRACTS, 2, row("id", null, "employee_id", 1L, "contract_type", "full_time", "starts_on", "2020-04-01"))));
        assertThat(doc("1")).isNotNull();
        assertThat(letters).singleElement().satisfies(l -> {
            assertThat(l.table()).isEqualTo(CONTRACTS.id());
            assertThat(l.error()).contains("key column 'id'");
        });
    }
}
