package io.mosaic.es;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;


/**
 * Sends bulk requests and classifies each item, in the manner of kafka-connect-elasticsearch: items
 * that failed retryably (429, 5xx, rejected execution, an index block such as the flood-stage
 * watermark's: see {@link ErrorClassifier}) are re-sent with backoff until they succeed or fail for
 * good, for as long as it takes; conflicts and permanent failures are returned for the caller to decide.
 *
 * <p>A large batch is sent as two requests at once. Every item of a batch concerns another document
 * (the writer coalesces per document first) and carries its own guard (an external version or a
 * sequence number), so the two halves cannot reorder anything; and {@link #execute} returns only when
 * both are acknowledged, so the caller still commits after everything before it. Measured: one
 * request at a time left Elasticsearch waiting while Mosaic prepared the next batch, and the other
 * core idle (docs/bench/analysis.md).
 */
public final class BulkWriter {

    /** Batches of at least this many items are split in two concurrent requests. */
    static final int SPLIT_AT = 512;

    private final ElasticsearchGateway es;
    private final Retry retry;
    private final ExecutorService senders;

    public BulkWriter(ElasticsearchGateway es, Retry retry) {
        this.es = es;
        this.retry = retry;
        AtomicInteger n = new AtomicInteger();
        this.senders = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mosaic-bulk-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Executes the operations; the outcomes are in the same order, none of them retryable. */
    public List<BulkOutcome> execute(String what, List<BulkAction> operations) throws Exception {
        if (operations.size() < SPLIT_AT) {
            return executeOne(what, operations);
        }
        int half = operations.size() / 2;
        Future<List<BulkOutcome>> second = senders.submit(() -> executeOne(what, operations.subList(half, operations.size())));
        List<BulkOutcome> out = new ArrayList<>(operations.size());
        try {
            out.addAll(executeOne(what, operations.subList(0, half)));
            out.addAll(second.get());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } finally {
            second.cancel(true); // no-op when done; stops the other half's retries when this one failed
        }
        return out;
    }

    private List<BulkOutcome> executeOne(String what, List<BulkAction> operations) throws Exception {
        BulkOutcome[] outcomes = new BulkOutcome[operations.size()];
        if (operations.isEmpty()) {
            return List.of();
        }
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < operations.size(); i++) {
            pending.add(i);
        }
        retry.call(what, () -> {
            List<BulkAction> ops = new ArrayList<>(pending.size());
            pending.forEach(i -> ops.add(operations.get(i)));
            List<BulkOutcome> items = es.bulk(what, ops);
            List<Integer> again = new ArrayList<>();
            for (int j = 0; j < items.size(); j++) {
                BulkOutcome outcome = items.get(j);
                outcomes[pending.get(j)] = outcome;
                if (outcome.retryable()) {
                    again.add(pending.get(j));
                }
            }
            pending.clear();
            pending.addAll(again);
            if (!again.isEmpty()) {
                // a refusal (a block, a full queue) names the stall in health and metrics: it goes first
                BulkOutcome first = again.stream().map(i -> outcomes[i]).filter(o -> ErrorClassifier.isRefusal(o.status(), o.errorType()))
                        .findFirst().orElse(outcomes[again.get(0)]);
                throw new RetryableWriteException(again.size() + " of " + ops.size() + " bulk items failed retryably, "
                        + (ErrorClassifier.isRefusal(first.status(), first.errorType()) ? "refused: " : "first: ")
                        + first.status() + " " + first.errorType() + " " + first.reason(), first.status(), first.errorType());
            }
            return null;
        });
        return List.of(outcomes);
    }
}
