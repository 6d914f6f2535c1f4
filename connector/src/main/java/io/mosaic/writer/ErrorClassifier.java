package io.mosaic.writer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Set;

import org.elasticsearch.client.ResponseException;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;

/**
 * Says which Elasticsearch failures are worth retrying: lost connections, timeouts, 429 and 5xx,
 * whether they come as a whole request's exception or as one bulk item's status. Everything else
 * (a 400 for a malformed document, a 404 for a missing index) is not.
 */
public final class ErrorClassifier {

    private static final Set<String> RETRYABLE_ITEM_TYPES = Set.of(
            "es_rejected_execution_exception", "circuit_breaking_exception", "unavailable_shards_exception",
            "no_shard_available_action_exception", "cluster_block_exception", "node_not_connected_exception",
            "process_cluster_event_timeout_exception", "node_closed_exception", "timeout_exception");

    private ErrorClassifier() {
    }

    public static boolean isRetryableStatus(int status) {
        return status == 429 || status >= 500;
    }

    /** Whether a bulk item's failure should be retried. */
    public static boolean isRetryableItem(int status, String errorType) {
        return isRetryableStatus(status) || (errorType != null && RETRYABLE_ITEM_TYPES.contains(errorType));
    }

    public static boolean isRetryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ResponseException re) {
                return isRetryableStatus(re.getResponse().getStatusLine().getStatusCode());
            }
            if (t instanceof ElasticsearchException ee) {
                return isRetryableStatus(ee.status());
            }
            if (t instanceof TransportException te && te.statusCode() > 0) {
                return isRetryableStatus(te.statusCode());
            }
            if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof IOException) {
                return true;
            }
            if (t instanceof RetryableWriteException) {
                return true;
            }
        }
        return false;
    }

    /** One line for logs: the kind of failure and its message, never a document body. */
    public static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message != null && message.length() > 300) {
            message = message.substring(0, 300) + "…";
        }
        return root.getClass().getSimpleName() + (message != null ? ": " + message : "");
    }
}
