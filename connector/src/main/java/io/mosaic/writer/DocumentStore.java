package io.mosaic.writer;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.mosaic.es.BulkAction;
import io.mosaic.es.BulkOutcome;
import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.es.ElasticsearchGateway.DocConsumer;

/**
 * The little the document writer needs of Elasticsearch, and all it may use: realtime reads by id,
 * guarded bulk writes, refresh and search. {@link ElasticsearchDocumentStore} is the real one; the
 * writer's unit tests run the same algorithm against an in-memory one.
 *
 * <p>Contract, as Elasticsearch keeps it: {@link #get} is realtime; {@link #search} sees only what was
 * written before the index's last {@link #refresh}; {@link #write} applies each item's guard (an
 * external version, {@code if_seq_no}, create-only) and returns one outcome per item in order, none of
 * them retryable (retryable failures are retried inside, for as long as it takes).
 */
public interface DocumentStore {

    Map<String, Doc> get(String index, Collection<String> ids) throws Exception;

    List<BulkOutcome> write(String what, List<BulkAction> actions) throws Exception;

    void refresh(String index) throws Exception;

    /** Every document matching a query (query DSL as maps), as one consistent view, to {@code consumer}. */
    void search(String index, Map<String, Object> query, boolean withSource, DocConsumer consumer) throws Exception;
}
