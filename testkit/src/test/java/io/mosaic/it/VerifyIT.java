package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.cli.ExitCodes;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ContractComparison;
import io.mosaic.testkit.ExpectedDocuments;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.MosaicHarness;
import io.mosaic.testkit.SensitiveOracle;
import io.mosaic.testkit.SensitiveScan;

/**
 * {@code mosaic verify} on real servers while Mosaic streams: no drift on a converged index; drift
 * planted behind Mosaic's back (a field edited, a document deleted, a document without a root row
 * added) is found exactly, by kind and field name, with a non-zero exit and a report free of sensitive
 * values; {@code --repair} fixes it through the write path; and a verify while a workload runs
 * reports no false drift.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerifyIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final ScenarioSize SIZE = new ScenarioSize(2, 200);
    static MosaicHarness harness;
    static Path config;

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    static MosaicCli.Run verify(String... extra) {
        List<String> args = new ArrayList<>(List.of("verify", "--config", config.toString()));
        args.addAll(List.of(extra));
        if (!args.contains("--settle")) {
            args.addAll(List.of("--settle", "3s"));
        }
        MosaicCli.Run run = MosaicCli.run(args.toArray(String[]::new));
        System.out.println("verify " + args + " -> " + run.exit() + "\n" + run.out().lines()
                .filter(l -> !l.contains(" INFO ") && !l.contains(" WARN ")).reduce("", (a, b) -> a + b + "\n") + run.err());
        return run;
    }

    static JsonNode employees(Path report) throws Exception {
        JsonNode json = JSON.readTree(Files.readString(report));
        for (JsonNode d : json.get("documents")) {
            if (d.get("alias").asText().equals("employees")) {
                return d;
            }
        }
        throw new AssertionError("no employees in " + json);
    }

    static List<String> ids(JsonNode doc, String kind) {
        List<String> out = new ArrayList<>();
        doc.get("samples").get(kind).forEach(n -> out.add(n.get("id").asText()));
        return out;
    }

    @Test
    @Order(1)
    @SuppressWarnings("unchecked")
    void findsPlantedDriftAndRepairsIt() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, SIZE, 14);
        config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        harness.start(config);
        harness.awaitScenarioConverged(Duration.ofSeconds(180));

        Path clean = harness.workDir.resolve("clean.json");
        MosaicCli.Run first = verify("--report", clean.toString());
        assertThat(first.exit()).isEqualTo(ExitCodes.OK);
        JsonNode c = employees(clean);
        assertThat(c.get("checked").asLong()).isEqualTo(200);
        assertThat(c.get("missing").asLong() + c.get("extra").asLong() + c.get("different").asLong()).isZero();

        // Drift behind Mosaic's back, straight in Elasticsearch.
        Map<String, Map<String, Object>> docs = harness.documents("employees");
        List<String> ids = new ArrayList<>(docs.keySet());
        String edited = ids.get(3);
        String deleted = ids.get(7);
        String added = "987654";
        assertThat(docs).doesNotContainKey(added);
        assertThat(MosaicHarness.es("POST", "/employees/_update/" + edited + "?refresh=true",
                Map.of("doc", Map.of("email", "drift@example.com"))).get("_status")).isEqualTo(200);
        assertThat(MosaicHarness.es("DELETE", "/employees/_doc/" + deleted + "?refresh=true", null).get("_status")).isEqualTo(200);
        Map<String, Object> ghost = new LinkedHashMap<>(docs.get(ids.get(11)));
        ghost.put("id", Long.parseLong(added));
        assertThat(MosaicHarness.es("PUT", "/employees-v1/_doc/" + added + "?refresh=true", ghost).get("_status")).isEqualTo(201);

        Path drift = harness.workDir.resolve("drift.json");
        MosaicCli.Run found = verify("--report", drift.toString(), "--page-size", "64"); // several ranges
        assertThat(found.exit()).isEqualTo(ExitCodes.DRIFT);
        String text = Files.readString(drift);
        JsonNode d = employees(drift);
        assertThat(d.get("missing").asLong()).isEqualTo(1);
        assertThat(d.get("extra").asLong()).isEqualTo(1);
        assertThat(d.get("different").asLong()).isEqualTo(1);
        assertThat(ids(d, "missing")).containsExactly(deleted);
        assertThat(ids(d, "extra")).containsExactly(added);
        assertThat(ids(d, "different")).containsExactly(edited);
        assertThat(d.get("samples").get("different").get(0).get("fields").toString()).isEqualTo("[\"email\"]");
        assertThat(JSON.readTree(text).get("drift").asLong()).isEqualTo(3);
        // ids and field names only: neither a seeded sensitive value nor the planted one
        assertThat(SensitiveScan.leaks("report", JSON.readValue(text, Map.class))).isEmpty();
        assertThat(SensitiveOracle.containsSensitiveText(text)).isFalse();
        assertThat(text).doesNotContain("drift@example.com");
        assertThat(found.out()).doesNotContain("drift@example.com");

        Path repaired = harness.workDir.resolve("repair.json");
        MosaicCli.Run repair = verify("--repair", "--report", repaired.toString());
        assertThat(repair.exit()).isEqualTo(ExitCodes.OK);
        JsonNode r = employees(repaired);
        assertThat(r.get("missing").asLong() + r.get("extra").asLong() + r.get("different").asLong()).isEqualTo(3);
        assertThat(r.get("repaired").asLong()).isEqualTo(3);
        assertThat(r.get("unrepaired").asLong()).isZero();

        assertThat(verify().exit()).isEqualTo(ExitCodes.OK);
        assertThat(ContractComparison.differences(ExpectedDocuments.compute(harness.dbs), harness.documents("employees"))).isEmpty();
    }

    @Test
    @Order(2)
    void noFalseDriftWhileAWorkloadRuns() throws Exception {
        assertThat(harness).as("runs after the first test").isNotNull();
        FaultWorkload workload = new FaultWorkload(harness.dbs, 1414, SIZE.employees(), (int) SIZE.departments(), (int) SIZE.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        MosaicCli.Run run;
        MosaicCli.Run sample;
        try {
            Thread.sleep(2000);
            int before = workload.committed.get();
            run = verify("--report", harness.workDir.resolve("during.json").toString(), "--settle", "5s", "--page-size", "50");
            int during = workload.committed.get();
            assertThat(during - before).as("the workload ran while verify did").isGreaterThan(10);
            sample = verify("--sample", "50", "--rate", "2000", "--settle", "5s");
            assertThat(workload.committed.get()).as("the workload ran while the sample was checked").isGreaterThan(during);
        } finally {
            workload.running.set(false);
            writer.join();
        }
        // first: Mosaic itself converges (so whatever verify reported during the workload was not real drift)
        harness.awaitScenarioConverged(Duration.ofSeconds(180));
        assertThat(run.exit()).as(run.out()).isEqualTo(ExitCodes.OK);
        assertThat(sample.exit()).as(sample.out()).isEqualTo(ExitCodes.OK);
        assertThat(verify().exit()).isEqualTo(ExitCodes.OK);
    }
}
