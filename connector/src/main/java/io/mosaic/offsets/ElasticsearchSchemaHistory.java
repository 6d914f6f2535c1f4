package io.mosaic.offsets;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.debezium.config.Configuration;
import io.debezium.relational.history.AbstractFileBasedSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import io.debezium.relational.history.HistoryRecordComparator;
import io.debezium.relational.history.SchemaHistoryListener;
import io.mosaic.es.ElasticsearchGateway;

/**
 * The MySQL/MariaDB connectors' schema history kept in Elasticsearch ({@code mosaic-schema-history},
 * one document per record, numbered per stream), so that the binlog can be read after a restart
 * without a volume. Only the DDL of captured tables is recorded.
 */
public final class ElasticsearchSchemaHistory extends AbstractFileBasedSchemaHistory {

    private ElasticsearchGateway es;
    private String stream;
    private long next;

    @Override
    public void configure(Configuration config, HistoryRecordComparator comparator, SchemaHistoryListener listener, boolean useCatalogBeforeSchema) {
        super.configure(config, comparator, listener, useCatalogBeforeSchema);
        es = OffsetStores.gateway(config.getString(CONFIGURATION_FIELD_PREFIX_STRING + OffsetStores.GATEWAY_ID));
        stream = config.getString(CONFIGURATION_FIELD_PREFIX_STRING + OffsetStores.STREAM);
    }

    @Override
    protected void doStart() {
        // the stream must be a keyword for the term query below, whoever wrote first
        initializeStorage();
        try {
            es.send("POST", "/" + OffsetStores.HISTORY_INDEX + "/_refresh", null, 404);
            es.scan(OffsetStores.HISTORY_INDEX, Map.of("term", Map.of("stream", stream)), true, List.of(Map.of("n", "asc")),
                    1000, doc -> {
                        toHistoryRecord(new ByteArrayInputStream(((String) doc.source().get("record")).getBytes(StandardCharsets.UTF_8)));
                        next = Math.max(next, ((Number) doc.source().get("n")).longValue() + 1);
                    });
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the schema history of " + stream + " from Elasticsearch: " + e.getMessage(), e);
        }
    }

    @Override
    protected void doStoreRecord(HistoryRecord record) {
        long n = next++;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stream", stream);
        body.put("n", n);
        body.put("record", new String(fromHistoryRecord(record), StandardCharsets.UTF_8));
        try {
            // refresh so that a restart straight after reads every record
            es.send("PUT", "/" + OffsetStores.HISTORY_INDEX + "/_doc/" + ElasticsearchOffsetStore.encodeId(stream + ":" + n) + "?refresh=true", body);
        } catch (Exception e) {
            throw new IllegalStateException("cannot store a schema history record of " + stream + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean storageExists() {
        try {
            return es.indexExists(OffsetStores.HISTORY_INDEX);
        } catch (Exception e) {
            throw new IllegalStateException("cannot check for " + OffsetStores.HISTORY_INDEX + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists() {
        return !getRecords().isEmpty();
    }

    @Override
    public void initializeStorage() {
        try {
            es.createIndex(OffsetStores.HISTORY_INDEX, Map.of("dynamic", false, "properties", Map.of(
                    "stream", Map.of("type", "keyword"), "n", Map.of("type", "long"),
                    "record", Map.of("type", "text", "index", false))));
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + OffsetStores.HISTORY_INDEX + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Elasticsearch schema history of " + stream;
    }
}
