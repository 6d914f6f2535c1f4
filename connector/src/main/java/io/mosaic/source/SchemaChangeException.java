package io.mosaic.source;

/**
 * A source's table no longer matches the mapping (a mapped column was dropped or renamed, or the table
 * was dropped): writing its changes would write documents without the field. The message names the
 * table, the column, the mapping line that reads it and what to do; it quotes no row value.
 */
public final class SchemaChangeException extends RuntimeException {

    public SchemaChangeException(String message) {
        super(message);
    }
}
