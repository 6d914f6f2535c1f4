package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * Adding tables to the mapping of a running deployment needs nothing but the restart: Mosaic compares
 * the mapping with what it captured from each source and backfills exactly what is new by incremental
 * snapshots, with no {@code mosaic snapshot} by hand. A lookup (a new table, and a new {@code on}
 * column of the root table) and a collection of a new table on PostgreSQL, and a collection on
 * MariaDB, are added while a workload runs; every document ends equal to the sources under the new
 * mapping, and a second restart asks for no snapshot. Without a signal table the start is refused,
 * naming the source, its tables and both fixes.
 */
class AutomaticBackfillIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    static MosaicHarness harness;

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void tablesAddedToTheMappingAreBackfilledByTheRestartAloneAndOnlyOnce() throws Exception {
        harness = new MosaicHarness();
        ScenarioSize size = new ScenarioSize(1, 200);
        ScenarioSeeder.seed(harness.dbs, size, 37);
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS public.mosaic_signal");
            s.execute("CREATE TABLE public.mosaic_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
        }
        EmployeeNotes.create(harness.dbs);
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS mosaic_signal");
            s.execute("CREATE TABLE mosaic_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
            s.execute("GRANT SELECT, INSERT, DELETE ON labor.mosaic_signal TO 'debezium'@'127.0.0.1'");
        }
        String full = Files.readString(MosaicHarness.scenarioMapping());
        int from = full.indexOf("  lookups:\n    department:");
        int to = full.indexOf("\ncollections:");
        int qualifications = full.indexOf("  qualifications:\n");
        assertThat(from).isPositive();
        assertThat(qualifications).isGreaterThan(to);
        String before = full.substring(0, from) + full.substring(to, qualifications);
        Path dir = harness.mappingDir();
        Files.writeString(dir.resolve("before.yaml"), before);
        Files.writeString(dir.resolve("after.yaml"), full + EmployeeNotes.COLLECTION);

        harness.start(withSignals(harness.configFile("before.conf", dir.resolve("before.yaml").toString(), "admin", "motivation", "labor"), true));
        harness.awaitConverged("employees", () -> expected(false), Duration.ofSeconds(120));
        harness.stop();

        // labor without a signal table: its new table cannot be backfilled, and the start says so (with the publication's fix)
        Path noLaborSignal = withSignals(harness.configFile("no-labor-signal.conf", dir.resolve("after.yaml").toString(),
                "admin", "motivation", "labor"), false);
        String refusal = null;
        try {
            harness.start(noLaborSignal);
        } catch (io.mosaic.config.ConfigException e) {
            refusal = e.getMessage();
        }
        harness.stop();
        assertThat(refusal).as("start-up without labor's signal table").isNotNull()
                .contains("source 'labor'").contains("labor.qualifications (a new table)")
                .contains("sources.labor.signal_table").contains("mosaic run --resnapshot labor");
        java.util.regex.Matcher fix = java.util.regex.Pattern.compile("ALTER PUBLICATION \"?mosaic_admin\"? SET TABLE [^;]*;").matcher(refusal);
        assertThat(fix.find()).as(refusal).isTrue();
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute(fix.group());
        }

        Path after = withSignals(harness.configFile("after.conf", dir.resolve("after.yaml").toString(), "admin", "motivation", "labor"), true);
        int port = freePort();
        Files.writeString(after, Files.readString(after).replace("http:\n  port: 0\n", "http:\n  port: " + port + "\n"));
        FaultWorkload workload = new FaultWorkload(harness.dbs, 37, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        try {
            Thread.sleep(1_000);
            harness.start(after); // no `mosaic snapshot`: the start itself asks for the backfills
            // asked for as each source's engine starts
            JsonNode running = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> status(port),
                    st -> backfill(st, "admin").isObject() && backfill(st, "labor").isObject());
            assertThat(backfill(running, "admin").path("tables").toString()).contains("public.departments")
                    .contains("public.employee_notes").contains("public.employees");
            assertThat(backfill(running, "labor").path("tables").toString()).contains("labor.qualifications").doesNotContain("contracts");
            assertThat(backfill(running, "motivation").isNull()).as("motivation's mapping did not change").isTrue();
            Thread.sleep(2_000);
            try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
                s.execute("UPDATE public.employee_notes SET note = 'edited' WHERE id % 10 = 0");
                s.execute("DELETE FROM public.employee_notes WHERE id % 25 = 0");
            }
            Thread.sleep(3_000);
        } finally {
            workload.running.set(false);
            writer.join();
        }
        assertThat(workload.committed.get()).isGreaterThan(20);
        harness.awaitConverged("employees", () -> expected(true), Duration.ofSeconds(180));
        for (String source : List.of("admin", "labor")) {
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                    .until(() -> backfill(status(port), source).path("phase").asText(), "done"::equals);
        }
        Map<String, Object> record = MosaicHarness.es("GET", "/mosaic-offsets/_doc/" + java.net.URLEncoder.encode("admin@"
                + harness.dbs.pgHost() + ":" + harness.dbs.pgPort() + "/admin/mosaic_admin#captured", java.nio.charset.StandardCharsets.UTF_8), null);
        assertThat(record.get("_status")).isEqualTo(200);
        assertThat(record.get("_source").toString()).contains("public.employee_notes").contains("department_id").doesNotContain("backfill");
        harness.stop();

        // a second restart: nothing is new, so nothing is snapshotted
        long adminSignals = signals(harness.dbs.openAdmin(), "public.mosaic_signal");
        long laborSignals = signals(harness.dbs.openLabor(), "labor.mosaic_signal");
        assertThat(adminSignals).as("the admin backfill's signal").isEqualTo(1);
        assertThat(laborSignals).as("the labor backfill's signal").isEqualTo(1);
        harness.start(after);
        Thread.sleep(5_000);
        JsonNode again = status(port);
        for (String source : List.of("admin", "motivation", "labor")) {
            assertThat(backfill(again, source).isNull()).as("backfill of %s at the second start: %s", source, again).isTrue();
        }
        assertThat(signals(harness.dbs.openAdmin(), "public.mosaic_signal")).isEqualTo(adminSignals);
        assertThat(signals(harness.dbs.openLabor(), "labor.mosaic_signal")).isEqualTo(laborSignals);
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("UPDATE public.employee_notes SET note = 'after the second start' WHERE id = 7");
        }
        harness.awaitConverged("employees", () -> expected(true), Duration.ofSeconds(60));

        // mosaic rebuild of a mapping that reads a column no stored row holds: it asks admin for the snapshot of exactly
        // the table concerned and says to run it again; once the service runs the mapping, its own backfill fills the state
        String v2 = Files.readString(dir.resolve("after.yaml")).replace("  version: 1\n", "  version: 2\n")
                .replace("    hired_on: { column: hired_on, type: date }", "    hired_on: { column: hired_on, type: date }\n    updated_at: updated_at");
        assertThat(v2).contains("version: 2").contains("updated_at: updated_at");
        Files.writeString(dir.resolve("v2.yaml"), v2);
        Path v2Config = withSignals(harness.configFile("v2.conf", dir.resolve("v2.yaml").toString(), "admin", "motivation", "labor"), true);
        Files.writeString(v2Config, Files.readString(v2Config).replace("http:\n  port: 0\n", "http:\n  port: " + port + "\n"));
        MosaicCli.Run early = MosaicCli.run("rebuild", "--config", v2Config.toString(), "--grace", "0s");
        assertThat(early.exit()).as(early.err()).isEqualTo(2);
        assertThat(early.err()).contains("admin.public.employees.updated_at").contains("still points to employees-v1")
                .contains("requested an incremental snapshot of [public.employees] from source admin").contains("Run rebuild again");
        assertThat(signals(harness.dbs.openAdmin(), "public.mosaic_signal")).as("the rebuild's signal").isEqualTo(adminSignals + 1);
        harness.stop();
        String publication = null;
        try {
            harness.start(v2Config);
        } catch (io.mosaic.config.ConfigException e) {
            publication = e.getMessage();
        }
        harness.stop();
        java.util.regex.Matcher widen = java.util.regex.Pattern.compile("ALTER PUBLICATION \"?mosaic_admin\"? SET TABLE [^;]*;")
                .matcher(String.valueOf(publication));
        assertThat(widen.find()).as("the publication must carry updated_at: %s", publication).isTrue();
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute(widen.group());
        }
        harness.start(v2Config);
        JsonNode employees = await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> backfill(status(port), "admin"),
                b -> "done".equals(b.path("phase").asText()));
        assertThat(employees.path("tables").toString()).isEqualTo("[\"public.employees\"]");
        MosaicCli.Run rebuilt = MosaicCli.run("rebuild", "--config", v2Config.toString(), "--grace", "0s");
        assertThat(rebuilt.exit()).as(rebuilt.err()).isZero();
        assertThat(rebuilt.err()).contains("the alias now points to employees-v2");
        MosaicHarness.es("POST", "/employees/_refresh", null);
        long all = ((Number) MosaicHarness.es("POST", "/employees/_count", Map.of("query", Map.of("match_all", Map.of()))).get("count")).longValue();
        long withColumn = ((Number) MosaicHarness.es("POST", "/employees/_count",
                Map.of("query", Map.of("exists", Map.of("field", "updated_at")))).get("count")).longValue();
        assertThat(all).isGreaterThan(150);
        assertThat(withColumn).as("documents of employees-v2 with the new column").isEqualTo(all);
    }

    /** The execute-snapshot signals in a signal table (Debezium's own watermark rows are of other types). */
    private static long signals(Connection connection, String table) throws SQLException {
        try (Connection c = connection; Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM " + table + " WHERE type = 'execute-snapshot'")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static JsonNode backfill(JsonNode status, String source) {
        for (JsonNode s : status.path("sources")) {
            if (source.equals(s.path("name").asText())) {
                return s.path("backfill");
            }
        }
        throw new AssertionError("no source " + source + " in " + status);
    }

    private static JsonNode status(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    /** The scenario's documents: under the old mapping (no department, no qualifications), or the new one with the notes. */
    private static Map<String, Map<String, Object>> expected(boolean after) {
        try {
            Map<String, Map<String, Object>> out = new LinkedHashMap<>();
            ExpectedDocuments.compute(harness.dbs).forEach((id, doc) -> {
                Map<String, Object> d = new LinkedHashMap<>(doc);
                if (!after) {
                    d.remove("department");
                    d.remove("qualifications");
                }
                out.put(id, d);
            });
            if (after) {
                EmployeeNotes.addTo(harness.dbs, out);
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The config with a signal table for admin, and for labor when asked. */
    private static Path withSignals(Path config, boolean labor) throws Exception {
        String y = Files.readString(config).replace("    database: admin\n", "    database: admin\n    signal_table: public.mosaic_signal\n");
        if (labor) {
            y = y.replace("    server_id: 5501\n", "    server_id: 5501\n    signal_table: labor.mosaic_signal\n");
        }
        assertThat(y).contains("signal_table: public.mosaic_signal");
        Files.writeString(config, y);
        return config;
    }
}
