package io.mosaic.writer;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import io.mosaic.es.BulkAction;
import io.mosaic.es.BulkOutcome;
import io.mosaic.es.BulkWriter;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.es.ElasticsearchGateway.DocConsumer;

/** The {@link DocumentStore} on a real cluster: the gateway, with bulk items retried by the {@link BulkWriter}. */
public final class ElasticsearchDocumentStore implements DocumentStore {

    private final ElasticsearchGateway es;
    private final BulkWriter bulk;

    public ElasticsearchDocumentStore(ElasticsearchGateway es, BulkWriter bulk) {
        this.es = es;
        this.bulk = bulk;
    }

    @Override
    public Map<String, Doc> get(String index, Collection<String> ids) throws Exception {
        return es.mget(index, ids);
    }

    @Override
    public Map<String, Doc> versions(String index, Collection<String> ids) throws Exception {
        return es.mget(index, ids, false);
    }

    @Override
    public List<BulkOutcome> write(String what, List<BulkAction> actions) throws Exception {
        return bulk.execute(what, actions);
    }

    @Override
    public void refresh(String index) throws Exception {
        es.refresh(index);
    }

    @Override
    public void search(String index, Map<String, Object> query, boolean withSource, DocConsumer consumer) throws Exception {
        es.scan(index, query, withSource, List.of(), ElasticsearchGateway.PAGE_SIZE, consumer);
    }

    /**
     * The smallest global checkpoint of the index's primaries, from the shard-level index stats. A global
     * checkpoint, not the local one or the highest sequence number: operations above it may be rolled back
     * when a replica is promoted, and their numbers given to new writes.
     */
    @Override
    @SuppressWarnings("unchecked")
    public OptionalLong checkpoint(String index) throws Exception {
        Map<String, Object> stats = es.send("GET", "/" + index + "/_stats/docs?level=shards&filter_path=indices.*.shards.*.routing.primary,"
                + "indices.*.shards.*.seq_no.global_checkpoint", null, 403);
        if (Integer.valueOf(403).equals(stats.get("status"))) {
            return OptionalLong.empty();
        }
        long min = Long.MAX_VALUE;
        Map<String, Object> indices = (Map<String, Object>) stats.getOrDefault("indices", Map.of());
        for (Object perIndex : indices.values()) {
            Map<String, Object> shards = (Map<String, Object>) ((Map<String, Object>) perIndex).getOrDefault("shards", Map.of());
            for (Object copies : shards.values()) {
                for (Object copy : (List<Object>) copies) {
                    Map<String, Object> c = (Map<String, Object>) copy;
                    if (Boolean.TRUE.equals(((Map<String, Object>) c.getOrDefault("routing", Map.of())).get("primary"))) {
                        Object gcp = ((Map<String, Object>) c.getOrDefault("seq_no", Map.of())).get("global_checkpoint");
                        if (!(gcp instanceof Number n)) {
                            return OptionalLong.empty();
                        }
                        min = Math.min(min, n.longValue());
                    }
                }
            }
        }
        return min == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(min);
    }
}
