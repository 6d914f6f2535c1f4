package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.EmployeeNotes;
import io.mosaic.testkit.ExpectedDocuments;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.MosaicHarness;

/**
 * {@code mosaic snapshot}: on-demand backfills through Debezium's incremental snapshots, while
 * streaming goes on. (1) A lookup and a collection are added to the mapping of a running deployment; a
 * snapshot of the three PostgreSQL tables they need (asked for with the CLI, after the restart has already asked for the
 * same backfill by itself: AutomaticBackfillIT tests that alone) fills every document, under a workload; two snapshots
 * of the same tables are harmless; {@code mosaic snapshot --wait} follows it in {@code /status} until it is done. (2) A
 * snapshot of one MariaDB table, limited by a condition and asked for with {@code POST /snapshot},
 * rewrites exactly the documents of the rows it reads; while the document index refuses writes it shows
 * in {@code /status} and {@code /metrics} as running with 0 rows, then done with the rows it read.
 */
class IncrementalSnapshotIT {

    static MosaicHarness harness;

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLookupAndACollectionAddedToTheMappingAreBackfilledAndASnapshotWithAConditionReadsOnlyItsRows() throws Exception {
        harness = new MosaicHarness();
        ScenarioSize size = new ScenarioSize(1, 200);
        ScenarioSeeder.seed(harness.dbs, size, 31);
        EmployeeNotes.create(harness.dbs); // a table of the admin service that no mapping reads yet: it becomes a collection below
        String full = Files.readString(MosaicHarness.scenarioMapping());
        int from = full.indexOf("  lookups:\n    department:");
        int to = full.indexOf("\ncollections:");
        assertThat(from).isPositive();
        String withoutDepartment = full.substring(0, from) + full.substring(to);
        Path dir = harness.mappingDir();
        Files.writeString(dir.resolve("before.yaml"), withoutDepartment);
        Files.writeString(dir.resolve("after.yaml"), full + EmployeeNotes.COLLECTION);

        harness.start(withSignals(harness.configFile("before.conf", dir.resolve("before.yaml").toString(), "admin", "motivation", "labor")));
        harness.awaitConverged("employees", () -> expected(d -> d.remove("department")), Duration.ofSeconds(120));
        harness.stop();

        // the deployment now maps departments: documents lack them until the backfill; start-up refuses until the
        // publication carries the new table and column, and says how (docs/OPERATIONS.md, adding a table)
        Path after = withSignals(harness.configFile("after.conf", dir.resolve("after.yaml").toString(), "admin", "motivation", "labor"));
        int httpPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            httpPort = free.getLocalPort();
        }
        String text = Files.readString(after);
        assertThat(text).contains("http:\n  port: 0\n");
        Files.writeString(after, text.replace("http:\n  port: 0\n", "http:\n  port: " + httpPort + "\n"));
        String refusal = null;
        try {
            harness.start(after);
        } catch (io.mosaic.config.ConfigException e) {
            refusal = e.getMessage();
        }
        harness.stop();
        assertThat(refusal).as("start-up with a publication lacking the new table").isNotNull().contains("public.departments");
        java.util.regex.Matcher fix = java.util.regex.Pattern.compile("ALTER PUBLICATION \"?mosaic_admin\"? SET TABLE [^;]*;").matcher(refusal);
        assertThat(fix.find()).as(refusal).isTrue();
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute(fix.group());
        }
        io.mosaic.pipeline.Mosaic running = harness.start(after);
        FaultWorkload workload = new FaultWorkload(harness.dbs, 31, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        Path cliLog;
        try {
            Thread.sleep(2_000);
            // --wait follows the snapshot in the service's /status until every row it read is written
            cliLog = Files.createTempFile(harness.workDir, "snapshot", ".log");
            Process cli = snapshot(after, cliLog, "--wait", "--timeout", "PT4M", "--source", "admin", "--table", "public.employees",
                    "--table", "public.departments", "--table", "public.employee_notes");
            try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
                s.execute("UPDATE public.employee_notes SET note = 'edited' WHERE id % 10 = 0");
                s.execute("DELETE FROM public.employee_notes WHERE id % 25 = 0");
            }
            Thread.sleep(5_000);
            assertThat(cli.waitFor(5, TimeUnit.MINUTES)).as("mosaic snapshot --wait returned").isTrue();
            assertThat(cli.exitValue()).as(Files.readString(cliLog)).isZero();
        } finally {
            workload.running.set(false);
            writer.join();
        }
        assertThat(workload.committed.get()).isGreaterThan(20);
        String cliOut = Files.readString(cliLog);
        assertThat(cliOut).contains("requested from source admin").contains("snapshot done: ")
                .containsPattern("public\\.employees done [1-9]\\d* rows").containsPattern("public\\.departments done [1-9]\\d* rows")
                .containsPattern("public\\.employee_notes done [1-9]\\d* rows");
        JsonNode adminSnapshot = source(running, "admin").path("incremental_snapshot");
        assertThat(adminSnapshot.path("phase").asText()).as("%s", adminSnapshot).isEqualTo("done");
        assertThat(adminSnapshot.path("finished_at").isNull()).isFalse();
        harness.awaitConverged("employees", IncrementalSnapshotIT::withNotes, Duration.ofSeconds(180));

        // (2) drift planted behind Mosaic's back in the contracts of two employees; a snapshot of the
        // contracts of employees 1-100 repairs the first and leaves the second alone
        Map<String, Map<String, Object>> expected = withNotes();
        String low = expected.entrySet().stream().filter(e -> Long.parseLong(e.getKey()) <= 100 && hasContracts(e.getValue()))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        String high = expected.entrySet().stream().filter(e -> Long.parseLong(e.getKey()) > 100 && hasContracts(e.getValue()))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        for (String id : List.of(low, high)) {
            Map<String, Object> got = MosaicHarness.es("GET", "/employees/_doc/" + id, null);
            Map<String, Object> doc = new LinkedHashMap<>((Map<String, Object>) got.get("_source"));
            doc.put("contracts", List.of());
            String index = (String) got.get("_index");
            Map<String, Object> put = MosaicHarness.es("PUT", "/" + index + "/_doc/" + id + "?version=" + got.get("_version")
                    + "&version_type=external_gte&refresh=true", doc);
            assertThat(put.get("_status")).as("planting drift in %s", id).isEqualTo(200);
        }
        long contracts;
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement();
             java.sql.ResultSet r = s.executeQuery("SELECT count(*) FROM labor.contracts WHERE employee_id <= 100")) {
            r.next();
            contracts = r.getLong(1);
        }
        assertThat(contracts).isPositive();
        assertThat(metric(running, "mosaic_source_incremental_snapshot_rows_total{source=\"labor\",table=\"labor.contracts\"}")).isZero();
        // the document index refuses writes (a write block, as an operator or the disk watermark sets): the snapshot
        // runs, but none of its rows can be acknowledged, so it shows running with 0 rows until the block lifts
        assertThat(MosaicHarness.es("PUT", "/employees-*/_settings", Map.of("index.blocks.write", true))).containsEntry("acknowledged", true);
        java.net.http.HttpResponse<String> posted;
        try {
            // this one through the endpoint (loopback only), as an operator would with kubectl exec
            posted = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + running.httpPort() + "/snapshot?source=labor&table=labor.contracts&where="
                            + java.net.URLEncoder.encode("employee_id <= 100", java.nio.charset.StandardCharsets.UTF_8)))
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
            assertThat(posted.body()).contains("requested from source labor");
            java.util.regex.Matcher signal = java.util.regex.Pattern.compile("\\(signal ([0-9a-f-]+)\\)").matcher(posted.body());
            assertThat(signal.find()).as(posted.body()).isTrue();
            String id = signal.group(1);
            JsonNode asked = source(running, "labor").path("incremental_snapshot");
            assertThat(asked.path("signal").asText()).as("%s", asked).isEqualTo(id);
            assertThat(asked.path("phase").asText()).as("shown from the request on").isIn("requested", "running");
            assertThat(asked.path("requested_at").isNull()).isFalse();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                    source(running, "labor").path("incremental_snapshot").path("phase").asText().equals("running"));
            Thread.sleep(3_000); // Debezium reads the chunk meanwhile; the writer retries the refused batch
            JsonNode blocked = source(running, "labor").path("incremental_snapshot");
            assertThat(blocked.path("phase").asText()).as("%s", blocked).isEqualTo("running");
            assertThat(blocked.path("started_at").isNull()).isFalse();
            assertThat(blocked.path("finished_at").isNull()).isTrue();
            assertThat(blocked.path("rows_written").asLong()).as("no row acknowledged while writes are refused").isZero();
            assertThat(blocked.path("tables").get(0).path("table").asText()).isEqualTo("labor.contracts");
            assertThat(metric(running, "mosaic_source_incremental_snapshot_running{source=\"labor\"}")).isEqualTo(1);
        } finally {
            Map<String, Object> lift = new java.util.HashMap<>();
            lift.put("index.blocks.write", null);
            MosaicHarness.es("PUT", "/employees-*/_settings", lift);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                source(running, "labor").path("incremental_snapshot").path("phase").asText().equals("done"));
        JsonNode done = source(running, "labor").path("incremental_snapshot");
        JsonNode table = done.path("tables").get(0);
        assertThat(table.path("table").asText()).as("%s", done).isEqualTo("labor.contracts");
        assertThat(table.path("state").asText()).as("%s", done).isEqualTo("done");
        assertThat(table.path("rows_written").asLong()).as("%s", done).isEqualTo(contracts);
        assertThat(table.path("rows_scanned").asLong()).as("Debezium's count, %s", done).isEqualTo(contracts);
        assertThat(done.path("rows_written").asLong()).isEqualTo(contracts);
        assertThat(done.path("finished_at").isNull()).isFalse();
        assertThat(metric(running, "mosaic_source_incremental_snapshot_rows_total{source=\"labor\",table=\"labor.contracts\"}"))
                .isEqualTo(contracts);
        assertThat(metric(running, "mosaic_source_incremental_snapshot_running{source=\"labor\"}")).isZero();
        assertThat(metric(running, "mosaic_source_incremental_snapshots_total{outcome=\"done\",source=\"labor\"}")).isEqualTo(1);
        assertThat(metric(running, "mosaic_source_incremental_snapshot_rows_total{source=\"admin\",table=\"public.employee_notes\"}"))
                .as("the rows of the new collection, read by the backfill and the CLI's snapshot").isGreaterThanOrEqualTo(288);
        System.out.printf("IncrementalSnapshotIT: the snapshot of labor.contracts showed running with 0 rows while writes were refused, "
                + "then done with %d rows written and scanned; the CLI printed: %s%n", contracts,
                cliOut.lines().filter(l -> l.startsWith("snapshot done")).findFirst().orElse(""));
        harness.awaitConverged("employees", () -> {
            Map<String, Map<String, Object>> e = new LinkedHashMap<>(expected);
            Map<String, Object> drifted = new LinkedHashMap<>(e.get(high));
            drifted.put("contracts", List.of());
            e.put(high, drifted);
            return e;
        }, Duration.ofSeconds(120));
    }

    /** The scenario's documents plus the new collection, computed by SQL. */
    private static Map<String, Map<String, Object>> withNotes() {
        Map<String, Map<String, Object>> out = expected(d -> { });
        try {
            EmployeeNotes.addTo(harness.dbs, out);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static boolean hasContracts(Map<String, Object> doc) {
        return doc.get("contracts") instanceof List<?> l && !l.isEmpty();
    }

    private interface Edit {
        void apply(Map<String, Object> doc);
    }

    private static Map<String, Map<String, Object>> expected(Edit edit) {
        try {
            Map<String, Map<String, Object>> out = new LinkedHashMap<>();
            ExpectedDocuments.compute(harness.dbs).forEach((id, doc) -> {
                Map<String, Object> d = new LinkedHashMap<>(doc);
                edit.apply(d);
                out.put(id, d);
            });
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The config with a signal table for admin and labor. */
    private static Path withSignals(Path config) throws Exception {
        Path out = harness.withSignalTables(config);
        assertThat(Files.readString(out)).contains("signal_table: public.mosaic_signal").contains("signal_table: labor.mosaic_signal");
        return out;
    }

    /** Starts {@code mosaic snapshot} in its own JVM, its output to {@code log}. */
    private static Process snapshot(Path config, Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), "io.mosaic.Main", "snapshot", "--config", config.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String get(io.mosaic.pipeline.Mosaic running, String path) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + running.httpPort() + path)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    /** The source's object of {@code /status}. */
    private static JsonNode source(io.mosaic.pipeline.Mosaic running, String name) throws Exception {
        for (JsonNode s : new ObjectMapper().readTree(get(running, "/status")).path("sources")) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        throw new AssertionError("no source " + name + " in /status");
    }

    /** A sample of {@code /metrics}, as Prometheus names it with its labels, e.g. {@code x_total{source="labor"}}. */
    private static double metric(io.mosaic.pipeline.Mosaic running, String sample) throws Exception {
        for (String line : get(running, "/metrics").split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim().split(" ")[0]);
            }
        }
        throw new AssertionError(sample + " is not in /metrics");
    }
}
