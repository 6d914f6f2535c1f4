package io.mosaic.es;

/** Some bulk items failed in a retryable way (429, 5xx, a lost optimistic-concurrency race); the batch is retried. */
public class RetryableWriteException extends RuntimeException {

    private final int status;
    private final String errorType;

    public RetryableWriteException(String message) {
        this(message, 0, null);
    }

    /** @param status and {@code errorType}: those of the (first) failed item, 0 and null when unknown */
    public RetryableWriteException(String message, int status, String errorType) {
        super(message);
        this.status = status;
        this.errorType = errorType;
    }

    /** The failed item's HTTP status, 0 when unknown. */
    public int status() {
        return status;
    }

    /** The failed item's error type ({@code cluster_block_exception}), null when unknown. */
    public String errorType() {
        return errorType;
    }
}
