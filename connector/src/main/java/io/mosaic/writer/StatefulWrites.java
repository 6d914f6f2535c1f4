package io.mosaic.writer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
import io.mosaic.mapping.Keys;
import io.mosaic.mapping.ProjectionException;
import io.mosaic.mapping.Projector;
import io.mosaic.mapping.TableRole;
import io.mosaic.model.RowChange;

/**
 * Documents built from several tables, possibly of several sources. The rows of each document live in
 * its state (see {@link StateIndex}), each with its own source version; a batch reads the states
 * (realtime), applies its changes where they are newer, and writes them back with
 * {@code if_seq_no}/{@code if_primary_term}, so that concurrent writers serialize: the loser of a race
 * reads again. The public document is then written with the state's write counter as external version,
 * so that an older assembly can never overwrite a newer one. Lookup rows go through {@link LookupFanOut}.
 *
 * <p><b>Routing.</b> A routed type ({@link DocumentMapping#routing()}) writes its public document with the
 * root row's routing value. The state records the routing it was assembled at and, when that changes
 * (an employee moving company), the former one; a publish that moves the document (or replays the root
 * change that moved it) first deletes it at the former routing, in a bulk of its own, and only then
 * writes it at the new one: the delete with the state's write counter minus one as {@code external_gte}
 * version, the index with the counter as {@code external} version. Elasticsearch keeps versions per shard copy of an id, so when the two
 * routings lead to different shards the versions do not order one write against the other; they need
 * not: each copy is only ever written with its state's counter, which grows with every state write, so
 * at either routing an older assembly (a replay, a concurrent writer that lost) can never overwrite or
 * resurrect a newer delete or index, and which routing is current is decided by the state alone, under
 * {@code if_seq_no}. When the two routings lead to the same shard, a shard keys a document by {@code _id}
 * alone and the delete and the index meet the same copy: the delete's version (counter - 1, at least that
 * of the last publish, which came from an earlier state write) removes it and stays below the index's, so
 * the index then wins, in that order. A replayed older root change loses against the state's root row
 * and writes nothing. A batch replayed after a crash between the state write and the public write re-applies its root row at
 * the same version, so the former routing is still recorded and deleted again (a delete of an absent
 * document is harmless). Between the two bulks the document is briefly in neither place, never in both.
 * A root row with no routing value is a dead letter (its state is kept; nothing is published until a
 * change gives it one).
 */
final class StatefulWrites {

    /** Rounds of lost races after which the batch is handed back to be retried as a whole. */
    static final int MAX_ROUNDS = 100;
    /** Documents read, assembled and written per round trip; bounds memory when a lookup fans out widely. */
    static final int CHUNK = 1000;

    /** A change to one document's state: the root row, or one child of a collection. */
    private record StateChange(CollectionMapping collection, String childKey, Contribution contribution, RowChange source) {
    }

    /** The outcome of assembling one document: its new state and what to write publicly. */
    private record Assembly(DocumentState state, Map<String, Object> document, boolean deletePublic, Set<String> lookupIds,
                            String deleteFirstAt) {
    }

    private final DocumentStore store;
    private final LookupFanOut lookups;
    private final NestedWrites nested;
    private final Outcomes outcomes;
    private final LookupCache lookupRows;

    StatefulWrites(DocumentStore store, LookupFanOut lookups, Outcomes outcomes, LookupCache lookupRows) {
        this.store = store;
        this.lookups = lookups;
        this.lookupRows = lookupRows;
        this.nested = new NestedWrites(store, outcomes);
        this.outcomes = outcomes;
    }

    /** A change in one of the roles its table plays in {@code m}. */
    record Routed(RowChange change, TableRole role) {
    }

    void write(DocumentMapping m, List<Routed> items) throws Exception {
        write(m, items, Map.of());
    }

    /**
     * As {@link #write(DocumentMapping, List)}, the write counter of each document in {@code seqFloors}
     * first raised to at least its floor, so that the public document is published with a version above
     * it (a repair publishing over a document edited behind Mosaic's back, whose version moved on). Raising
     * the counter is always safe: it only ever grows, and every later write counts on from it.
     */
    void write(DocumentMapping m, List<Routed> items, Map<String, Long> seqFloors) throws Exception {
        write(m, items, seqFloors, true);
    }

    /**
     * The state half of {@link #write(DocumentMapping, List)} alone, for a deferred snapshot batch (see
     * {@link DeferredAssembly}): lookup rows and states are written exactly as there (the same versions,
     * the same {@code if_seq_no} guard, the same write counter, {@code refs} and {@code src_min}), but no
     * public document is assembled or written, unless a lookup row of the batch fans out to documents (then
     * the whole batch is written as by {@link #write(DocumentMapping, List)}). The caller guarantees that a
     * {@link DeferredAssembly} pass, which starts after these writes were acknowledged, publishes every
     * document. Routed types are never deferred: their state records the routing a publish chose.
     */
    void writeStates(DocumentMapping m, List<Routed> items) throws Exception {
        if (m.routing() != null) {
            throw new IllegalArgumentException(m.alias() + " is routed: its publishes cannot be deferred");
        }
        write(m, items, Map.of(), false);
    }

    private void write(DocumentMapping m, List<Routed> items, Map<String, Long> seqFloors, boolean publish) throws Exception {
        // 1. Lookup rows: written first, externally versioned, so that assemblies below see them.
        Map<String, LookupFanOut.LookupWrite> lookupWrites = new LinkedHashMap<>();
        Map<String, List<StateChange>> perRoot = new LinkedHashMap<>();
        Map<String, List<NestedWrites.Change>> perGroup = new LinkedHashMap<>();
        for (Routed r : items) {
            RowChange c = r.change();
            if (r.role() instanceof TableRole.Lookup l) {
                String key = l.lookup().key().of(c.row());
                if (key == null) {
                    outcomes.deadLetter(m, c, null, "the lookup row has no value for its key " + l.lookup().key().phrase());
                    continue;
                }
                String id = StateIndex.lookupId(l.lookup().table().id(), key);
                lookupWrites.remove(id);
                lookupWrites.put(id, new LookupFanOut.LookupWrite(id, l.lookup(), key, Contribution.of(c), c));
            } else if (r.role() instanceof TableRole.Root) {
                String key = m.rootKey().of(c.row());
                if (key == null) {
                    outcomes.deadLetter(m, c, null, "the row has no value for the key " + m.rootKey().phrase());
                    continue;
                }
                perRoot.computeIfAbsent(key, k -> new ArrayList<>()).add(new StateChange(null, null, Contribution.of(c), c));
            } else if (r.role() instanceof TableRole.Child child && child.nested()) {
                nested.routeRow(m, child.within(), child.collection(), c, perGroup);
            } else if (r.role() instanceof TableRole.Child child) {
                routeChild(m, child.collection(), c, perRoot);
                if (child.collection().hasNested()) {
                    nested.routeOwner(m, child.collection(), c, perGroup);
                }
            }
        }
        Set<String> touched = new LinkedHashSet<>();
        if (!lookupWrites.isEmpty()) {
            touched.addAll(lookups.write(m, lookupWrites.values(), lookupRows));
        }
        // Nested groups before any state: an element's new owner must be recorded before its document is assembled,
        // and a nested row's owner is assembled after its group is written (see NestedWrites).
        Set<String> owners = perGroup.isEmpty() ? Set.of() : nested.write(m, perGroup);
        // A lookup row that documents already refer to fans out on the normal path, publishes included: a
        // document published at its state's counter with the old row would otherwise keep it, as a later pass
        // writes the same counter and loses (external versions reject an equal one). On an initial load the
        // lookup tables come first and nothing refers to them yet.
        if (!publish && touched.isEmpty()) {
            // the owners of changed nested groups get a raised seq, so that the pass publishes above any earlier publish
            Set<String> stateKeys = new LinkedHashSet<>(perRoot.keySet());
            stateKeys.addAll(owners);
            List<String> keys = new ArrayList<>(stateKeys);
            for (int from = 0; from < keys.size(); from += CHUNK) {
                writeStates(m, keys.subList(from, Math.min(from + CHUNK, keys.size())), perRoot, owners);
            }
            return;
        }

        // 2. Assemble the affected documents in bounded chunks: a lookup row can fan out to every document.
        touched.addAll(owners);
        Set<String> all = new LinkedHashSet<>(perRoot.keySet());
        all.addAll(touched);
        List<String> keys = new ArrayList<>(all);
        Map<String, Doc> lookupCache = new HashMap<>();
        for (int from = 0; from < keys.size(); from += CHUNK) {
            assembleAndPublish(m, keys.subList(from, Math.min(from + CHUNK, keys.size())), perRoot, touched, lookupCache, seqFloors);
        }
    }

    private void routeChild(DocumentMapping m, CollectionMapping c, RowChange change, Map<String, List<StateChange>> perRoot) throws Exception {
        String childKey = c.key().of(change.row());
        String parentAfter = c.parent().of(change.after());
        String parentBefore = c.parent().of(change.before());
        if (childKey == null) {
            outcomes.deadLetter(m, change, null, "the child row has no value for its key " + c.key().phrase());
            return;
        }
        if (change.op() == RowChange.Op.DELETE) {
            if (parentBefore == null) {
                outcomes.deadLetter(m, change, childKey, "the delete of " + change.table().id() + " row " + childKey + " does not say its '"
                        + c.parent() + "', so Mosaic cannot tell which document it leaves; on PostgreSQL give the table a replica "
                        + "identity that carries it ('mosaic validate' prints the statements)");
                return;
            }
            perRoot.computeIfAbsent(parentBefore, k -> new ArrayList<>())
                    .add(new StateChange(c, childKey, new Contribution(change.version(), true, null), change));
            return;
        }
        if (parentAfter != null) {
            perRoot.computeIfAbsent(parentAfter, k -> new ArrayList<>())
                    .add(new StateChange(c, childKey, Contribution.of(change), change));
        }
        if (parentBefore != null && !parentBefore.equals(parentAfter)) {
            // The child moved to another parent: it leaves the old one at the same version.
            perRoot.computeIfAbsent(parentBefore, k -> new ArrayList<>())
                    .add(new StateChange(c, childKey, new Contribution(change.version(), true, null), change));
        }
    }

    /** Applies the changes of {@code keys} to their states and writes them back, reading again those that lost a race. */
    private void writeStates(DocumentMapping m, List<String> keys, Map<String, List<StateChange>> perRoot, Set<String> touched)
            throws Exception {
        Set<String> pending = new LinkedHashSet<>(keys);
        for (int round = 0; !pending.isEmpty(); round++) {
            if (round >= MAX_ROUNDS) {
                throw new RetryableWriteException("document states " + pending + " of " + m.alias()
                        + " kept changing under concurrent writers; the batch will be retried");
            }
            Set<String> unchanged = new LinkedHashSet<>();
            Map<String, Assembly> won = assemble(m, pending, perRoot, touched, null, unchanged, Map.of(), false, false);
            pending = new LinkedHashSet<>(pending);
            pending.removeAll(won.keySet());
            pending.removeAll(unchanged);
        }
    }

    /**
     * Assembles the documents of {@code keys}, re-assembling those whose lookups changed meanwhile, and
     * writes them publicly, versioned by their state's write counter.
     */
    private void assembleAndPublish(DocumentMapping m, List<String> keys, Map<String, List<StateChange>> perRoot, Set<String> touched,
                                    Map<String, Doc> lookupCache, Map<String, Long> seqFloors) throws Exception {
        Map<String, Assembly> done = new LinkedHashMap<>();
        Set<String> pending = new LinkedHashSet<>(keys);
        for (int round = 0; !pending.isEmpty(); round++) {
            if (round >= MAX_ROUNDS) {
                throw new RetryableWriteException("documents " + pending + " of " + m.alias()
                        + " kept changing under concurrent writers; the batch will be retried");
            }
            Set<String> unchanged = new LinkedHashSet<>();
            // the process's lookup cache only for the first guess: a row that changed under this batch is read afresh
            Map<String, Assembly> assembled = assemble(m, pending, perRoot, touched, lookupCache, unchanged, seqFloors, true, round == 0);
            pending = new LinkedHashSet<>(pending);
            pending.removeAll(assembled.keySet());
            pending.removeAll(unchanged); // nothing newer to write (a replayed, older change): done
            // what is left lost an optimistic-concurrency race and is read again
            done.putAll(assembled);
            Set<String> usedLookups = new LinkedHashSet<>();
            assembled.values().forEach(a -> usedLookups.addAll(a.lookupIds()));
            Set<String> changed = lookups.changedSince(m, usedLookups, lookupCache, lookupRows);
            outcomes.lookupCacheRows(m.stateIndex(), "stale", changed.size());
            for (Assembly a : assembled.values()) {
                if (a.lookupIds().stream().anyMatch(changed::contains)) {
                    pending.add(a.state().rootKey());
                    touched.add(a.state().rootKey());
                }
            }
        }

        // 3. Public documents, versioned by the state's write counter; for a routed type, the copies at a
        // former routing are deleted first, in a bulk of their own (a bulk runs its shards in parallel).
        List<BulkAction> moves = new ArrayList<>();
        List<Assembly> moved = new ArrayList<>();
        List<BulkAction> ops = new ArrayList<>();
        List<Assembly> order = new ArrayList<>();
        for (Assembly a : done.values()) {
            String key = a.state().rootKey();
            long seq = a.state().seq();
            String routing = m.routing() == null ? null : a.state().routing();
            if (a.deleteFirstAt() != null) {
                // seq - 1, external_gte: the two routings may share a shard, where a copy is keyed by _id alone, so
                // this delete may hit the very document the index below writes; it must stay below that index's version
                moves.add(BulkAction.delete(m.alias(), key, seq - 1, BulkAction.VersionGuard.EXTERNAL_GTE).routed(a.deleteFirstAt()));
                moved.add(a);
            }
            if (a.document() != null) {
                Map<String, Object> doc = a.document();
                doc.put("mosaic", Map.of("seq", seq));
                ops.add(BulkAction.index(m.alias(), key, doc, seq, BulkAction.VersionGuard.EXTERNAL).routed(routing));
            } else if (a.deletePublic() && (m.routing() == null || routing != null)) {
                // a routed document never assembled at any routing was never published: nothing to delete
                ops.add(BulkAction.delete(m.alias(), key, seq, BulkAction.VersionGuard.EXTERNAL).routed(routing));
            } else {
                continue;
            }
            order.add(a);
        }
        if (!moves.isEmpty()) {
            outcomes.tally(m.alias(), "document", moves, store.write("bulk " + m.alias(), moves), (i, o) -> {
                // not deleted at the former routing: publishing at the new one would leave two copies
                throw new IllegalStateException("delete of " + m.alias() + " document " + moved.get(i).state().rootKey()
                        + " at its former routing failed: " + o.status() + " " + o.errorType() + ": " + o.reason());
            });
        }
        outcomes.tally(m.alias(), "document", ops, store.write("bulk " + m.alias(), ops), (i, o) -> {
            Assembly a = order.get(i);
            RowChange last = perRoot.containsKey(a.state().rootKey()) ? perRoot.get(a.state().rootKey()).get(0).source() : null;
            outcomes.deadLetter(m, last, a.state().rootKey(), Outcomes.rejected("document", o));
        });
    }

    /**
     * Reads, changes and writes back the state of each key; returns those whose state write won, and adds
     * to {@code unchanged} those with nothing newer to write. The rest lost a race and are to be read again.
     * Without {@code project}, the states alone: no lookup row is read and no document projected. With
     * {@code cachedLookups}, lookup rows not yet read in this batch are taken from the {@link LookupCache}
     * where it has them.
     */
    private Map<String, Assembly> assemble(DocumentMapping m, Set<String> keys, Map<String, List<StateChange>> perRoot,
                                           Set<String> touched, Map<String, Doc> lookupCache, Set<String> unchanged,
                                           Map<String, Long> seqFloors, boolean project, boolean cachedLookups) throws Exception {
        List<String> ids = keys.stream().map(StateIndex::docId).toList();
        Map<String, Doc> current = store.get(m.stateIndex(), ids);

        Map<String, DocumentState> changed = new LinkedHashMap<>();
        Map<String, Boolean> hadRoot = new HashMap<>();
        Map<String, Boolean> rootTouched = new HashMap<>();
        Set<String> rootReplayed = new HashSet<>();
        for (String key : keys) {
            Doc doc = current.get(StateIndex.docId(key));
            DocumentState state = StateIndex.decode(key, doc != null && doc.found() ? doc.source() : null);
            hadRoot.put(key, Projector.visible(m, state));
            boolean any = touched.contains(key);
            boolean rootChanged = false;
            for (StateChange sc : perRoot.getOrDefault(key, List.of())) {
                if (sc.collection() == null) {
                    if (state.root() == null || state.root().acceptsVersion(sc.contribution().version())) {
                        if (state.root() != null && state.root().version() == sc.contribution().version()) {
                            rootReplayed.add(key); // maybe after a crash between the state write and the public write
                        }
                        state.setRoot(sc.contribution());
                        any = true;
                        rootChanged = true;
                    }
                } else {
                    any |= state.applyChild(sc.collection().name(), sc.childKey(), sc.contribution());
                }
            }
            if (any) {
                state.seq(Math.max(state.seq(), seqFloors.getOrDefault(key, 0L)) + 1);
                changed.put(key, state);
                rootTouched.put(key, rootChanged);
            } else {
                unchanged.add(key);
            }
        }
        if (changed.isEmpty()) {
            return Map.of();
        }

        // Lookup rows the changed documents refer to (realtime, from the state index).
        Map<String, Set<String>> refsByKey = new HashMap<>();
        Set<String> missing = new LinkedHashSet<>();
        for (DocumentState s : changed.values()) {
            Set<String> refs = Projector.refs(m, s);
            refsByKey.put(s.rootKey(), refs);
            for (String ref : refs) {
                String id = StateIndex.lookupIdOfRef(ref);
                if (project && !lookupCache.containsKey(id)) {
                    missing.add(id);
                }
            }
        }
        if (cachedLookups && !missing.isEmpty()) {
            // earlier batches' rows first: every one used is re-checked after the state write (changedSince)
            Map<String, Doc> cached = lookupRows.get(m.stateIndex(), missing);
            lookupCache.putAll(cached);
            missing.removeAll(cached.keySet());
            outcomes.lookupCacheRows(m.stateIndex(), "hit", cached.size());
        }
        if (!missing.isEmpty()) {
            outcomes.lookupCacheRows(m.stateIndex(), "miss", missing.size());
            Map<String, Doc> read = store.get(m.stateIndex(), missing);
            lookupRows.put(m.stateIndex(), read);
            lookupCache.putAll(read);
        }
        // the nested groups of the documents' elements: read after the states, every round (see NestedWrites)
        Projector.NestedRows nestedRows = project ? NestedWrites.read(store, m, changed.values()) : Projector.NestedRows.NONE;

        List<BulkAction> ops = new ArrayList<>();
        List<Assembly> pendingAssemblies = new ArrayList<>();
        for (DocumentState s : changed.values()) {
            String key = s.rootKey();
            Set<String> refs = refsByKey.get(key);
            if (!project) {
                pendingAssemblies.add(new Assembly(s, null, false, Set.of(), null));
                addStateWrite(m, s, refs, current.get(StateIndex.docId(key)), ops);
                continue;
            }
            Map<String, Object> document = null;
            try {
                document = Projector.project(m, s, (table, lookupKey) -> StateIndex.lookupRow(lookupCache.get(StateIndex.lookupId(table.id(),
                        lookupKey))), nestedRows);
            } catch (ProjectionException e) {
                RowChange source = perRoot.containsKey(key) ? perRoot.get(key).get(perRoot.get(key).size() - 1).source() : null;
                outcomes.deadLetter(m, source, key, e.getMessage());
            }
            // no document now (no root row, or it stopped passing the root filter), and maybe one before
            boolean deletePublic = !Projector.visible(m, s) && (hadRoot.get(key) || rootTouched.get(key));
            String deleteFirstAt = null;
            if (m.routing() != null) {
                if (document != null) {
                    String routing = Keys.of(s.root().row().get(m.routing()));
                    if (routing == null) {
                        RowChange source = perRoot.containsKey(key) ? perRoot.get(key).get(perRoot.get(key).size() - 1).source() : null;
                        outcomes.deadLetter(m, source, key, "the root row has no value for the routing column '" + m.routing()
                                + "' (" + m.routingLocation() + "); give it one, and the document is published at it");
                        document = null;
                    } else {
                        String previous = s.routing();
                        s.routeTo(routing);
                        if (previous != null && !previous.equals(routing)) {
                            deleteFirstAt = previous; // it moves now
                        }
                    }
                }
                if (deleteFirstAt == null && rootReplayed.contains(key) && s.formerRouting() != null
                        && !s.formerRouting().equals(s.routing())) {
                    // a replay of the move: its delete may not have been written. Not on later changes: the
                    // move's batch was acknowledged before them, and on a shared shard the delete would
                    // take the document away for a moment
                    deleteFirstAt = s.formerRouting();
                }
            }
            Set<String> lookupIds = new LinkedHashSet<>();
            refs.forEach(r -> lookupIds.add(StateIndex.lookupIdOfRef(r)));
            pendingAssemblies.add(new Assembly(s, document, deletePublic, lookupIds, deleteFirstAt));
            addStateWrite(m, s, refs, current.get(StateIndex.docId(key)), ops);
        }
        List<BulkOutcome> results = store.write("bulk " + m.stateIndex(), ops);
        Map<String, Assembly> won = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++) {
            BulkOutcome o = results.get(i);
            Assembly a = pendingAssemblies.get(i);
            if (o.ok()) {
                won.put(a.state().rootKey(), a);
            } else if (!o.conflict()) {
                throw new IllegalStateException("state write of document " + a.state().rootKey() + " in " + m.stateIndex()
                        + " failed: " + o.status() + " " + o.errorType() + ": " + o.reason());
            }
        }
        outcomes.stateWrites(m.stateIndex(), won.size());
        return won;
    }

    /** The guarded write of state {@code s} over {@code doc}, the version it was read at (create-only when there was none). */
    private static void addStateWrite(DocumentMapping m, DocumentState s, Set<String> refs, Doc doc, List<BulkAction> ops) {
        Map<String, Object> body = StateIndex.encode(s, refs, collection -> collection == null ? m.root().source()
                : m.collections().stream().filter(c -> c.name().equals(collection)).findFirst()
                .map(c -> c.table().source()).orElse("unknown"));
        String id = StateIndex.docId(s.rootKey());
        if (doc != null && doc.found()) {
            ops.add(BulkAction.indexIfUnchanged(m.stateIndex(), id, body, doc.seqNo(), doc.primaryTerm()));
        } else {
            ops.add(BulkAction.create(m.stateIndex(), id, body));
        }
    }
}
