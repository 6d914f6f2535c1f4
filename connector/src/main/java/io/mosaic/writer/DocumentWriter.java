package io.mosaic.writer;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.mapping.TableRole;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.model.RowChange;

/**
 * Applies a batch of row changes of one source to the documents they concern, and returns only when
 * Elasticsearch has acknowledged every write (so the caller may then commit the source position). It
 * routes each change (rows too large, or without a key, become dead letters) to {@link DirectWrites}
 * or {@link StatefulWrites}, and runs the {@link SnapshotSweep}.
 *
 * <p>Ordering is enforced by Elasticsearch itself, so that replays, retries, restarts and concurrent
 * writers can never let an older change win:
 * <ul>
 * <li>A document made of its root row alone is written directly with the change's source version as
 * an {@code external_gte} version.</li>
 * <li>Otherwise the rows of each document live in a state document (see {@link io.mosaic.mapping.DocumentState}), each row
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

    private final MappingSet mappings;
    private final Outcomes outcomes;
    private final DirectWrites direct;
    private final StatefulWrites stateful;
    private final SnapshotSweep sweep;
    private final DeferredAssembly deferred;
    private final long maxRowBytes;

    /**
     * @param maxRowBytes rows whose mapped columns are larger become dead letters
     * @param lookupCacheRows how many lookup rows earlier batches read are kept as first guesses ({@link LookupCache}; 0: none)
     */
    public DocumentWriter(DocumentStore store, MappingSet mappings, MosaicMetrics metrics, DeadLetterSink deadLetters, long maxRowBytes,
                          int lookupCacheRows) {
        this.mappings = mappings;
        this.maxRowBytes = maxRowBytes;
        this.outcomes = new Outcomes(metrics, deadLetters);
        StateIndex state = new StateIndex(store);
        this.direct = new DirectWrites(store, outcomes);
        this.stateful = new StatefulWrites(store, new LookupFanOut(store, state, outcomes), outcomes, new LookupCache(lookupCacheRows));
        this.sweep = new SnapshotSweep(mappings, state, direct);
        this.deferred = new DeferredAssembly(store, mappings, outcomes);
    }

    /**
     * Writes a batch of a blocking snapshot of {@code source} (an initial load or a re-snapshot; not an
     * incremental one): as {@link #write}, except that the documents built from several tables only get
     * their state, and are written once, from it, when the snapshot ends ({@link #sweep}) and no other
     * source of their type is still snapshotting here (see {@link DeferredAssembly}, which argues why every
     * guarantee of {@link #write} holds). A batch holding anything but snapshot reads of {@code source} is
     * written by {@link #write}. Returns once all is acknowledged.
     */
    public void writeSnapshot(String source, List<RowChange> changes) throws Exception {
        for (RowChange c : changes) {
            if (!c.snapshot() || c.op() == RowChange.Op.TRUNCATE || !c.table().source().equals(source)) {
                write(changes);
                return;
            }
        }
        deferred.snapshotBatch(source);
        writeRows(changes, source);
    }

    /**
     * At start, before any source runs: writes every document of each type whose publish after a snapshot a
     * previous run left unfinished (a crash during or after a deferred snapshot; see {@link DeferredAssembly}).
     */
    public void finishDeferredAssemblies() throws Exception {
        deferred.finishOwed();
    }

    /**
     * Routes each change to the documents its table takes part in, and writes them; returns once all is
     * acknowledged. A {@link RowChange.Op#TRUNCATE} splits the batch: the changes before it are written
     * first, then every row of the table known at a lower version is deleted at the truncate's version
     * (see {@link SnapshotSweep}), then the changes after it are written.
     */
    public void write(List<RowChange> changes) throws Exception {
        int from = 0;
        for (int i = 0; i < changes.size(); i++) {
            if (changes.get(i).op() == RowChange.Op.TRUNCATE) {
                writeRows(changes.subList(from, i));
                truncate(changes.get(i));
                from = i + 1;
            }
        }
        writeRows(from == 0 ? changes : changes.subList(from, changes.size()));
    }

    /**
     * A truncated root deletes its documents, a truncated child table removes its elements, a truncated
     * lookup table makes the referring fields null: all by deleting the rows Mosaic knows of the table.
     */
    private void truncate(RowChange truncate) throws Exception {
        if (mappings.roles(truncate.table().id()).isEmpty()) {
            return;
        }
        SnapshotSweep.Deletes deletes = sweep.truncateDeletes(truncate.table(), truncate.version(), truncate.position());
        LOG.info("source {}: table {} was truncated at {}; deleting the {} row(s) of it that Mosaic knows{}", truncate.table().source(),
                truncate.table().table(), truncate.position(), deletes.gone().size(), deletes.again().isEmpty() ? ""
                        : " and again the " + deletes.again().size() + " it deleted (the truncate is read again)");
        writeRows(deletes.all());
    }

    private void writeRows(List<RowChange> changes) throws Exception {
        writeRows(changes, null);
    }

    /** @param deferFor the source of a deferred snapshot batch, or null for the normal path */
    private void writeRows(List<RowChange> changes, String deferFor) throws Exception {
        if (changes.isEmpty()) {
            return;
        }
        // by identity, in the order first met: a mapping is a record, and its deep hashCode per row was 2-4%
        // of Mosaic's CPU in the stream and initial-load profiles (docs/bench/analysis.md)
        Map<DocumentMapping, List<StatefulWrites.Routed>> byDocument = new IdentityHashMap<>();
        List<DocumentMapping> order = new ArrayList<>();
        for (RowChange change : changes) {
            List<TableRole> roles = mappings.roles(change.table().id());
            long size = approximateBytes(change.row());
            if (size > maxRowBytes && !roles.isEmpty()) {
                outcomes.deadLetter(roles.get(0).document(), change, null, "the row's mapped columns take about "
                        + size + " bytes, more than writer.max_row_bytes (" + maxRowBytes + "); shorten the row, or raise the limit "
                        + "(and the cluster's http.max_content_length) and replay");
                continue;
            }
            for (TableRole role : roles) {
                byDocument.computeIfAbsent(role.document(), k -> {
                    order.add(k);
                    return new ArrayList<>();
                }).add(new StatefulWrites.Routed(change, role));
            }
        }
        for (DocumentMapping m : order) {
            List<StatefulWrites.Routed> routed = byDocument.get(m);
            if (m.isSingleTable()) {
                direct.write(m, routed.stream().map(StatefulWrites.Routed::change).toList());
            } else if (deferFor != null && DeferredAssembly.deferrable(m)) {
                deferred.beforeDeferredWrite(deferFor, m);
                stateful.writeStates(m, routed);
            } else {
                stateful.write(m, routed);
            }
        }
    }

    /**
     * Writes changes of the rows of one document type {@code m} as {@link #write} does, through the same
     * ordered path, for a repair ({@code mosaic verify --repair}): each change keeps the version it is
     * given, so it loses to any newer change of its row exactly as a replay does. {@code publishedVersions}
     * holds, per root key, the version the public document has now (if it was changed behind Mosaic's
     * back, that version moved on without the state); the document is republished above it. Documents
     * of a single table carry their rows' versions and ignore it.
     */
    public void repair(DocumentMapping m, List<RowChange> changes, Map<String, Long> publishedVersions) throws Exception {
        List<StatefulWrites.Routed> routed = new ArrayList<>();
        for (RowChange change : changes) {
            for (TableRole role : mappings.roles(change.table().id())) {
                if (role.document() == m) {
                    routed.add(new StatefulWrites.Routed(change, role));
                }
            }
        }
        if (m.isSingleTable()) {
            direct.write(m, routed.stream().map(StatefulWrites.Routed::change).toList());
        } else {
            stateful.write(m, routed, publishedVersions);
        }
    }

    /**
     * Ends a completed snapshot of {@code source} taken at {@code snapshotVersion} (see {@link SnapshotSweep}):
     * rows of the source known from before it, and not in it, are deleted. Must run before the source's
     * first streamed change is written, which it does on the source's own thread, and before the snapshot's
     * last batch is committed: it then also writes the documents a deferred snapshot left to it
     * ({@link #writeSnapshot}).
     *
     * @return the number of rows deleted that were present (not counting those deleted again, see {@link SnapshotSweep})
     */
    public int sweep(String source, long snapshotVersion) throws Exception {
        SnapshotSweep.Deletes deletes = sweep.deletes(source, snapshotVersion);
        if (!deletes.gone().isEmpty() || !deletes.again().isEmpty()) {
            LOG.info("source {}: {} row(s) known from before the snapshot are gone from it; deleting them{}", source, deletes.gone().size(),
                    deletes.again().isEmpty() ? "" : ", and again the " + deletes.again().size() + " deleted before it");
            writeRows(deletes.all(), deferred.snapshotting(source) ? source : null);
        }
        deferred.snapshotEnded(source);
        return deletes.gone().size();
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
}
