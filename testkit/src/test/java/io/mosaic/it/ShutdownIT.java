package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.MosaicHarness;

/**
 * A real SIGTERM under load, as Kubernetes stops a pod (issue 13: the process exited 143 and logged
 * ERROR lines on a normal shutdown). Mosaic must exit 0 well within a 30 s grace period, log no ERROR,
 * and a restart must converge to the sources' rows.
 */
class ShutdownIT {

    private MosaicHarness harness;

    @AfterEach
    void stop() throws Exception {
        if (harness != null) {
            harness.close(); // and the Mosaic process it started
        }
    }

    @Test
    void sigtermUnderLoadExitsZeroWithoutErrorsAndARestartConverges() throws Exception {
        harness = new MosaicHarness();
        ScenarioSize size = new ScenarioSize(1, 200);
        ScenarioSeeder.seed(harness.dbs, size, 13);
        ChildProcess process = harness.mosaicProcess("shutdown", harness.scenarioConfig()).start();
        Path log = process.log();
        harness.awaitScenarioConverged(Duration.ofSeconds(120));

        FaultWorkload workload = new FaultWorkload(harness.dbs, 13, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        Thread.sleep(5_000);
        long started = System.nanoTime();
        int exit = process.terminate(30);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        Thread.sleep(2_000); // changes also arrive while Mosaic is down
        workload.running.set(false);
        writer.join();

        assertThat(exit).as("exit code after SIGTERM (log: %s)", log).isZero();
        assertThat(tookMillis).as("time to stop").isLessThan(25_000);
        List<String> errors = Files.readAllLines(log).stream().filter(l -> l.contains(" ERROR ")).toList();
        assertThat(errors).as("ERROR lines on a clean shutdown").isEmpty();
        assertThat(Files.readString(log)).contains("stopping (SIGTERM)")
                .as("the batch in hand is written and committed, not interrupted (so the restart replays none of it)")
                .doesNotContain("stopped while writing a batch").doesNotContain("did not finish within");
        assertThat(workload.committed.get()).isGreaterThan(20);

        process.start();
        harness.awaitScenarioConverged(Duration.ofSeconds(120));
    }
}
