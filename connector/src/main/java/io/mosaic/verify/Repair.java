package io.mosaic.verify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.mapping.CollectionMapping;
import io.mosaic.mapping.Contribution;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.DocumentState;
import io.mosaic.mapping.LookupMapping;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;
import io.mosaic.writer.DocumentWriter;
import io.mosaic.writer.StateIndex;

/**
 * {@code mosaic verify --repair}: rewrites drifted documents through the writer's normal ordered path
 * ({@link DocumentWriter#repair}), by re-emitting their sources' current rows as snapshot-style row
 * changes. It can never overwrite a newer change, for this reason:
 *
 * <ol>
 * <li>It first reads what Mosaic's state holds for the document (each row with its version), and only
 * then reads the sources' rows, in fresh snapshots. Each row read is therefore at least as new as the
 * change the state holds for it.</li>
 * <li>Each re-emitted row carries the version the state holds for that row (0 when the state has none),
 * never a newer one. The writer applies a change whose version is equal or higher, per row. So any
 * change the state has not yet seen &mdash; committed after the state's change, hence with a higher version
 * (versions order the changes of one row, {@link io.mosaic.source.SourcePosition}) &mdash; still wins over the
 * re-emitted row when it is streamed, exactly as it would over a replay; and a change that reaches the
 * state between our read and our write makes the writer drop the re-emitted, lower-versioned row.</li>
 * <li>Rows the state holds but the source no longer has are re-emitted as deletes at the state's version;
 * a document without a root row (an extra one) gets a root delete at version 0 (or its tombstone's), which
 * any real insert outranks.</li>
 * </ol>
 * The lookup rows the documents refer to go the same way: their stored copies are read first, then the
 * source's rows in a fresh snapshot. So do the rows of nested collections: the groups of the elements the
 * state holds are read with the states; an element the state does not hold yet has its nested rows
 * re-emitted at version 0, which any row the writer stored meanwhile outranks.
 * Only the rows that differ from the state are re-emitted, plus the root row, so that the document is
 * assembled and published again. A document changed behind Mosaic's back carries a version Mosaic did not
 * give it; the writer is told the document's current version and publishes above it. A document deleted
 * behind Mosaic's back leaves a tombstone one version above the state's counter (for
 * {@code index.gc_deletes}, 60 s by default), which the same rule passes.
 */
final class Repair {

    private final SourceReader reader;
    private final ElasticsearchGateway es;
    private final DocumentWriter writer;

    Repair(SourceReader reader, ElasticsearchGateway es, DocumentWriter writer) {
        this.reader = reader;
        this.es = es;
        this.writer = writer;
    }

    void repair(DocumentMapping m, List<String> keys) throws Exception {
        // 1. What Mosaic knows, before the sources are read (see the class comment).
        Map<String, Doc> published = PublishedDocuments.read(es, m, keys);
        Map<String, DocumentState> states = new HashMap<>();
        if (!m.isSingleTable()) {
            Map<String, Doc> stateDocs = es.mget(m.stateIndex(), keys.stream().map(StateIndex::docId).toList());
            for (String key : keys) {
                Doc d = stateDocs.get(StateIndex.docId(key));
                states.put(key, StateIndex.decode(key, d != null && d.found() ? d.source() : null));
            }
        }
        Map<String, Map<String, Contribution>> heldNested = heldNested(m, states.values());
        // 2. The sources' rows, in fresh snapshots.
        reader.begin();
        List<Map<String, Object>> roots = reader.rowsWhere(m.root(), m.rootKey(), keys);
        Set<String> without = new LinkedHashSet<>(keys);
        roots.forEach(r -> without.remove(m.rootKey().of(r)));
        ExpectedDocuments.Rows rows = ExpectedDocuments.read(reader, m, roots, without);
        reader.end();

        List<RowChange> changes = new ArrayList<>();
        Map<String, Long> floors = new LinkedHashMap<>();
        for (String key : keys) {
            Doc doc = published.get(key);
            Map<String, Object> row = rows.roots().get(key);
            if (m.isSingleTable()) {
                // the document's version is its row's: re-emitted at the version it has now, so that it applies
                long v = doc != null && doc.found() ? doc.version() : 0;
                changes.add(row != null ? upsert(m.root(), row, v) : delete(m.root(), m.rootKey().row(key), v));
                continue;
            }
            DocumentState state = states.get(key);
            floors.put(key, doc != null && doc.found() ? doc.version() : state.seq() + 1);
            Contribution root = state.root();
            long rv = root == null ? 0 : root.version();
            changes.add(row != null ? upsert(m.root(), row, rv)
                    : delete(m.root(), root != null && root.present() ? root.row() : m.rootKey().row(key), rv));
            for (CollectionMapping c : m.collections()) {
                Map<String, Contribution> held = state.children(c.name());
                Set<String> seen = new LinkedHashSet<>();
                for (Map<String, Object> child : rows.children(c.name(), key)) {
                    String ck = c.key().of(child);
                    seen.add(ck);
                    Contribution h = held.get(ck);
                    if (h == null || !h.present() || !DocumentDiff.differingFields(child, h.row()).isEmpty()) {
                        changes.add(upsert(c.table(), child, h == null ? 0 : h.version()));
                    }
                }
                held.forEach((ck, h) -> {
                    if (h.present() && !seen.contains(ck)) {
                        changes.add(delete(c.table(), h.row(), h.version()));
                    }
                });
                for (CollectionMapping n : c.collections()) {
                    for (String ek : seen) {
                        Map<String, Contribution> heldRows = heldNested.getOrDefault(ExpectedDocuments.nestedName(c, n) + "|" + ek, Map.of());
                        Set<String> seenRows = new LinkedHashSet<>();
                        for (Map<String, Object> nestedRow : rows.nested(c, n, ek)) {
                            String rk = n.key().of(nestedRow);
                            seenRows.add(rk);
                            Contribution h = heldRows.get(rk);
                            if (h == null || !h.present() || !DocumentDiff.differingFields(nestedRow, h.row()).isEmpty()) {
                                changes.add(upsert(n.table(), nestedRow, h == null ? 0 : h.version()));
                            }
                        }
                        heldRows.forEach((rk, h) -> {
                            if (h.present() && !seenRows.contains(rk)) {
                                changes.add(delete(n.table(), h.row(), h.version()));
                            }
                        });
                    }
                }
            }
        }
        if (!m.isSingleTable()) {
            changes.addAll(0, lookupChanges(m, rows));
        }
        writer.repair(m, changes, floors);
    }

    /**
     * The nested rows Mosaic holds under the present elements of {@code states}, by
     * {@code <outer>.<nested>|<element key>} (read before the sources, see the class comment).
     */
    private Map<String, Map<String, Contribution>> heldNested(DocumentMapping m, java.util.Collection<DocumentState> states)
            throws Exception {
        Map<String, Map<String, Contribution>> out = new HashMap<>();
        if (!m.hasNested()) {
            return out;
        }
        Map<String, String[]> ids = new LinkedHashMap<>();
        for (DocumentState s : states) {
            for (CollectionMapping c : m.collections()) {
                if (c.hasNested()) {
                    s.children(c.name()).forEach((k, child) -> ids.put(StateIndex.nestedId(c.name(), k), new String[] {c.name(), k}));
                }
            }
        }
        if (ids.isEmpty()) {
            return out;
        }
        Map<String, Doc> docs = es.mget(m.stateIndex(), List.copyOf(ids.keySet()));
        for (CollectionMapping c : m.collections()) {
            for (CollectionMapping n : c.collections()) {
                ids.forEach((id, ck) -> {
                    if (ck[0].equals(c.name())) {
                        out.put(ExpectedDocuments.nestedName(c, n) + "|" + ck[1],
                                StateIndex.nestedRows(c.name(), ck[1], docs.get(id), n.name()));
                    }
                });
            }
        }
        return out;
    }

    /** The lookup rows the documents use whose stored copy differs from the source's. */
    private List<RowChange> lookupChanges(DocumentMapping m, ExpectedDocuments.Rows rows) throws Exception {
        List<RowChange> out = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        for (LookupMapping l : m.allLookups()) {
            TableRef t = l.table();
            if (!done.add(t.id())) {
                continue;
            }
            Set<String> referred = rows.referred().getOrDefault(t.id(), Set.of());
            if (referred.isEmpty()) {
                continue;
            }
            // the state first, then the source, in a fresh snapshot: the same order as for the documents' own rows
            Map<String, Doc> stored = es.mget(m.stateIndex(), referred.stream().map(k -> StateIndex.lookupId(t.id(), k)).toList());
            Map<String, Map<String, Object>> source = new HashMap<>();
            reader.begin();
            for (Map<String, Object> row : reader.rowsWhere(t, l.key(), referred)) {
                source.put(l.key().of(row), row);
            }
            reader.end();
            for (String k : referred) {
                Contribution held = StateIndex.lookupContribution(stored.get(StateIndex.lookupId(t.id(), k)));
                Map<String, Object> row = source.get(k);
                if (row != null && (held == null || !held.present() || !DocumentDiff.differingFields(row, held.row()).isEmpty())) {
                    out.add(upsert(t, row, held == null ? 0 : held.version()));
                } else if (row == null && held != null && held.present()) {
                    // gone from the source, still in the state: a delete at the state's version, as for any row
                    out.add(delete(t, held.row(), held.version()));
                }
            }
        }
        return out;
    }

    private static RowChange upsert(TableRef table, Map<String, Object> row, long version) {
        return new RowChange(table, RowChange.Op.UPSERT, null, row, version, "verify --repair", true);
    }

    private static RowChange delete(TableRef table, Map<String, Object> before, long version) {
        return new RowChange(table, RowChange.Op.DELETE, before, null, version, "verify --repair", true);
    }
}
