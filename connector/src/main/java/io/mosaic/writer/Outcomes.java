package io.mosaic.writer;

import java.util.List;

import io.mosaic.es.BulkAction;
import io.mosaic.es.BulkOutcome;
import io.mosaic.es.ErrorText;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.model.RowChange;

/**
 * What becomes of each written item: counted as written or stale (a newer version was already
 * there, as after a replay), or, when Elasticsearch rejected it for good, handed on as a dead letter
 * so that the pipeline goes on and nothing is lost.
 */
final class Outcomes {

    /** What to do with an item Elasticsearch rejected for good (not a conflict: an older write losing is expected). */
    @FunctionalInterface
    interface Rejection {
        void handle(int index, BulkOutcome outcome) throws Exception;
    }

    private final MosaicMetrics metrics;
    private final DeadLetterSink deadLetters;

    Outcomes(MosaicMetrics metrics, DeadLetterSink deadLetters) {
        this.metrics = metrics;
        this.deadLetters = deadLetters;
    }

    /**
     * Counts written, deleted and stale (version-conflicting) items of {@code actions} and hands every
     * other failure to {@code rejected}. A delete of a document that was not there counts as deleted.
     */
    void tally(String index, String kind, List<BulkAction> actions, List<BulkOutcome> outcomes, Rejection rejected) throws Exception {
        int written = 0;
        int deleted = 0;
        int stale = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            BulkOutcome o = outcomes.get(i);
            if (o.ok() || o.notFound()) {
                if (actions.get(i).kind() == BulkAction.Kind.DELETE) {
                    deleted++;
                } else {
                    written++;
                }
            } else if (o.conflict()) {
                stale++;
            } else {
                rejected.handle(i, o);
            }
        }
        if (written > 0) {
            metrics.written(index, kind, written);
        }
        if (deleted > 0) {
            metrics.deleted(index, deleted);
        }
        if (stale > 0) {
            metrics.stale(index, stale);
        }
    }

    /** Counts state writes that won their optimistic-concurrency race. */
    void stateWrites(String index, int n) {
        metrics.written(index, "state", n);
    }

    /** Counts lookup rows a batch needed, by where they came from ({@code hit}, {@code miss}, {@code stale}). */
    void lookupCacheRows(String index, String result, int n) {
        metrics.lookupCacheRows(index, result, n);
    }

    /** Notes how many documents a batch's lookup changes fanned out to. */
    void fanOut(String index, int documents) {
        metrics.fanOut(index, documents);
    }

    /** Parks a change that cannot be written (its error names the cause and the fix; no row value). */
    void deadLetter(DocumentMapping m, RowChange change, String key, String error) throws Exception {
        String source = change == null ? m.root().source() : change.table().source();
        String table = change == null ? m.root().id() : change.table().id();
        metrics.deadLetters(source, change == null ? m.root().table() : change.table().table(), 1);
        // the error is logged and stored: whatever produced it, no value of the row may be quoted in it
        String safe = change == null ? error : ErrorText.withoutValues(error, java.util.Arrays.asList(change.before(), change.after()));
        deadLetters.accept(new DeadLetter(m.name(), source, table, key, change == null ? null : change.position(), safe,
                change == null ? null : change.op().name(), change == null ? 0 : change.version(),
                change == null ? null : change.before(), change == null ? null : change.after()));
    }

    /** The dead-letter text for an item Elasticsearch rejected: its error type and its reason, already redacted by the gateway. */
    static String rejected(String what, BulkOutcome o) {
        return "Elasticsearch rejected the " + what + ": " + o.errorType() + ": " + o.reason();
    }
}
