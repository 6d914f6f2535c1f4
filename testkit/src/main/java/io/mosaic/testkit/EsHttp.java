package io.mosaic.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Plain HTTP to an Elasticsearch cluster, for the tests and the benchmarks: one request, its status
 * and its body, without Mosaic's client in between (no retries, so that a caller sees every failure).
 * Paging through an index is not done here but with the connector's one paging helper,
 * {@link io.mosaic.es.ElasticsearchGateway#scan}.
 */
public final class EsHttp {

    /** Documents as maps: decimals stay exact. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    /** Responses as trees, numbers as Jackson reads them by default. */
    private static final ObjectMapper TREE = new ObjectMapper();

    private final String url;
    private final Duration timeout;
    private final HttpClient http;
    /** The Authorization header of every request, or null. */
    private final String authorization;

    /**
     * @param url the cluster, e.g. {@code http://127.0.0.1:19200}
     * @param timeout of each request
     */
    public EsHttp(String url, Duration timeout) {
        this(url, timeout, null, null);
    }

    /**
     * A secured cluster: https trusting {@code tls} (null for the JVM's defaults), every request with the
     * header {@code Authorization: authorization} (such as {@code Basic ...} or {@code ApiKey ...}; null for none).
     */
    public EsHttp(String url, Duration timeout, javax.net.ssl.SSLContext tls, String authorization) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.timeout = timeout;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
        this.authorization = authorization;
    }

    public String url() {
        return url;
    }

    /**
     * Sends a request (the body a JSON string, or an object written as JSON; none when null) and returns
     * the parsed body with the status under {@code _status}; an empty map but for the status when the body
     * is not a JSON object. Never throws for a status.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> request(String method, String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> response = send(method, path, body == null || body instanceof String ? (String) body : JSON.writeValueAsString(body));
        String text = response.body();
        Map<String, Object> out = text.startsWith("{") ? JSON.readValue(text, Map.class) : new LinkedHashMap<>();
        out.put("_status", response.statusCode());
        return out;
    }

    /** Sends a request and returns the parsed body; throws with the body on any status >= 300 unless {@code allowed}. */
    public JsonNode call(String method, String path, String body, int... allowed) throws IOException, InterruptedException {
        HttpResponse<String> r = send(method, path, body);
        boolean ok = r.statusCode() < 300;
        for (int a : allowed) {
            ok |= r.statusCode() == a;
        }
        if (!ok) {
            throw new IOException(method + " " + path + " -> " + r.statusCode() + ": " + abbreviate(r.body()));
        }
        return r.body().isEmpty() ? TREE.nullNode() : TREE.readTree(r.body());
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(timeout);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String abbreviate(String s) {
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
