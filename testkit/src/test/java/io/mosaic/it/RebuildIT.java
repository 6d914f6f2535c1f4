package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.ExpectedDocuments;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.MosaicHarness;

/**
 * A mapping change goes live without downtime: Mosaic is restarted with a new mapping and index
 * version while a workload runs, {@code mosaic rebuild} builds the new index from the state index and
 * moves the alias, and the documents end equal to the sources under the new mapping, every one of
 * them (not only those changed since). A mapping that needs a column the state never captured is
 * refused, and nothing changes.
 */
class RebuildIT {

    private static final Map<String, String> LABELS = Map.of("active", "在籍", "on_leave", "休職", "retired", "退職");

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    static MosaicHarness harness;
    static ChildProcess mosaic;

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.close(); // and the Mosaic processes it started
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMappingChangeIsRebuiltFromTheStateWhileStreamingGoesOn() throws Exception {
        harness = new MosaicHarness();
        ScenarioSize size = new ScenarioSize(1, 300);
        ScenarioSeeder.seed(harness.dbs, size, 21);
        Path dir = harness.mappingDir();
        String template = Files.readString(dir.resolve("employees.index.json"));
        String mapping = Files.readString(MosaicHarness.scenarioMapping());
        assertThat(mapping).contains("  version: 1\n");
        Files.writeString(dir.resolve("v1.yaml"), mapping);
        Path v1 = harness.configFile("v1.yaml.conf", dir.resolve("v1.yaml").toString(), "admin", "motivation", "labor");
        mosaic = harness.mosaicProcess("mosaic", v1).start();
        harness.awaitScenarioConverged(Duration.ofSeconds(120));

        // version 2: a new field from a column the state holds, and a changed template
        Files.writeString(dir.resolve("employees-v2.index.json"),
                template.replace("\"code\": { \"type\": \"keyword\" }", "\"code\": { \"type\": \"keyword\", \"fields\": { \"text\": { \"type\": \"text\" } } }"));
        String v2Mapping = mapping.replace("  version: 1\n", "  version: 2\n")
                .replace("template: employees.index.json", "template: employees-v2.index.json")
                .replace("    hired_on: { column: hired_on, type: date }",
                        "    hired_on: { column: hired_on, type: date }\n    status_label: { column: status, map: { active: 在籍, on_leave: 休職, retired: 退職 } }");
        assertThat(v2Mapping).contains("version: 2").contains("status_label").contains("employees-v2.index.json");
        Files.writeString(dir.resolve("v2.yaml"), v2Mapping);
        Path v2 = harness.configFile("v2.yaml.conf", dir.resolve("v2.yaml").toString(), "admin", "motivation", "labor");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(v2, Files.readString(v2).replace("http:\n  port: 0\n", "http:\n  host: 127.0.0.1\n  port: " + port + "\n"));
        assertThat(Files.readString(v2)).contains("port: " + port);

        FaultWorkload workload = new FaultWorkload(harness.dbs, 21, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        try {
            Thread.sleep(2_000);
            assertThat(mosaic.terminate(30)).as("exit code of the v1 service after SIGTERM").isZero();
            mosaic = harness.mosaicProcess("mosaic", v2).start();
            Thread.sleep(3_000);
            mosaic.checkAlive();
            final int p = port;
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> get(p, "/status").statusCode() == 200);
            // what /status said about the rebuild while it ran (the service reads its progress every 5 s)
            List<String> phasesSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    try {
                        JsonNode r = status(p).path("rebuild").path("employees");
                        if (r.isObject() && "employees-v2".equals(r.path("target").asText())
                                && r.path("running").asBoolean() && !phasesSeen.contains(r.path("phase").asText())) {
                            phasesSeen.add(r.path("phase").asText());
                        }
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // the service answers again in a moment
                    }
                }
            }, "status-watch");
            watcher.setDaemon(true);
            watcher.start();

            Path rebuildLog = harness.workDir.resolve("rebuild.log");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx192m",
                    "-cp", System.getProperty("java.class.path"), "io.mosaic.Main", "rebuild", "--config", v2.toString(), "--grace", "2s"));
            Process rebuild = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(rebuildLog.toFile()).start();
            assertThat(rebuild.waitFor(5, TimeUnit.MINUTES)).as("rebuild finished (log: %s)", rebuildLog).isTrue();
            String out = Files.readString(rebuildLog);
            assertThat(rebuild.exitValue()).as("rebuild exit code; output:\n%s", out).isZero();
            assertThat(out).contains("the alias now points to employees-v2").contains("employees-v1 deleted");

            // the service shows the rebuild's outcome, with its counts, and no longer as running
            long states = ((Number) MosaicHarness.es("POST", "/mosaic-employees-state/_count",
                    Map.of("query", io.mosaic.writer.IndexRebuild.statesQuery())).get("count")).longValue();
            JsonNode done = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> status(p).path("rebuild").path("employees"), r -> "done".equals(r.path("phase").asText()));
            watching.set(false);
            watcher.join();
            assertThat(done.path("target").asText()).isEqualTo("employees-v2");
            assertThat(done.path("running").asBoolean()).isFalse();
            assertThat(done.path("stale").asBoolean()).isFalse();
            // 300 employees seeded; the workload adds and removes a few meanwhile
            assertThat(done.path("total").asLong()).as("states counted by the rebuild; %s", done).isBetween(250L, states + 50);
            // the catch-up reads only the states written since the first pass began (the workload changed some)
            assertThat(done.path("done").asLong()).as("states of the catch-up pass; %s", done).isBetween(1L, done.path("total").asLong() + 50);
            assertThat(done.path("rate_per_second").asDouble()).isPositive();
            System.out.println("RebuildIT: /status showed the running rebuild in phases " + phasesSeen + "; at the end: " + done);
            String scrape = get(p, "/metrics").body();
            assertThat(scrape).contains("mosaic_rebuild_documents{index=\"employees\"} " + done.path("done").asLong() + ".0")
                    .contains("mosaic_rebuild_documents_estimate{index=\"employees\"} " + done.path("total").asLong() + ".0")
                    .contains("mosaic_rebuild_running{index=\"employees\"} 0.0");
            Thread.sleep(3_000); // the stream goes on writing into the new index
        } finally {
            workload.running.set(false);
            writer.join();
        }
        assertThat(workload.committed.get()).as("changes committed during the rebuild").isGreaterThan(20);
        mosaic.checkAlive();

        Map<String, Object> alias = MosaicHarness.es("GET", "/_alias/employees", null);
        alias.remove("_status");
        assertThat(alias.keySet()).containsExactly("employees-v2");
        assertThat(MosaicHarness.es("GET", "/employees-v1", null).get("_status")).isEqualTo(404);
        Map<String, Object> fields = MosaicHarness.es("GET", "/employees-v2/_mapping/field/code.text", null);
        assertThat(fields.toString()).as("the new template applies to the new index").contains("code.text");

        harness.awaitConverged("employees", () -> {
            try {
                Map<String, Map<String, Object>> expected = new LinkedHashMap<>();
                ExpectedDocuments.compute(harness.dbs).forEach((id, doc) -> {
                    Map<String, Object> d = new LinkedHashMap<>(doc);
                    d.put("status_label", LABELS.get((String) doc.get("status")));
                    expected.put(id, d);
                });
                return expected;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(120));

        // version 3 reads a column no stored row holds: refused, and nothing changes
        String v3Mapping = v2Mapping.replace("  version: 2\n", "  version: 3\n")
                .replace("    hired_on: { column: hired_on, type: date }", "    hired_on: { column: hired_on, type: date }\n    updated_at: updated_at");
        Files.writeString(dir.resolve("v3.yaml"), v3Mapping);
        Path v3 = harness.configFile("v3.yaml.conf", dir.resolve("v3.yaml").toString(), "admin", "motivation", "labor");
        Path refusedLog = harness.workDir.resolve("rebuild-v3.log");
        Process refused = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx192m",
                "-cp", System.getProperty("java.class.path"), "io.mosaic.Main", "rebuild", "--config", v3.toString())
                .redirectErrorStream(true).redirectOutput(refusedLog.toFile()).start();
        assertThat(refused.waitFor(3, TimeUnit.MINUTES)).isTrue();
        String refusal = Files.readString(refusedLog);
        assertThat(refused.exitValue()).as("output:\n%s", refusal).isEqualTo(2);
        assertThat(refusal).contains("admin.public.employees.updated_at").contains("--resnapshot").contains("still points to employees-v2");
        alias = MosaicHarness.es("GET", "/_alias/employees", null);
        alias.remove("_status");
        assertThat(alias.keySet()).containsExactly("employees-v2");
        assertThat(MosaicHarness.es("GET", "/employees-v3", null).get("_status")).isEqualTo(404);
        await().atMost(Duration.ofSeconds(5)).until(() -> mosaic.alive());
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode status(int port) throws Exception {
        return JSON.readTree(get(port, "/status").body());
    }
}
