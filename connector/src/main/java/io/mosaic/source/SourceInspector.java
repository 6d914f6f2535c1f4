package io.mosaic.source;

import io.mosaic.model.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.mosaic.config.Problems;
import io.mosaic.config.SourceConfig;
import io.mosaic.model.TableRef;

/**
 * Reads a live source's catalog for the mapped tables, and checks the source's replication settings:
 * PostgreSQL's {@code wal_level} and publication, MySQL/MariaDB's binlog format and row image.
 */
public final class SourceInspector {

    private final SourceConfig source;

    public SourceInspector(SourceConfig source) {
        this.source = source;
    }

    /** Describes the given tables; a table that does not exist is absent from the result. */
    /** Every base table of the source outside the system schemas, as {@code schema.table} (database.table on MySQL/MariaDB). */
    public List<String> tableNames(Connection c) throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                + "AND table_schema NOT IN ('pg_catalog', 'information_schema', 'mysql', 'performance_schema', 'sys') ORDER BY 1, 2");
             java.sql.ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1) + "." + rs.getString(2));
            }
        }
        return out;
    }

    public Map<String, TableInfo> tables(Connection c, List<TableRef> tables) throws SQLException {
        Map<String, TableInfo> out = new LinkedHashMap<>();
        for (TableRef t : tables) {
            Map<String, String> columns = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(source.type().isBinlog()
                    ? "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position"
                    : "SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        columns.put(r.getString(1), r.getString(2));
                    }
                }
            }
            if (columns.isEmpty()) {
                continue;
            }
            List<String> pk = new ArrayList<>();
            try (ResultSet r = c.getMetaData().getPrimaryKeys(source.type().isBinlog() ? t.schema() : null,
                    source.type().isBinlog() ? null : t.schema(), t.name())) {
                while (r.next()) {
                    pk.add(r.getString("COLUMN_NAME"));
                }
            }
            String identity = null;
            if (!source.type().isBinlog()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
                    ps.setString(1, t.schema());
                    ps.setString(2, t.name());
                    try (ResultSet r = ps.executeQuery()) {
                        if (r.next()) {
                            identity = r.getString(1);
                        }
                    }
                }
            }
            out.put(t.id(), new TableInfo(columns, pk, identity));
        }
        return out;
    }

    /**
     * Why the stored position can no longer be streamed from, or null when it can: the replication slot
     * was dropped or lost its WAL (PostgreSQL), the binlog file was purged (MySQL/MariaDB).
     */
    public String lostPosition(Connection c, Map<String, Object> offset) throws SQLException {
        if (source.type().isBinlog()) {
            Object file = offset.get("file");
            if (file == null) {
                return null;
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW BINARY LOGS")) {
                while (r.next()) {
                    if (file.equals(r.getString(1))) {
                        return null;
                    }
                }
            }
            return "the binlog file " + file + " of Mosaic's last position was purged from the server";
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, source.slot());
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next()) {
                    return "the replication slot " + source.slot() + " no longer exists (Mosaic has a position for it)";
                }
                if ("lost".equals(r.getString(1))) {
                    return "the WAL that replication slot " + source.slot() + " needs was removed (max_slot_wal_keep_size)";
                }
            }
        }
        return null;
    }

    /** Drops this source's replication slot (PostgreSQL), so that a new snapshot starts from a new one. */
    public void dropSlot(Connection c) throws SQLException {
        if (source.type().isBinlog()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
            ps.setString(1, source.slot());
            ps.execute();
        }
    }

    /** Problems with the source's replication settings, each with what to do. */
    public void checkReplication(Connection c, List<TableRef> tables, String location, Problems problems) throws SQLException {
        String where = "source '" + source.name() + "' (" + source.describe() + ")";
        if (source.type().isBinlog()) {
            Map<String, String> vars = new LinkedHashMap<>();
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'binlog_row_image')")) {
                while (r.next()) {
                    vars.put(r.getString(1).toLowerCase(), r.getString(2));
                }
            }
            if (!"ON".equalsIgnoreCase(vars.get("log_bin")) && !"1".equals(vars.get("log_bin"))) {
                problems.add(location, where + ": the binary log is off; start the server with log-bin (and binlog_format=ROW, binlog_row_image=FULL)");
            }
            if (!"ROW".equalsIgnoreCase(vars.get("binlog_format"))) {
                problems.add(location, where + ": binlog_format is " + vars.get("binlog_format")
                        + "; Mosaic needs ROW: SET GLOBAL binlog_format = 'ROW' and binlog_format=ROW in the server's config");
            }
            if (vars.containsKey("binlog_row_image") && !"FULL".equalsIgnoreCase(vars.get("binlog_row_image"))) {
                problems.add(location, where + ": binlog_row_image is " + vars.get("binlog_row_image")
                        + "; Mosaic needs FULL (deletes and updates must carry the parent key): SET GLOBAL binlog_row_image = 'FULL'");
            }
            return;
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW wal_level")) {
            if (r.next() && !"logical".equals(r.getString(1))) {
                problems.add(location, where + ": wal_level is " + r.getString(1)
                        + "; set wal_level = logical in postgresql.conf and restart PostgreSQL");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user");
             ResultSet r = ps.executeQuery()) {
            if (r.next() && !r.getBoolean(1)) {
                problems.add(location, where + ": user " + source.user() + " may not replicate; ALTER ROLE " + source.user() + " REPLICATION");
            }
        }
        Set<String> published = published(c);
        if (published != null) {
            for (String missing : missingFromPublication(published, tables)) {
                problems.add(location, where + ": publication " + source.publication() + " does not include " + missing
                        + "; ALTER PUBLICATION " + source.publication() + " ADD TABLE " + missing
                        + " (or drop the publication and Mosaic creates it). If the table was dropped and created again while Mosaic ran, "
                        + "its rows written since were not published: start with --resnapshot " + source.name() + " as well");
            }
        }
    }

    /**
     * The tables of the source's publication ({@code schema.table}), or null when it publishes all
     * tables or does not exist yet (Mosaic creates it with the mapped tables).
     */
    public Set<String> published(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT puballtables FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, source.publication());
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next() || r.getBoolean(1)) {
                    return null;
                }
            }
        }
        Set<String> published = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, source.publication());
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    published.add(r.getString(1));
                }
            }
        }
        return published;
    }

    /** The mapped tables ({@code schema.table}) a publication's table list lacks. */
    public static List<String> missingFromPublication(Set<String> published, List<TableRef> tables) {
        return tables.stream().map(TableRef::table).filter(t -> !published.contains(t)).toList();
    }
}
