package io.mosaic.es;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Set;

import org.apache.http.ConnectionClosedException;
import org.apache.http.NoHttpResponseException;
import org.apache.http.conn.ConnectTimeoutException;
import org.elasticsearch.client.ResponseException;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;

/**
 * Says which Elasticsearch failures can heal by themselves and are therefore worth retrying: a
 * connection refused, reset or closed before the response, a timeout, an unknown or unreachable host,
 * and the statuses 429, 502, 503 and 504 — whether they come as a whole request's exception or as
 * one bulk item's status. Everything else does not heal by waiting (a response that cannot be parsed,
 * a 400 for a malformed document, a 401/403, a 404 for a missing index, a 500) and is not retried:
 * a retry would stall the source for ever while health showed only "retrying".
 */
public final class ErrorClassifier {

    private static final Set<Integer> RETRYABLE_STATUSES = Set.of(429, 502, 503, 504);

    private static final Set<String> RETRYABLE_ITEM_TYPES = Set.of(
            "es_rejected_execution_exception", "circuit_breaking_exception", "unavailable_shards_exception",
            "no_shard_available_action_exception", "cluster_block_exception", "node_not_connected_exception",
            "process_cluster_event_timeout_exception", "node_closed_exception", "timeout_exception");

    private ErrorClassifier() {
    }

    public static boolean isRetryableStatus(int status) {
        return RETRYABLE_STATUSES.contains(status);
    }

    /** Whether a bulk item's failure should be retried. */
    public static boolean isRetryableItem(int status, String errorType) {
        return isRetryableStatus(status) || (errorType != null && RETRYABLE_ITEM_TYPES.contains(errorType));
    }

    /**
     * Whether a failure can heal: the first exception in the cause chain that carries an HTTP status
     * decides by it; otherwise any transient connection failure in the chain makes it retryable.
     */
    public static boolean isRetryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetryableWriteException) {
                return true;
            }
            int status = statusOf(t);
            if (status > 0) {
                return isRetryableStatus(status);
            }
            if (isTransientConnectionFailure(t)) {
                return true;
            }
        }
        return false;
    }

    private static int statusOf(Throwable t) {
        if (t instanceof ResponseException re) {
            return re.getResponse().getStatusLine().getStatusCode();
        }
        if (t instanceof ElasticsearchException ee) {
            return ee.status();
        }
        if (t instanceof TransportException te && te.statusCode() > 0) {
            return te.statusCode();
        }
        return 0;
    }

    private static boolean isTransientConnectionFailure(Throwable t) {
        if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof ConnectTimeoutException
                || t instanceof NoHttpResponseException || t instanceof ConnectionClosedException
                || t instanceof NoRouteToHostException || t instanceof UnknownHostException) {
            return true;
        }
        if (t instanceof java.net.SocketException) {
            return true; // reset, broken pipe, aborted: the connection broke, the server may be back on the next one
        }
        // The async HTTP client reports a reset or broken connection as a plain IOException from the socket.
        if (t.getClass() == IOException.class && t.getMessage() != null) {
            return t.getMessage().contains("Connection reset") || t.getMessage().contains("Broken pipe");
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
