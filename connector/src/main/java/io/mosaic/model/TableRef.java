package io.mosaic.model;

/**
 * A table of one source: {@code schema.table} on PostgreSQL, {@code database.table} on MySQL/MariaDB.
 * Its {@link #id()} is unique across sources and names the table in state, logs and metrics.
 */
public record TableRef(String source, String table) {

    public String id() {
        return source + "." + table;
    }

    /** The first part of {@link #table()}: the PostgreSQL schema or the MySQL database. */
    public String schema() {
        int dot = table.indexOf('.');
        return dot < 0 ? "" : table.substring(0, dot);
    }

    /** The table's own name without schema. */
    public String name() {
        int dot = table.indexOf('.');
        return dot < 0 ? table : table.substring(dot + 1);
    }

    @Override
    public String toString() {
        return id();
    }
}
