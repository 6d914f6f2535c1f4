package io.mosaic.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Health, status and metrics over HTTP, for Kubernetes probes, people and Prometheus:
 * {@code /health/live} (the process and its threads work), {@code /health/ready} (every source
 * snapshots or streams and Elasticsearch answers; the body says which is not), {@code /status}
 * (JSON per source) and {@code /metrics}. docs/METRICS.md describes them. No body ever shows a
 * configuration value, a secret or a row value.
 */
public final class HttpEndpoint implements AutoCloseable {

    /** A health verdict with a human-readable body. */
    public record Health(boolean ok, String body) {
    }

    private final HttpServer server;

    public HttpEndpoint(String host, int port, PrometheusMeterRegistry registry, Supplier<Health> live, Supplier<Health> ready,
                        Supplier<String> status) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "mosaic-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/health/live", ex -> health(ex, live.get()));
        server.createContext("/health/ready", ex -> health(ex, ready.get()));
        server.createContext("/status", ex -> {
            String body;
            try {
                body = status.get();
            } catch (RuntimeException e) {
                respond(ex, 500, "text/plain; charset=utf-8", "status unavailable: " + e.getClass().getSimpleName() + "\n");
                return;
            }
            respond(ex, 200, "application/json; charset=utf-8", body);
        });
        server.createContext("/", ex -> respond(ex, 404, "text/plain", "try /health/live, /health/ready, /status or /metrics\n"));
        server.start();
    }

    /** An operation started by a POST: the query parameters in, a verdict (200 or 400, and a body) out. */
    @FunctionalInterface
    public interface Action {
        Health run(java.util.Map<String, java.util.List<String>> parameters) throws Exception;
    }

    /**
     * Adds a POST operation at {@code path}. It answers only requests from the loopback interface (a
     * sidecar's neighbours in the pod, or {@code kubectl exec}/{@code port-forward}): anyone else gets
     * 403, whatever {@code http.host} the endpoint binds to, because the probes and metrics need no
     * more than that and an operation changes something.
     */
    public void post(String path, Action action) {
        server.createContext(path, ex -> {
            if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
                respond(ex, 403, "text/plain; charset=utf-8", path + " answers only on the loopback interface (kubectl exec or port-forward)\n");
                return;
            }
            if (!"POST".equals(ex.getRequestMethod())) {
                respond(ex, 405, "text/plain; charset=utf-8", "use POST " + path + "\n");
                return;
            }
            Health h;
            try {
                h = action.run(parameters(ex.getRequestURI().getRawQuery()));
            } catch (Exception e) {
                respond(ex, 500, "text/plain; charset=utf-8", path + " failed: " + e.getClass().getSimpleName() + "\n");
                return;
            }
            respond(ex, h.ok() ? 200 : 400, "text/plain; charset=utf-8", h.body());
        });
    }

    static java.util.Map<String, java.util.List<String>> parameters(String query) {
        java.util.Map<String, java.util.List<String>> out = new java.util.LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(v);
        }
        return out;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void health(HttpExchange ex, Health h) throws IOException {
        respond(ex, h.ok() ? 200 : 503, "text/plain; charset=utf-8", h.body());
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
