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
