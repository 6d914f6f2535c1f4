package io.mosaic.writer;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

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

    /**
     * As {@link #get}, without the sources ({@code source} is null): whether each document exists and its
     * concurrency tokens, for re-checking rows read earlier. Cheaper for Elasticsearch, which then reads
     * no stored fields, and for the writer, which parses none.
     */
    default Map<String, Doc> versions(String index, Collection<String> ids) throws Exception {
        Map<String, Doc> out = new java.util.LinkedHashMap<>();
        get(index, ids).forEach((id, d) -> out.put(id, d.withoutSource()));
        return out;
    }

    List<BulkOutcome> write(String what, List<BulkAction> actions) throws Exception;

    void refresh(String index) throws Exception;

    /** Every document matching a query (query DSL as maps), as one consistent view, to {@code consumer}. */
    void search(String index, Map<String, Object> query, boolean withSource, DocConsumer consumer) throws Exception;

    /**
     * A sequence number {@code c} of {@code index} such that every write acknowledged before this call has
     * {@code _seq_no <= c} or is found by a later search for {@code _seq_no > c}, and every later write has
     * {@code _seq_no > c}, whatever primary failovers happen meanwhile: for a one-shard index that is its
     * global checkpoint, for several shards the smallest of theirs. Empty when it cannot be read (the role
     * lacks the {@code monitor} privilege on the index): the caller then reads everything.
     */
    OptionalLong checkpoint(String index) throws Exception;
}
