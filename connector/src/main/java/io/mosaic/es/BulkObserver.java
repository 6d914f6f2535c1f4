package io.mosaic.es;

/**
 * Told about every bulk request sent and every bulk item Elasticsearch failed, for metrics. The
 * error type is Elasticsearch's (such as {@code document_parsing_exception}); the reason text is
 * never handed on, because it may quote a document's value.
 */
public interface BulkObserver {

    /** Observes nothing. */
    BulkObserver NONE = new BulkObserver() {
    };

    /**
     * One bulk request (one HTTP attempt).
     *
     * @param items the request's items
     * @param nanos from sending it to having read its response (or failing)
     * @param answered whether Elasticsearch answered it with a readable response
     */
    default void request(int items, long nanos, boolean answered) {
    }

    /** One bulk item that failed: not a version conflict, not a delete of a missing document. */
    default void itemFailed(int status, String errorType, boolean retryable) {
    }
}
