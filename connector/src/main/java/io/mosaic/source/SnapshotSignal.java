package io.mosaic.source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.config.SourceConfig;

/**
 * Asks a source's running Debezium engine for an incremental snapshot of some of its tables, by
 * inserting an {@code execute-snapshot} signal into the source's signal table, where the engine reads
 * it from the log (Debezium's "source" signal channel). Whichever process streams the source picks it
 * up; the process that sends it need not be that one. The snapshot then reads the tables in chunks
 * between watermarks while streaming goes on, and its rows are written like any change.
 */
public final class SnapshotSignal {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotSignal() {
    }

    /** The signal's {@code data}: the tables, and the optional condition each of them is read with. */
    static String data(List<String> tables, String condition) throws Exception {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", "incremental");
        data.put("data-collections", tables);
        if (condition != null && !condition.isBlank()) {
            List<Map<String, Object>> conditions = new ArrayList<>();
            for (String t : tables) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("data-collection", t);
                c.put("filter", condition);
                conditions.add(c);
            }
            data.put("additional-conditions", conditions);
        }
        return JSON.writeValueAsString(data);
    }

    /**
     * Inserts the signal; returns its id. Needs INSERT on the signal table for the source's user.
     *
     * @param tables  qualified table names as in the mapping ({@code public.employees}, {@code labor.contracts})
     * @param condition a SQL condition on those tables' columns, such as {@code id > 1000}, or null for all rows
     */
    public static String send(SourceConfig source, List<String> tables, String condition) throws Exception {
        if (source.signalTable() == null) {
            throw new IllegalStateException("source " + source.name() + " has no signal_table: add sources." + source.name()
                    + ".signal_table to the config (docs/OPERATIONS.md shows the table to create), and restart mosaic run");
        }
        String id = UUID.randomUUID().toString();
        try (Connection c = SourceProbe.connect(source);
             PreparedStatement s = c.prepareStatement("INSERT INTO " + source.signalTable() + " (id, type, data) VALUES (?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, "execute-snapshot");
            s.setString(3, data(tables, condition));
            s.executeUpdate();
        }
        return id;
    }
}
