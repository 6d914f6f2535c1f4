package io.mosaic.writer;

import java.util.Map;

/**
 * A row change Mosaic could not turn into its document: where it came from, its key, position and
 * version, the error, and the change itself with only its mapped columns (never an unmapped one),
 * so that it can be replayed once the mapping or the data is fixed.
 */
public record DeadLetter(String document, String source, String table, String key, String position, String error,
                         String op, long version, Map<String, Object> before, Map<String, Object> after) {

    /** One id per change: the same change failing again replaces its letter instead of adding one. */
    public String id() {
        return source + ":" + table + ":" + key + ":" + version;
    }
}
