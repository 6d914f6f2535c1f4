package io.mosaic.model;

import java.util.Map;

/**
 * One row change from a source, reduced to the mapped columns. {@code version} orders the changes of
 * one source in commit order (it compares only with versions of the same source); {@code position}
 * is the source's own description of where the change is, for logs and dead letters.
 */
public record RowChange(TableRef table, Op op, Map<String, Object> before, Map<String, Object> after,
                        long version, String position, boolean snapshot) {

    /** {@code TRUNCATE}: every row of the table is gone (no before, no after); rows written after it have higher versions. */
    public enum Op { UPSERT, DELETE, TRUNCATE }

    /** The row as it is after the change, or as it was before a delete. */
    public Map<String, Object> row() {
        return op == Op.DELETE ? before : after;
    }
}
