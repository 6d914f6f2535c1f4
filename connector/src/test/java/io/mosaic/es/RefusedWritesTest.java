package io.mosaic.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.mosaic.config.ElasticsearchConfig;

/**
 * A cluster that refuses writes (issue 13): the exact responses Elasticsearch 8.19 gives for the
 * flood-stage block, an operator's read-only and write blocks and a full write queue (captured from a
 * real node, see {@code responses/README.md}) are retried until they heal, per bulk item and per
 * request, and named as refusals for health and metrics; a rejected document's reason comes out of the
 * gateway without the values it quoted.
 */
class RefusedWritesTest {

    private HttpServer server;
    /** Responses to give, in order: status and body; when none is left, every bulk item succeeds. */
    private final Deque<Object[]> script = new ConcurrentLinkedDeque<>();
    private final AtomicInteger requests = new AtomicInteger();
    /** What each retry was told, as {@link ErrorClassifier#refusal} names it ("-" for something else). */
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    /** The gateway's retry, also BulkWriter's (as Components wires them). */
    private Retry retry;

    private static String captured(String name) throws IOException {
        try (InputStream in = RefusedWritesTest.class.getResourceAsStream("responses/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private ElasticsearchGateway gateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Object[] next = script.poll();
            int status = next == null ? 200 : (int) next[0];
            String body = next != null ? (String) next[1] : exchange.getRequestURI().getPath().equals("/_bulk")
                    ? success(request.split("\n").length / 2) : "{\"result\":\"created\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        retry = new Retry(Duration.ofMillis(1), Duration.ofMillis(5), 0, ErrorClassifier::isRetryable,
                d -> Thread.sleep(d.toMillis()), System::nanoTime, java.util.random.RandomGenerator.getDefault(),
                (what, attempt, wait, cause) -> {
                    String r = ErrorClassifier.refusal(cause);
                    refusals.add(r == null ? "-" : r);
                });
        return new ElasticsearchGateway(new ElasticsearchConfig(List.of(url), null, null, null, Duration.ofSeconds(2),
                Duration.ofSeconds(5)), retry);
    }

    private static String success(int items) {
        StringBuilder out = new StringBuilder("{\"errors\":false,\"items\":[");
        for (int i = 0; i < items; i++) {
            out.append(i == 0 ? "" : ",").append("{\"index\":{\"status\":201,\"_seq_no\":").append(i).append(",\"_primary_term\":1}}");
        }
        return out.append("]}").toString();
    }

    private static List<BulkAction> actions(int n) {
        List<BulkAction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(BulkAction.index("employees", Integer.toString(i), Map.of("id", i, "email", "clash@example.com"), 5,
                    BulkAction.VersionGuard.EXTERNAL_GTE));
        }
        return out;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Per bulk item: every item of the block's answer is re-sent until the block is lifted; none comes back failed. */
    private void bulkItemsAreRetriedUntilLifted(String capture, int items, int refusedAgain, String refusal) throws Exception {
        try (ElasticsearchGateway es = gateway()) {
            script.add(new Object[] {200, captured(capture)});
            for (int i = 0; i < refusedAgain; i++) { // still blocked on the next attempts: only the refused items are sent
                script.add(new Object[] {200, captured(capture)});
            }
            BulkWriter writer = new BulkWriter(es, retry);
            List<BulkOutcome> outcomes = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> writer.execute("bulk employees", actions(items)));
            assertThat(outcomes).hasSize(items).allSatisfy(o -> assertThat(o.ok()).isTrue());
            assertThat(requests).hasValue(2 + refusedAgain);
            assertThat(refusals).hasSize(1 + refusedAgain).containsOnly(refusal);
        }
    }

    @Test
    void theFloodStageBlockOfEveryItemIsRetriedUntilLifted() throws Exception {
        // 429 cluster_block_exception TOO_MANY_REQUESTS/12: index, delete and create alike
        bulkItemsAreRetriedUntilLifted("bulk-flood-stage-block.json", 3, 2, "cluster_block_exception");
    }

    @Test
    void anOperatorsReadOnlyOrWriteBlockIsRetriedUntilLifted() throws Exception {
        // 403 cluster_block_exception FORBIDDEN/5 and FORBIDDEN/8: a 403, but one that heals when lifted
        bulkItemsAreRetriedUntilLifted("bulk-read-only-block.json", 3, 0, "cluster_block_exception");
        server.stop(0);
        requests.set(0);
        refusals.clear();
        bulkItemsAreRetriedUntilLifted("bulk-write-block.json", 3, 0, "cluster_block_exception");
    }

    @Test
    void aRejectedExecutionOfOneItemResendsThatItemAlone() throws Exception {
        // item 0 was written (201), item 1 rejected (429 es_rejected_execution_exception)
        try (ElasticsearchGateway es = gateway()) {
            script.add(new Object[] {200, captured("bulk-item-rejected-execution.json")});
            List<BulkOutcome> outcomes = new BulkWriter(es, retry).execute("bulk employees", actions(2));
            assertThat(outcomes).allSatisfy(o -> assertThat(o.ok()).isTrue());
            assertThat(requests).hasValue(2);
            assertThat(refusals).containsExactly("es_rejected_execution_exception");
        }
    }

    @Test
    void aWholeRequestRefusedIsRetried() throws Exception {
        try (ElasticsearchGateway es = gateway()) {
            script.add(new Object[] {429, captured("bulk-request-rejected-execution.json")});
            assertThat(es.bulk("bulk employees", actions(2))).allSatisfy(o -> assertThat(o.ok()).isTrue());
            // single-document writes (offsets, schema history, dead letters) under each block
            script.add(new Object[] {429, captured("put-flood-stage-block.json")});
            script.add(new Object[] {403, captured("put-read-only-block.json")});
            script.add(new Object[] {403, captured("put-write-block.json")});
            assertThat(es.send("PUT", "/mosaic-offsets/_doc/admin", Map.of("stream", "admin"))).containsEntry("status", 200);
            assertThat(requests).hasValue(6);
            assertThat(refusals).containsExactly("es_rejected_execution_exception", "cluster_block_exception",
                    "cluster_block_exception", "cluster_block_exception");
        }
    }

    @Test
    void aDocumentElasticsearchRejectsIsNotRetriedAndItsReasonQuotesNoValue() throws Exception {
        try (ElasticsearchGateway es = gateway()) {
            script.add(new Object[] {200, captured("bulk-document-parsing.json")});
            List<BulkAction> actions = List.of(
                    BulkAction.index("mp", "42", Map.of("email", "clash@example.com"), 3, BulkAction.VersionGuard.EXTERNAL),
                    BulkAction.index("mp", "43", Map.of("hired", "2020-13-45"), 3, BulkAction.VersionGuard.EXTERNAL),
                    BulkAction.index("mp", "44", Map.of("other", "secret-value"), 3, BulkAction.VersionGuard.EXTERNAL),
                    BulkAction.index("mp", "46", Map.of("email", Map.of("nested", "obj")), 3, BulkAction.VersionGuard.EXTERNAL));
            List<BulkOutcome> outcomes = new BulkWriter(es, retry).execute("bulk mp", actions);
            assertThat(requests).hasValue(1);
            assertThat(refusals).isEmpty();
            assertThat(outcomes).allSatisfy(o -> {
                assertThat(o.retryable()).isFalse();
                assertThat(o.status()).isEqualTo(400);
                assertThat(o.reason()).doesNotContain("clash@example.com", "2020-13-45", "secret-value", "nested", "obj", "'4");
            });
            assertThat(outcomes.get(0).errorType()).isEqualTo("document_parsing_exception");
            assertThat(outcomes.get(0).reason())
                    .isEqualTo("[1:11] failed to parse field [email] of type [long] in document with id '…'. (the value is not shown)");
            assertThat(outcomes.get(2).reason())
                    .isEqualTo("[1:11] mapping set to strict, dynamic introduction of [other] within [_doc] is not allowed");

            // a single-document request: not retried either, and its log line quotes no value (nor the caused_by's)
            script.add(new Object[] {400, captured("put-document-parsing.json")});
            assertThatThrownBy(() -> es.send("PUT", "/mp/_doc/902", Map.of("email", "clash@example.com")))
                    .isInstanceOf(ElasticsearchRequestException.class)
                    .satisfies(e -> assertThat(ErrorClassifier.describe(e)).contains("\"type\":\"document_parsing_exception\"")
                            .contains("failed to parse field [email]").doesNotContain("clash@example.com").doesNotContain("\n"))
                    .satisfies(e -> assertThat(ErrorClassifier.refusal(e)).isNull());
            assertThat(requests).hasValue(2);
        }
    }

    @Test
    void failuresThatAreNotRefusalsAreNamedAsSuch() {
        assertThat(ErrorClassifier.refusal(new ConnectException("Connection refused"))).isNull();
        assertThat(ErrorClassifier.refusal(new SocketTimeoutException("10,000 milliseconds timeout"))).isNull();
        assertThat(ErrorClassifier.refusal(new RetryableWriteException("3 bulk items failed retryably", 503,
                "unavailable_shards_exception"))).isNull();
        assertThat(ErrorClassifier.refusal(new ElasticsearchRequestException("bulk", "[http://127.0.0.1:1]",
                new RetryableWriteException("refused", 429, null)))).isEqualTo("status_429");
        assertThat(ErrorClassifier.isRefusal(403, "cluster_block_exception")).isTrue();
        assertThat(ErrorClassifier.isRefusal(403, "security_exception")).isFalse();
        assertThat(ErrorClassifier.isRetryableItem(403, "security_exception")).isFalse();
    }
}
