package io.mosaic.offsets;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.mosaic.config.SourceConfig;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.lease.SourceLease;

/**
 * Where Debezium's offsets and schema history of each replication stream are kept, and how they are
 * named. Hands Mosaic's Elasticsearch connection to the offset store and schema history that Debezium
 * instantiates by class name. Only an opaque id travels through Debezium's properties: no address
 * or credential is copied into them (and so none can end up in Debezium's logged configuration).
 */
public final class OffsetStores {

    /** Debezium property naming the registered connection. */
    public static final String GATEWAY_ID = "mosaic.state.gateway";
    /** Debezium property naming the stream whose state is kept (unique per replication stream). */
    public static final String STREAM = "mosaic.state.stream";
    public static final String OFFSETS_INDEX = "mosaic-offsets";
    public static final String HISTORY_INDEX = "mosaic-schema-history";

    private static final Map<String, ElasticsearchGateway> GATEWAYS = new ConcurrentHashMap<>();
    private static final Map<String, SourceLease> LEASES = new ConcurrentHashMap<>();

    private OffsetStores() {
    }

    /**
     * Names the replication stream whose position is kept: the same source name pointed at another
     * server, database, slot or replica id is another stream, with positions of its own.
     */
    public static String stream(SourceConfig s) {
        return s.name() + "@" + s.host() + ":" + s.port() + "/" + (s.type().isBinlog() ? "server-" + s.serverId() : s.database() + "/" + s.slot());
    }

    public static void register(String id, ElasticsearchGateway gateway) {
        GATEWAYS.put(id, gateway);
    }

    public static void unregister(String id) {
        GATEWAYS.remove(id);
    }

    /**
     * Makes the offset store of {@code stream} (under the connection {@code gatewayId}) write only while
     * {@code lease} is held, and only over positions of the same or an older lease epoch.
     */
    public static void registerLease(String gatewayId, String stream, SourceLease lease) {
        LEASES.put(gatewayId + " " + stream, lease);
    }

    public static void unregisterLease(String gatewayId, String stream) {
        LEASES.remove(gatewayId + " " + stream);
    }

    /** The lease that fences the offsets of a stream, or null when leases are off. */
    static SourceLease lease(String gatewayId, String stream) {
        return LEASES.get(gatewayId + " " + stream);
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
