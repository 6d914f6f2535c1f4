package io.mosaic.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The Grafana dashboard and the Prometheus rules name only metrics Mosaic exports: every metric name in
 * their PromQL is compared with a scrape of a registry with all of Mosaic's binders bound (as
 * {@code Mosaic.start} binds them) and every meter touched. And docs/METRICS.md documents every
 * {@code mosaic_*} metric of that scrape. PrometheusIT then evaluates the same queries on a real
 * Prometheus.
 */
class DashboardTest {

    static final Path ROOT = Path.of(System.getProperty("mosaic.root", "..")).toAbsolutePath().normalize();
    static final Path DASHBOARD = ROOT.resolve("grafana/mosaic-dashboard.json");
    static final Path RULES = ROOT.resolve("grafana/alerts/mosaic-rules.yaml");

    /** Series that Prometheus makes itself for every target, not Mosaic. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped");

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
            "group_left", "group_right", "inf", "nan");

    /** A scrape of everything Mosaic exports, each meter touched once. */
    static String scrape() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MosaicMetrics metrics = new MosaicMetrics();
        metrics.bindTo(registry);
        MosaicMetrics.bindJvmAndProcess(registry);
        for (int i = 0; i < 50 && registry.find("jvm.gc.pause").timer() == null; i++) {
            System.gc(); // a GC pause, so that the pause timer exists (the GC's notification comes a moment later)
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        new DebeziumMetricsBridge("admin", "postgres").bindTo(registry);
        metrics.declareIndex("employees", "document");
        metrics.declareIndex("mosaic-employees-state", "state", "lookup");
        metrics.declareTable("admin", "public.employees");
        SourceMeters admin = metrics.source("admin");
        admin.phase("streaming");
        admin.acknowledged(System.currentTimeMillis(), new long[] {System.currentTimeMillis()}, 1, 1);
        admin.snapshotRowsEstimate(10);
        metrics.fanOut("employees", 3);
        metrics.lookupCacheRows("mosaic-employees-state", "hit", 2);
        metrics.request(3, 1_000_000, true);
        metrics.itemFailed(400, "document_parsing_exception", false);
        metrics.retry("bulk employees");
        metrics.elasticsearchUp(true);
        metrics.rebuild("employees", () -> 250, () -> 1000, () -> true);
        return registry.scrape();
    }

    /** The sample names of a scrape in the Prometheus text format. */
    static Set<String> sampleNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** Every query of the dashboard: the panels' expressions and the variables' {@code label_values} metrics. */
    static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            out.add(expr.asText());
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String q = variable.path("query").path("query").asText(variable.path("definition").asText());
            Matcher m = Pattern.compile("label_values\\(\\s*([^,)]+)").matcher(q);
            if (m.find()) {
                out.add(m.group(1).trim());
            }
        }
        return out;
    }

    /** The rule file, read as YAML. */
    static JsonNode rules() throws IOException {
        return new ObjectMapper().valueToTree(new org.yaml.snakeyaml.Yaml().load(Files.readString(RULES)));
    }

    static List<String> ruleExpressions() throws IOException {
        JsonNode rules = rules();
        List<String> out = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                out.add(rule.path("expr").asText());
            }
        }
        return out;
    }

    /** The metric names a PromQL expression selects (not functions, keywords, labels, durations or strings). */
    static Set<String> metricNames(String promql) {
        String s = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
        while (m.find()) {
            String name = m.group();
            String rest = s.substring(m.end()).stripLeading();
            if (KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT)) || rest.startsWith("(")) {
                continue; // a keyword, or a function or aggregation
            }
            out.add(name);
        }
        return out;
    }

    @Test
    void theNameExtractionSeesMetricsOnly() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (source, le) (rate(mosaic_source_lag_seconds_bucket{source=~\"$source\"}[$__rate_interval])))"))
                .containsExactly("mosaic_source_lag_seconds_bucket");
        assertThat(metricNames("max by (job) (a_seconds) > 120 or (b_total offset 5m and on (source) c) == 0"))
                .containsExactly("a_seconds", "b_total", "c");
    }

    @Test
    void everyMetricTheDashboardAndTheRulesUseIsExported() throws IOException {
        Set<String> exported = sampleNames(scrape());
        List<String> queries = new ArrayList<>(dashboardQueries());
        queries.addAll(ruleExpressions());
        assertThat(queries).hasSizeGreaterThan(40);
        Set<String> used = new TreeSet<>();
        for (String q : queries) {
            Set<String> names = metricNames(q);
            assertThat(names).as("metrics of %s", q).isNotEmpty();
            used.addAll(names);
        }
        used.removeAll(PROMETHEUS_OWN);
        assertThat(exported).as("metrics the dashboard and rules use, not exported by Mosaic").containsAll(used);
        assertThat(used).as("the dashboard shows lag, snapshot progress, dead letters, bulk latency and JVM memory")
                .contains("mosaic_source_current_lag_seconds", "mosaic_source_lag_seconds_bucket", "mosaic_source_snapshot_rows",
                        "mosaic_writer_dead_letters_total", "mosaic_elasticsearch_bulk_duration_seconds_bucket", "jvm_memory_used_bytes");
    }

    @Test
    void everyPanelUsesTheDatasourceVariableAndEveryRuleIsDescribed() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("templating").path("list").get(0).path("type").asText()).isEqualTo("datasource");
        for (JsonNode panel : dashboard.path("panels")) {
            if (!"row".equals(panel.path("type").asText())) {
                assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo("${datasource}");
                assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            }
        }
        JsonNode rules = rules();
        for (JsonNode rule : rules.path("groups").get(0).path("rules")) {
            assertThat(rule.path("labels").path("severity").asText()).as(rule.path("alert").asText()).isNotEmpty();
            assertThat(rule.path("annotations").path("summary").asText()).as(rule.path("alert").asText()).isNotEmpty();
        }
    }

    @Test
    void docsMetricsDocumentsEveryMosaicMetric() throws IOException {
        String docs = Files.readString(ROOT.resolve("docs/METRICS.md"));
        Set<String> undocumented = new TreeSet<>();
        for (String name : sampleNames(scrape())) {
            if (name.startsWith("mosaic_")) {
                String family = name.replaceAll("_(bucket|count|sum|max)$", "");
                if (!docs.contains("`" + family + "`") && !docs.contains("`" + name + "`")) {
                    undocumented.add(family);
                }
            }
        }
        assertThat(undocumented).as("mosaic_* metrics missing from docs/METRICS.md").isEmpty();
    }
}
