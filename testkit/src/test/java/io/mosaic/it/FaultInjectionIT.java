package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.LocalServices;
import io.mosaic.testkit.MosaicHarness;
import io.mosaic.testkit.SensitiveScan;

/**
 * Real faults under a randomized workload: Mosaic is killed with SIGKILL and restarted, Elasticsearch is
 * suspended with SIGSTOP for longer than the request timeout, PostgreSQL and MariaDB are restarted.
 * After the sources stop changing, every document must equal the SQL projection, no other document
 * may exist and no sensitive value may be anywhere in the cluster.
 *
 * <p>Replay a run with {@code -Dmosaic.fault.seed=N}; lengthen it with {@code -Dmosaic.fault.seconds=S}.
 */
class FaultInjectionIT {

    static final long SEED = Long.getLong("mosaic.fault.seed", System.currentTimeMillis());
    static final int SECONDS = Integer.getInteger("mosaic.fault.seconds", 75);

    MosaicHarness harness;
    final List<ChildProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ChildProcess p : processes) {
            p.close();
        }
        LocalServices.run("start", "all"); // whatever the faults left behind
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void oneProcessConvergesThroughKillsStopsAndRestarts() throws Exception {
        run("single", java.util.Collections.singletonList(null));
    }

    @Test
    void twoProcessesWritingTheSameDocumentsConverge() throws Exception {
        run("two", List.of(List.of("admin"), List.of("motivation", "labor")));
    }

    private void run(String name, List<List<String>> groups) throws Exception {
        long seed = SEED + name.hashCode();
        System.out.printf("FaultInjectionIT[%s]: seed %d (replay with -Dmosaic.fault.seed=%d), %d s%n", name, seed, SEED, SECONDS);
        harness = new MosaicHarness();
        ScenarioSize size = new ScenarioSize(2, 400);
        ScenarioSeeder.seed(harness.dbs, size, seed);
        Path config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        for (int i = 0; i < groups.size(); i++) {
            ChildProcess p = ChildProcess.mosaic(name + "-" + i, config, harness.workDir.resolve("mosaic-" + i + ".log"), groups.get(i));
            processes.add(p);
            p.start();
        }

        FaultWorkload workload = new FaultWorkload(harness.dbs, seed, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();

        SplittableRandom random = new SplittableRandom(seed);
        int kills = 0;
        int esStops = 0;
        int dbRestarts = 0;
        int selfExits = 0;
        long end = System.nanoTime() + Duration.ofSeconds(SECONDS).toNanos();
        try {
            while (System.nanoTime() < end) {
                Thread.sleep(4000 + random.nextInt(6000));
                switch (random.nextInt(4)) {
                    case 0, 1 -> {
                        ChildProcess p = processes.get(random.nextInt(processes.size()));
                        p.kill9();
                        kills++;
                        Thread.sleep(random.nextInt(3000));
                        p.start();
                    }
                    case 2 -> {
                        // longer than the 10 s request timeout of the test config
                        String pid = pid("elasticsearch.sh");
                        new ProcessBuilder("kill", "-STOP", pid).start().waitFor();
                        try {
                            Thread.sleep(13_000 + random.nextInt(4000));
                        } finally {
                            new ProcessBuilder("kill", "-CONT", pid).start().waitFor();
                        }
                        esStops++;
                    }
                    default -> {
                        String service = random.nextBoolean() ? "postgres" : "mariadb";
                        LocalServices.run("stop", service);
                        Thread.sleep(1000 + random.nextInt(3000));
                        LocalServices.run("start", service);
                        dbRestarts++;
                    }
                }
                for (ChildProcess p : processes) {
                    if (!p.alive()) { // a source gave up: restart the process, as Kubernetes would
                        selfExits++;
                        p.start();
                    }
                }
            }
        } finally {
            // also when a fault step throws: a workload left running would write into the next test's databases
            workload.running.set(false);
            writer.join();
        }
        for (ChildProcess p : processes) {
            if (!p.alive()) {
                selfExits++;
                p.start();
            }
        }

        harness.awaitScenarioConverged(Duration.ofSeconds(240));
        Map<String, Map<String, Object>> docs = harness.documents("employees");
        SensitiveScan.Result scan = SensitiveScan.scan(harness);
        System.out.printf("FaultInjectionIT[%s]: seed %d: %d changes committed (%d failed while a server was down), %d kills, "
                        + "%d Elasticsearch stops, %d database restarts, %d process restarts after a source gave up, "
                        + "%d documents compared, 0 differences, %d documents scanned for sensitive values, %d leaks%n",
                name, seed, workload.committed.get(), workload.failed.get(), kills, esStops, dbRestarts, selfExits, docs.size(),
                scan.documents(), scan.leaks().size());
        assertThat(scan.leaks()).isEmpty();
        assertThat(workload.committed.get()).isGreaterThan(200);
        assertThat(kills + esStops + dbRestarts).isGreaterThanOrEqualTo(3);
    }

    private static String pid(String script) throws Exception {
        Process p = new ProcessBuilder("bash", LocalServices.root().resolve("deploy/local/" + script).toString(), "pid").start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return out;
    }
}
