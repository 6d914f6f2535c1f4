package io.mosaic.writer;

import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.BulkAction;
import io.mosaic.es.BulkOutcome;
import io.mosaic.es.BulkWriter;
import io.mosaic.es.RetryableWriteException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.mapping.CollectionMapping;
import io.mosaic.mapping.Contribution;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.DocumentState;
import io.mosaic.mapping.Keys;
import io.mosaic.mapping.LookupMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.mapping.ProjectionException;
import io.mosaic.mapping.Projector;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;
import io.mosaic.mapping.TableRole;
import io.mosaic.metrics.MosaicMetrics;

/**
 * Applies a batch of row changes of one source to the documents they concern, and returns only when
 * Elasticsearch has acknowledged every write (so the caller may then commit the source position).
 *
 * <p>Ordering is enforced by Elasticsearch itself, so that replays, retries, restarts and concurrent
 * writers can never let an older change win:
 * <ul>
 * <li>A document made of its root row alone is written directly with the change's source version as
 * an {@code external_gte} version.</li>
 * <li>Otherwise the rows of each document live in a state document (see {@link DocumentState}), each row
 * with its own source version; the state is read (realtime) and written back with
 * {@code if_seq_no}/{@code if_primary_term}, so concurrent writers serialize. Lookup rows are
 * externally versioned documents of the state index. The public document is then written with the
 * state's write counter as external version, so an older assembly can never overwrite a newer one.</li>
 * <li>A lookup change refreshes the state index and finds the referring documents by term; a document
 * assembled concurrently is protected by re-reading the lookups it used after its state write.</li>
 * </ul>
 */
public final class DocumentWriter {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentWriter.class);
    private static final int MAX_ROUNDS = 100;
    /** Documents read, assembled and written per round trip; bounds memory when a lookup fans out widely. */
    static final int CHUNK = 1000;

    private final ElasticsearchGateway es;
    private final BulkWriter bulk;
    private final MappingSet mappings;
    private final MosaicMetrics metrics;
    private final DeadLetterSink deadLetters;

    private final long maxRowBytes;

    public DocumentWriter(ElasticsearchGateway es, BulkWriter bulk, MappingSet mappings, MosaicMetrics metrics, DeadLetterSink deadLetters) {
        this(es, bulk, mappings, metrics, deadLetters, Long.MAX_VALUE);
    }

    /** @param maxRowBytes rows whose mapped columns are larger become dead letters */
    public DocumentWriter(ElasticsearchGateway es, BulkWriter bulk, MappingSet mappings, MosaicMetrics metrics, DeadLetterSink deadLetters,
                          long maxRowBytes) {
        this.maxRowBytes = maxRowBytes;
        this.es = es;
        this.bulk = bulk;
        this.mappings = mappings;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
    }

    /** A change in one of the roles its table plays. */
    private record Routed(RowChange change, TableRole role) {
    }

    public void write(List<RowChange> changes) throws Exception {
        Map<DocumentMapping, List<Routed>> byDocument = new LinkedHashMap<>();
        for (RowChange change : changes) {
            long size = approximateBytes(change.row());
            if (size > maxRowBytes && !mappings.roles(change.table().id()).isEmpty()) {
                deadLetter(mappings.roles(change.table().id()).get(0).document(), change, null, "the row's mapped columns take about "
                        + size + " bytes, more than writer.max_row_bytes (" + maxRowBytes + "); shorten the row, or raise the limit "
                        + "(and the cluster's http.max_content_length) and replay");
                continue;
            }
            for (TableRole role : mappings.roles(change.table().id())) {
                byDocument.computeIfAbsent(role.document(), k -> new ArrayList<>()).add(new Routed(change, role));
            }
        }
        for (Map.Entry<DocumentMapping, List<Routed>> e : byDocument.entrySet()) {
            if (e.getKey().isSingleTable()) {
                writeDirect(e.getKey(), e.getValue());
            } else {
                writeStateful(e.getKey(), e.getValue());
            }
        }
    }

    // ---------------------------------------------------------------- single-table documents

    private void writeDirect(DocumentMapping m, List<Routed> items) throws Exception {
        Map<String, RowChange> latest = new LinkedHashMap<>();
        for (Routed r : items) {
            String key = Keys.of(r.change().row().get(m.rootKey()));
            if (key == null) {
                deadLetter(m, r.change(), null, "the row has no value for the key column '" + m.rootKey() + "'");
                continue;
            }
            latest.remove(key); // keeps the map in the order of the last change per key
            latest.put(key, r.change());
        }
        List<BulkAction> ops = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, RowChange> e : latest.entrySet()) {
            RowChange c = e.getValue();
            if (c.op() == RowChange.Op.DELETE) {
                ops.add(BulkAction.delete(m.alias(), e.getKey(), c.version(), BulkAction.VersionGuard.EXTERNAL_GTE));
            } else {
                Map<String, Object> doc;
                try {
                    doc = Projector.projectRow(m.fields(), List.of(), c.after(), (t, k) -> null, m.root());
                } catch (ProjectionException ex) {
                    deadLetter(m, c, e.getKey(), ex.getMessage());
                    continue;
                }
                doc.put("mosaic", Map.of("source", c.table().source(), "version", c.version()));
                ops.add(BulkAction.index(m.alias(), e.getKey(), doc, c.version(), BulkAction.VersionGuard.EXTERNAL_GTE));
            }
            keys.add(e.getKey());
        }
        tally(m.alias(), "document", bulk.execute("bulk " + m.alias(), ops), (i, o) ->
                deadLetter(m, latest.get(keys.get(i)), keys.get(i), "Elasticsearch rejected the document: " + o.errorType() + ": " + o.reason()));
    }

    // ---------------------------------------------------------------- documents with state

    /** A change to one document's state: the root row, or one child of a collection. */
    private record StateChange(CollectionMapping collection, String childKey, Contribution contribution, RowChange source) {
    }

    /** The outcome of assembling one document: its new state and what to write publicly. */
    private record Assembly(DocumentState state, Map<String, Object> document, boolean deletePublic, Set<String> lookupIds) {
    }

    private void writeStateful(DocumentMapping m, List<Routed> items) throws Exception {
        // 1. Lookup rows: written first, externally versioned, so that assemblies below see them.
        Map<String, LookupWrite> lookupWrites = new LinkedHashMap<>();
        Map<String, List<StateChange>> perRoot = new LinkedHashMap<>();
        for (Routed r : items) {
            RowChange c = r.change();
            if (r.role() instanceof TableRole.Lookup l) {
                String key = Keys.of(c.row().get(l.lookup().key()));
                if (key == null) {
                    deadLetter(m, c, null, "the lookup row has no value for its key column '" + l.lookup().key() + "'");
                    continue;
                }
                String id = StateCodec.lookupId(l.lookup().table().id(), key);
                lookupWrites.remove(id);
                lookupWrites.put(id, new LookupWrite(id, l.lookup(), key, Contribution.of(c), c));
            } else if (r.role() instanceof TableRole.Root) {
                String key = Keys.of(c.row().get(m.rootKey()));
                if (key == null) {
                    deadLetter(m, c, null, "the row has no value for the key column '" + m.rootKey() + "'");
                    continue;
                }
                perRoot.computeIfAbsent(key, k -> new ArrayList<>()).add(new StateChange(null, null, Contribution.of(c), c));
            } else if (r.role() instanceof TableRole.Child child) {
                routeChild(m, child.collection(), c, perRoot);
            }
        }
        Set<String> touched = new LinkedHashSet<>();
        if (!lookupWrites.isEmpty()) {
            touched.addAll(writeLookups(m, lookupWrites.values()));
        }

        // 2. Assemble the affected documents in bounded chunks: a lookup row can fan out to every document.
        Set<String> all = new LinkedHashSet<>(perRoot.keySet());
        all.addAll(touched);
        List<String> keys = new ArrayList<>(all);
        Map<String, ElasticsearchGateway.Doc> lookupCache = new HashMap<>();
        for (int from = 0; from < keys.size(); from += CHUNK) {
            assembleAndPublish(m, keys.subList(from, Math.min(from + CHUNK, keys.size())), perRoot, touched, lookupCache);
        }
    }

    /**
     * Assembles the documents of {@code keys}, re-assembling those whose lookups changed meanwhile, and
     * writes them publicly, versioned by their state's write counter.
     */
    private void assembleAndPublish(DocumentMapping m, List<String> keys, Map<String, List<StateChange>> perRoot, Set<String> touched,
                                    Map<String, ElasticsearchGateway.Doc> lookupCache) throws Exception {
        String stateIndex = m.stateIndex();
        Map<String, Assembly> done = new LinkedHashMap<>();
        Set<String> pending = new LinkedHashSet<>(keys);
        for (int round = 0; !pending.isEmpty(); round++) {
            if (round >= MAX_ROUNDS) {
                throw new RetryableWriteException("documents " + pending + " of " + m.alias()
                        + " kept changing under concurrent writers; the batch will be retried");
            }
            Set<String> unchanged = new LinkedHashSet<>();
            Map<String, Assembly> assembled = assemble(m, pending, perRoot, touched, lookupCache, unchanged);
            pending = new LinkedHashSet<>(pending);
            pending.removeAll(assembled.keySet());
            pending.removeAll(unchanged); // nothing newer to write (a replayed, older change): done
            // what is left lost an optimistic-concurrency race and is read again
            done.putAll(assembled);
            // Re-read the lookups just used: a lookup changed by a concurrent writer after we read it, but
            // before our state write became searchable, may have missed this document in its fan-out.
            Set<String> usedLookups = new LinkedHashSet<>();
            assembled.values().forEach(a -> usedLookups.addAll(a.lookupIds()));
            if (!usedLookups.isEmpty()) {
                Map<String, ElasticsearchGateway.Doc> fresh = es.mget(stateIndex, usedLookups);
                for (ElasticsearchGateway.Doc d : fresh.values()) {
                    ElasticsearchGateway.Doc seen = lookupCache.get(d.id());
                    if (seen == null || seen.version() != d.version() || seen.found() != d.found()) {
                        lookupCache.put(d.id(), d);
                        for (Assembly a : assembled.values()) {
                            if (a.lookupIds().contains(d.id())) {
                                pending.add(a.state().rootKey());
                                touched.add(a.state().rootKey());
                            }
                        }
                    }
                }
            }
        }

        // 3. Public documents, versioned by the state's write counter.
        List<BulkAction> ops = new ArrayList<>();
        List<Assembly> order = new ArrayList<>();
        for (Assembly a : done.values()) {
            String key = a.state().rootKey();
            long seq = a.state().seq();
            if (a.document() != null) {
                Map<String, Object> doc = a.document();
                doc.put("mosaic", Map.of("seq", seq));
                ops.add(BulkAction.index(m.alias(), key, doc, seq, BulkAction.VersionGuard.EXTERNAL));
            } else if (a.deletePublic()) {
                ops.add(BulkAction.delete(m.alias(), key, seq, BulkAction.VersionGuard.EXTERNAL));
            } else {
                continue;
            }
            order.add(a);
        }
        tally(m.alias(), "document", bulk.execute("bulk " + m.alias(), ops), (i, o) -> {
            Assembly a = order.get(i);
            RowChange last = perRoot.containsKey(a.state().rootKey()) ? perRoot.get(a.state().rootKey()).get(0).source() : null;
            deadLetter(m, last, a.state().rootKey(), "Elasticsearch rejected the document: " + o.errorType() + ": " + o.reason());
        });
    }

    private void routeChild(DocumentMapping m, CollectionMapping c, RowChange change, Map<String, List<StateChange>> perRoot) throws Exception {
        String childKey = Keys.of(change.row().get(c.key()));
        String parentAfter = change.after() == null ? null : Keys.of(change.after().get(c.parent()));
        String parentBefore = change.before() == null ? null : Keys.of(change.before().get(c.parent()));
        if (childKey == null) {
            deadLetter(m, change, null, "the child row has no value for its key column '" + c.key() + "'");
            return;
        }
        if (change.op() == RowChange.Op.DELETE) {
            if (parentBefore == null) {
                deadLetter(m, change, childKey, "the delete of " + change.table().id() + " row " + childKey + " does not say its '"
                        + c.parent() + "', so Mosaic cannot tell which document it leaves; on PostgreSQL run "
                        + "ALTER TABLE " + change.table().table() + " REPLICA IDENTITY FULL");
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

    private record LookupWrite(String id, LookupMapping lookup, String key, Contribution contribution, RowChange change) {
    }

    /** Writes lookup rows and returns the root keys of every document that refers to one that changed. */
    private Set<String> writeLookups(DocumentMapping m, java.util.Collection<LookupWrite> writes) throws Exception {
        List<BulkAction> ops = new ArrayList<>();
        List<LookupWrite> order = new ArrayList<>(writes);
        for (LookupWrite w : order) {
            Map<String, Object> body = StateCodec.encodeLookup(w.lookup().table().source(), w.lookup().table().id(), w.key(), w.contribution());
            ops.add(BulkAction.index(m.stateIndex(), w.id(), body, w.contribution().version(), BulkAction.VersionGuard.EXTERNAL_GTE));
        }
        List<BulkOutcome> outcomes = bulk.execute("bulk " + m.stateIndex(), ops);
        tally(m.stateIndex(), "lookup", outcomes, (i, o) -> deadLetter(m, order.get(i).change(), order.get(i).key(),
                "Elasticsearch rejected the lookup row: " + o.errorType() + ": " + o.reason()));
        Set<String> refs = new LinkedHashSet<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).ok()) {
                refs.add(order.get(i).lookup().ref(order.get(i).key()));
            }
        }
        if (refs.isEmpty()) {
            return Set.of();
        }
        // Search is not realtime: make every state write acknowledged so far visible before searching.
        es.refresh(m.stateIndex());
        Set<String> keys = new LinkedHashSet<>();
        for (String id : es.idsWithTerm(m.stateIndex(), "refs", refs)) {
            if (id.startsWith(StateCodec.DOC_PREFIX)) {
                keys.add(id.substring(StateCodec.DOC_PREFIX.length()));
            }
        }
        LOG.debug("{} lookup change(s) fan out to {} document(s) of {}", refs.size(), keys.size(), m.alias());
        return keys;
    }

    /**
     * Reads, changes and writes back the state of each key; returns those whose state write won, and adds
     * to {@code unchanged} those with nothing newer to write. The rest lost a race and are to be read again.
     */
    private Map<String, Assembly> assemble(DocumentMapping m, Set<String> keys, Map<String, List<StateChange>> perRoot,
                                           Set<String> touched, Map<String, ElasticsearchGateway.Doc> lookupCache,
                                           Set<String> unchanged) throws Exception {
        List<String> ids = keys.stream().map(StateCodec::docId).toList();
        Map<String, ElasticsearchGateway.Doc> current = es.mget(m.stateIndex(), ids);

        Map<String, DocumentState> changed = new LinkedHashMap<>();
        Map<String, Boolean> hadRoot = new HashMap<>();
        Map<String, Boolean> rootTouched = new HashMap<>();
        for (String key : keys) {
            ElasticsearchGateway.Doc doc = current.get(StateCodec.docId(key));
            DocumentState state = StateCodec.decode(key, doc != null && doc.found() ? doc.source() : null);
            hadRoot.put(key, state.rootPresent());
            boolean any = touched.contains(key);
            boolean rootChanged = false;
            for (StateChange sc : perRoot.getOrDefault(key, List.of())) {
                if (sc.collection() == null) {
                    if (state.root() == null || state.root().acceptsVersion(sc.contribution().version())) {
                        state.setRoot(sc.contribution());
                        any = true;
                        rootChanged = true;
                    }
                } else {
                    any |= state.applyChild(sc.collection().name(), sc.childKey(), sc.contribution());
                }
            }
            if (any) {
                state.seq(state.seq() + 1);
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
                String id = StateCodec.LOOKUP_PREFIX + ref;
                if (!lookupCache.containsKey(id)) {
                    missing.add(id);
                }
            }
        }
        lookupCache.putAll(es.mget(m.stateIndex(), missing));

        List<BulkAction> ops = new ArrayList<>();
        List<Assembly> pendingAssemblies = new ArrayList<>();
        for (DocumentState s : changed.values()) {
            String key = s.rootKey();
            Set<String> refs = refsByKey.get(key);
            Map<String, Object> document = null;
            try {
                document = Projector.project(m, s, (table, lookupKey) -> {
                    ElasticsearchGateway.Doc d = lookupCache.get(StateCodec.lookupId(table.id(), lookupKey));
                    if (d == null || !d.found() || Boolean.TRUE.equals(d.source().get("deleted"))) {
                        return null;
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> row = (Map<String, Object>) d.source().get("row");
                    return row;
                });
            } catch (ProjectionException e) {
                RowChange source = perRoot.containsKey(key) ? perRoot.get(key).get(perRoot.get(key).size() - 1).source() : null;
                deadLetter(m, source, key, e.getMessage());
            }
            boolean deletePublic = !s.rootPresent() && (hadRoot.get(key) || rootTouched.get(key));
            Set<String> lookupIds = new LinkedHashSet<>();
            refs.forEach(r -> lookupIds.add(StateCodec.LOOKUP_PREFIX + r));
            pendingAssemblies.add(new Assembly(s, document, deletePublic, lookupIds));
            ElasticsearchGateway.Doc doc = current.get(StateCodec.docId(key));
            Map<String, Object> body = StateCodec.encode(s, refs, collection -> collection == null ? m.root().source()
                    : m.collections().stream().filter(c -> c.name().equals(collection)).findFirst()
                    .map(c -> c.table().source()).orElse("unknown"));
            if (doc != null && doc.found()) {
                ops.add(BulkAction.indexIfUnchanged(m.stateIndex(), StateCodec.docId(key), body, doc.seqNo(), doc.primaryTerm()));
            } else {
                ops.add(BulkAction.create(m.stateIndex(), StateCodec.docId(key), body));
            }
        }
        List<BulkOutcome> outcomes = bulk.execute("bulk " + m.stateIndex(), ops);
        Map<String, Assembly> won = new LinkedHashMap<>();
        for (int i = 0; i < outcomes.size(); i++) {
            BulkOutcome o = outcomes.get(i);
            Assembly a = pendingAssemblies.get(i);
            if (o.ok()) {
                won.put(a.state().rootKey(), a);
            } else if (!o.conflict()) {
                throw new IllegalStateException("state write of document " + a.state().rootKey() + " in " + m.stateIndex()
                        + " failed: " + o.status() + " " + o.errorType() + ": " + o.reason());
            }
        }
        metrics.writes(m.stateIndex(), "state", won.size());
        return won;
    }

    /**
     * Ends a completed snapshot of {@code source} taken at {@code snapshotVersion}: every row of that
     * source still known at a lower version was not in the snapshot, so it no longer exists — a
     * snapshot cannot say so itself (it only emits rows that are there). Such rows get a delete at
     * the snapshot's version. This matters whenever a snapshot is repeated: after one that was
     * interrupted (a crash, a database restart) or a re-snapshot. Must run before the source's first
     * streamed change is written, which it does on the source's own thread.
     */
    @SuppressWarnings("unchecked")
    public int sweep(String source, long snapshotVersion) throws Exception {
        List<RowChange> deletes = new ArrayList<>();
        for (DocumentMapping m : mappings.documents()) {
            if (m.isSingleTable() || !m.sources().contains(source)) {
                if (m.isSingleTable() && m.root().source().equals(source)) {
                    deletes.addAll(sweepDirect(m, snapshotVersion));
                }
                continue;
            }
            es.refresh(m.stateIndex());
            // lookup rows of the source older than the snapshot
            for (ElasticsearchGateway.Doc d : es.searchDocs(m.stateIndex(), Map.of("bool", Map.of("filter", List.of(
                    Map.of("term", Map.of("kind", "lookup")), Map.of("term", Map.of("source", source)),
                    Map.of("range", Map.of("v", Map.of("lt", snapshotVersion)))), "must_not", List.of(Map.of("term", Map.of("deleted", true))))))) {
                String tableId = (String) d.source().get("table");
                TableRef table = mappings.allTables().stream().filter(t -> t.id().equals(tableId)).findFirst().orElse(null);
                Object row = d.source().get("row");
                if (table != null && row instanceof Map<?, ?>) {
                    deletes.add(new RowChange(table, RowChange.Op.DELETE, (Map<String, Object>) row, null, snapshotVersion, "snapshot sweep", true));
                }
            }
            // document rows of the source older than the snapshot
            for (ElasticsearchGateway.Doc d : es.searchDocs(m.stateIndex(),
                    Map.of("range", Map.of("src_min." + source, Map.of("lt", snapshotVersion))))) {
                DocumentState state = StateCodec.decode((String) d.source().get("root_key"), d.source());
                if (m.root().source().equals(source) && state.root() != null && state.root().present() && state.root().version() < snapshotVersion) {
                    deletes.add(new RowChange(m.root(), RowChange.Op.DELETE, state.root().row(), null, snapshotVersion, "snapshot sweep", true));
                }
                for (CollectionMapping c : m.collections()) {
                    if (!c.table().source().equals(source)) {
                        continue;
                    }
                    state.children(c.name()).values().forEach(child -> {
                        if (child.present() && child.version() < snapshotVersion) {
                            deletes.add(new RowChange(c.table(), RowChange.Op.DELETE, child.row(), null, snapshotVersion, "snapshot sweep", true));
                        }
                    });
                }
            }
        }
        if (!deletes.isEmpty()) {
            LOG.info("source {}: {} row(s) known from before the snapshot are gone from it; deleting them", source, deletes.size());
            write(deletes);
        }
        return deletes.size();
    }

    /** Single-table documents of the source written before the snapshot: deleted at the snapshot's version. */
    private List<RowChange> sweepDirect(DocumentMapping m, long snapshotVersion) throws Exception {
        List<RowChange> out = new ArrayList<>();
        es.refresh(m.alias());
        for (ElasticsearchGateway.Doc d : es.searchDocs(m.alias(), Map.of("range", Map.of("mosaic.version", Map.of("lt", snapshotVersion))))) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put(m.rootKey(), d.id());
            out.add(new RowChange(m.root(), RowChange.Op.DELETE, row, null, snapshotVersion, "snapshot sweep", true));
        }
        return out;
    }

    /** An upper bound of a row's JSON size (UTF-8), without serializing it. */
    @SuppressWarnings("unchecked")
    static long approximateBytes(Map<String, Object> row) {
        if (row == null) {
            return 0;
        }
        long bytes = 2;
        for (Map.Entry<String, Object> e : row.entrySet()) {
            bytes += e.getKey().length() + 4;
            Object v = e.getValue();
            bytes += v instanceof String s ? 3L * s.length() + 2 : v instanceof Map<?, ?> m ? approximateBytes((Map<String, Object>) m) : 24;
        }
        return bytes;
    }

    /** What to do with an item Elasticsearch rejected for good (not a conflict: an older write losing is expected). */
    @FunctionalInterface
    private interface Rejection {
        void handle(int index, BulkOutcome outcome) throws Exception;
    }

    /** Counts written and stale (version-conflicting) items and hands every other failure to {@code rejected}. */
    private void tally(String index, String kind, List<BulkOutcome> outcomes, Rejection rejected) throws Exception {
        int written = 0;
        int stale = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            BulkOutcome o = outcomes.get(i);
            if (o.ok() || o.notFound()) {
                written++;
            } else if (o.conflict()) {
                stale++;
            } else {
                rejected.handle(i, o);
            }
        }
        metrics.writes(index, kind, written);
        metrics.stale(index, stale);
    }

    private void deadLetter(DocumentMapping m, RowChange change, String key, String error) throws Exception {
        String source = change == null ? m.root().source() : change.table().source();
        String table = change == null ? m.root().id() : change.table().id();
        metrics.deadLetters(source, table, 1);
        deadLetters.accept(new DeadLetter(m.name(), source, table, key, change == null ? null : change.position(), error,
                change == null ? null : change.op().name(), change == null ? 0 : change.version(),
                change == null ? null : change.before(), change == null ? null : change.after()));
    }
}
