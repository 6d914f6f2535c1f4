package io.mosaic.bench.flink;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.elasticsearch.sink.ElasticsearchEmitter;
import org.apache.flink.connector.elasticsearch.sink.RequestIndexer;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.common.xcontent.XContentType;

/** Maps {@link EsAction}s to ES requests: full-document index (op index) or delete, _id = id. */
public class EsActionEmitter implements ElasticsearchEmitter<EsAction> {
    private static final long serialVersionUID = 1L;

    private final String index;

    public EsActionEmitter(String index) {
        this.index = index;
    }

    @Override
    public void emit(EsAction action, SinkWriter.Context context, RequestIndexer indexer) {
        if (action.isDelete()) {
            indexer.add(new DeleteRequest(index, action.id));
        } else {
            indexer.add(new IndexRequest(index).id(action.id).source(action.json, XContentType.JSON));
        }
    }
}
