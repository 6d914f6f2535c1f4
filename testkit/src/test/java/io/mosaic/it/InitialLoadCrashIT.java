package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.MosaicHarness;

/**
 * The initial load writes each employee document once, from its state, when the last of the three
 * sources' snapshots ends (issue 16, {@code DeferredAssembly}). Mosaic is killed with SIGKILL while the
 * documents wait: first right after a source's snapshot ended and left the documents to the others, then
 * while the pass that writes them runs. Each restart must end with every document equal to the SQL
 * projection, and no deferred-assembly marker may be left in the state index.
 */
class InitialLoadCrashIT {

    private static final String DEFERRED = "snapshot ended; the documents of employees are written once";
    private static final String PASS = "employees: writing every document from its state, once";

    private MosaicHarness harness;

    @AfterEach
    void stop() throws Exception {
        if (harness != null) {
            harness.close(); // and the Mosaic process it started
        }
    }

    @Test
    void aKillWhileTheDocumentsWaitForTheLastSnapshotStillEndsWithEveryDocument() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(2, 3000), 21);
        ChildProcess process = harness.mosaicProcess("load", harness.scenarioConfig()).start();
        Path log = process.log();

        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(20)).until(() -> count(log, DEFERRED) > 0);
        process.kill9();
        System.out.printf("InitialLoadCrashIT: killed after a source left the documents to the others (%d pass(es) begun)%n", count(log, PASS));

        int passes = count(log, PASS);
        process.start();
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(20)).until(() -> count(log, PASS) > passes);
        process.kill9();
        System.out.printf("InitialLoadCrashIT: killed during a pass (%d document(s) in the index then)%n", harness.documents("employees").size());

        process.start();
        harness.awaitScenarioConverged(Duration.ofSeconds(300));
        // the markers are read by id (realtime: the state index does not refresh by itself)
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(markers()).as("deferred-assembly markers left (log: %s)", log)
                .isZero());
    }

    @SuppressWarnings("unchecked")
    private static long markers() throws Exception {
        Map<String, Object> r = MosaicHarness.es("POST", "/mosaic-employees-state/_mget",
                Map.of("ids", List.of("x:deferred:admin", "x:deferred:motivation", "x:deferred:labor")));
        return ((List<Map<String, Object>>) r.get("docs")).stream().filter(d -> Boolean.TRUE.equals(d.get("found"))).count();
    }

    private static int count(Path log, String text) throws Exception {
        if (!Files.exists(log)) {
            return 0;
        }
        String s = Files.readString(log);
        int n = 0;
        for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) {
            n++;
        }
        return n;
    }
}
