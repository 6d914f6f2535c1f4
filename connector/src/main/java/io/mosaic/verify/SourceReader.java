package io.mosaic.verify;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.mosaic.config.SourceConfig;
import io.mosaic.mapping.KeyColumns;
import io.mosaic.mapping.Keys;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.ColumnKind;
import io.mosaic.model.TableInfo;
import io.mosaic.model.TableRef;
import io.mosaic.source.SourceInspector;
import io.mosaic.source.SourceProbe;

/**
 * Reads the sources' current rows for verify with plain JDBC: only the mapped columns of each table
 * ({@link MappingSet#columns}), never an unmapped (possibly sensitive) one, each value converted to what
 * Debezium's events give the writer ({@link io.mosaic.source.ConnectValues}), so that the writer's own
 * projection assembles the expected document from them.
 *
 * <p>Between {@link #begin} and {@link #end}, every read of one source sees one consistent snapshot:
 * PostgreSQL in a {@code REPEATABLE READ READ ONLY} transaction, MySQL/MariaDB after
 * {@code START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY}. Both are MVCC reads that take no lock a
 * writer waits for, so streaming goes on; verify keeps each snapshot to one range of documents, so that
 * it never holds back PostgreSQL's vacuum or InnoDB's purge for long.
 */
final class SourceReader implements AutoCloseable {

    /** Values per {@code IN (...)} list. */
    static final int IN_LIST = 500;

    private final Map<String, SourceConfig> sources;
    private final MappingSet mappings;
    private final RowRate rate;
    private final Map<String, Connection> connections = new HashMap<>();
    private final Set<String> inTransaction = new LinkedHashSet<>();
    private final Map<String, ColumnKind> kinds = new HashMap<>();

    SourceReader(Map<String, SourceConfig> sources, MappingSet mappings, RowRate rate) {
        this.sources = sources;
        this.mappings = mappings;
        this.rate = rate;
    }

    /** Starts a range: each source's next read opens its snapshot, which the range's reads share. */
    void begin() throws SQLException {
        end();
    }

    /** Ends the range's snapshots. */
    void end() throws SQLException {
        for (String source : inTransaction) {
            Connection c = connections.get(source);
            if (binlog(source)) {
                try (Statement s = c.createStatement()) {
                    s.execute("COMMIT");
                }
            } else {
                c.commit();
            }
        }
        inTransaction.clear();
    }

    private boolean binlog(String source) {
        return config(source).type().isBinlog();
    }

    private SourceConfig config(String source) {
        SourceConfig s = sources.get(source);
        if (s == null) {
            throw new IllegalStateException("the mapping reads source '" + source + "', which the configuration does not have");
        }
        return s;
    }

    private Connection connection(String source) throws SQLException {
        Connection c = connections.get(source);
        if (c == null) {
            SourceConfig s = config(source);
            c = SourceProbe.connect(s);
            if (s.type().isBinlog()) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                }
            } else {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
            }
            connections.put(source, c);
        }
        if (inTransaction.add(source) && binlog(source)) {
            try (Statement st = c.createStatement()) {
                st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
            }
        }
        return c;
    }

    private String quote(String source, String identifier) {
        return binlog(source) ? "`" + identifier.replace("`", "``") + "`" : "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private String tableName(TableRef t) {
        return quote(t.source(), t.schema()) + "." + quote(t.source(), t.name());
    }

    private String columnList(TableRef t) {
        List<String> cols = new ArrayList<>();
        mappings.columns(t.id()).forEach(c -> cols.add(quote(t.source(), c)));
        return String.join(", ", cols);
    }

    /**
     * Up to {@code limit} rows of {@code table} after the row {@code after} (null: from the start) in {@code key}
     * order; a composite key pages by its columns together, {@code (a, b) > (?, ?)}, which both PostgreSQL and
     * MariaDB/MySQL compare as a row.
     */
    List<Map<String, Object>> page(TableRef table, KeyColumns key, Map<String, Object> after, int limit) throws Exception {
        List<String> cols = key.columns().stream().map(c -> quote(table.source(), c)).toList();
        String row = cols.size() == 1 ? cols.get(0) : "(" + String.join(", ", cols) + ")";
        String params = cols.size() == 1 ? "?" : "(" + String.join(", ", java.util.Collections.nCopies(cols.size(), "?")) + ")";
        String sql = "SELECT " + columnList(table) + " FROM " + tableName(table)
                + (after == null ? "" : " WHERE " + row + " > " + params)
                + " ORDER BY " + String.join(", ", cols) + " LIMIT " + limit;
        try (PreparedStatement ps = connection(table.source()).prepareStatement(sql)) {
            if (after != null) {
                for (int i = 0; i < key.size(); i++) {
                    ps.setObject(i + 1, after.get(key.columns().get(i)));
                }
            }
            return read(table, ps);
        }
    }

    /**
     * The rows of {@code table} whose {@code columns} hold one of {@code values} (key texts, see {@link Keys}, each
     * part converted to its column's type): {@code c IN (...)} for one column, {@code (a = ? AND b = ?) OR ...}
     * for several.
     */
    List<Map<String, Object>> rowsWhere(TableRef table, KeyColumns columns, Collection<String> values) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> all = bindable(table, columns, values);
        for (int from = 0; from < all.size(); from += IN_LIST) {
            List<String> chunk = all.subList(from, Math.min(from + IN_LIST, all.size()));
            String sql = "SELECT " + columnList(table) + " FROM " + tableName(table) + " WHERE " + matching(table, columns, chunk.size());
            try (PreparedStatement ps = connection(table.source()).prepareStatement(sql)) {
                bindAll(ps, table, columns, chunk);
                out.addAll(read(table, ps));
            }
        }
        return out;
    }

    /** Of {@code values} (key texts), those that {@code columns} of {@code table} hold. */
    Set<String> existing(TableRef table, KeyColumns columns, Collection<String> values) throws Exception {
        Set<String> out = new LinkedHashSet<>();
        List<String> all = bindable(table, columns, values);
        for (int from = 0; from < all.size(); from += IN_LIST) {
            List<String> chunk = all.subList(from, Math.min(from + IN_LIST, all.size()));
            String sql = "SELECT " + selectKey(table, columns) + " FROM " + tableName(table) + " WHERE " + matching(table, columns, chunk.size());
            try (PreparedStatement ps = connection(table.source()).prepareStatement(sql)) {
                bindAll(ps, table, columns, chunk);
                try (ResultSet r = ps.executeQuery()) {
                    int n = 0;
                    while (r.next()) {
                        out.add(key(table, columns, r));
                        n++;
                    }
                    rate.read(n);
                }
            }
        }
        return out;
    }

    /** The keys of {@code n} rows of {@code table} picked at random (only the key columns are read). */
    List<String> randomKeys(TableRef table, KeyColumns key, int n) throws Exception {
        String sql = "SELECT " + selectKey(table, key) + " FROM " + tableName(table) + " ORDER BY "
                + (binlog(table.source()) ? "RAND()" : "random()") + " LIMIT " + n;
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = connection(table.source()).prepareStatement(sql); ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                out.add(key(table, key, r));
            }
        }
        rate.read(out.size());
        return out;
    }

    private String selectKey(TableRef table, KeyColumns columns) {
        return String.join(", ", columns.columns().stream().map(c -> quote(table.source(), c)).toList());
    }

    /** The key text of the current result row, whose first columns are the key's. */
    private String key(TableRef table, KeyColumns columns, ResultSet r) throws SQLException {
        List<Object> parts = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            parts.add(value(table.source(), r, i + 1));
        }
        return Keys.of(parts);
    }

    /** The condition that a row has one of {@code n} keys of {@code columns}, with a parameter per key part. */
    private String matching(TableRef table, KeyColumns columns, int n) {
        if (!columns.composite()) {
            return quote(table.source(), columns.first()) + " IN (" + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
        }
        String one = "(" + String.join(" AND ", columns.columns().stream().map(c -> quote(table.source(), c) + " = ?").toList()) + ")";
        return String.join(" OR ", java.util.Collections.nCopies(n, one));
    }

    private void bindAll(PreparedStatement ps, TableRef table, KeyColumns columns, List<String> keys) throws Exception {
        int i = 1;
        for (String k : keys) {
            List<String> parts = Keys.parts(k, columns.size());
            for (int p = 0; p < columns.size(); p++) {
                ps.setObject(i++, bind(table, columns.columns().get(p), parts.get(p)));
            }
        }
    }

    private List<Map<String, Object>> read(TableRef table, PreparedStatement ps) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> cols = new ArrayList<>(mappings.columns(table.id()));
        try (ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < cols.size(); i++) {
                    row.put(cols.get(i), value(table.source(), r, i + 1));
                }
                out.add(row);
            }
        }
        rate.read(out.size());
        return out;
    }

    /**
     * A column value as Debezium's event carries it to the writer (see {@link io.mosaic.source.ConnectValues}):
     * dates as YYYY-MM-DD, timestamps ISO-8601 (UTC with Z when the column has a zone), decimals exact,
     * bytes base64, MySQL's TINYINT as a number.
     */
    private Object value(String source, ResultSet r, int i) throws SQLException {
        ResultSetMetaData md = r.getMetaData();
        int type = md.getColumnType(i);
        String typeName = md.getColumnTypeName(i) == null ? "" : md.getColumnTypeName(i).toLowerCase(Locale.ROOT);
        switch (type) {
            case Types.DATE -> {
                java.sql.Date d = r.getDate(i);
                return d == null ? null : d.toLocalDate().toString();
            }
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> {
                java.sql.Timestamp t = r.getTimestamp(i);
                if (t == null) {
                    return null;
                }
                if (type == Types.TIMESTAMP_WITH_TIMEZONE || typeName.equals("timestamptz") || typeName.equals("timestamp")
                        && binlog(source)) {
                    return t.toInstant().toString();
                }
                return t.toLocalDateTime().toString();
            }
            case Types.TIME -> {
                java.sql.Time t = r.getTime(i);
                return t == null ? null : t.toLocalTime().toString();
            }
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                byte[] b = r.getBytes(i);
                return b == null ? null : Base64.getEncoder().encodeToString(b);
            }
            case Types.TINYINT, Types.SMALLINT -> {
                int v = r.getInt(i);
                return r.wasNull() ? null : (Object) (short) v;
            }
            case Types.BIT, Types.BOOLEAN -> {
                if (binlog(source) && typeName.startsWith("tinyint")) {
                    int v = r.getInt(i);
                    return r.wasNull() ? null : (Object) (short) v;
                }
                boolean v = r.getBoolean(i);
                return r.wasNull() ? null : v;
            }
            default -> {
                Object v = r.getObject(i);
                if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
                    return v;
                }
                return v.toString(); // uuid, json, enums and other types Debezium sends as text
            }
        }
    }

    /**
     * The distinct key texts that can be keys of the columns (a document id "abc" cannot be a bigint key, nor "7" a
     * key of two columns: no row has it).
     */
    private List<String> bindable(TableRef table, KeyColumns columns, Collection<String> values) throws Exception {
        List<String> out = new ArrayList<>();
        for (String v : new LinkedHashSet<>(values)) {
            try {
                List<String> parts = Keys.parts(v, columns.size());
                for (int p = 0; p < columns.size(); p++) {
                    bind(table, columns.columns().get(p), parts.get(p));
                }
                out.add(v);
            } catch (IllegalArgumentException e) {
                // not a value of this column's type, or not as many parts as the key has columns
            }
        }
        return out;
    }

    /** A key text as a value of the column's type, so that the database can use its index. */
    private Object bind(TableRef table, String column, String text) throws Exception {
        String id = table.id() + "." + column;
        ColumnKind kind = kinds.get(id);
        if (kind == null) {
            Map<String, TableInfo> info = new SourceInspector(config(table.source())).tables(connection(table.source()), List.of(table));
            TableInfo t = info.get(table.id());
            if (t == null) {
                throw new IllegalStateException("table " + table.id() + " does not exist in source '" + table.source() + "'");
            }
            kind = t.kind(column) == null ? ColumnKind.TEXT : t.kind(column);
            kinds.put(id, kind);
        }
        return switch (kind) {
            case INTEGER -> Long.parseLong(text);
            case DECIMAL, FLOAT -> new BigDecimal(text);
            default -> text;
        };
    }

    @Override
    public void close() {
        try {
            end();
        } catch (SQLException e) {
            // the connections are closed below; an open snapshot goes with them
        }
        for (Connection c : connections.values()) {
            try {
                c.close();
            } catch (SQLException e) {
                // nothing left to release
            }
        }
        connections.clear();
    }
}
