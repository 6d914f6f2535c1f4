package io.mosaic.source;

import io.mosaic.model.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.config.Problems;
import io.mosaic.config.SourceConfig;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.TableRef;

/**
 * Reads a live source's catalog for the mapped tables, and checks the source's replication settings:
 * PostgreSQL's {@code wal_level}, replica identities and publication (which it creates when missing,
 * {@link #ensurePublication}), MySQL/MariaDB's binlog format and row image.
 */
public final class SourceInspector {

    private static final Logger LOG = LoggerFactory.getLogger(SourceInspector.class);

    private final SourceConfig source;

    public SourceInspector(SourceConfig source) {
        this.source = source;
    }

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

    /** Describes the given tables; a table that does not exist is absent from the result. */
    public Map<String, TableInfo> tables(Connection c, List<TableRef> tables) throws SQLException {
        Map<String, TableInfo> out = new LinkedHashMap<>();
        for (TableRef t : tables) {
            Map<String, String> columns = new LinkedHashMap<>();
            // PostgreSQL: the catalog, not information_schema, which hides the tables a user may not read yet
            try (PreparedStatement ps = c.prepareStatement(source.type().isBinlog()
                    ? "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position"
                    : "SELECT a.attname, CASE WHEN t.typtype = 'd' THEN b.typname ELSE t.typname END FROM pg_attribute a "
                            + "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                            + "JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type b ON b.oid = t.typbasetype "
                            + "WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
                            + "ORDER BY a.attnum")) {
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
            Set<String> notNull = new LinkedHashSet<>();
            try (PreparedStatement ps = c.prepareStatement(source.type().isBinlog()
                    ? "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND is_nullable = 'NO'"
                    : "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                            + "WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull")) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        notNull.add(r.getString(1));
                    }
                }
            }
            if (source.type().isBinlog()) {
                out.put(t.id(), new TableInfo(columns, pk, null, List.of(), notNull));
                continue;
            }
            String identity = null;
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
            List<String> identityColumns = switch (identity == null ? "" : identity) {
                case "d" -> List.copyOf(pk);
                case "f" -> new ArrayList<>(columns.keySet());
                case "i" -> identityIndexColumns(c, t);
                default -> List.of();
            };
            out.put(t.id(), new TableInfo(columns, pk, identity, identityColumns, notNull));
        }
        return out;
    }

    /** The columns of the index a table's {@code REPLICA IDENTITY USING INDEX} names. */
    private static List<String> identityIndexColumns(Connection c, TableRef t) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
                        + "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
                        + "WHERE n.nspname = ? AND c.relname = ? AND i.indisreplident ORDER BY k.ord")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
        }
        return out;
    }

    /** PostgreSQL's {@code server_version_num} (150018 for 15.18); 0 for MySQL/MariaDB. */
    public int serverVersion(Connection c) throws SQLException {
        if (source.type().isBinlog()) {
            return 0;
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW server_version_num")) {
            r.next();
            return Integer.parseInt(r.getString(1).trim());
        }
    }

    /** The source's setup as SQL for a DBA ({@link SourceSetup#script}), read from the live catalog. */
    public List<String> setupSql(Connection c, MappingSet mappings) throws SQLException {
        Map<String, TableInfo> found = tables(c, mappings.tables(source.name()));
        boolean exists = !source.type().isBinlog() && publication(c, serverVersion(c)) != null;
        return new SourceSetup(source, mappings, found, serverVersion(c)).script(exists);
    }

    /**
     * The publication as it is: null when it does not exist; {@code "*"} mapped to null for FOR ALL TABLES;
     * otherwise each published table ({@code schema.table}) with its published columns (null before 15,
     * where a published table always carries every column).
     */
    Map<String, Set<String>> publication(Connection c, int serverVersion) throws SQLException {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT puballtables FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, source.publication());
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                if (r.getBoolean(1)) {
                    out.put(ALL_TABLES, null);
                    return out;
                }
            }
        }
        boolean lists = serverVersion >= SourceSetup.COLUMN_LISTS_SINCE;
        try (PreparedStatement ps = c.prepareStatement("SELECT schemaname || '.' || tablename" + (lists ? ", attnames" : "")
                + " FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, source.publication());
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    Set<String> columns = null;
                    if (lists) {
                        columns = new TreeSet<>();
                        for (Object a : (Object[]) r.getArray(2).getArray()) {
                            columns.add(a.toString());
                        }
                    }
                    out.put(r.getString(1), columns);
                }
            }
        }
        return out;
    }

    static final String ALL_TABLES = "*";

    /**
     * Creates the publication the mappings need when it does not exist yet (PostgreSQL), with column
     * lists on 15 and later. An existing one is never changed here: {@link #checkReplication} reports
     * one that differs, with the statement that fixes it. Needs CREATE on the database and ownership of
     * the tables; without them {@link #checkReplication} has already named the SQL for a DBA.
     */
    public void ensurePublication(Connection c, MappingSet mappings) throws SQLException {
        if (source.type().isBinlog()) {
            return;
        }
        int version = serverVersion(c);
        if (publication(c, version) != null) {
            return;
        }
        SourceSetup setup = new SourceSetup(source, mappings, tables(c, mappings.tables(source.name())), version);
        try (Statement s = c.createStatement()) {
            s.execute(setup.createPublication());
        } catch (SQLException e) {
            if ("42710".equals(e.getSQLState())) {
                return; // duplicate_object: another Mosaic process created it meanwhile
            }
            throw e;
        }
        LOG.info("source {}: created publication {}: {}", source.name(), source.publication(), setup.publicationTables());
        setup.gapColumns().forEach((t, extra) -> LOG.warn("source {}: publication {} also carries {} of {}, which no mapping reads, "
                + "because the source has a signal_table: Debezium's incremental snapshots need column lists without holes "
                + "(docs/OPERATIONS.md, on-demand backfill)", source.name(), source.publication(), extra, t.table()));
        setup.publicationColumns().forEach((t, columns) -> {
            if (columns == null) {
                LOG.warn("source {}: publication {} carries every column of {} ({}); see 'mosaic validate' for the replica identity "
                        + "that keeps unmapped columns in the database", source.name(), source.publication(), t.table(),
                        setup.columnLists() ? "its REPLICA IDENTITY is FULL" : "PostgreSQL before 15 has no column lists");
            }
        });
    }

    /**
     * Why the stored position can no longer be streamed from, or null when it can: the replication slot
     * was dropped, lost its WAL or has moved past the position (PostgreSQL), the binlog file was purged
     * (MySQL/MariaDB).
     *
     * <p>A slot past the position is what Debezium refuses at start ("last recorded offset is no longer
     * available"), after its own check: the slot's {@code restart_lsn} after the stored {@code lsn_proc},
     * outside a snapshot still running (which Debezium takes again from the start). Debezium checks nothing
     * when the position has no {@code lsn_proc}, as right after a snapshot, before the first streamed change:
     * a slot created again then went unnoticed, and the changes in between were silently skipped
     * (ResnapshotIT). This check compares the position's {@code lsn} then. Mosaic itself never
     * confirms a position to the slot before it is stored (see {@code ElasticsearchOffsetStore}), so this
     * means the slot was created again, or the positions were restored from an older Elasticsearch snapshot:
     * the changes in between are gone either way.
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
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT wal_status, (restart_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, source.slot());
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next()) {
                    return "the replication slot " + source.slot() + " no longer exists (Mosaic has a position for it)";
                }
                if ("lost".equals(r.getString(1))) {
                    return "the WAL that replication slot " + source.slot() + " needs was removed (max_slot_wal_keep_size)";
                }
                long restart = r.getLong(2);
                boolean noRestart = r.wasNull();
                Long stored = streamedLsn(offset);
                if (!noRestart && stored != null && Long.compareUnsigned(restart, stored) > 0) {
                    return "the replication slot " + source.slot() + " has moved past Mosaic's last position (its restart_lsn "
                            + SourcePosition.formatLsn(restart) + " is after the stored " + SourcePosition.formatLsn(stored)
                            + "): it was created again, or Mosaic's "
                            + "positions were restored from an older Elasticsearch snapshot";
                }
            }
        }
        return null;
    }

    /**
     * The stored LSN the slot must not be past: {@code lsn_proc}, which Debezium checks, or else {@code lsn} (the
     * end of a snapshot); null during a snapshot still running, or with neither.
     */
    static Long streamedLsn(Map<String, Object> offset) {
        boolean snapshotRunning = offset.get("snapshot") != null && !Boolean.TRUE.equals(offset.get("snapshot_completed"));
        if (snapshotRunning) {
            return null;
        }
        Object lsn = offset.get("lsn_proc") != null ? offset.get("lsn_proc") : offset.get("lsn");
        return lsn instanceof Number n ? n.longValue() : null;
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

    /**
     * Problems with the source's replication settings, each with what to do: the binlog's format
     * (MySQL/MariaDB); wal_level, the user's REPLICATION, each child table's replica identity and the
     * publication's tables and columns against what the mappings need (PostgreSQL).
     *
     * @param found the mapped tables that exist, as {@link #tables} read them
     */
    public void checkReplication(Connection c, MappingSet mappings, Map<String, TableInfo> found, String location, Problems problems)
            throws SQLException {
        List<TableRef> tables = mappings.tables(source.name()).stream().filter(t -> found.containsKey(t.id())).toList();
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
        int version = serverVersion(c);
        SourceSetup setup = new SourceSetup(source, mappings, found, version);
        try (PreparedStatement ps = c.prepareStatement("SELECT has_schema_privilege(?, 'USAGE') AND has_table_privilege(?, 'SELECT')")) {
            for (TableRef t : tables) {
                ps.setString(1, t.schema());
                ps.setString(2, SourceSetup.table(t));
                try (ResultSet r = ps.executeQuery()) {
                    if (r.next() && !r.getBoolean(1)) {
                        problems.add(location, where + ": user " + source.user() + " may not read " + t.table() + "; GRANT USAGE ON SCHEMA "
                                + SourceSetup.ident(t.schema()) + " TO " + SourceSetup.ident(source.user()) + "; GRANT SELECT ON "
                                + SourceSetup.table(t) + " TO " + SourceSetup.ident(source.user()));
                    }
                }
            }
        }
        for (TableRef t : tables) {
            List<String> identity = setup.replicaIdentity(t);
            TableInfo info = found.get(t.id());
            if (identity.isEmpty() || info == null || "f".equals(info.replicaIdentity())) {
                continue; // FULL works: only the whole-table publication (a warning at creation) and validate's script say more
            }
            if ("n".equals(info.replicaIdentity()) && !isChild(mappings, t)) {
                problems.add(location, where + ": table " + t.table() + " has REPLICA IDENTITY NOTHING: PostgreSQL refuses its UPDATEs "
                        + "and DELETEs once it is published; run " + String.join(" ", identity));
            } else {
                problems.add(location, where + ": child table " + t.table() + " has REPLICA IDENTITY " + identityName(info.replicaIdentity())
                        + ": its deletes would not say which document they leave; run " + String.join(" ", identity)
                        + " (FULL works too, but puts every column of the table, unmapped ones included, in the replication stream)");
            }
        }
        Map<String, Set<String>> published = publication(c, version);
        if (published == null) {
            String missing = creationPrivilegeMissing(c, tables);
            if (missing != null) {
                problems.add(location, where + ": publication " + source.publication() + " does not exist, and user " + source.user()
                        + " cannot create it (" + missing + "); have its owner run " + setup.createPublication()
                        + " ('mosaic validate' prints the whole setup)");
            }
            return;
        }
        if (published.containsKey(ALL_TABLES)) {
            if (setup.columnLists()) {
                problems.add(location, where + ": publication " + source.publication() + " is FOR ALL TABLES, so every column of every "
                        + "table leaves the database; publish only what the mappings read: DROP PUBLICATION " + SourceSetup.ident(source.publication())
                        + "; " + setup.createPublication() + " (with Mosaic stopped)");
            }
            return;
        }
        Map<TableRef, List<String>> needed = setup.publicationColumns();
        List<String> differences = new ArrayList<>();
        for (TableRef t : tables) {
            if (!published.containsKey(t.table())) {
                differences.add(t.table() + " is not in it (if it was dropped and created again while Mosaic ran, its rows written "
                        + "since were not published: start with --resnapshot " + source.name() + " as well)");
                continue;
            }
            Set<String> has = published.get(t.table());
            List<String> want = needed.get(t);
            if (has == null) {
                continue; // before 15: a published table carries every column
            }
            Set<String> wanted = new TreeSet<>(want == null ? found.get(t.id()).columns().keySet() : want);
            Set<String> lacking = new TreeSet<>(wanted);
            lacking.removeAll(has);
            Set<String> extra = new TreeSet<>(has);
            extra.removeAll(wanted);
            if (!lacking.isEmpty()) {
                differences.add(t.table() + " lacks " + lacking + " (the mappings read them, or its replica identity needs them)");
            }
            if (!extra.isEmpty()) {
                differences.add(t.table() + " also carries " + extra + ", which no mapping reads (they leave the database for nothing)");
            }
        }
        if (source.signalTable() != null && !published.containsKey(source.signalTable())) {
            differences.add("the signal table " + source.signalTable() + " is not in it (mosaic snapshot needs it)");
        }
        if (!differences.isEmpty()) {
            problems.add(location, where + ": publication " + source.publication() + " differs from what the mappings need: "
                    + String.join("; ", differences) + ". Run " + setup.alterPublication());
        }
    }

    private static boolean isChild(MappingSet mappings, TableRef t) {
        return mappings.roles(t.id()).stream().anyMatch(r -> r instanceof io.mosaic.mapping.TableRole.Child);
    }

    /** What keeps the user from creating the publication (CREATE on the database, ownership of the tables), or null. */
    private String creationPrivilegeMissing(Connection c, List<TableRef> tables) throws SQLException {
        List<String> missing = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT rolsuper, has_database_privilege(current_database(), 'CREATE') FROM pg_roles WHERE rolname = current_user")) {
            if (r.next()) {
                if (r.getBoolean(1)) {
                    return null;
                }
                if (!r.getBoolean(2)) {
                    missing.add("CREATE on database " + source.database());
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_has_role(c.relowner, 'USAGE') FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
            for (TableRef t : tables) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                try (ResultSet r = ps.executeQuery()) {
                    if (r.next() && !r.getBoolean(1)) {
                        missing.add("ownership of " + t.table());
                    }
                }
            }
        }
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    private static String identityName(String code) {
        return switch (code == null ? "" : code) {
            case "d" -> "DEFAULT";
            case "n" -> "NOTHING";
            case "i" -> "USING INDEX (an index without the parent column)";
            case "f" -> "FULL";
            default -> "unknown";
        };
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
