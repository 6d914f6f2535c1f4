package io.mosaic.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.mosaic.testkit.ChildProcess;

/**
 * Mosaic as a user runs it: the built launcher ({@code connector/target/bin/mosaic run}) with a
 * benchmark configuration, in its own process with its default JVM options. Read through its own
 * health and metrics endpoints.
 */
public final class MosaicUnderTest implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ChildProcess child;
    private final int port;
    private final MemorySampler memory;

    public MosaicUnderTest(Path root, Path config, Path workDir, int port, String javaOpts) throws IOException {
        this.port = port;
        Path state = workDir.resolve("state-" + config.getFileName());
        deleteTree(state);
        Files.createDirectories(state);
        Map<String, String> env = new java.util.HashMap<>(Map.of("MOSAIC_STATE_DIR", state.toString(), "MOSAIC_HTTP_PORT", Integer.toString(port)));
        if (javaOpts != null) {
            env.put("MOSAIC_JAVA_OPTS", javaOpts);
        }
        this.child = new ChildProcess("mosaic", List.of(root.resolve("connector/target/bin/mosaic").toString(), "run", "--config", config.toString()),
                env, workDir.resolve("mosaic-" + config.getFileName() + ".log")).start();
        this.memory = new MemorySampler(child.pid(), this::heapUsed, 500);
    }

    public MemorySampler memory() {
        return memory;
    }

    public ChildProcess process() {
        return child;
    }

    /**
     * Whether every source has written its snapshot and streams changes, as /status says: readiness is
     * already 200 while sources snapshot, so it cannot mark the end of the initial load.
     */
    public boolean ready() {
        child.checkAlive();
        try {
            String status = get("/status").body();
            int sources = status.split("\"phase\"", -1).length - 1;
            int streaming = status.replace(" ", "").split("\"phase\":\"streaming\"", -1).length - 1;
            return sources > 0 && streaming == sources;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Mosaic's Prometheus endpoint, as text. */
    public String metrics() throws IOException, InterruptedException {
        return get("/metrics").body();
    }

    /** Used heap in bytes, from Mosaic's Prometheus endpoint. */
    public long heapUsed() {
        try {
            long sum = 0;
            for (String line : get("/metrics").body().split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        memory.close();
        child.close();
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
