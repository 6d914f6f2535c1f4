package io.mosaic.source;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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

    /**
     * An incremental snapshot's notification, reduced to what Mosaic uses: no row value is in it (the
     * chunk's keys that IN_PROGRESS carries are dropped).
     *
     * @param signal      the id of the signal that asked for the snapshot (Debezium's correlation id), or null
     * @param table       the table a TABLE_SCAN_COMPLETED names, or the one an IN_PROGRESS reads
     * @param collections the tables a STARTED or IN_PROGRESS names (empty otherwise)
     * @param rowsScanned the rows Debezium read from {@code table}, in a TABLE_SCAN_COMPLETED; null otherwise
     */
    public record Event(String type, String table, String status, String signal, List<String> collections, Long rowsScanned) {
        public static final String IN_PROGRESS = "IN_PROGRESS";
        public static final String TABLE_SCAN_COMPLETED = "TABLE_SCAN_COMPLETED";
        public static final String COMPLETED = "COMPLETED";
        public static final String ABORTED = "ABORTED";
        public static final String STARTED = "STARTED";
        public static final String PAUSED = "PAUSED";
        public static final String RESUMED = "RESUMED";

        public Event(String type, String table, String status) {
            this(type, table, status, null, List.of(), null);
        }

        /** A table scan that read the table (or found it empty), as opposed to one Debezium skipped or failed. */
        public boolean scanned() {
            return TABLE_SCAN_COMPLETED.equals(type) && ("SUCCEEDED".equals(status) || "EMPTY".equals(status));
        }
    }

    private static final Map<String, List<Consumer<Event>>> LISTENERS = new ConcurrentHashMap<>();

    private String id;

    /** Adds a listener of the engine whose properties carry {@code id}; several may listen to one engine. */
    public static void register(String id, Consumer<Event> listener) {
        LISTENERS.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /** Removes every listener of {@code id}. */
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
        List<Consumer<Event>> ls = id == null ? null : LISTENERS.get(id);
        if (ls != null) {
            Map<String, String> data = n.getAdditionalData() == null ? Map.of() : n.getAdditionalData();
            String table = data.get("scanned_collection") != null ? data.get("scanned_collection") : data.get("current_collection_in_progress");
            List<String> collections = data.get("data_collections") == null || data.get("data_collections").isBlank() ? List.of()
                    : List.of(data.get("data_collections").split(","));
            Long rows = null;
            try {
                rows = data.get("total_rows_scanned") == null ? null : Long.valueOf(data.get("total_rows_scanned"));
            } catch (NumberFormatException e) {
                // not a count: leave it unknown
            }
            for (Consumer<Event> l : ls) {
                l.accept(new Event(n.getType(), table, data.get("status"), n.getId(), collections, rows));
            }
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
