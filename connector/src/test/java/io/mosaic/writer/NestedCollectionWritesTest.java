package io.mosaic.writer;

import static io.mosaic.writer.WriterFixtures.delete;
import static io.mosaic.writer.WriterFixtures.move;
import static io.mosaic.writer.WriterFixtures.read;
import static io.mosaic.writer.WriterFixtures.row;
import static io.mosaic.writer.WriterFixtures.truncate;
import static io.mosaic.writer.WriterFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.TableRef;

/**
 * Nested collections in the writer ({@link NestedWrites}): {@code contracts[].allowances[]} and
 * {@code contracts[].tags[]}, whose rows carry only the contract's key, from a third source. The ordering cases:
 * a nested row before its element and its root, updates, deletes, stale replays, filters, an element moving to
 * another document, an element deleted and coming back, a nested row moving between elements, TRUNCATE, the
 * snapshot sweep, a deferred initial load and a rebuild from the state.
 */
class NestedCollectionWritesTest {

    static final String MAPPING = """
            document: customer
            index: {alias: customers}
            root:
              source: crm
              table: public.customers
              key: id
              fields: {id: id, name: name}
            collections:
              contracts:
                source: crm
                table: public.contracts
                key: id
                parent: customer_id
                fields: {id: id, title: title}
                collections:
                  allowances:
                    source: billing
                    table: billing.allowances
                    key: id
                    parent: contract_id
                    fields: {id: id, kind: kind, amount: amount}
                    filter: {kind: {not_equals: void}}
                  tags:
                    source: billing
                    table: billing.contract_tags
                    key: [contract_id, tag]
                    parent: contract_id
                    value: tag
            """;

    private static final TableRef CUSTOMERS = new TableRef("crm", "public.customers");
    private static final TableRef CONTRACTS = new TableRef("crm", "public.contracts");
    private static final TableRef ALLOWANCES = new TableRef("billing", "billing.allowances");
    private static final TableRef TAGS = new TableRef("billing", "billing.contract_tags");

    @TempDir
    Path dir;
    private InMemoryDocumentStore store;
    private DocumentWriter writer;
    private DocumentMapping customers;
    private final List<DeadLetter> letters = new ArrayList<>();

    @BeforeEach
    void writer() throws Exception {
        Files.writeString(dir.resolve("customers.yaml"), MAPPING);
        customers = WriterFixtures.load(dir.resolve("customers.yaml"), Set.of("crm", "billing"));
        store = new InMemoryDocumentStore();
        writer = newWriter();
    }

    private DocumentWriter newWriter() {
        return WriterFixtures.writer(store, new MappingSet(List.of(customers)), letters::add);
    }

    @Test
    void aNestedRowBeforeItsElementAndRootAppearsWithThem() throws Exception {
        writer.write(List.of(upsert(ALLOWANCES, 1, allowance(100, 10, "meal", 500))));
        assertThat(store.doc("customers", "1")).isNull();
        writer.write(List.of(upsert(CONTRACTS, 2, contract(10, 1, "A"))));
        assertThat(store.doc("customers", "1")).as("an element without its root makes no document").isNull();
        writer.write(List.of(upsert(CUSTOMERS, 3, customer(1))));
        assertThat(allowances("1", 10)).containsExactly(Map.of("id", 100L, "kind", "meal", "amount", 500L));
        assertThat(tags("1", 10)).isEmpty();

        // all three in one batch, the nested row first, for another customer
        writer.write(List.of(upsert(ALLOWANCES, 4, allowance(200, 20, "rent", 900)), upsert(CONTRACTS, 5, contract(20, 2, "B")),
                upsert(CUSTOMERS, 6, customer(2))));
        assertThat(allowances("2", 20)).extracting(a -> a.get("id")).containsExactly(200L);
        assertThat(letters).isEmpty();
    }

    @Test
    void insertsUpdatesDeletesFiltersAndStaleReplays() throws Exception {
        base();
        writer.write(List.of(upsert(ALLOWANCES, 10, allowance(102, 10, "rent", 700)), upsert(ALLOWANCES, 11, allowance(101, 10, "meal", 300)),
                upsert(TAGS, 12, tag(10, "premium")), upsert(TAGS, 13, tag(10, "kids"))));
        assertThat(allowances("1", 10)).extracting(a -> a.get("id")).as("in key order").containsExactly(101L, 102L);
        assertThat(tags("1", 10)).containsExactly("kids", "premium");

        writer.write(List.of(upsert(ALLOWANCES, 14, allowance(101, 10, "meal", 350))));
        assertThat(allowances("1", 10).get(0)).containsEntry("amount", 350L);

        writer.write(List.of(upsert(ALLOWANCES, 15, allowance(102, 10, "void", 700))));
        assertThat(allowances("1", 10)).as("a row that stops passing the filter leaves").extracting(a -> a.get("id")).containsExactly(101L);
        writer.write(List.of(upsert(ALLOWANCES, 16, allowance(102, 10, "rent", 710))));
        assertThat(allowances("1", 10)).as("and comes back when it passes again").extracting(a -> a.get("id")).containsExactly(101L, 102L);

        writer.write(List.of(delete(ALLOWANCES, 17, allowance(101, 10, "meal", 350)), delete(TAGS, 18, tag(10, "kids"))));
        assertThat(allowances("1", 10)).extracting(a -> a.get("id")).containsExactly(102L);
        assertThat(tags("1", 10)).containsExactly("premium");

        // older changes replayed (a restart): none wins, the deleted row stays deleted
        writer.write(List.of(upsert(ALLOWANCES, 11, allowance(101, 10, "meal", 300)), upsert(ALLOWANCES, 14, allowance(102, 10, "old", 1)),
                upsert(TAGS, 13, tag(10, "kids"))));
        assertThat(allowances("1", 10)).containsExactly(Map.of("id", 102L, "kind", "rent", "amount", 710L));
        assertThat(tags("1", 10)).containsExactly("premium");
        assertThat(letters).isEmpty();
    }

    @Test
    void anElementMovingToAnotherDocumentTakesItsNestedRowsAlong() throws Exception {
        base();
        writer.write(List.of(upsert(CUSTOMERS, 4, customer(2))));
        writer.write(List.of(upsert(ALLOWANCES, 5, allowance(100, 10, "meal", 500)), upsert(TAGS, 6, tag(10, "kids"))));
        writer.write(List.of(move(CONTRACTS, 7, contract(10, 1, "A"), contract(10, 2, "A"))));
        assertThat(contracts("1")).isEmpty();
        assertThat(allowances("2", 10)).extracting(a -> a.get("id")).containsExactly(100L);
        assertThat(tags("2", 10)).containsExactly("kids");

        // a nested change after the move reaches the new document only
        writer.write(List.of(upsert(ALLOWANCES, 8, allowance(100, 10, "meal", 550))));
        assertThat(allowances("2", 10).get(0)).containsEntry("amount", 550L);
        assertThat(contracts("1")).isEmpty();

        // the move replayed, and the element's older row replayed: the element stays with customer 2
        writer.write(List.of(upsert(CONTRACTS, 2, contract(10, 1, "A")), move(CONTRACTS, 7, contract(10, 1, "A"), contract(10, 2, "A"))));
        assertThat(contracts("1")).isEmpty();
        assertThat(allowances("2", 10).get(0)).containsEntry("amount", 550L);
        writer.write(List.of(upsert(ALLOWANCES, 9, allowance(100, 10, "meal", 600))));
        assertThat(allowances("2", 10).get(0)).as("the owner did not go back to customer 1").containsEntry("amount", 600L);
        assertThat(contracts("1")).isEmpty();
    }

    @Test
    void aDeletedElementLosesItsNestedRowsAndGetsThemBackWhenItReturns() throws Exception {
        base();
        writer.write(List.of(upsert(ALLOWANCES, 4, allowance(100, 10, "meal", 500)), upsert(ALLOWANCES, 5, allowance(101, 10, "rent", 800))));
        writer.write(List.of(delete(CONTRACTS, 6, contract(10, 1, "A"))));
        assertThat(contracts("1")).isEmpty();

        // changes while the element is away are kept, deletes too
        writer.write(List.of(delete(ALLOWANCES, 7, allowance(101, 10, "rent", 800)), upsert(ALLOWANCES, 8, allowance(100, 10, "meal", 520))));
        assertThat(contracts("1")).isEmpty();
        writer.write(List.of(upsert(CONTRACTS, 5, contract(10, 1, "A"))));
        assertThat(contracts("1")).as("an older element row does not bring it back").isEmpty();

        writer.write(List.of(upsert(CONTRACTS, 9, contract(10, 1, "A again"))));
        assertThat(allowances("1", 10)).containsExactly(Map.of("id", 100L, "kind", "meal", "amount", 520L));
    }

    @Test
    void aNestedRowMovingToAnotherElementLeavesTheFirst() throws Exception {
        base();
        writer.write(List.of(upsert(CONTRACTS, 4, contract(11, 1, "B")), upsert(ALLOWANCES, 5, allowance(100, 10, "meal", 500))));
        writer.write(List.of(move(ALLOWANCES, 6, allowance(100, 10, "meal", 500), allowance(100, 11, "meal", 500))));
        assertThat(allowances("1", 10)).isEmpty();
        assertThat(allowances("1", 11)).extracting(a -> a.get("id")).containsExactly(100L);
        writer.write(List.of(upsert(ALLOWANCES, 5, allowance(100, 10, "meal", 500))));
        assertThat(allowances("1", 10)).as("the move's tombstone outranks the replay").isEmpty();
    }

    @Test
    void aTruncateOfTheNestedTableEmptiesEveryElementAndLaterRowsSurvive() throws Exception {
        base();
        writer.write(List.of(upsert(CUSTOMERS, 4, customer(2)), upsert(CONTRACTS, 5, contract(20, 2, "B")),
                upsert(ALLOWANCES, 6, allowance(100, 10, "meal", 500)), upsert(ALLOWANCES, 7, allowance(200, 20, "rent", 800)),
                upsert(TAGS, 8, tag(20, "kids"))));
        writer.write(List.of(truncate(ALLOWANCES, 9), upsert(ALLOWANCES, 10, allowance(201, 20, "meal", 100))));
        assertThat(allowances("1", 10)).isEmpty();
        assertThat(allowances("2", 20)).extracting(a -> a.get("id")).containsExactly(201L);
        assertThat(tags("2", 20)).as("another nested table is untouched").containsExactly("kids");
        writer.write(List.of(upsert(ALLOWANCES, 6, allowance(100, 10, "meal", 500))));
        assertThat(allowances("1", 10)).as("a replay from before the truncate stays deleted").isEmpty();
    }

    /** As {@code DocumentWriterTest}'s test of the same name, for a nested table: the replay publishes the rows it had deleted. */
    @Test
    void aTruncateReplayedAfterACrashBetweenItsStateAndItsPublicWritesPublishesTheDocuments() throws Exception {
        base();
        writer.write(List.of(upsert(ALLOWANCES, 6, allowance(100, 10, "meal", 500)), upsert(ALLOWANCES, 7, allowance(101, 10, "rent", 800))));
        WriterFixtures.crashAtThePublicWrite(store, writer, "customers", truncate(ALLOWANCES, 9));
        assertThat(allowances("1", 10)).as("the crash left the public document behind its state").hasSize(2);
        writer = newWriter();
        writer.write(List.of(truncate(ALLOWANCES, 9)));
        assertThat(allowances("1", 10)).isEmpty();
        assertThat(letters).isEmpty();
    }

    @Test
    void theSnapshotSweepDeletesNestedRowsTheSnapshotNoLongerHas() throws Exception {
        base();
        writer.write(List.of(upsert(ALLOWANCES, 4, allowance(100, 10, "meal", 500)), upsert(ALLOWANCES, 5, allowance(101, 10, "rent", 800))));
        // a re-snapshot of billing at version 50 reads only allowance 101
        writer.write(List.of(read(ALLOWANCES, 50, allowance(101, 10, "rent", 800))));
        writer.sweep("billing", 50);
        assertThat(allowances("1", 10)).extracting(a -> a.get("id")).containsExactly(101L);
    }

    @Test
    void aDeferredInitialLoadPublishesTheNestedRowsWithTheirDocuments() throws Exception {
        // the nested source first, its elements next, their roots last: each source's snapshot only fills the states
        writer.writeSnapshot("billing", List.of(read(ALLOWANCES, 100, allowance(100, 10, "meal", 500)),
                read(TAGS, 100, tag(10, "kids"))));
        writer.writeSnapshot("crm", List.of(read(CONTRACTS, 100, contract(10, 1, "A")), read(CUSTOMERS, 100, customer(1))));
        assertThat(store.doc("customers", "1")).as("deferred to the pass").isNull();
        writer.sweep("billing", 100);
        writer.sweep("crm", 100);
        assertThat(allowances("1", 10)).extracting(a -> a.get("id")).containsExactly(100L);
        assertThat(tags("1", 10)).containsExactly("kids");

        // a re-snapshot of billing alone changes a nested row: the pass must publish above the earlier publish
        writer.writeSnapshot("billing", List.of(read(ALLOWANCES, 200, allowance(100, 10, "meal", 999)),
                read(TAGS, 200, tag(10, "kids"))));
        writer.sweep("billing", 200);
        assertThat(allowances("1", 10).get(0)).containsEntry("amount", 999L);
    }

    @Test
    void aRebuildFromTheStateGivesTheSameDocuments() throws Exception {
        base();
        writer.write(List.of(upsert(CUSTOMERS, 4, customer(2)), upsert(ALLOWANCES, 5, allowance(100, 10, "meal", 500)),
                upsert(TAGS, 6, tag(10, "kids")), move(CONTRACTS, 7, contract(10, 1, "A"), contract(10, 2, "A")),
                upsert(CONTRACTS, 8, contract(11, 1, "B")), upsert(ALLOWANCES, 9, allowance(101, 11, "rent", 1))));
        IndexRebuild.Result r = new IndexRebuild(store).run(customers, "customers-rebuilt", false, n -> { });
        assertThat(r.rejected()).isEmpty();
        for (String id : List.of("1", "2")) {
            assertThat(store.doc("customers-rebuilt", id)).isEqualTo(store.doc("customers", id));
        }
        assertThat(allowances("1", 11)).hasSize(1);
    }

    @Test
    void aRebuildRefusesNestedRowsThatLackANewlyMappedColumn() throws Exception {
        base();
        writer.write(List.of(upsert(ALLOWANCES, 5, allowance(100, 10, "meal", 500))));
        Files.writeString(dir.resolve("v2.yaml"), MAPPING.replace("fields: {id: id, kind: kind, amount: amount}",
                "fields: {id: id, kind: kind, amount: amount, currency: currency}"));
        DocumentMapping v2 = WriterFixtures.load(dir.resolve("v2.yaml"), Set.of("crm", "billing"));
        IndexRebuild.Result r = new IndexRebuild(store).run(v2, "customers-v2", false, n -> { });
        assertThat(r.missingColumns()).as("the stored nested rows were captured without it").containsKey("billing.billing.allowances.currency");
    }

    /**
     * Two writers (two processes, or a replay beside a live one): a nested row's change and its element's move to
     * another document race at each step of the nested write; the moved element always shows the nested row.
     */
    @Test
    void aNestedChangeRacingItsElementsMoveEndsInTheNewDocument() throws Exception {
        for (String step : List.of("group", "state")) {
            store = new InMemoryDocumentStore();
            writer = newWriter();
            base();
            writer.write(List.of(upsert(CUSTOMERS, 3, customer(2)), upsert(ALLOWANCES, 4, allowance(100, 10, "meal", 500))));
            DocumentWriter other = newWriter();
            java.util.concurrent.atomic.AtomicBoolean raced = new java.util.concurrent.atomic.AtomicBoolean();
            String at = step.equals("group") ? StateIndex.nestedId("contracts", "10") : StateIndex.docId("1");
            store.beforeWrite = a -> {
                // the first time the nested change writes the group (or, after it, the old owner's state), the move gets there first
                if (a.index().equals(customers.stateIndex()) && a.id().equals(at) && raced.compareAndSet(false, true)) {
                    try {
                        other.write(List.of(move(CONTRACTS, 6, contract(10, 1, "A"), contract(10, 2, "A"))));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            writer.write(List.of(upsert(ALLOWANCES, 5, allowance(100, 10, "meal", 777))));
            store.beforeWrite = a -> { };
            assertThat(raced).as(step).isTrue();
            assertThat(contracts("1")).as(step).isEmpty();
            assertThat(allowances("2", 10)).as(step + ": the nested change reached the element's new document")
                    .containsExactly(Map.of("id", 100L, "kind", "meal", "amount", 777L));
        }
    }

    private void base() throws Exception {
        writer.write(List.of(upsert(CUSTOMERS, 1, customer(1)), upsert(CONTRACTS, 2, contract(10, 1, "A"))));
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> contracts(String customer) {
        Map<String, Object> doc = store.doc("customers", customer);
        assertThat(doc).as("customer " + customer).isNotNull();
        return (List<Map<String, Object>>) doc.get("contracts");
    }

    private Map<String, Object> contract(String customer, long id) {
        return contracts(customer).stream().filter(c -> String.valueOf(id).equals(String.valueOf(c.get("id")))).findFirst()
                .orElseThrow(() -> new AssertionError("customer " + customer + " has no contract " + id + ": " + contracts(customer)));
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> allowances(String customer, long contract) {
        Map<String, Object> c = contract(customer, contract);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> a : (List<Map<String, Object>>) c.get("allowances")) {
            Map<String, Object> m = new LinkedHashMap<>();
            a.forEach((k, v) -> m.put(k, v instanceof Number n ? (Object) n.longValue() : v)); // numbers as the rows hold them
            out.add(m);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<String> tags(String customer, long contract) {
        return (List<String>) contract(customer, contract).get("tags");
    }

    private static Map<String, Object> customer(long id) {
        return row("id", id, "name", "customer " + id);
    }

    private static Map<String, Object> contract(long id, long customer, String title) {
        return row("id", id, "customer_id", customer, "title", title);
    }

    private static Map<String, Object> allowance(long id, long contract, String kind, long amount) {
        return row("id", id, "contract_id", contract, "kind", kind, "amount", amount);
    }

    private static Map<String, Object> tag(long contract, String tag) {
        return row("contract_id", contract, "tag", tag);
    }
}
