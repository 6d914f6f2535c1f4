package io.mosaic.writer;

import java.util.ArrayList;
import java.util.List;


/**
 * Sends bulk requests and classifies each item, in the manner of kafka-connect-elasticsearch: items
 * that failed retryably (429, 5xx, rejected execution) are re-sent with backoff until they succeed or
 * fail for good; conflicts and permanent failures are returned for the caller to decide.
 */
public final class BulkWriter {

    private final ElasticsearchGateway es;
    private final Retry retry;

    public BulkWriter(ElasticsearchGateway es, Retry retry) {
        this.es = es;
        this.retry = retry;
    }

    /** Executes the operations; the outcomes are in the same order, none of them retryable. */
    public List<BulkOutcome> execute(String what, List<BulkAction> operations) throws Exception {
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
                BulkOutcome first = outcomes[again.get(0)];
                throw new RetryableWriteException(again.size() + " of " + ops.size() + " bulk items failed retryably, first: "
                        + first.status() + " " + first.errorType() + " " + first.reason());
            }
            return null;
        });
        return List.of(outcomes);
    }
}
