package io.mosaic.es;

/** Some bulk items failed in a retryable way (429, 5xx, a lost optimistic-concurrency race); the batch is retried. */
public class RetryableWriteException extends RuntimeException {

    public RetryableWriteException(String message) {
        super(message);
    }
}
