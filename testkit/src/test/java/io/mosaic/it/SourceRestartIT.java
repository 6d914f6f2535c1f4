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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.LocalServices;
import io.mosaic.testkit.MosaicHarness;

/**
 * A failed source restarts in-process while the others stream (issue 13: a MariaDB restart stopped the
 * whole service). Mosaic runs as a child process on the reference scenario; MariaDB is really stopped
 * and started under a workload on all three databases. The process must stay the same, the labor
 * source must restart, the PostgreSQL sources must keep streaming during the outage, and the documents
 * must end equal to the SQL projection. A failure that does not heal (refused credentials) and one that
 * lasts longer than {@code restart.give_up_after} must end the process with 1 and a message naming the
 * source, its host:port and what to do.
 */
class SourceRestartIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private MosaicHarness harness;
    private ChildProcess process;
    private int port;

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.close();
        }
        LocalServices.run("start", "mariadb"); // whatever a test left behind; it also resets the debezium user's password
        if (harness != null) {
            harness.close();
        }
    }

    /** The scenario, seeded; Mosaic started as a child with HTTP on a free port and {@code restart} as given; converged. */
    private Path startConverged(String name, ScenarioSize size, long seed, String restart) throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, size, seed);
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        Files.writeString(config, Files.readString(config).replace("http:\n  port: 0\n", "http:\n  host: 127.0.0.1\n  port: " + port + "\n")
                + "restart:\n" + restart);
        process = ChildProcess.mosaic(name, config, harness.workDir.resolve(name + ".log"), null).start();
        harness.awaitScenarioConverged(Duration.ofSeconds(180));
        return config;
    }

    @Test
    void aMariaDbRestartRestartsTheLaborSourceWhileThePostgresSourcesStream() throws Exception {
        ScenarioSize size = new ScenarioSize(1, 200);
        startConverged("restart", size, 1313, "  initial_backoff: 500ms\n  max_backoff: 3s\n");
        long pid = process.pid();
        assertThat(source("labor").path("restarts").asLong()).isZero();

        FaultWorkload workload = new FaultWorkload(harness.dbs, 1313, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        try {
            Thread.sleep(3_000);
            LocalServices.script("mariadb.sh", "stop");
            // the labor source shows that it restarts, and says where and why; the others stream on
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> source("labor").path("phase").asText().equals("restarting"));
            JsonNode labor = source("labor");
            assertThat(labor.path("last_error").asText()).contains("source 'labor' (mariadb at " + harness.dbs.mysqlHost() + ":"
                    + harness.dbs.mysqlPort() + ")").contains("restart").doesNotContain("debezium@").doesNotContain("password");
            assertThat(get("/health/ready").statusCode()).as("readiness with a restarting source").isEqualTo(503);
            assertThat(get("/health/ready").body()).contains("source labor: restarting");
            assertThat(get("/health/live").statusCode()).as("liveness with a restarting source").isEqualTo(200);

            Map<String, Object> before = postgresParts(harness.documents("employees"));
            int committedBefore = workload.committed.get();
            Thread.sleep(8_000); // MariaDB down for a while: restarts fail, the PostgreSQL sources stream
            assertThat(source("admin").path("phase").asText()).isEqualTo("streaming");
            assertThat(source("motivation").path("phase").asText()).isEqualTo("streaming");
            Map<String, Object> during = postgresParts(harness.documents("employees"));
            assertThat(workload.committed.get()).isGreaterThan(committedBefore);
            assertThat(during).as("documents' PostgreSQL parts changed while MariaDB was down").isNotEqualTo(before);
            assertThat(process.alive()).isTrue();

            LocalServices.script("mariadb.sh", "start");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                JsonNode l = source("labor");
                assertThat(l.path("phase").asText()).isEqualTo("streaming");
                assertThat(l.path("restarts").asLong()).isPositive();
            });
            Thread.sleep(3_000); // changes to labor after it came back
        } finally {
            workload.running.set(false);
            writer.join();
        }
        double meter = restartsMeter("labor");
        assertThat(meter).as("mosaic_source_restarts_total{source=\"labor\"}").isPositive();
        assertThat(restartsMeter("admin")).isZero();
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);

        harness.awaitScenarioConverged(Duration.ofSeconds(240));
        assertThat(process.alive()).as("the same Mosaic process, never exited (log: %s)", process.log()).isTrue();
        assertThat(process.pid()).isEqualTo(pid);
        List<String> log = Files.readAllLines(process.log());
        assertThat(log).anySatisfy(l -> assertThat(l).contains("source 'labor' (mariadb at").contains("restarted (restart"));
        assertThat(log).noneSatisfy(l -> assertThat(l).contains("debezium@").contains("WARN"));
        System.out.printf("SourceRestartIT: %d changes committed (%d failed while MariaDB was down), labor restarted %.0f time(s), "
                + "%d documents compared, 0 differences%n", workload.committed.get(), workload.failed.get(), meter,
                harness.documents("employees").size());
    }

    @Test
    void aSourceFailingLongerThanGiveUpAfterExitsOneNamingItsServer() throws Exception {
        startConverged("give-up", new ScenarioSize(1, 60), 1314, "  initial_backoff: 200ms\n  max_backoff: 1s\n  give_up_after: 8s\n");
        LocalServices.script("mariadb.sh", "stop");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> !process.alive());
        assertThat(process.terminate(5)).as("exit code (log: %s)", process.log()).isEqualTo(1);
        String log = Files.readString(process.log());
        assertThat(log).contains("error: source 'labor' (mariadb at " + harness.dbs.mysqlHost() + ":" + harness.dbs.mysqlPort()
                + ") cannot recover: it has been failing for").contains("restart.give_up_after (8 s)")
                .contains("check that the database is running");
    }

    @Test
    void refusedCredentialsExitOneAtOnceNamingTheSourceAndWhatToFix() throws Exception {
        startConverged("credentials", new ScenarioSize(1, 60), 1315, "  initial_backoff: 200ms\n  max_backoff: 1s\n");
        try (Connection c = harness.dbs.openMysqlServer(); Statement s = c.createStatement()) {
            s.execute("SET SESSION sql_log_bin = 0");
            for (String host : List.of("127.0.0.1", "localhost", "%")) {
                s.execute("ALTER USER 'debezium'@'" + host + "' IDENTIFIED BY 'changed-by-the-dba'");
            }
            // the running engine's connections go: it fails, and the check before its restart is refused
            List<Long> ids = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT id FROM information_schema.PROCESSLIST WHERE USER = 'debezium'")) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
            assertThat(ids).isNotEmpty();
            for (long id : ids) {
                s.execute("KILL CONNECTION " + id);
            }
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> !process.alive());
        assertThat(process.terminate(5)).as("exit code (log: %s)", process.log()).isEqualTo(1);
        String log = Files.readString(process.log());
        assertThat(log).contains("error: source 'labor' (mariadb at " + harness.dbs.mysqlHost() + ":" + harness.dbs.mysqlPort()
                + ") cannot recover: the database refused the credentials").contains("sources.labor.user/password")
                .doesNotContain("changed-by-the-dba");
    }

    /** Each document without what the labor source contributes: what the PostgreSQL sources wrote. */
    private static Map<String, Object> postgresParts(Map<String, Map<String, Object>> docs) {
        Map<String, Object> out = new TreeMap<>();
        docs.forEach((id, d) -> {
            Map<String, Object> copy = new TreeMap<>(d);
            copy.keySet().removeAll(List.of("contracts", "qualifications", "mosaic"));
            out.put(id, copy);
        });
        return out;
    }

    private JsonNode source(String name) throws Exception {
        for (JsonNode s : JSON.readTree(get("/status").body()).path("sources")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no source " + name + " in /status");
    }

    private double restartsMeter(String source) throws Exception {
        Matcher m = Pattern.compile("(?m)^mosaic_source_restarts_total\\{source=\"" + source + "\"} (\\S+)$").matcher(get("/metrics").body());
        assertThat(m.find()).as("mosaic_source_restarts_total for %s in /metrics", source).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
