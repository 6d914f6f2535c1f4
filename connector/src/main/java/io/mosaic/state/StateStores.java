package io.mosaic.state;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.mosaic.writer.ElasticsearchGateway;

/**
 * Hands Mosaic's Elasticsearch connection to the offset store and schema history that Debezium
 * instantiates by class name. Only an opaque id travels through Debezium's properties: no address
 * or credential is copied into them (and so none can end up in Debezium's logged configuration).
 */
public final class StateStores {

    /** Debezium property naming the registered connection. */
    public static final String GATEWAY_ID = "mosaic.state.gateway";
    /** Debezium property naming the stream whose state is kept (unique per replication stream). */
    public static final String STREAM = "mosaic.state.stream";
    public static final String OFFSETS_INDEX = "mosaic-offsets";
    public static final String HISTORY_INDEX = "mosaic-schema-history";

    private static final Map<String, ElasticsearchGateway> GATEWAYS = new ConcurrentHashMap<>();

    private StateStores() {
    }

    public static void register(String id, ElasticsearchGateway gateway) {
        GATEWAYS.put(id, gateway);
    }

    public static void unregister(String id) {
        GATEWAYS.remove(id);
    }

    static ElasticsearchGateway gateway(String id) {
        ElasticsearchGateway g = id == null ? null : GATEWAYS.get(id);
        if (g == null) {
            throw new IllegalStateException("no Elasticsearch connection registered as '" + id
                    + "' for Mosaic's state store; the Elasticsearch state store only runs inside Mosaic");
        }
        return g;
    }
}
