package io.mosaic.writer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.es.BulkAction;
import io.mosaic.es.BulkOutcome;
import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.es.ErrorText;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.DocumentState;
import io.mosaic.mapping.MappingSet;
import io.mosaic.mapping.ProjectionException;
import io.mosaic.model.RowChange;

/**
 * Writes each document once on a snapshot (the initial load, or a re-snapshot) instead of once per source
 * and per table phase. While a source's blocking snapshot runs, its batches only fill the states of
 * multi-table documents ({@link StatefulWrites#writeStates}); when no other source of the document type is
 * still snapshotting in this process, one pass assembles every document of the type from its state and
 * bulk-writes it, as {@code mosaic rebuild} does ({@link IndexRebuild}, into the alias, with deletes).
 * Streamed changes, incremental-snapshot reads, repairs, truncates and batches that mix snapshot reads with
 * streamed changes take the normal path, and so do single-table and routed document types.
 *
 * <p><b>Why the guarantees hold as on the normal path.</b>
 * <ul>
 * <li><i>Ordering.</i> The states are written exactly as on the normal path: every contribution with its
 * own source version, under {@code if_seq_no}, the write counter {@code seq} raised on every state write.
 * Only the public write is left out, and it is a pure function of the state and the lookup rows: the pass
 * writes each document with its state's {@code seq} as {@code external} version, as the normal path does.
 * So whichever of the pass and a streamed change's publish (of this or another source, this or another
 * process) writes a document last, the later state wins: a streamed change after the pass read the state
 * raised {@code seq} and publishes above it; one before it is in the state the pass reads (the pass reads
 * through a point in time opened after a refresh, so every acknowledged state write before it is there).
 * The pass reads every lookup row after its point in time, so no document is written with lookup rows
 * older than its state; a lookup change after that fans out on the normal path and raises the
 * referring documents' {@code seq}. That is the argument of {@link IndexRebuild}, which runs safely beside
 * the writer for the same reason.</li>
 * <li><i>Lookups and fan-out.</i> A deferred batch writes its lookup rows (externally versioned, as ever)
 * and fans them out as ever. If documents already refer to one, the batch is written on the normal path,
 * publishes included: such a document may be published at its state's current {@code seq} with the old
 * row, and the pass, writing the same {@code seq}, would lose against it ({@code external} rejects an equal
 * version). On an initial load the lookup tables are snapshotted before the tables that refer to them,
 * so nothing refers to them yet and the batch stays deferred. The states record their {@code refs}
 * as ever, so a later lookup change finds them.</li>
 * <li><i>The snapshot sweep.</i> It runs as before, at the snapshot's end and before the last batch is
 * committed; its deletes of a deferred source are deferred too (tombstones in the state). The pass then
 * deletes, at the state's {@code seq}, every document whose root was once there and is not visible now
 * (deleted or filtered out); a state that never had a root was never published and is skipped. Until the
 * pass, a document the sweep removed may still be in the public index, as a document is stale on the
 * normal path until its publish.</li>
 * <li><i>A source that ends long before another.</i> At its end a source marks itself ended and, if another
 * source of the type is still in a deferred snapshot in this process, leaves the pass to it: that one's
 * end comes later and its pass covers every state, so also the first one's. Ending and the check are one
 * step under a lock, so of two sources ending together the second always passes. Meanwhile the first
 * source streams; its changes are published on the normal path, from the state as it is then.</li>
 * <li><i>Crashes and restarts.</i> Nothing is committed before Elasticsearch acknowledged it: a deferred
 * batch is acknowledged once its states are. A durable marker per (document type, source) in the state
 * index ({@code x:deferred:<source>}) is written before the source's first deferred state write and
 * deleted (if unchanged since the pass began, {@code if_seq_no}) only by a pass that began after the
 * source's snapshot ended. The pass of the last source runs inside its snapshot's last batch, before
 * that batch is committed, so a crash during it replays the snapshot (Debezium repeats a snapshot whose
 * end was not committed) and ends with the pass again. Any marker left by a crash (a source that had
 * ended and left the pass to another, or one that was in the middle of its snapshot) makes
 * {@link #finishOwed} at the next start run a pass before any source starts; so even when a source is
 * not snapshotted again (its configuration changed), every document is written.</li>
 * <li><i>Dead letters.</i> A document the pass cannot project or that Elasticsearch rejects becomes a dead
 * letter as on the normal path, naming the document; its row is the state's root row at its version
 * (replaying it re-assembles the document from the state).</li>
 * </ul>
 *
 * <p><b>What it does not do.</b> Documents of a type appear only at the pass, not while the snapshots run.
 * If a source of the type stops for good in the middle of its snapshot, the sources that left the pass to
 * it wait for it (or for the next start) to have their documents published; the normal path would have
 * published them without that source's rows. Processes do not coordinate: a source in a deferred snapshot
 * in another process does not hold back this process's pass, so a type whose sources run in several
 * processes gets a pass per process (correct, only more writes). A marker of a source that was in the
 * middle of its snapshot when the process died, and that is never snapshotted again, is never deleted:
 * each start then runs one extra pass. The pass runs inside the last snapshot batch, so that batch takes
 * as long as a rebuild's first pass: a stop that waits for it longer than the stop deadline interrupts
 * it, and the last source's snapshot is read again at the next start (correct, only slower). A pass owed
 * at start runs before the sources start, and readiness says "starting" meanwhile.
 */
final class DeferredAssembly {

    private static final Logger LOG = LoggerFactory.getLogger(DeferredAssembly.class);

    private final DocumentStore store;
    private final MappingSet mappings;
    private final Outcomes outcomes;
    private final IndexRebuild pass;
    /** Sources of this process with a deferred snapshot under way: from its first batch to its end. Guarded by {@code this}. */
    private final Set<String> snapshotting = new HashSet<>();
    /** Document type and source whose marker this snapshot of the source has written. */
    private final Set<String> marked = ConcurrentHashMap.newKeySet();

    DeferredAssembly(DocumentStore store, MappingSet mappings, Outcomes outcomes) {
        this.store = store;
        this.mappings = mappings;
        this.outcomes = outcomes;
        this.pass = new IndexRebuild(store, new Observer());
    }

    /** Whether documents of {@code m} can be published by a pass: built from several tables, and not routed. */
    static boolean deferrable(DocumentMapping m) {
        return !m.isSingleTable() && m.routing() == null;
    }

    /** A batch of a blocking snapshot of {@code source} is about to be written. */
    synchronized void snapshotBatch(String source) {
        snapshotting.add(source);
    }

    /** Whether {@code source} is in a deferred snapshot in this process. */
    synchronized boolean snapshotting(String source) {
        return snapshotting.contains(source);
    }

    /** Before {@code source} writes a state of {@code m} without its document: the marker, acknowledged. */
    void beforeDeferredWrite(String source, DocumentMapping m) throws Exception {
        String key = key(m, source);
        if (!marked.contains(key)) {
            writeMarker(m, source, false);
            marked.add(key);
        }
    }

    /**
     * The snapshot of {@code source} ended (its sweep is written, its last batch not yet committed): runs
     * the pass of every type of it that no other source of this process is still snapshotting.
     */
    void snapshotEnded(String source) throws Exception {
        List<DocumentMapping> types = mappings.documents().stream().filter(m -> deferrable(m) && m.sources().contains(source)).toList();
        for (DocumentMapping m : types) {
            if (marked.contains(key(m, source))) {
                writeMarker(m, source, true);
            }
        }
        List<DocumentMapping> due = new ArrayList<>();
        synchronized (this) {
            snapshotting.remove(source);
            for (DocumentMapping m : types) {
                Set<String> others = new HashSet<>(m.sources());
                others.retainAll(snapshotting);
                if (others.isEmpty()) {
                    due.add(m);
                } else {
                    LOG.info("source {}: snapshot ended; the documents of {} are written once source(s) {} end their snapshot too",
                            source, m.alias(), others);
                }
            }
        }
        for (DocumentMapping m : types) {
            marked.remove(key(m, source)); // a later snapshot of the source writes its marker again
        }
        String own = StateIndex.deferredId(source);
        for (DocumentMapping m : due) {
            // owed: this source's deferred writes, or those of a source that ended and left the pass to this one
            passIfOwed(m, "the snapshot of " + source + " ended", d -> d.id().equals(own) || StateIndex.deferredEnded(d));
        }
    }

    /** At start, before any source runs: a pass for every type with a marker a crash left behind. */
    void finishOwed() throws Exception {
        for (DocumentMapping m : mappings.documents()) {
            if (deferrable(m)) {
                passIfOwed(m, "a previous run did not finish writing them after a snapshot", d -> true);
            }
        }
    }

    private void passIfOwed(DocumentMapping m, String why, Predicate<Doc> owes) throws Exception {
        List<String> ids = m.sources().stream().sorted().map(StateIndex::deferredId).toList();
        List<Doc> markers = store.get(m.stateIndex(), ids).values().stream().filter(Doc::found).toList();
        if (markers.stream().noneMatch(owes)) {
            return;
        }
        long started = System.nanoTime();
        LOG.info("{}: writing every document from its state, once ({})", m.alias(), why);
        IndexRebuild.Result r = pass.run(m, m.alias(), true, n -> { });
        LOG.info("{}: {} document(s) written, {} deleted, {} already newer, {} rejected, from {} state(s) in {} ms", m.alias(), r.written(),
                r.deleted(), r.stale(), r.rejectedCount(), r.states(), (System.nanoTime() - started) / 1_000_000);
        // markers whose source had ended before the pass began: the pass covered all their writes
        List<BulkAction> done = new ArrayList<>();
        for (Doc d : markers) {
            if (StateIndex.deferredEnded(d)) {
                done.add(BulkAction.deleteIfUnchanged(m.stateIndex(), d.id(), d.seqNo(), d.primaryTerm()));
            }
        }
        if (!done.isEmpty()) {
            // a conflict means the source began another snapshot meanwhile: its marker stays, for that one's pass
            store.write("bulk " + m.stateIndex(), done);
        }
    }

    private void writeMarker(DocumentMapping m, String source, boolean ended) throws Exception {
        BulkAction marker = new BulkAction(BulkAction.Kind.INDEX, m.stateIndex(), StateIndex.deferredId(source),
                StateIndex.encodeDeferred(source, ended), -1, null, -1, -1);
        BulkOutcome o = store.write("bulk " + m.stateIndex(), List.of(marker)).get(0);
        if (!o.ok()) {
            throw new IllegalStateException("the deferred-assembly marker of source " + source + " in " + m.stateIndex()
                    + " could not be written: " + o.status() + " " + o.errorType() + ": " + o.reason());
        }
    }

    private static String key(DocumentMapping m, String source) {
        return m.name() + '\u0000' + source;
    }

    /** The pass's meters and dead letters, as the normal path counts and parks them. */
    private final class Observer implements IndexRebuild.Observer {
        @Override
        public void projectionFailed(DocumentMapping m, DocumentState state, ProjectionException e) throws Exception {
            List<Object> rows = new ArrayList<>();
            if (state.root() != null && state.root().row() != null) {
                rows.add(state.root().row());
            }
            state.allChildren().values().forEach(children -> children.values().forEach(c -> {
                if (c.row() != null) {
                    rows.add(c.row());
                }
            }));
            outcomes.deadLetter(m, rootRow(m, state), state.rootKey(), ErrorText.withoutValues(e.getMessage(), rows));
        }

        @Override
        public void written(DocumentMapping m, List<BulkAction> ops, List<BulkOutcome> results, List<DocumentState> states) throws Exception {
            outcomes.tally(m.alias(), "document", ops, results, (i, o) ->
                    outcomes.deadLetter(m, rootRow(m, states.get(i)), states.get(i).rootKey(), Outcomes.rejected("document", o)));
        }
    }

    /** The state's root row as a change at its version, for a dead letter; null without one. */
    private static RowChange rootRow(DocumentMapping m, DocumentState s) {
        if (s.root() == null || s.root().row() == null) {
            return null;
        }
        Map<String, Object> row = s.root().row();
        return new RowChange(m.root(), RowChange.Op.UPSERT, null, row, s.root().version(), "assembled after the snapshot", true);
    }
}
