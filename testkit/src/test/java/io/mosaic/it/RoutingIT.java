package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.MosaicHarness;

/**
 * Tenant routing on real servers: the scenario with {@code routing: company_id} and an index of three
 * shards whose template requires a routing. Mosaic streams while employees move between companies
 * (UPDATE of company_id, some of them twice); afterwards every document exists exactly once, at its new
 * routing: a get at the new routing finds it, one at an old routing on another shard does not (on the
 * same shard it finds the one copy, with the new routing), a search routed to a company returns exactly
 * that company's employees, and the documents equal the scenario's SQL projection. Companies 2 and 3
 * share a shard of the three, so both kinds of move, across shards and within one, are covered.
 */
class RoutingIT {

    static MosaicHarness harness;

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void movedEmployeesExistOnceAtTheirNewRouting() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(3, 50), 17);
        Path dir = harness.workDir.resolve("mappings");
        Files.createDirectories(dir);
        String template = Files.readString(MosaicHarness.scenarioMapping().resolveSibling("employees.index.json"))
                .replace("\"number_of_shards\": 1", "\"number_of_shards\": 3")
                .replace("\"mappings\": {", "\"mappings\": {\n    \"_routing\": { \"required\": true },");
        assertThat(template).contains("\"number_of_shards\": 3").contains("\"_routing\"");
        Files.writeString(dir.resolve("employees.index.json"), template);
        String mapping = Files.readString(MosaicHarness.scenarioMapping())
                .replace("  key: id                     # the document _id\n", "  key: id                     # the document _id\n  routing: company_id\n");
        assertThat(mapping).contains("routing: company_id");
        Files.writeString(dir.resolve("employees.yaml"), mapping);
        harness.start(harness.config(dir.resolve("employees.yaml").toString(), "admin", "motivation", "labor"));
        harness.awaitScenarioConverged(Duration.ofSeconds(180));
        Map<String, String> before = companies();
        assertThat(new TreeSet<>(before.values())).as("the seed has several companies").hasSize(3);

        // move every third employee to the next company, and some of those once more
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("UPDATE employees SET company_id = company_id % 3 + 1 WHERE id % 3 = 0");
            s.execute("UPDATE employees SET company_id = company_id % 3 + 1 WHERE id % 9 = 0");
            s.execute("UPDATE employees SET family_name = family_name || '*' WHERE id % 2 = 0");
        }
        Map<String, String> after = companies();
        long moved = after.entrySet().stream().filter(e -> !e.getValue().equals(before.get(e.getKey()))).count();
        assertThat(moved).isGreaterThan(10);
        harness.awaitScenarioConverged(Duration.ofSeconds(180));

        MosaicHarness.es("POST", "/employees/_refresh", null);
        Map<String, Object> all = MosaicHarness.es("GET", "/employees/_count", null);
        assertThat(((Number) all.get("count")).intValue()).as("no copy left behind at an old routing").isEqualTo(after.size());
        // a shard keys documents by _id alone: a get at another routing of the same shard finds the one copy
        Map<String, Integer> shardOf = new TreeMap<>();
        for (String company : List.of("1", "2", "3")) {
            Map<String, Object> r = MosaicHarness.es("GET", "/employees/_search_shards?routing=" + company, null);
            shardOf.put(company, ((Number) ((List<Map<String, Object>>) ((List<Object>) r.get("shards")).get(0)).get(0).get("shard")).intValue());
        }
        assertThat(new TreeSet<>(shardOf.values())).as("some companies are on different shards: %s", shardOf).hasSizeGreaterThan(1);
        int crossShardMoves = 0;
        for (Map.Entry<String, String> e : after.entrySet()) {
            String id = e.getKey();
            String company = e.getValue();
            Map<String, Object> at = MosaicHarness.es("GET", "/employees/_doc/" + id + "?routing=" + company, null);
            assertThat(at.get("found")).as("employee %s at its routing %s", id, company).isEqualTo(true);
            assertThat(at.get("_routing")).isEqualTo(company);
            if (!shardOf.get(before.get(id)).equals(shardOf.get(company))) {
                crossShardMoves++;
            }
            for (String other : List.of("1", "2", "3")) {
                Map<String, Object> elsewhere = MosaicHarness.es("GET", "/employees/_doc/" + id + "?routing=" + other, null);
                if (shardOf.get(other).equals(shardOf.get(company))) {
                    assertThat(elsewhere.get("_routing")).as("employee %s seen via routing %s", id, other).isEqualTo(company);
                } else {
                    assertThat(elsewhere.get("found")).as("employee %s at routing %s (company %s before)", id, other, before.get(id))
                            .isNotEqualTo(true);
                }
            }
        }
        assertThat(crossShardMoves).as("moves that changed the shard").isGreaterThan(3);
        for (String company : List.of("1", "2", "3")) {
            Map<String, Object> r = MosaicHarness.es("POST", "/employees/_search?routing=" + company + "&size=1000",
                    Map.of("query", Map.of("term", Map.of("company_id", Long.parseLong(company))), "_source", false));
            List<Map<String, Object>> hits = (List<Map<String, Object>>) ((Map<String, Object>) r.get("hits")).get("hits");
            TreeSet<String> ids = new TreeSet<>();
            hits.forEach(h -> ids.add((String) h.get("_id")));
            TreeSet<String> expected = new TreeSet<>();
            after.forEach((id, c) -> {
                if (c.equals(company)) {
                    expected.add(id);
                }
            });
            assertThat(ids).as("company %s's routed search", company).isEqualTo(expected);
            // the routed search reaches the company's shard only; every document there of this company is found
            Map<String, Object> routedAll = MosaicHarness.es("POST", "/employees/_search?routing=" + company + "&size=1000",
                    Map.of("query", Map.of("match_all", Map.of()), "_source", List.of("company_id")));
            List<Map<String, Object>> shardHits = (List<Map<String, Object>>) ((Map<String, Object>) routedAll.get("hits")).get("hits");
            assertThat(shardHits.stream().filter(h -> String.valueOf(((Map<String, Object>) h.get("_source")).get("company_id")).equals(company))
                    .count()).isEqualTo(expected.size());
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(harness.documents("employees")).hasSize(after.size()));

        // mosaic verify on a routed type: clean; then a document edited at its routing and a stray copy at a routing
        // Mosaic never wrote are found, and --repair mends the edited one
        Path config = harness.config(dir.resolve("employees.yaml").toString(), "admin", "motivation", "labor");
        MosaicCli.Run clean = MosaicCli.run("verify", "--config", config.toString(), "--settle", "2s");
        assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
        String edited = after.keySet().iterator().next();
        assertThat(MosaicHarness.es("POST", "/employees/_update/" + edited + "?routing=" + after.get(edited) + "&refresh=true",
                Map.of("doc", Map.of("email", "edited@example.com"))).get("_status")).isEqualTo(200);
        String strayId = null;
        String strayRouting = null;
        for (Map.Entry<String, String> e : after.entrySet()) {
            for (String other : List.of("1", "2", "3")) {
                if (!other.equals(e.getValue()) && !shardOf(other).equals(shardOf(e.getValue())) && strayId == null && !e.getKey().equals(edited)) {
                    strayId = e.getKey();
                    strayRouting = other;
                }
            }
        }
        assertThat(strayId).as("two companies on different shards").isNotNull();
        Map<String, Object> original = MosaicHarness.es("GET", "/employees/_doc/" + strayId + "?routing=" + after.get(strayId), null);
        assertThat(MosaicHarness.es("PUT", "/employees/_doc/" + strayId + "?routing=" + strayRouting + "&refresh=true",
                original.get("_source")).get("_status")).isEqualTo(201);
        MosaicCli.Run drift = MosaicCli.run("verify", "--config", config.toString(), "--settle", "2s");
        assertThat(drift.exit()).as(drift.out() + drift.err()).isEqualTo(io.mosaic.cli.ExitCodes.DRIFT);
        assertThat(drift.out() + drift.err()).contains("different " + edited + " fields [email]")
                .contains("different " + strayId + " fields [_routing]");
        MosaicCli.Run repair = MosaicCli.run("verify", "--config", config.toString(), "--settle", "2s", "--repair");
        assertThat(repair.out() + repair.err()).contains("different " + edited);
        MosaicHarness.es("POST", "/employees/_refresh", null);
        assertThat(((Map<String, Object>) MosaicHarness.es("GET", "/employees/_doc/" + edited + "?routing=" + after.get(edited), null)
                .get("_source")).get("email")).as("repaired").isNotEqualTo("edited@example.com");
    }

    private static final Map<String, String> SHARDS = new TreeMap<>();

    /** The shard a routing value lands on, from _search_shards. */
    @SuppressWarnings("unchecked")
    private static String shardOf(String routing) throws Exception {
        if (!SHARDS.containsKey(routing)) {
            Map<String, Object> r = MosaicHarness.es("GET", "/employees/_search_shards?routing=" + routing, null);
            List<List<Map<String, Object>>> shards = (List<List<Map<String, Object>>>) r.get("shards");
            SHARDS.put(routing, String.valueOf(shards.get(0).get(0).get("shard")));
        }
        return SHARDS.get(routing);
    }

    /** Employee id to company id, from the source. */
    private static Map<String, String> companies() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, company_id FROM employees")) {
            while (rs.next()) {
                out.put(String.valueOf(rs.getLong(1)), String.valueOf(rs.getLong(2)));
            }
        }
        return out;
    }
}
