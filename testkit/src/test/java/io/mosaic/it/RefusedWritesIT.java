package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.MosaicHarness;

/**
 * A cluster that refuses writes (issue 13), for real: while the workload changes the three databases,
 * the test puts every index Mosaic writes (documents, state, offsets) behind the flood-stage block
 * {@code index.blocks.read_only_allow_delete} through the settings API, as Elasticsearch does when a
 * disk passes the flood-stage watermark, and later behind an operator's {@code index.blocks.write}.
 * Readiness and metrics must show the stall within seconds, no change may become a dead letter, no
 * source may fail; when the block is lifted everything must arrive.
 *
 * <p>Mosaic runs as a child JVM with {@code MOSAIC_LOG_FORMAT=json}, so the test also reads its whole
 * log as one JSON object per line, and checks that streaming logs nothing per batch.
 */
class RefusedWritesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Every index Mosaic writes: the document index, its state index, offsets (and the dead letters, were there any). */
    private static final String INDICES = "/employees-*,mosaic-*/_settings";

    private MosaicHarness harness;
    private ChildProcess process;
    private FaultWorkload workload;
    private Thread writer;

    @AfterEach
    void stop() throws Exception {
        // a workload left running would go on writing to the databases through the next test classes
        if (workload != null) {
            workload.running.set(false);
            writer.join();
        }
        // never leave a block behind for the next test
        Map<String, Object> lift = new java.util.HashMap<>();
        lift.put("index.blocks.read_only_allow_delete", null);
        lift.put("index.blocks.write", null);
        MosaicHarness.es("PUT", INDICES, lift);
        MosaicHarness.es("PUT", "/_cluster/settings", Map.of("persistent",
                java.util.Collections.singletonMap("cluster.info.update.interval", null)));
        if (process != null) {
            process.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void aClusterThatRefusesWritesStallsTheWriterAndEverythingArrivesOnceTheBlockLifts() throws Exception {
        harness = new MosaicHarness(); // first: it starts the local servers on a new machine
        // Elasticsearch's disk monitor lifts a read_only_allow_delete block by itself when the disk is below the
        // high watermark, each time it gets new disk figures (every 30 s), and at once when it is switched off:
        // either would end the test's block at a random moment. So the figures come rarely during the test.
        assertThat(MosaicHarness.es("PUT", "/_cluster/settings", Map.of("persistent",
                Map.of("cluster.info.update.interval", "30m")))).containsEntry("acknowledged", true);
        ScenarioSize size = new ScenarioSize(1, 200);
        ScenarioSeeder.seed(harness.dbs, size, 1313);
        Path config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(config, Files.readString(config).replace("http:\n  port: 0\n", "http:\n  host: 127.0.0.1\n  port: " + port + "\n"));
        Path log = harness.workDir.resolve("refused.log");
        process = ChildProcess.mosaic("refused", config, log, null, Map.of("MOSAIC_LOG_FORMAT", "json")).start();
        harness.awaitScenarioConverged(Duration.ofSeconds(180));
        final int p = port;
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> get(p, "/health/ready").statusCode() == 200);

        workload = new FaultWorkload(harness.dbs, 1313, size.employees(), (int) size.departments(), (int) size.surveys());
        writer = new Thread(workload, "workload");
        writer.start();
        int linesBefore = lines(log).size();
        Thread.sleep(8_000);
        List<JsonNode> later = lines(log); // read once: the log grows between two reads (CI of 2026-12-03)
        List<JsonNode> streaming = later.subList(linesBefore, later.size());
        int changesWhileStreaming = workload.committed.get();

        List<String> report = new ArrayList<>();
        try {
            for (String block : List.of("index.blocks.read_only_allow_delete", "index.blocks.write")) {
                report.add(refuseAndLift(block, p, workload));
            }
        } finally {
            workload.running.set(false);
            writer.join();
        }

        harness.awaitScenarioConverged(Duration.ofSeconds(240));
        Map<String, Double> metrics = metrics(p);
        assertThat(metrics.get("mosaic_writer_dead_letters_total")).as("dead letters").isZero();
        assertThat(metrics.get("mosaic_elasticsearch_writes_refused")).isZero();
        assertThat(harness.allIndexNames()).as("no dead-letter index").doesNotContain("mosaic-dead-letters");
        assertThat(status(p).path("sources")).allSatisfy(s -> assertThat(s.path("phase").asText()).isEqualTo("streaming"));
        process.checkAlive();

        List<JsonNode> events = lines(log); // each line parsed as one JSON object, or the test fails here
        assertThat(events).allSatisfy(e -> assertThat(e.path("level").asText()).as("%s", e).isNotEqualTo("ERROR"));
        long warnings = events.stream().filter(e -> e.path("level").asText().equals("WARN")).count();
        // a stall is logged when it starts (and every tenth retry), and when it ends: not on every retry
        assertThat(events).as("a healed request's line").anySatisfy(e -> assertThat(e.path("message").asText())
                .matches("bulk \\S+ succeeded after \\d+ retr(y|ies), \\d+ s after its first failure"));
        assertThat(warnings).as("WARN lines for two stalls of 20 s").isLessThan(80);
        // streaming logs no line per batch: only Debezium's periodic count. Debezium 3.5's BaseSourceTask spaces it
        // exponentially from 5 s (to 1 h), so a source that has just started streaming can log twice in 8 s.
        List<JsonNode> periodic = streaming.stream().filter(e -> e.path("logger_name").asText().endsWith(".BaseSourceTask")
                && e.path("message").asText().contains("records sent during previous")).toList();
        Map<String, Long> periodicPerSource = periodic.stream().collect(Collectors.groupingBy(
                e -> e.path("dbz.connectorLogicalName").asText(), Collectors.counting()));
        assertThat(periodicPerSource).as("Debezium's periodic lines in 8 s, per source").allSatisfy((source, n) ->
                assertThat(n).as("%s: %s", source, periodic).isLessThanOrEqualTo(2));
        assertThat(changesWhileStreaming).as("changes in the 8 s of streaming, enough batches to show a line per batch")
                .isGreaterThan(20);
        assertThat(streaming).as("other log lines while streaming %d changes", changesWhileStreaming).hasSizeLessThanOrEqualTo(periodic.size() + 2);
        System.out.printf("RefusedWritesIT: %s; %d changes committed; %d log lines (%d WARN, 0 ERROR), %d while streaming %d changes; "
                        + "0 dead letters, 0 differences%n", String.join("; ", report), workload.committed.get(), events.size(), warnings,
                streaming.size(), changesWhileStreaming);
    }

    /** Sets {@code block} on every Mosaic index, checks the stall is shown and harmless, lifts it, checks the writer resumes. */
    private String refuseAndLift(String block, int port, FaultWorkload workload) throws Exception {
        int committedBefore = workload.committed.get();
        long set = System.nanoTime();
        Map<String, Object> r = MosaicHarness.es("PUT", INDICES, Map.of(block, true));
        assertThat(r).as("setting %s", block).containsEntry("acknowledged", true);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
            assertThat(metrics(port).get("mosaic_elasticsearch_writes_refused")).isEqualTo(1.0);
            assertThat(get(port, "/health/ready").body()).contains("writer: retrying a failing request")
                    .contains("Elasticsearch refuses writes (cluster_block_exception");
            assertThat(status(port).path("writer").path("writes_refused").asText()).isEqualTo("cluster_block_exception");
        });
        double shownAfter = (System.nanoTime() - set) / 1e9;

        // held for a while: the writer keeps retrying, nothing becomes a dead letter, no source fails
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            Thread.sleep(2_000);
            process.checkAlive();
            // On a new cluster the disk monitor sometimes lifts a flood-stage block by itself (the disk is far from
            // full), whatever the info interval: set it again, as the monitor would on a full disk, and check the
            // writer is refused again within seconds.
            assertThat(MosaicHarness.es("PUT", INDICES, Map.of(block, true))).containsEntry("acknowledged", true);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() ->
                    assertThat(metrics(port).get("mosaic_elasticsearch_writes_refused")).as("still refused under %s", block).isEqualTo(1.0));
            Map<String, Double> m = metrics(port);
            assertThat(m.get("mosaic_writer_dead_letters_total")).as("dead letters under %s", block).isZero();
            assertThat(status(port).path("sources")).allSatisfy(s -> assertThat(s.path("phase").asText()).isIn("snapshotting", "streaming"));
        }
        double stalled = metrics(port).get("mosaic_elasticsearch_stalled_seconds");
        assertThat(stalled).as("stalled seconds under %s", block).isPositive(); // the whole hold unless the monitor lifted the block for a moment (above)
        int changesDuring = workload.committed.get() - committedBefore;

        long lifted = System.nanoTime();
        assertThat(MosaicHarness.es("PUT", INDICES, java.util.Collections.singletonMap(block, null)))
                .containsEntry("acknowledged", true);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
            Map<String, Double> m = metrics(port);
            assertThat(m.get("mosaic_elasticsearch_writes_refused")).isZero();
            assertThat(m.get("mosaic_elasticsearch_stalled_seconds")).isZero();
            assertThat(get(port, "/health/ready").body()).contains("writer: ok");
        });
        double resumedAfter = (System.nanoTime() - lifted) / 1e9;
        return String.format(java.util.Locale.ROOT, "%s: shown after %.1f s, stalled %.0f s while %d changes were committed, resumed %.1f s after the lift",
                block, shownAfter, stalled, changesDuring, resumedAfter);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode status(int port) throws Exception {
        return JSON.readTree(get(port, "/status").body());
    }

    /** The scrape's samples summed by metric name (labels dropped). */
    private static Map<String, Double> metrics(int port) throws Exception {
        Map<String, Double> out = new java.util.HashMap<>();
        for (String line : get(port, "/metrics").body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, brace > 0 ? brace : line.indexOf(' '));
            out.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
        }
        return out;
    }

    /**
     * Every line of the log, each parsed as one JSON object (fails on a line that is not). But for
     * slf4j's own report of two bindings, printed before logging starts: the child JVM has the test's
     * classpath, where logback is there twice (the Maven repository and connector/target/lib through
     * mosaic.jar's manifest); {@code java -jar mosaic.jar} has it once.
     */
    private static List<JsonNode> lines(Path log) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("SLF4J: ")) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not a JSON object: " + line, e);
            }
            assertThat(node.isObject()).as("one JSON object per line: %s", line).isTrue();
            out.add(node);
        }
        return out;
    }
}
