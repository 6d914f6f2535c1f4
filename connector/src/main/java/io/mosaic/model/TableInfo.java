package io.mosaic.model;

import java.util.List;
import java.util.Map;

/**
 * What Mosaic needs to know about a source table to check a mapping: its columns with their types,
 * its primary key, and (PostgreSQL) its replica identity.
 *
 * @param columns column name to database type name
 * @param replicaIdentity PostgreSQL's {@code relreplident}: d (default), f (full), i (index), n (nothing); null elsewhere
 */
public record TableInfo(Map<String, String> columns, List<String> primaryKey, String replicaIdentity) {

    public ColumnKind kind(String column) {
        String type = columns.get(column);
        return type == null ? null : ColumnKind.of(type);
    }
}
