package io.mosaic.writer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mosaic.es.BulkAction;
import io.mosaic.es.BulkOutcome;
import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.es.RetryableWriteException;
import io.mosaic.mapping.CollectionMapping;
import io.mosaic.mapping.Contribution;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.DocumentState;
import io.mosaic.mapping.NestedGroup;
import io.mosaic.mapping.Projector;
import io.mosaic.model.RowChange;

/**
 * The rows of nested collections ({@code contracts[].allowances[]}, see {@link CollectionMapping}), whose rows
 * carry only their element's key ({@code contract_id}), not their document's. They are kept in the state index
 * per element, in a {@link NestedGroup} {@code n:<collection>:<element key>}: the nested rows with their own
 * versions, and the element's <i>owner</i>, the root key its row names, with that row's version. A document is
 * projected from its state and the groups of its present elements, read by id (realtime) after the state.
 *
 * <p><b>The writes.</b> In a batch, before any document state is touched, every group concerned is read,
 * changed and written back under {@code if_seq_no} (created when absent), as states are, losers of a race
 * reading again: a nested row's change applies to its row if its version is at least the one held (older
 * changes never win, tombstones included); an element row's change (of the outer collection's table) sets the
 * owner if its version is at least the owner's version (a delete, or a row without parent, sets none). A
 * nested row that moves to another element leaves the old group with a tombstone at the same version, as a
 * child that moves leaves its old document. After the groups are acknowledged, the owner of every group
 * written is assembled and published as any document is (its state written with a raised {@code seq}, even
 * when nothing else of it changed), together with the documents of the batch's own root and element rows.
 *
 * <p><b>Why every document ends up with the latest nested rows.</b> Take the last write of a group {@code g},
 * by a writer {@code X} (every write of {@code g} is followed by the same writer's assembly of the owner it
 * wrote, or of the element's new document for an owner change, which that writer routes as ever). {@code X}
 * then reads the owner's state, reads {@code g} (after the state, so after its own write of {@code g}) and
 * writes the state at some {@code seq} under {@code if_seq_no}. Any state write of that document at a higher
 * {@code seq} read the state after {@code X}'s state write, and {@code g} after that: it sees {@code g} as
 * {@code X} wrote it or later. The public document is written with the state's {@code seq} as external
 * version, so the highest wins, and it shows {@code g}'s last version. Which document owns the element:
 * <ul>
 * <li><i>A nested row before its element</i> (or before its root): the group has no owner, nothing is
 * assembled; the element's later change sets the owner before its document is assembled, and that assembly
 * reads the group, row included.</li>
 * <li><i>An element moving to another document</i> (its parent changed): the element's row leaves the old
 * document's state (a tombstone, as for any child) and enters the new one; the group's owner is set to the new
 * document before either is assembled. A concurrent nested change either wrote {@code g} before that owner
 * change (then the owner change's own assembly of the new document reads it) or after (then it read the new
 * owner under {@code if_seq_no}, and assembles the new document). The old document no longer lists the element,
 * so it shows none of its nested rows, whoever assembles it.</li>
 * <li><i>An element deleted</i>: its tombstone removes it, and with it its nested rows, from the document; the
 * group keeps its rows (and gets no owner), so an element that comes back (a newer version) shows them again.
 * Nested rows deleted meanwhile are tombstones in the group and stay deleted.</li>
 * <li><i>A crash</i> between a group write and the owner's publish: the batch is replayed, the change applies
 * again at its equal version, and the owner is assembled again.</li>
 * <li><i>TRUNCATE, snapshot sweep</i>: the groups record the lowest version of their present rows per source
 * ({@code src_min}), so {@link SnapshotSweep} finds the nested rows older than a truncate or a snapshot and
 * deletes them through this path.</li>
 * <li><i>Deferred snapshot batches</i> ({@link DeferredAssembly}): groups are written as here, and the owners'
 * states get a raised {@code seq} without a publish, so the pass, which reads the groups after its point in
 * time, publishes above any earlier publish.</li>
 * </ul>
 *
 * <p><b>Not done.</b> One level of nesting; nested elements take no lookups (the loader refuses both). An
 * element whose parent changes leaves its old document only if the change carries the old parent (as for every
 * collection: on PostgreSQL a replica identity over the key and parent, which {@code mosaic validate} checks).
 * Every change of an element row writes its group, also when its parent did not change (one realtime read and
 * one guarded write more per element change); groups, like states, are never removed, only emptied into
 * tombstones.
 */
final class NestedWrites {

    /**
     * A change to one group: a nested row ({@code nested} set) or the owner ({@code nested} null, {@code owner} the
     * root key or null).
     */
    record Change(CollectionMapping outer, CollectionMapping nested, String rowKey, Contribution contribution, String owner,
                  RowChange source) {
    }

    private final DocumentStore store;
    private final Outcomes outcomes;

    NestedWrites(DocumentStore store, Outcomes outcomes) {
        this.store = store;
        this.outcomes = outcomes;
    }

    /** Routes a change of a nested collection's table to the group(s) of the element(s) it belongs to. */
    void routeRow(DocumentMapping m, CollectionMapping outer, CollectionMapping n, RowChange change,
                  Map<String, List<Change>> perGroup) throws Exception {
        String rowKey = n.key().of(change.row());
        if (rowKey == null) {
            outcomes.deadLetter(m, change, null, "the nested row has no value for its key " + n.key().phrase());
            return;
        }
        String parentAfter = n.parent().of(change.after());
        String parentBefore = n.parent().of(change.before());
        if (change.op() == RowChange.Op.DELETE) {
            if (parentBefore == null) {
                outcomes.deadLetter(m, change, rowKey, "the delete of " + change.table().id() + " row " + rowKey + " does not say its '"
                        + n.parent() + "', so Mosaic cannot tell which element of '" + outer.name() + "' it leaves; on PostgreSQL give "
                        + "the table a replica identity that carries it ('mosaic validate' prints the statements)");
                return;
            }
            add(perGroup, outer, parentBefore, new Change(outer, n, rowKey, new Contribution(change.version(), true, null), null, change));
            return;
        }
        if (parentAfter != null) {
            add(perGroup, outer, parentAfter, new Change(outer, n, rowKey, Contribution.of(change), null, change));
        }
        if (parentBefore != null && !parentBefore.equals(parentAfter)) {
            add(perGroup, outer, parentBefore, new Change(outer, n, rowKey, new Contribution(change.version(), true, null), null, change));
        }
    }

    /** Routes a change of an element row (of {@code outer}'s table) to its group: the element's document is its owner. */
    void routeOwner(DocumentMapping m, CollectionMapping outer, RowChange change, Map<String, List<Change>> perGroup) {
        String key = outer.key().of(change.row());
        if (key == null) {
            return; // dead-lettered by the element's own routing
        }
        String owner = change.op() == RowChange.Op.DELETE ? null : outer.parent().of(change.after());
        add(perGroup, outer, key, new Change(outer, null, key, null, owner, change));
    }

    private static void add(Map<String, List<Change>> perGroup, CollectionMapping outer, String key, Change change) {
        perGroup.computeIfAbsent(StateIndex.nestedId(outer.name(), key), k -> new ArrayList<>()).add(change);
    }

    /**
     * Applies the changes to their groups and writes them back (guarded, reading again those that lost a race);
     * returns the root keys of the documents to assemble: the owner of every group written.
     */
    Set<String> write(DocumentMapping m, Map<String, List<Change>> perGroup) throws Exception {
        Set<String> owners = new LinkedHashSet<>();
        Set<String> pending = new LinkedHashSet<>(perGroup.keySet());
        for (int round = 0; !pending.isEmpty(); round++) {
            if (round >= StatefulWrites.MAX_ROUNDS) {
                throw new RetryableWriteException("nested groups " + pending + " of " + m.alias()
                        + " kept changing under concurrent writers; the batch will be retried");
            }
            Map<String, Doc> current = store.get(m.stateIndex(), pending);
            List<BulkAction> ops = new ArrayList<>();
            List<NestedGroup> written = new ArrayList<>();
            for (String id : pending) {
                List<Change> changes = perGroup.get(id);
                CollectionMapping outer = changes.get(0).outer();
                String key = id.substring(StateIndex.nestedId(outer.name(), "").length());
                Doc doc = current.get(id);
                NestedGroup g = StateIndex.decodeNested(outer.name(), key, doc);
                boolean any = false;
                for (Change c : changes) {
                    any |= c.nested() == null ? g.applyOwner(c.source().version(), c.owner())
                            : g.applyRow(c.nested().name(), c.rowKey(), c.contribution());
                }
                if (!any) {
                    continue; // replayed older changes: nothing newer to write or to publish
                }
                Map<String, Object> body = StateIndex.encodeNested(g, nested -> outer.collections().stream()
                        .filter(n -> n.name().equals(nested)).findFirst().map(n -> n.table().source()).orElse("unknown"));
                ops.add(doc != null && doc.found() ? BulkAction.indexIfUnchanged(m.stateIndex(), id, body, doc.seqNo(), doc.primaryTerm())
                        : BulkAction.create(m.stateIndex(), id, body));
                written.add(g);
            }
            Set<String> retry = new LinkedHashSet<>();
            if (!ops.isEmpty()) {
                List<BulkOutcome> results = store.write("bulk " + m.stateIndex(), ops);
                for (int i = 0; i < results.size(); i++) {
                    BulkOutcome o = results.get(i);
                    NestedGroup g = written.get(i);
                    String id = StateIndex.nestedId(g.collection(), g.key());
                    if (o.ok()) {
                        if (g.owner() != null) {
                            owners.add(g.owner());
                        }
                    } else if (o.conflict()) {
                        retry.add(id);
                    } else {
                        throw new IllegalStateException("nested group write of " + id + " in " + m.stateIndex()
                                + " failed: " + o.status() + " " + o.errorType() + ": " + o.reason());
                    }
                }
                outcomes.stateWrites(m.stateIndex(), results.size() - retry.size());
            }
            pending = retry;
        }
        return owners;
    }

    /**
     * Reads (by id, realtime) the groups of the present elements of {@code states}: what {@link Projector#project}
     * needs for their nested collections. Must be called after the states were read.
     */
    static Projector.NestedRows read(DocumentStore store, DocumentMapping m, Collection<DocumentState> states) throws Exception {
        return m.hasNested() ? rows(readGroups(store, m, states)) : Projector.NestedRows.NONE;
    }

    /** The stored groups of the present elements of {@code states}, by id, as {@link #read} reads them. */
    static Map<String, Doc> readGroups(DocumentStore store, DocumentMapping m, Collection<DocumentState> states) throws Exception {
        Set<String> ids = new LinkedHashSet<>();
        for (DocumentState s : states) {
            for (CollectionMapping c : m.collections()) {
                if (c.hasNested()) {
                    s.children(c.name()).forEach((k, child) -> {
                        if (child.present()) {
                            ids.add(StateIndex.nestedId(c.name(), k));
                        }
                    });
                }
            }
        }
        return ids.isEmpty() ? Map.of() : store.get(m.stateIndex(), ids);
    }

    /** The nested rows of stored groups by id (absent groups have none). */
    static Projector.NestedRows rows(Map<String, Doc> docs) {
        Map<String, NestedGroup> decoded = new HashMap<>();
        return (outer, nested, key) -> {
            String id = StateIndex.nestedId(outer.name(), key);
            return decoded.computeIfAbsent(id, i -> StateIndex.decodeNested(outer.name(), key, docs.get(i))).rows(nested.name());
        };
    }
}
