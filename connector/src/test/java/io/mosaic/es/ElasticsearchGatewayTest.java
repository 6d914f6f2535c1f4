package io.mosaic.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.mosaic.config.ElasticsearchConfig;

/**
 * The gateway's failure handling against a stand-in HTTP server on loopback (the real cluster's
 * behaviour is covered by the ITs; a broken response cannot be had from a healthy cluster): a
 * response that cannot be parsed fails at once, naming the request and the server, although the
 * gateway retries for ever what can heal; a 503 is retried until it heals.
 */
class ElasticsearchGatewayTest {

    private HttpServer server;

    private ElasticsearchGateway gateway(int status, String body, AtomicInteger requests, int failFirst) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            int n = requests.incrementAndGet();
            byte[] bytes = (n <= failFirst ? "{\"error\":\"unavailable\"}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(n <= failFirst ? 503 : status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        Retry forever = new Retry(Duration.ofMillis(1), Duration.ofMillis(5), 0, ErrorClassifier::isRetryable,
                d -> Thread.sleep(d.toMillis()), System::nanoTime, java.util.random.RandomGenerator.getDefault(), (w, a, d, c) -> { });
        return new ElasticsearchGateway(new ElasticsearchConfig(List.of(url), null, null, null, Duration.ofSeconds(2),
                Duration.ofSeconds(5)), forever);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aResponseThatCannotBeParsedFailsAtOnceNamingTheRequestAndTheServer() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ElasticsearchGateway es = gateway(200, "<html>a proxy's error page</html>", requests, 0)) {
            List<BulkAction> actions = List.of(BulkAction.index("employees", "1", Map.of("id", 1), 5, BulkAction.VersionGuard.EXTERNAL_GTE));
            assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                    assertThatThrownBy(() -> es.bulk("bulk employees", actions))
                            .isInstanceOf(ElasticsearchRequestException.class)
                            .hasMessageContaining("bulk employees")
                            .hasMessageContaining("127.0.0.1:" + server.getAddress().getPort())
                            .hasMessageContaining("not retried"));
            assertThat(requests).hasValue(1);
        }
    }

    @Test
    void aServiceUnavailableIsRetriedUntilItHeals() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ElasticsearchGateway es = gateway(200, "{\"docs\":[]}", requests, 3)) {
            assertThat(es.mget("employees", List.of("1"))).isEmpty();
            assertThat(requests).hasValue(4);
        }
    }

    @Test
    void theApiKeyAndBasicAuthAreSentWithTheFirstRequest() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            seen.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] bytes = "{\"status\":\"green\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        try (ElasticsearchGateway es = new ElasticsearchGateway(new ElasticsearchConfig(List.of(url), null, null, "ZW5jb2RlZA==",
                Duration.ofSeconds(2), Duration.ofSeconds(5)), Retry.never())) {
            es.ping(Duration.ofSeconds(2));
        }
        try (ElasticsearchGateway es = new ElasticsearchGateway(new ElasticsearchConfig(List.of(url), "mosaic", "pw", null,
                Duration.ofSeconds(2), Duration.ofSeconds(5)), Retry.never())) {
            es.ping(Duration.ofSeconds(2));
        }
        assertThat(seen).containsExactly("ApiKey ZW5jb2RlZA==",
                "Basic " + java.util.Base64.getEncoder().encodeToString("mosaic:pw".getBytes(StandardCharsets.UTF_8)));
    }
}
