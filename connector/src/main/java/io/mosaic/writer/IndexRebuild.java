package io.mosaic.writer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;

import io.mosaic.es.BulkAction;
import io.mosaic.es.BulkOutcome;
import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.mapping.CollectionMapping;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.DocumentState;
import io.mosaic.mapping.LookupMapping;
import io.mosaic.mapping.NestedGroup;
import io.mosaic.mapping.ProjectionException;
import io.mosaic.mapping.Keys;
import io.mosaic.mapping.Projector;

/**
 * Writes every public document of a document type into a given index from its state index alone,
 * reading no source: the state holds every contributing row and every lookup row, and the projection
 * is the writer's own ({@link Projector}). One pass reads the state through one consistent view (a
 * point in time), a page at a time, so memory stays bounded by the page and the lookup cache.
 *
 * <p>Why a pass can run while the writer streams: each document is written with its state's write
 * counter as external version, as the writer writes it, so whichever of the two writes a document
 * last, the higher counter wins. The state a pass reads is as of its start, and every lookup row it
 * reads is read later, so no document is written with lookup rows older than its state. A change
 * after the pass started is written by the writer with a higher counter. The nested groups of a page's
 * elements ({@link NestedWrites}) are read by id, after the point in time, like the lookup rows: a nested
 * change acknowledged before the state was written is in them, and one after raised the owner's counter.
 * {@code mosaic rebuild}
 * therefore runs one pass, moves the alias, and runs a second pass with deletes, after which every
 * change before the move is in the new index (the second pass saw it) and every change after it went
 * there directly (the writer writes to the alias).
 *
 * <p>A rebuild is only as complete as the state: a column the mapping reads that the stored rows do not
 * hold (it was not mapped when they were captured) is reported in {@link Result#missingColumns}, and
 * the caller must not move the alias.
 */
public final class IndexRebuild {

    /** State documents per page: one bulk request of public documents each. */
    static final int PAGE = 500;
    /** Lookup rows kept between pages; a fan-out-heavy lookup (a department) is read once, not once per page. */
    static final int LOOKUP_CACHE = 20_000;

    /**
     * What a pass did. {@code rejected} names documents and Elasticsearch's error type only: a reason may quote a value.
     * {@code checkpoint} is the state index's {@link DocumentStore#checkpoint} taken before the pass read anything: a
     * later pass given it reads only the states written after this one's view (empty: it could not be read).
     */
    public record Result(long states, long written, long deleted, long stale, long rejectedCount, List<String> rejected,
                         Map<String, Long> missingColumns, OptionalLong checkpoint) {
    }

    /**
     * What a pass run by the writer itself (a {@link DeferredAssembly}) does besides counting: it tallies
     * the meters and turns what cannot be written into dead letters, as the writer's own path does.
     */
    interface Observer {
        Observer NONE = new Observer() {
        };

        /** The state could not be projected (the pass counts it as rejected and goes on). */
        default void projectionFailed(DocumentMapping m, DocumentState state, ProjectionException e) throws Exception {
        }

        /** One page's bulk: {@code states.get(i)} is the state {@code ops.get(i)} was assembled from. */
        default void written(DocumentMapping m, List<BulkAction> ops, List<BulkOutcome> outcomes, List<DocumentState> states) throws Exception {
        }
    }

    private final DocumentStore store;
    private final Observer observer;

    public IndexRebuild(DocumentStore store) {
        this(store, Observer.NONE);
    }

    IndexRebuild(DocumentStore store, Observer observer) {
        this.store = store;
        this.observer = observer;
    }

    /** The query matching every document state of a state index, for counting them. */
    public static Map<String, Object> statesQuery() {
        return StateIndex.documentStatesQuery();
    }

    /**
     * One pass: every document whose state has its root row is written to {@code target}; with
     * {@code deletes}, every document whose state has none is deleted there (a first pass into an empty
     * index has nothing to delete).
     *
     * @param progress called with the number of states done after each page
     */
    public Result run(DocumentMapping m, String target, boolean deletes, LongConsumer progress) throws Exception {
        return run(m, target, deletes, progress, OptionalLong.empty());
    }

    /**
     * As {@link #run(DocumentMapping, String, boolean, LongConsumer)}, reading with {@code since} (an earlier
     * pass's {@link Result#checkpoint}) only the states written after that pass's view: a catch-up pass then
     * costs the changes made meanwhile, not the whole index again.
     *
     * <p>Why nothing is missed: the checkpoint is taken before the earlier pass refreshed and opened its view,
     * so every state write that view lacks was acknowledged after the checkpoint was read, or was not yet
     * visible to it; either way its sequence number is above the checkpoint (see {@link DocumentStore#checkpoint}).
     * A document changed only through a lookup row is among them too: a lookup change re-assembles the
     * documents that use it, which writes their states with a higher write counter.
     */
    public Result run(DocumentMapping m, String target, boolean deletes, LongConsumer progress, OptionalLong since) throws Exception {
        Pass pass = new Pass(m, target, deletes, progress);
        OptionalLong checkpoint = store.checkpoint(m.stateIndex());
        store.refresh(m.stateIndex()); // search sees only refreshed writes, and the state index never refreshes by itself
        Map<String, Object> query = since.isEmpty() ? statesQuery()
                : Map.of("bool", Map.of("filter", List.of(statesQuery(), Map.of("range", Map.of("_seq_no", Map.of("gt", since.getAsLong()))))));
        store.search(m.stateIndex(), query, true, pass::add);
        pass.flush();
        return new Result(pass.states, pass.written, pass.deleted, pass.stale, pass.rejectedCount, List.copyOf(pass.rejected),
                new TreeMap<>(pass.missing), checkpoint);
    }

    private final class Pass {
        final DocumentMapping m;
        final String target;
        final boolean deletes;
        final LongConsumer progress;
        final List<DocumentState> page = new ArrayList<>(PAGE);
        final Map<String, Doc> lookups = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Doc> eldest) {
                return size() > LOOKUP_CACHE;
            }
        };
        final Map<String, Long> missing = new LinkedHashMap<>();
        final List<String> rejected = new ArrayList<>();
        final Set<String> lookupsChecked = new LinkedHashSet<>();
        long states;
        long written;
        long deleted;
        long stale;
        long rejectedCount;

        Pass(DocumentMapping m, String target, boolean deletes, LongConsumer progress) {
            this.m = m;
            this.target = target;
            this.deletes = deletes;
            this.progress = progress;
        }

        void add(Doc doc) throws Exception {
            DocumentState state = StateIndex.decode(doc);
            checkColumns(state);
            page.add(state);
            if (page.size() >= PAGE) {
                flush();
            }
        }

        void flush() throws Exception {
            if (page.isEmpty()) {
                return;
            }
            Set<String> wanted = new LinkedHashSet<>();
            Map<DocumentState, Set<String>> refs = new LinkedHashMap<>();
            for (DocumentState s : page) {
                Set<String> r = Projector.refs(m, s);
                refs.put(s, r);
                r.forEach(ref -> wanted.add(StateIndex.lookupIdOfRef(ref)));
            }
            wanted.removeAll(lookups.keySet());
            if (!wanted.isEmpty()) {
                Map<String, Doc> read = store.get(m.stateIndex(), wanted);
                read.values().forEach(this::checkLookupColumns);
                lookups.putAll(read);
            }
            // the nested groups of the page's elements, by id (realtime), read after the point in time as the lookups are
            Projector.NestedRows nested = Projector.NestedRows.NONE;
            if (m.hasNested()) {
                Map<String, Doc> groups = NestedWrites.readGroups(store, m, page);
                groups.values().forEach(this::checkNestedColumns);
                nested = NestedWrites.rows(groups);
            }
            List<BulkAction> ops = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            List<DocumentState> opStates = new ArrayList<>();
            for (DocumentState s : page) {
                String key = s.rootKey();
                if (Projector.visible(m, s)) {
                    Map<String, Object> doc;
                    try {
                        doc = Projector.project(m, s, (table, k) -> StateIndex.lookupRow(lookups.get(StateIndex.lookupId(table.id(), k))), nested);
                    } catch (ProjectionException e) {
                        reject(key, "projection failed (see mosaic dead-letters for the same document)");
                        observer.projectionFailed(m, s, e);
                        continue;
                    }
                    doc.put("mosaic", Map.of("seq", s.seq()));
                    String routing = null;
                    if (m.routing() != null) {
                        // the root row's value, not the state's record: the routing may be new in this mapping version
                        routing = Keys.of(s.root().row().get(m.routing()));
                        if (routing == null) {
                            reject(key, "no value for the routing column '" + m.routing() + "'");
                            continue;
                        }
                        String former = s.formerRouting();
                        if (deletes && former != null && !former.equals(routing)) {
                            // a pass before the move may have written it at the routing it had then
                            // below the index's version, in case both routings lead to one shard (see StatefulWrites)
                            ops.add(BulkAction.delete(target, key, s.seq() - 1, BulkAction.VersionGuard.EXTERNAL_GTE).routed(former));
                            keys.add(key);
                            opStates.add(s);
                        }
                    }
                    ops.add(BulkAction.index(target, key, doc, s.seq(), BulkAction.VersionGuard.EXTERNAL).routed(routing));
                    keys.add(key);
                    opStates.add(s);
                } else if (deletes && (m.routing() == null || s.routing() != null) && !(observer != Observer.NONE && s.root() == null)) {
                    // (the writer's own pass skips a state that never had a root: no one ever published it)
                    // a routed document that was never visible has no routing and was never written
                    ops.add(BulkAction.delete(target, key, s.seq(), BulkAction.VersionGuard.EXTERNAL).routed(s.routing()));
                    keys.add(key);
                    opStates.add(s);
                }
            }
            if (!ops.isEmpty()) {
                List<BulkOutcome> outcomes = store.write("rebuild " + target, ops);
                observer.written(m, ops, outcomes, opStates);
                for (int i = 0; i < outcomes.size(); i++) {
                    BulkOutcome o = outcomes.get(i);
                    boolean delete = ops.get(i).kind() == BulkAction.Kind.DELETE;
                    if (o.ok() || delete && o.notFound()) {
                        if (delete) {
                            deleted++;
                        } else {
                            written++;
                        }
                    } else if (o.conflict()) {
                        stale++; // the writer already wrote a newer assembly
                    } else {
                        reject(keys.get(i), o.status() + " " + o.errorType());
                    }
                }
            }
            states += page.size();
            page.clear();
            progress.accept(states);
        }

        private void reject(String key, String why) {
            rejectedCount++;
            if (rejected.size() < 10) {
                rejected.add("document " + key + ": " + why);
            }
        }

        /** Counts stored rows lacking a column the mapping reads (a null value is present; an absent key was never captured). */
        private void checkColumns(DocumentState s) {
            if (s.root() != null && s.root().present()) {
                missingIn(m.root().id(), m.rootColumns(), s.root().row());
            }
            for (CollectionMapping c : m.collections()) {
                s.children(c.name()).values().forEach(child -> {
                    if (child.present()) {
                        missingIn(c.table().id(), c.columns(), child.row());
                    }
                });
            }
        }

        /** As {@link #checkColumns}, for the rows of a stored nested group. */
        private void checkNestedColumns(Doc doc) {
            if (doc == null || !doc.found()) {
                return;
            }
            NestedGroup g = StateIndex.decodeNested(doc);
            for (CollectionMapping c : m.collections()) {
                if (c.name().equals(g.collection())) {
                    for (CollectionMapping n : c.collections()) {
                        g.rows(n.name()).values().forEach(row -> {
                            if (row.present()) {
                                missingIn(n.table().id(), n.columns(), row.row());
                            }
                        });
                    }
                }
            }
        }

        private void checkLookupColumns(Doc doc) {
            Map<String, Object> row = StateIndex.lookupRow(doc);
            if (row == null || !lookupsChecked.add(doc.id())) {
                return;
            }
            String table = StateIndex.lookupTable(doc);
            for (LookupMapping l : m.allLookups()) {
                if (l.table().id().equals(table)) {
                    missingIn(table, l.columns(), row);
                }
            }
        }

        private void missingIn(String table, Set<String> columns, Map<String, Object> row) {
            for (String c : columns) {
                if (!row.containsKey(c)) {
                    missing.merge(table + "." + c, 1L, Long::sum);
                }
            }
        }
    }
}
