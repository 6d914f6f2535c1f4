package io.mosaic.mapping;

/** A row whose columns cannot be turned into its document's fields, for example a value that does not convert. */
public class ProjectionException extends RuntimeException {

    public ProjectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
