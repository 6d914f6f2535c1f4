package io.mosaic.testkit;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A second, throwaway single-node Elasticsearch that runs inside a {@link NetworkNamespace} and binds to
 * the namespace's address, so that a test can cut the network between Mosaic and the cluster. The local
 * services (deploy/local/elasticsearch.sh) bind to 127.0.0.1 on purpose and stay as they are: this node
 * reuses their unpacked distribution under {@code MOSAIC_LOCAL_DIR} but has a configuration, data, logs
 * and pid file of its own under {@code MOSAIC_LOCAL_DIR/elasticsearch/netns-<namespace>/}, wiped at every
 * start. It runs as {@code MOSAIC_RUN_USER} (Elasticsearch refuses root) with
 * {@code discovery.type: single-node}, without which a non-loopback address would enforce the
 * production bootstrap checks.
 */
public final class NamespacedElasticsearch implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final NetworkNamespace namespace;
    private final int port;
    private final Path base;

    private NamespacedElasticsearch(NetworkNamespace namespace, int port, Path base) {
        this.namespace = namespace;
        this.port = port;
        this.base = base;
    }

    /** Starts the node in {@code namespace} on {@code port} (HTTP; transport on {@code port + 100}) and waits until it is yellow or green. */
    public static NamespacedElasticsearch start(NetworkNamespace namespace, int port) throws IOException, InterruptedException {
        Path esDir = Path.of(env("MOSAIC_LOCAL_DIR", "/var/tmp/mosaic-local"), "elasticsearch");
        Path home = esDir.resolve("elasticsearch-" + env("MOSAIC_ES_VERSION", "8.19.21"));
        if (!Files.isExecutable(home.resolve("bin/elasticsearch"))) {
            throw new IllegalStateException("no unpacked Elasticsearch at " + home + ": run deploy/local/services.sh start elasticsearch once");
        }
        NamespacedElasticsearch es = new NamespacedElasticsearch(namespace, port, esDir.resolve("netns-" + namespace.name()));
        es.stopLeftover();
        es.prepare(home);
        es.launch(home);
        es.awaitHealthy(Duration.ofSeconds(Long.parseLong(env("MOSAIC_ES_START_TIMEOUT", "120"))));
        return es;
    }

    /** {@code http://<namespace address>:<port>} */
    public String url() {
        return "http://" + namespace.address() + ":" + port;
    }

    /**
     * Aborts every connection to this node ({@link NetworkNamespace#dropConnections}), so that a request
     * an earlier client sent while the link was cut and then abandoned can no longer be executed here.
     * Clients of this node open new connections afterwards; a pooled one of theirs is gone.
     */
    public void dropConnections() throws IOException {
        namespace.dropConnections(port);
    }

    public Path log() {
        return base.resolve("logs/mosaic-netns.log");
    }

    private void prepare(Path home) throws IOException {
        deleteTree(base);
        Path config = base.resolve("config");
        Files.createDirectories(config);
        for (String dir : List.of("data", "logs", "tmp")) {
            Files.createDirectories(base.resolve(dir));
        }
        try (Stream<Path> files = Files.walk(home.resolve("config"))) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Path to = config.resolve(home.resolve("config").relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.writeString(config.resolve("elasticsearch.yml"), String.join("\n",
                "# written by io.mosaic.testkit.NamespacedElasticsearch for a network partition test",
                "cluster.name: mosaic-netns",
                "node.name: mosaic-netns-1",
                "network.host: " + namespace.address(),
                "http.port: " + port,
                "transport.port: " + (port + 100),
                "discovery.type: single-node",
                "xpack.security.enabled: false",
                "path.data: " + base.resolve("data"),
                "path.logs: " + base.resolve("logs"),
                "cluster.routing.allocation.disk.threshold_enabled: false",
                "action.destructive_requires_name: false", ""));
        if (isRoot()) {
            exec(List.of("chown", "-R", runUser() + ":", base.toString()));
        }
    }

    private void launch(Path home) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (isRoot()) {
            cmd.addAll(List.of("runuser", "-u", runUser(), "--"));
        }
        // the open-files limit up to the hard one, as deploy/local/env.sh does (runuser may have lowered it)
        cmd.addAll(List.of("bash", "-c", "ulimit -Sn \"$(ulimit -Hn)\" 2>/dev/null || true; exec \"$@\"", "bash",
                "env", "-C", base.resolve("logs").toString(),
                "ES_JAVA_HOME=" + javaHome(),
                "ES_PATH_CONF=" + base.resolve("config"),
                "ES_JAVA_OPTS=-Xms384m -Xmx384m",
                "ES_TMPDIR=" + base.resolve("tmp"),
                "CLI_JAVA_OPTS=-XX:TieredStopAtLevel=1 -Djava.io.tmpdir=" + base.resolve("tmp"),
                home.resolve("bin/elasticsearch").toString(), "-d", "-p", base.resolve("elasticsearch.pid").toString()));
        Process p = new ProcessBuilder(namespace.command(cmd.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(base.resolve("startup.log").toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("Elasticsearch in namespace " + namespace.name() + " did not start (exit " + p.exitValue()
                    + "): see " + base.resolve("startup.log") + " and " + log());
        }
    }

    private void awaitHealthy(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            try {
                String body = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/_cluster/health?wait_for_status=yellow&timeout=1s"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("\"status\":\"yellow\"") || body.contains("\"status\":\"green\"")) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Elasticsearch in namespace " + namespace.name() + " not healthy after " + timeout.toSeconds()
                + " s at " + url() + ": see " + log());
    }

    /** The pid of this node's JVM, if it runs; a pid whose command line does not name this node's directory is not ours. */
    private Optional<ProcessHandle> process() throws IOException {
        Path pidFile = base.resolve("elasticsearch.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        String text = Files.readString(pidFile).trim();
        if (!text.matches("[0-9]+")) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(text)).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains(base.toString())).orElse(false));
    }

    private void stopLeftover() throws IOException {
        Optional<ProcessHandle> leftover = process();
        if (leftover.isPresent()) {
            stop(leftover.get());
        }
    }

    private static void stop(ProcessHandle h) {
        h.destroy();
        try {
            h.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
            try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by the caller's next start, which finds it still running
            }
        }
    }

    /** Stops the node (SIGTERM, SIGKILL after 30 s); its files stay for a look until the next start. */
    @Override
    public void close() throws IOException {
        Optional<ProcessHandle> running = process();
        if (running.isPresent()) {
            stop(running.get());
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String runUser() {
        return env("MOSAIC_RUN_USER", "mosaic");
    }

    /** MOSAIC_ES_JAVA_HOME, else the newest JDK 21+ under /usr/lib/jvm, as deploy/local/elasticsearch.sh picks it. */
    static String javaHome() throws IOException {
        String configured = System.getenv("MOSAIC_ES_JAVA_HOME");
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        Path best = null;
        int bestMajor = 0;
        try (Stream<Path> dirs = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                Path release = dir.resolve("release");
                if (Files.isSymbolicLink(dir) || !Files.isExecutable(dir.resolve("bin/java")) || !Files.isReadable(release)) {
                    continue;
                }
                for (String line : Files.readAllLines(release)) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^JAVA_VERSION=\"([0-9]+)").matcher(line);
                    if (m.find()) {
                        int major = Integer.parseInt(m.group(1));
                        if (major >= 21 && major > bestMajor) {
                            best = dir;
                            bestMajor = major;
                        }
                    }
                }
            }
        }
        if (best == null) {
            throw new IllegalStateException("no JDK 21+ under /usr/lib/jvm for Elasticsearch: install one or set MOSAIC_ES_JAVA_HOME");
        }
        return best.toString();
    }

    private static void exec(List<String> command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).inheritIO().redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
