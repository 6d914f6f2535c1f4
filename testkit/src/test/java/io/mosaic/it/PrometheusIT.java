package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.pipeline.Mosaic;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.LocalServices;
import io.mosaic.testkit.MosaicHarness;

/**
 * The Grafana dashboard and the alert rules against a real Prometheus (Debian's package, installed and
 * started by deploy/local/prometheus.sh on its own port and data directory, scraping Mosaic every
 * second). Mosaic snapshots and streams the reference scenario, with changes in every source, a lookup
 * change that fans out, a change Elasticsearch rejects (a dead letter) and a frozen cluster (readiness
 * must turn within seconds; the writer retries and stalls). Then every query of the dashboard and every
 * alert expression is evaluated through Prometheus' HTTP API and must return data. An alert expression
 * that is false in this run is evaluated again without its comparisons with a number, and must return
 * the series it compares: so every rule is known to select real series, and the dead-letter and
 * rejected-item alerts, which this run provokes, must fire as written. {@code promtool check rules}
 * and {@code promtool check metrics} must pass on the rule file and on a scrape.
 */
class PrometheusIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path GRAFANA = LocalServices.root().resolve("grafana");
    private static final String PROMETHEUS = "http://127.0.0.1:" + env("MOSAIC_PROM_PORT", "19090");
    /** A comparison with a number, as alert expressions end: removed to see the series they compare. */
    private static final Pattern COMPARISON = Pattern.compile("\\s*(==|!=|>=|<=|>|<)\\s*(bool\\s+)?-?[0-9.]+(e[+-]?[0-9]+)?");

    static MosaicHarness harness;
    static String esPid;

    @AfterAll
    static void stop() throws Exception {
        if (esPid != null) {
            new ProcessBuilder("kill", "-CONT", esPid).start().waitFor();
        }
        if (harness != null) {
            harness.close();
        }
        LocalServices.script("prometheus.sh", "stop");
    }

    @Test
    void everyDashboardQueryAndAlertRuleReturnsDataOnARealPrometheus() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(2, 300), 12);
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("UPDATE employees SET email = NULL");
        }
        // a mapping whose index takes email as a number: an employee with an e-mail address is rejected
        Path dir = harness.workDir.resolve("prometheus-mapping");
        Files.createDirectories(dir);
        Path mappings = LocalServices.root().resolve("mappings");
        Files.copy(mappings.resolve("employees.yaml"), dir.resolve("employees.yaml"));
        Files.writeString(dir.resolve("employees.index.json"), Files.readString(mappings.resolve("employees.index.json"))
                .replace("\"email\": { \"type\": \"keyword\" }", "\"email\": { \"type\": \"long\" }"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = harness.config(dir.resolve("employees.yaml").toString(), "admin", "motivation", "labor");
        Files.writeString(config, Files.readString(config).replace("http:\n  port: 0\n", "http:\n  host: 127.0.0.1\n  port: " + port + "\n"));

        LocalServices.script("prometheus.sh", "wipe");
        LocalServices.script("prometheus.sh", "start", "127.0.0.1:" + port);
        // Prometheus takes its targets from discovery a few seconds after start: scraping, before Mosaic starts
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> !query("up").isEmpty());
        Mosaic mosaic = harness.start(config);
        final int p = port;
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                mosaic.runners().stream().allMatch(r -> r.state() == io.mosaic.pipeline.SourceRunner.State.STREAMING));
        harness.awaitScenarioConverged(Duration.ofSeconds(60));
        assertThat(get(p, "/health/ready").statusCode()).isEqualTo(200);

        // the dead-letter counters, declared with 0, are scraped before the first dead letter (which increase() then sees)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> !query("mosaic_writer_dead_letters_total{source=\"admin\"} == 0").isEmpty());
        // streamed changes in every source, a lookup change that fans out, and a row Elasticsearch rejects
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("UPDATE employees SET given_name = given_name || '改' WHERE id <= 50");
            s.execute("UPDATE departments SET name = name || '（新）'");
            s.execute("INSERT INTO employees (id, company_id, code, family_name, given_name, status, email) "
                    + "VALUES (9001, 1, 'X-9001', '型', '衝突', 'active', 'clash@example.com')");
        }
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("UPDATE surveys SET title = title || ' (2)'");
        }
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("UPDATE contracts SET weekly_hours = weekly_hours + 1 WHERE employee_id <= 50");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> counter(mosaic, "mosaic.writer.dead.letters") >= 1);

        // a frozen cluster: readiness turns within seconds, a batch in flight makes the lag grow, the writer retries
        esPid = pid("elasticsearch.sh");
        new ProcessBuilder("kill", "-STOP", esPid).start().waitFor();
        long frozen = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get(p, "/health/ready").statusCode() == 503);
        double turned = (System.nanoTime() - frozen) / 1e9;
        String unready = get(p, "/health/ready").body();
        System.out.printf("PrometheusIT: readiness turned %.1f s after the cluster froze:%n%s", turned, unready);
        assertThat(unready).contains("elasticsearch: not ready");
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("UPDATE employees SET given_name = given_name || '凍' WHERE id <= 5");
        }
        Thread.sleep(13_000); // longer than the config's 10 s request timeout: failed bulk requests, retries
        new ProcessBuilder("kill", "-CONT", esPid).start().waitFor();
        esPid = null;
        await().atMost(Duration.ofSeconds(60)).until(() -> get(p, "/health/ready").statusCode() == 200
                && mosaic.registry().get("mosaic.elasticsearch.stalled").gauge().value() == 0);
        Thread.sleep(5_000); // a few more scrapes of the healthy service

        String status = get(p, "/status").body();
        JsonNode statusJson = JSON.readTree(status);
        assertThat(statusJson.path("sources")).hasSize(3).allSatisfy(s -> {
            assertThat(s.path("phase").asText()).isEqualTo("streaming");
            assertThat(s.path("position").asText()).isNotEmpty();
            assertThat(s.path("restarts").asInt()).isZero();
        });
        for (String endpoint : List.of("/status", "/health/ready", "/health/live")) {
            assertThat(get(p, endpoint).body()).as(endpoint + " shows no address, user or row value")
                    .doesNotContain("127.0.0.1", "clash@example.com", "debezium\"", "password");
        }

        // promtool on the rule file and on a real scrape
        String scrape = get(p, "/metrics").body();
        assertThat(scrape).doesNotContain("clash@example.com");
        Path scrapeFile = harness.workDir.resolve("scrape.txt");
        Files.writeString(scrapeFile, scrape);
        assertThat(promtool(null, "check", "rules", GRAFANA.resolve("alerts/mosaic-rules.yaml").toString())).contains("SUCCESS");
        promtool(scrapeFile, "check", "metrics");

        // every dashboard query and alert expression, through the HTTP API
        await().atMost(Duration.ofSeconds(30)).until(() -> !query("mosaic_writer_dead_letters_total").isEmpty());
        List<String> failures = new ArrayList<>();
        Map<String, String> dashboard = dashboardQueries();
        for (Map.Entry<String, String> q : dashboard.entrySet()) {
            if (query(q.getValue()).isEmpty()) {
                failures.add("dashboard " + q.getKey() + ": " + q.getValue());
            }
        }
        int firing = 0;
        Map<String, String> rules = ruleExpressions();
        for (Map.Entry<String, String> rule : rules.entrySet()) {
            if (!query(rule.getValue()).isEmpty()) {
                firing++;
                continue;
            }
            String series = COMPARISON.matcher(rule.getValue()).replaceAll("");
            if (series.equals(rule.getValue()) || query(series).isEmpty()) {
                failures.add("rule " + rule.getKey() + ": neither " + rule.getValue() + " nor " + series + " returned data");
            }
        }
        System.out.printf("PrometheusIT: %d dashboard queries and %d alert expressions evaluated, %d of them true%n",
                dashboard.size(), rules.size(), firing);
        assertThat(failures).as("queries that returned no data").isEmpty();
        assertThat(query(rules.get("MosaicDeadLetters"))).as("the dead letter of this run fires MosaicDeadLetters").isNotEmpty();
        assertThat(query(rules.get("MosaicBulkItemsRejected"))).as("and MosaicBulkItemsRejected").isNotEmpty();
        assertThat(query("max(max_over_time(mosaic_elasticsearch_stalled_seconds[5m]))").get(0).path("value").get(1).asDouble())
                .as("the writer stalled while the cluster was frozen").isGreaterThan(0);
        assertThat(query("max(max_over_time(mosaic_source_current_lag_seconds{source=\"admin\"}[5m]))").get(0).path("value").get(1).asDouble())
                .as("the lag grew while a batch was in flight").isGreaterThan(5);
        assertThat(query("min(min_over_time(mosaic_elasticsearch_up[5m]))").get(0).path("value").get(1).asDouble()).isZero();
        assertThat(query("max(max_over_time(mosaic_source_phase{phase=\"snapshotting\"}[5m]))").get(0).path("value").get(1).asDouble())
                .as("Prometheus saw the snapshot").isEqualTo(1);
        assertThat(query("sum(mosaic_source_snapshot_rows)").get(0).path("value").get(1).asDouble())
                .as("snapshot rows written").isEqualTo(query("sum(mosaic_debezium_snapshot_rows_scanned)").get(0).path("value").get(1).asDouble())
                .isGreaterThan(300);

        // Prometheus evaluated the rules itself, without an error
        JsonNode groups = JSON.readTree(get(PROMETHEUS + "/api/v1/rules").body()).path("data").path("groups");
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).path("rules")).hasSize(rules.size())
                .allSatisfy(r -> assertThat(r.path("health").asText()).as(r.path("name").asText() + " " + r.path("lastError").asText()).isEqualTo("ok"));
    }

    /** Every query of the dashboard with Grafana's variables replaced, by panel title; the variables' metrics too. */
    static Map<String, String> dashboardQueries() throws Exception {
        JsonNode dashboard = JSON.readTree(GRAFANA.resolve("mosaic-dashboard.json").toFile());
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText().replace("$__rate_interval", "1m").replace("$source", ".*");
                out.put(panel.path("title").asText() + " " + target.path("refId").asText(), expr);
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher m = Pattern.compile("label_values\\(\\s*([^,)]+)").matcher(variable.path("definition").asText());
            if (m.find()) {
                out.put("variable " + variable.path("name").asText(), m.group(1).trim());
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> ruleExpressions() throws Exception {
        Map<String, Object> file = new org.yaml.snakeyaml.Yaml().load(Files.readString(GRAFANA.resolve("alerts/mosaic-rules.yaml")));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                out.put((String) rule.get("alert"), (String) rule.get("expr"));
            }
        }
        return out;
    }

    /** The result vector of an instant query; fails on an error (a query Prometheus cannot parse). */
    static List<JsonNode> query(String promql) throws Exception {
        HttpResponse<String> r = get(PROMETHEUS + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("status").asText()).as(promql + ": " + r.body()).isEqualTo("success");
        List<JsonNode> out = new ArrayList<>();
        body.path("data").path("result").forEach(out::add);
        return out;
    }

    private static double counter(Mosaic mosaic, String name) {
        return mosaic.registry().find(name).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return get("http://127.0.0.1:" + port + path);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Runs promtool (installed by prometheus.sh with the prometheus package); fails unless it exits 0. */
    private static String promtool(Path stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.from(stdin.toFile()));
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("promtool " + String.join(" ", args) + ":\n" + out).isZero();
        return out;
    }

    private static String pid(String script) throws Exception {
        Process process = new ProcessBuilder("bash", LocalServices.root().resolve("deploy/local/" + script).toString(), "pid")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String pid = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pid).matches("[0-9]+");
        return pid;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
