package io.mosaic.writer;

import java.util.Collection;
import java.util.List;
import java.util.Map;

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
}
