package io.mosaic.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.mosaic.config.ElasticsearchConfig;
import io.mosaic.config.MosaicConfig;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.scenario.ScenarioDatabases;
import io.mosaic.scenario.ScenarioSchema;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.Retry;

/**
 * Runs Mosaic in-process against the local services, from a clean slate: fresh tables, no replication
 * slots or publications, no Mosaic indices, a new state directory. Also reads the cluster back, and starts Mosaic
 * in its own JVM ({@link #mosaicProcess}), stopping such processes when it is closed.
 */
public final class MosaicHarness implements AutoCloseable {

    /** Plain requests to the local cluster: {@link #es}. */
    public static final EsHttp ES = new EsHttp(LocalServices.ES_URL, Duration.ofSeconds(60));
    /** Reads the cluster back through Mosaic's own paging helper; no retries, so that a test sees every failure. */
    private static final ElasticsearchGateway GATEWAY = new ElasticsearchGateway(new ElasticsearchConfig(
            List.of(URI.create(LocalServices.ES_URL)), null, null, null, Duration.ofSeconds(5), Duration.ofSeconds(60)), Retry.never());

    public final ScenarioDatabases dbs;
    public final Path workDir;
    private Mosaic mosaic;
    private final List<ChildProcess> children = new ArrayList<>();

    public MosaicHarness() throws Exception {
        this.dbs = LocalServices.start();
        this.workDir = Files.createTempDirectory("mosaic-it");
        reset();
    }

    /** Drops everything a previous test left: slots, publications, indices, tables. */
    public void reset() throws Exception {
        ReplicationSlots.drop(dbs, "mosaic", Duration.ofSeconds(30));
        ScenarioSchema.create(dbs);
        for (Supplier<Connection> open : List.<Supplier<Connection>>of(() -> unchecked(dbs::openAdmin), () -> unchecked(dbs::openMotivation))) {
            try (Connection c = open.get(); Statement s = c.createStatement()) {
                s.execute("DO $$ DECLARE p record; BEGIN FOR p IN SELECT pubname FROM pg_publication WHERE pubname LIKE 'mosaic%' "
                        + "LOOP EXECUTE 'DROP PUBLICATION ' || quote_ident(p.pubname); END LOOP; END $$");
            }
        }
        es("DELETE", "/employees*,mosaic-*?expand_wildcards=all&ignore_unavailable=true", null);
        es("DELETE", "/_index_template/mosaic-*", null);
    }

    private interface SqlSupplier<T> {
        T get() throws SQLException;
    }

    private static <T> T unchecked(SqlSupplier<T> s) {
        try {
            return s.get();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code mosaic.yaml}: the reference scenario's mapping for its three sources, admin, motivation and labor. */
    public Path scenarioConfig() throws IOException {
        return config(scenarioMapping().toString(), "admin", "motivation", "labor");
    }

    /**
     * Creates {@code mappings/} in the work directory with the scenario's index template in it, for a test's own
     * mapping files that name the template as the scenario's does; returns the directory.
     */
    public Path mappingDir() throws IOException {
        Path dir = workDir.resolve("mappings");
        Files.createDirectories(dir);
        Files.copy(scenarioMapping().resolveSibling("employees.index.json"), dir.resolve("employees.index.json"));
        return dir;
    }

    /** Writes a config for the given sources (admin, motivation, labor) and mapping file. */
    public Path config(String mappingFile, String... sources) throws IOException {
        return configFile("mosaic.yaml", mappingFile, sources);
    }

    /** Writes a config file of the given name in the work directory. */
    public Path configFile(String fileName, String mappingFile, String... sources) throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("elasticsearch:\n  urls: ").append(LocalServices.ES_URL).append("\n  request_timeout: 10s\n");
        y.append("sources:\n");
        for (String s : sources) {
            switch (s) {
                case "admin", "motivation" -> y.append("  ").append(s).append(":\n    type: postgres\n    host: ").append(dbs.pgHost())
                        .append("\n    port: ").append(dbs.pgPort()).append("\n    database: ").append(s)
                        .append("\n    user: postgres\n    password: postgres\n    heartbeat: 1s\n");
                case "labor" -> y.append("  labor:\n    type: mariadb\n    host: ").append(dbs.mysqlHost()).append("\n    port: ")
                        .append(dbs.mysqlPort()).append("\n    user: debezium\n    password: debezium\n    server_id: 5501\n");
                default -> throw new IllegalArgumentException(s);
            }
        }
        y.append("mappings: [").append(mappingFile).append("]\n");
        y.append("state:\n  directory: ").append(workDir.resolve("state")).append("\n");
        y.append("writer:\n  linger: 50ms\n  max_backoff: 2s\n");
        y.append("http:\n  port: 0\n");
        Path file = workDir.resolve(fileName);
        Files.writeString(file, y.toString());
        return file;
    }

    /**
     * Creates the signal tables {@code public.mosaic_signal} (admin) and {@code labor.mosaic_signal} (labor, with the
     * grants Debezium needs) if they do not exist, as docs/OPERATIONS.md sets them up (a table kept from an
     * earlier run stays: its rows are never read back), and names them in {@code config}'s sources
     * (a config of {@link #configFile}), for {@code mosaic snapshot}; returns {@code config}.
     */
    public Path withSignalTables(Path config) throws Exception {
        String y = Files.readString(config);
        if (y.contains("    database: admin\n")) {
            try (Connection c = dbs.openAdmin(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS public.mosaic_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
            }
            y = y.replace("    database: admin\n", "    database: admin\n    signal_table: public.mosaic_signal\n");
        }
        if (y.contains("    server_id: 5501\n")) {
            try (Connection c = dbs.openLabor(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS mosaic_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
                s.execute("GRANT SELECT, INSERT, DELETE ON labor.mosaic_signal TO 'debezium'@'127.0.0.1'");
            }
            y = y.replace("    server_id: 5501\n", "    server_id: 5501\n    signal_table: labor.mosaic_signal\n");
        }
        Files.writeString(config, y);
        return config;
    }

    public static Path scenarioMapping() {
        return LocalServices.root().resolve("mappings/employees.yaml");
    }

    /**
     * {@code mosaic run --config config} in its own JVM ({@link ChildProcess#mosaic}), not started yet, its output in
     * {@code <name>.log} in the work directory; {@link #close} stops it.
     */
    public ChildProcess mosaicProcess(String name, Path config) {
        return own(ChildProcess.mosaic(name, config, workDir.resolve(name + ".log"), null));
    }

    /** {@link #close} stops {@code child} (SIGTERM, then SIGKILL after 30 s) before it stops the in-process Mosaic; returns it. */
    public ChildProcess own(ChildProcess child) {
        children.add(child);
        return child;
    }

    public Mosaic start(Path config) throws Exception {
        mosaic = new Mosaic(MosaicConfig.load(config));
        mosaic.start();
        return mosaic;
    }

    public void stop() {
        if (mosaic != null) {
            mosaic.close();
            mosaic = null;
        }
    }

    /** Every document of an index or alias, by _id, after a refresh. */
    public Map<String, Map<String, Object>> documents(String index) throws Exception {
        es("POST", "/" + index + "/_refresh", null);
        Map<String, Map<String, Object>> out = new TreeMap<>();
        GATEWAY.scan(index, Map.of("match_all", Map.of()), true, List.of(), 5000, d -> out.put(d.id(), d.source()));
        return out;
    }

    /** Waits until the index equals the expected documents under the contract's rules; fails with the differences. */
    public void awaitConverged(String index, Supplier<Map<String, Map<String, Object>>> expected, Duration timeout) {
        List<String> last = new ArrayList<>();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
                last.clear();
                Map<String, Map<String, Object>> actual;
                try {
                    actual = documents(index);
                } catch (io.mosaic.es.ElasticsearchRequestException e) {
                    // a shard not yet allocated again after a fault answers 503 for a while: not converged yet, not an error
                    last.add("the index could not be scanned: " + e.getMessage());
                    return false;
                }
                last.addAll(ContractComparison.differences(expected.get(), actual));
                return last.isEmpty();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // where a check that never returned is stuck, for the report
            Thread.getAllStackTraces().forEach((t, stack) -> {
                if (t.getName().toLowerCase().contains("awaitility")) {
                    System.out.println("stuck: " + t.getName() + " " + java.util.Arrays.toString(stack));
                }
            });
            throw new AssertionError(last.size() + " difference(s) after " + timeout + ", first: "
                    + last.subList(0, Math.min(5, last.size())), e);
        }
    }

    /** Waits until the employees index equals the scenario's SQL projection of the three databases. */
    public void awaitScenarioConverged(Duration timeout) {
        awaitConverged("employees", () -> {
            try {
                return ExpectedDocuments.compute(dbs);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, timeout);
    }

    /** The name of every index in the cluster, hidden and internal ones included. */
    @SuppressWarnings("unchecked")
    public List<String> allIndexNames() throws Exception {
        Map<String, Object> r = es("GET", "/_all/_settings?expand_wildcards=all", null);
        r.remove("_status");
        return new ArrayList<>(r.keySet());
    }

    /** A request to the local cluster: the parsed body, the status under {@code _status} ({@link EsHttp#request}). */
    public static Map<String, Object> es(String method, String path, Object body) throws Exception {
        return ES.request(method, path, body);
    }

    /** The stored offset of each source, by source name, as Debezium wrote it (decoded from mosaic-offsets). */
    @SuppressWarnings("unchecked")
    public static Map<String, Map<String, Object>> storedPositions() throws Exception {
        es("POST", "/mosaic-offsets/_refresh", null);
        Map<String, Object> answer = es("GET", "/mosaic-offsets/_search?size=100", null);
        Map<String, Map<String, Object>> positions = new java.util.HashMap<>();
        if (!(answer.get("hits") instanceof Map<?, ?> hits)) {
            return positions; // no such index: nothing is kept in Elasticsearch
        }
        for (Object hit : (List<Object>) hits.get("hits")) {
            Map<String, Object> source = (Map<String, Object>) ((Map<String, Object>) hit).get("_source");
            if (!(source.get("stream") instanceof String stream) || !(source.get("offsets") instanceof Map<?, ?> offsets)) {
                continue; // the index also records which tables each source captured
            }
            for (Object value : offsets.values()) {
                positions.put(stream.substring(0, stream.indexOf('@')),
                        EsHttp.JSON.readValue(java.util.Base64.getDecoder().decode((String) value), Map.class));
            }
        }
        return positions;
    }

    /**
     * Waits until every one of {@code sources} has a stored position in its log, past its snapshot: a process
     * killed from then on resumes streaming instead of snapshotting again.
     */
    public static void awaitStreamingPositions(Duration timeout, String... sources) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<String, Map<String, Object>> stored = storedPositions();
            return java.util.Arrays.stream(sources).allMatch(s -> stored.get(s) != null && !stored.get(s).containsKey("snapshot"));
        });
    }

    /** Stops the child processes it owns ({@link #own}), then the in-process Mosaic. */
    @Override
    public void close() {
        try {
            for (ChildProcess child : children) {
                child.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stop();
        }
    }
}
