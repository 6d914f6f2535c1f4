package io.mosaic.es;

import java.io.IOException;

/**
 * An Elasticsearch request that failed for good: its message names the request and the cluster and
 * says whether waiting can help. The original failure is the cause, so {@link ErrorClassifier} still
 * classifies it as that failure.
 */
public final class ElasticsearchRequestException extends IOException {

    public ElasticsearchRequestException(String request, String cluster, Throwable cause) {
        super("Elasticsearch " + cluster + ": " + request + " failed: " + ErrorClassifier.describe(cause)
                + (ErrorClassifier.isRetryable(cause) ? "" : " (not retried: this does not heal by waiting; check the cluster and its response)"),
                cause);
    }
}
