package io.mosaic.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Mosaic needs to know about a source table to check a mapping and its publication: its columns
 * with their types, its primary key, and (PostgreSQL) its replica identity, the columns that identity
 * puts in the old row of an update or delete, and which columns are NOT NULL.
 *
 * @param columns column name to database type name, in the table's column order
 * @param replicaIdentity PostgreSQL's {@code relreplident}: d (default), f (full), i (index), n (nothing); null elsewhere
 * @param identityColumns the columns a delete carries under that replica identity (the primary key for d, the
 *                        index's columns for i, every column for f, none for n); empty elsewhere
 * @param notNull the columns declared NOT NULL (a replica identity index may only cover such columns)
 */
public record TableInfo(Map<String, String> columns, List<String> primaryKey, String replicaIdentity,
                        List<String> identityColumns, Set<String> notNull) {

    /** A table whose replica identity columns follow from its code (d: the primary key, f: every column). */
    public TableInfo(Map<String, String> columns, List<String> primaryKey, String replicaIdentity) {
        this(columns, primaryKey, replicaIdentity, defaultIdentity(columns, primaryKey, replicaIdentity), Set.copyOf(primaryKey));
    }

    private static List<String> defaultIdentity(Map<String, String> columns, List<String> primaryKey, String replicaIdentity) {
        if (replicaIdentity == null) {
            return List.of();
        }
        return switch (replicaIdentity) {
            case "d" -> List.copyOf(primaryKey);
            case "f" -> new ArrayList<>(columns.keySet());
            default -> List.of();
        };
    }

    public ColumnKind kind(String column) {
        String type = columns.get(column);
        return type == null ? null : ColumnKind.of(type);
    }

    /** Whether a delete of this table's rows carries the column (PostgreSQL's replica identity covers it). */
    public boolean deleteCarries(String column) {
        return identityColumns.contains(column);
    }
}
