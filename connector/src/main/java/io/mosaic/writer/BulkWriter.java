package io.mosaic.writer;

import java.util.ArrayList;
import java.util.List;

import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;

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
    public List<BulkOutcome> execute(String what, List<BulkOperation> operations) throws Exception {
        BulkOutcome[] outcomes = new BulkOutcome[operations.size()];
        if (operations.isEmpty()) {
            return List.of();
        }
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < operations.size(); i++) {
            pending.add(i);
        }
        retry.call(what, () -> {
            List<BulkOperation> ops = new ArrayList<>(pending.size());
            pending.forEach(i -> ops.add(operations.get(i)));
            BulkResponse response = es.bulk(what, ops);
            List<Integer> again = new ArrayList<>();
            List<BulkResponseItem> items = response.items();
            for (int j = 0; j < items.size(); j++) {
                BulkResponseItem item = items.get(j);
                BulkOutcome outcome = new BulkOutcome(item.status(),
                        item.error() == null ? null : item.error().type(),
                        item.error() == null ? null : item.error().reason(),
                        item.seqNo() == null ? -1 : item.seqNo(),
                        item.primaryTerm() == null ? -1 : item.primaryTerm());
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
