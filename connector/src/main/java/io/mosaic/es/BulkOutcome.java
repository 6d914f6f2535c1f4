package io.mosaic.es;

/**
 * The result of one bulk item: its status, and for a failure Elasticsearch's error type and reason. The
 * gateway hands out reasons {@linkplain ErrorText redacted}: nothing the document holds is quoted in them.
 */
public record BulkOutcome(int status, String errorType, String reason, long seqNo, long primaryTerm) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** A version or sequence-number conflict: a newer write won, or an optimistic-concurrency race was lost. */
    public boolean conflict() {
        return status == 409;
    }

    public boolean notFound() {
        return status == 404;
    }

    /** The same outcome with another reason. */
    public BulkOutcome withReason(String newReason) {
        return new BulkOutcome(status, errorType, newReason, seqNo, primaryTerm);
    }

    public boolean retryable() {
        return !ok() && !conflict() && ErrorClassifier.isRetryableItem(status, errorType);
    }
}
