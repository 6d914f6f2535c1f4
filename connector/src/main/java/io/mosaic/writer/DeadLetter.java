package io.mosaic.writer;

import java.util.Map;

/**
 * A row Mosaic could not turn into its document: where it came from, its key and position, the error,
 * and only its mapped fields (never an unmapped column).
 */
public record DeadLetter(String document, String source, String table, String key, String position,
                         String error, Map<String, Object> fields) {
}
