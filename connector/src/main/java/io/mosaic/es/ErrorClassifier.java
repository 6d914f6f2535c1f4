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
 * the statuses 429, 502, 503 and 504, and the error types of a cluster that refuses writes for now
 * (below) — whether they come as a whole request's answer or as one bulk item's. Everything else does
 * not heal by waiting (a response that cannot be parsed, a 400 for a malformed document, a 401/403
 * other than a block, a 404 for a missing index, a 500) and is not retried: a retry would stall the
 * source for ever while health showed only "retrying".
 *
 * <p><b>A cluster that refuses writes</b> ({@link #refusal}) is waited for, never dead-lettered: the
 * flood-stage disk watermark's {@code index.blocks.read_only_allow_delete} (Elasticsearch 8.19 answers
 * every write, deletes of documents included, with 429 {@code cluster_block_exception}
 * {@code TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark}, per bulk item and for a
 * single-document request alike), an operator's {@code index.blocks.read_only} or
 * {@code index.blocks.write} (403 {@code cluster_block_exception}, {@code FORBIDDEN/5/index read-only
 * (api)} or {@code FORBIDDEN/8/index write (api)}), and a full write queue (429
 * {@code es_rejected_execution_exception}, per item or for the whole bulk request). A block heals when
 * it is lifted, by the cluster itself once disk is freed or by whoever set it; the 403 of a block is
 * therefore retried too, unlike any other 403.
 */
public final class ErrorClassifier {

    private static final Set<Integer> RETRYABLE_STATUSES = Set.of(429, 502, 503, 504);

    private static final Set<String> RETRYABLE_ITEM_TYPES = Set.of(
            "es_rejected_execution_exception", "circuit_breaking_exception", "unavailable_shards_exception",
            "no_shard_available_action_exception", "cluster_block_exception", "node_not_connected_exception",
            "process_cluster_event_timeout_exception", "node_closed_exception", "timeout_exception");

    /** Error types by which the cluster refuses writes for now (with any 429): see {@link #refusal}. */
    private static final Set<String> REFUSAL_TYPES = Set.of("cluster_block_exception", "es_rejected_execution_exception",
            "circuit_breaking_exception");

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

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
     * decides by it and by Elasticsearch's error type; otherwise any transient connection failure in
     * the chain makes it retryable.
     */
    public static boolean isRetryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetryableWriteException) {
                return true;
            }
            int status = statusOf(t);
            if (status > 0) {
                return isRetryableItem(status, errorTypeOf(t));
            }
            if (isTransientConnectionFailure(t)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a status and error type (of a bulk item or a request) say that the cluster refuses writes for now. */
    public static boolean isRefusal(int status, String errorType) {
        return status == 429 || (errorType != null && REFUSAL_TYPES.contains(errorType));
    }

    /**
     * How the cluster refuses writes, when that is why {@code e} failed: Elasticsearch's error type
     * ({@code cluster_block_exception}, {@code es_rejected_execution_exception}), or {@code status_429}
     * without one; null when the failure is something else (a timeout, a refused connection, a bad
     * document). Read from the first exception in the cause chain that carries a status.
     */
    public static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            int status = t instanceof RetryableWriteException rw ? rw.status() : statusOf(t);
            String type = errorTypeOf(t);
            if (status > 0 || type != null) {
                return isRefusal(status, type) ? (type != null ? type : "status_" + status) : null;
            }
        }
        return null;
    }

    /** The error type Elasticsearch answered a request or an item with ({@code cluster_block_exception}), or null. */
    static String errorTypeOf(Throwable t) {
        if (t instanceof RetryableWriteException rw) {
            return rw.errorType();
        }
        if (t instanceof ElasticsearchException ee) {
            return ee.error() == null ? null : ee.error().type();
        }
        if (t instanceof ResponseException re && re.getResponse().getEntity() != null) {
            // the client buffers an error response's body, so it can be read again here
            try {
                com.fasterxml.jackson.databind.JsonNode error = JSON.readTree(re.getResponse().getEntity().getContent()).path("error");
                return error.path("type").isTextual() ? error.path("type").asText() : null;
            } catch (IOException | RuntimeException notJson) {
                return null;
            }
        }
        return null;
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

    /**
     * One line for logs: the kind of failure and its message (at most 300 characters, on one line),
     * never a document body, and without the value preview of an error response that quotes one.
     */
    public static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message != null) {
            message = ErrorText.withoutPreview(message); // an error response can quote a document's value
            message = message.replaceAll("\\s*\\R\\s*", " "); // a response exception puts the body on a line of its own
        }
        if (message != null && message.length() > 300) {
            message = message.substring(0, 300) + "…";
        }
        return root.getClass().getSimpleName() + (message != null ? ": " + message : "");
    }
}
