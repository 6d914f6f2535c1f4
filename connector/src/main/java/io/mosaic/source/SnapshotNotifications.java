package io.mosaic.source;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.pipeline.notification.Notification;
import io.debezium.pipeline.notification.channels.NotificationChannel;

/**
 * Debezium's notifications about a source's incremental snapshots (started, a table scanned, completed,
 * aborted), handed to the Mosaic runner of that source. Debezium instantiates notification channels by
 * name through {@link java.util.ServiceLoader} ({@code notification.enabled.channels=mosaic}); as with
 * the offset store, only an opaque id travels through the properties ({@link #ID}), and the listener is
 * registered here under it. Notifications about the initial snapshot and anything else are dropped.
 */
public final class SnapshotNotifications implements NotificationChannel {

    /** The channel's name in {@code notification.enabled.channels}. */
    public static final String NAME = "mosaic";
    /** Debezium property naming the registered listener. */
    public static final String ID = "mosaic.notifications.id";

    /** An incremental snapshot's notification, reduced to what Mosaic uses: no row value is in it. */
    public record Event(String type, String table, String status) {
        public static final String TABLE_SCAN_COMPLETED = "TABLE_SCAN_COMPLETED";
        public static final String COMPLETED = "COMPLETED";
        public static final String ABORTED = "ABORTED";
        public static final String STARTED = "STARTED";

        /** A table scan that read the table (or found it empty), as opposed to one Debezium skipped or failed. */
        public boolean scanned() {
            return TABLE_SCAN_COMPLETED.equals(type) && ("SUCCEEDED".equals(status) || "EMPTY".equals(status));
        }
    }

    private static final Map<String, Consumer<Event>> LISTENERS = new ConcurrentHashMap<>();

    private String id;

    public static void register(String id, Consumer<Event> listener) {
        LISTENERS.put(id, listener);
    }

    public static void unregister(String id) {
        LISTENERS.remove(id);
    }

    @Override
    public void init(CommonConnectorConfig config) {
        id = config.getConfig().getString(ID);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void send(Notification n) {
        if (!"Incremental Snapshot".equals(n.getAggregateType())) {
            return;
        }
        Consumer<Event> l = id == null ? null : LISTENERS.get(id);
        if (l != null) {
            Map<String, String> data = n.getAdditionalData() == null ? Map.of() : n.getAdditionalData();
            l.accept(new Event(n.getType(), data.get("scanned_collection"), data.get("status")));
        }
    }

    @Override
    public void close() {
    }

    /** Whether Debezium's notification names {@code table} as the mapping does: {@code public.employees} or {@code db.public.employees}. */
    public static boolean sameTable(String notified, String table) {
        return notified != null && (notified.equals(table) || notified.endsWith("." + table));
    }
}
