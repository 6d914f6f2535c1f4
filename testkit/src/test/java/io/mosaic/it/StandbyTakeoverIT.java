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
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.MosaicHarness;

/**
 * Two real Mosaic processes with the same configuration and {@code lease.enabled}: only one streams
 * each source while the other stands by (its /status says {@code standby}, and each source has one
 * reader on its database); {@code kill -9} of the holder under a running workload hands every source
 * to the standby once the lease's ttl has passed; a SIGTERM of the new holder releases its leases, so
 * the restarted first process takes over at once instead of after the ttl. At the end the documents
 * equal the SQL projection and every stored position carries the last holder's lease epoch.
 */
class StandbyTakeoverIT {

    static final Duration TTL = Duration.ofSeconds(12);
    static final Duration RENEW = Duration.ofSeconds(2);
    static final List<String> SOURCES = List.of("admin", "motivation", "labor");

    MosaicHarness harness;
    final List<ChildProcess> processes = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stop() throws Exception {
        for (ChildProcess p : processes) {
            p.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    ChildProcess a;
    ChildProcess b;
    int portA;
    int portB;
    ScenarioSize size = new ScenarioSize(2, 400);

    /** Seeds the scenario and starts a, which takes every lease and streams, then b, which stands by for every source. */
    private void startHolderAndStandby(long seed) throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, size, seed);
        Path config = harness.config(MosaicHarness.scenarioMapping().toString(), SOURCES.toArray(String[]::new));
        String yaml = Files.readString(config).replace("http:\n  port: 0\n", "http:\n  host: 127.0.0.1\n  port: ${MOSAIC_HTTP_PORT}\n")
                + "lease:\n  enabled: true\n  ttl: " + TTL.toSeconds() + "s\n  renew_interval: " + RENEW.toSeconds() + "s\n";
        Files.writeString(config, yaml);
        portA = freePort();
        portB = freePort();
        a = ChildProcess.mosaic("a", config, harness.workDir.resolve("mosaic-a.log"), null, Map.of("MOSAIC_HTTP_PORT", "" + portA));
        b = ChildProcess.mosaic("b", config, harness.workDir.resolve("mosaic-b.log"), null, Map.of("MOSAIC_HTTP_PORT", "" + portB));
        processes.add(a);
        processes.add(b);
        a.start();
        awaitPhases(a, portA, Duration.ofSeconds(180), "streaming");
        b.start();
        awaitPhases(b, portB, Duration.ofSeconds(120), "standby");
    }

    @Test
    void theStandbyTakesOverAfterKill9AndAtOnceAfterACleanStop() throws Exception {
        long seed = 13;
        startHolderAndStandby(seed);
        assertThat(get(portB, "/health/ready").statusCode()).as("a standby is ready").isEqualTo(200);
        assertThat(get(portB, "/health/ready").body()).contains("source admin: standby");
        assertThat(phases(portA)).as("b standing by leaves a streaming").containsOnly("streaming");
        assertThat(metric(portA, "mosaic_source_lease_held")).containsOnly(1.0);
        assertThat(metric(portB, "mosaic_source_lease_held")).containsOnly(0.0);
        assertOneReaderPerSource();

        FaultWorkload workload = new FaultWorkload(harness.dbs, seed, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        try {
            Thread.sleep(5000);
            int before = workload.committed.get();
            a.kill9();
            long killed = System.nanoTime();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                b.checkAlive();
                return phases(portB).stream().noneMatch("standby"::equals);
            });
            Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
            System.out.printf("StandbyTakeoverIT: b took every source over %d ms after kill -9 of a (ttl %d s, renew %d s); "
                    + "%d changes committed before the kill%n", takeover.toMillis(), TTL.toSeconds(), RENEW.toSeconds(), before);
            // the standby may take over only once the lease went unrenewed for the ttl, counted from its last look
            assertThat(takeover).isGreaterThan(TTL.minus(RENEW).minusMillis(500))
                    .isLessThan(TTL.plus(RENEW).plus(RENEW).plusSeconds(8));
            awaitPhases(b, portB, Duration.ofSeconds(180), "streaming");
            assertThat(metric(portB, "mosaic_source_lease_held")).containsOnly(1.0);

            // a comes back as the standby; a clean stop of b hands over at once, by releasing the leases
            a.start();
            awaitPhases(a, portA, Duration.ofSeconds(120), "standby");
            assertOneReaderPerSource();
            Thread.sleep(3000);
            long terminating = System.nanoTime();
            assertThat(b.terminate(60)).as("a clean SIGTERM exits 0").isZero();
            long exited = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                a.checkAlive();
                return phases(portA).stream().noneMatch("standby"::equals);
            });
            Duration handover = Duration.ofNanos(System.nanoTime() - exited);
            System.out.printf("StandbyTakeoverIT: b stopped in %d ms; a took every source over %d ms after b exited%n",
                    Duration.ofNanos(exited - terminating).toMillis(), handover.toMillis());
            assertThat(Files.readString(b.log())).contains("admin@").contains(": released");
            // without the release a would wait at least ttl - renew_interval after b's last renewal
            assertThat(handover).isLessThan(TTL.minus(RENEW).minus(RENEW));
            awaitPhases(a, portA, Duration.ofSeconds(180), "streaming");
            Thread.sleep(3000);
        } finally {
            workload.running.set(false);
            writer.join();
        }
        harness.awaitScenarioConverged(Duration.ofSeconds(240));
        assertThat(workload.committed.get()).isGreaterThan(50);
        // a (epoch 1), b after the kill (2), a after the release (3): positions carry the holder's epoch
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(offsetEpochs()).hasSize(3).containsOnly(3L));
        System.out.printf("StandbyTakeoverIT: %d changes committed by the workload, %d documents compared, 0 differences%n",
                workload.committed.get(), harness.documents("employees").size());
    }

    @Test
    void aHolderFrozenPastItsLeaseStopsWhenItWakesAndCommitsNoPosition() throws Exception {
        long seed = 14;
        startHolderAndStandby(seed);
        FaultWorkload workload = new FaultWorkload(harness.dbs, seed, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        try {
            Thread.sleep(4000);
            signal("STOP", a.pid());
            try {
                // b takes over while a is frozen: a cannot renew, and nothing of it runs, its watchdog included
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    b.checkAlive();
                    return phases(portB).stream().noneMatch("standby"::equals);
                });
                Thread.sleep(RENEW.toMillis() * 2); // b writes its own positions meanwhile
            } finally {
                signal("CONT", a.pid());
            }
            // a wakes up after the takeover: its clock says the lease is gone; it stops and exits to stand by when restarted
            assertThat(a.waitFor(90)).as("a, woken after losing its leases, exits with 1").isEqualTo(1);
            String log = Files.readString(a.log());
            assertThat(log).contains("lost the source's lease");
            System.out.printf("StandbyTakeoverIT: a woke up after b took over; positions it tried to save and was refused: %d%n",
                    log.lines().filter(l -> l.contains("not saved")).count());
            awaitPhases(b, portB, Duration.ofSeconds(180), "streaming");
            Thread.sleep(3000);
        } finally {
            workload.running.set(false);
            writer.join();
        }
        harness.awaitScenarioConverged(Duration.ofSeconds(240));
        // every position is b's (epoch 2): a's writes after the takeover were refused or overwritten by b
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(offsetEpochs()).hasSize(3).containsOnly(2L));
        System.out.printf("StandbyTakeoverIT: %d changes committed by the workload, %d documents compared, 0 differences%n",
                workload.committed.get(), harness.documents("employees").size());
    }

    @Test
    void aHolderCutOffFromElasticsearchStopsBeforeTheStandbyCanTakeOver() throws Exception {
        long seed = 15;
        startHolderAndStandby(seed);
        FaultWorkload workload = new FaultWorkload(harness.dbs, seed, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        long resumed;
        try {
            Thread.sleep(4000);
            String es = esPid();
            signal("STOP", Long.parseLong(es));
            try {
                // neither process can renew or take a lease; the holder must give up by its own clock
                Thread.sleep(TTL.plusSeconds(5).toMillis());
            } finally {
                signal("CONT", Long.parseLong(es));
                resumed = System.currentTimeMillis();
            }
            assertThat(a.waitFor(120)).as("a, unable to renew, exits with 1").isEqualTo(1);
            a.start(); // as Kubernetes restarts it: it stands by
            awaitPhases(b, portB, Duration.ofSeconds(180), "streaming");
            awaitPhases(a, portA, Duration.ofSeconds(180), "standby");
            Thread.sleep(3000);
        } finally {
            workload.running.set(false);
            writer.join();
        }
        // a stopped every source while Elasticsearch was still frozen, so before b could possibly take over
        List<Long> lost = logTimes(a.log(), "lost the source's lease");
        List<Long> taken = logTimes(b.log(), "taken by this process");
        System.out.printf("StandbyTakeoverIT: Elasticsearch resumed at %d; a gave its sources up at %s; b took them at %s%n",
                resumed, lost, taken);
        assertThat(lost).hasSize(3).allMatch(t -> t < resumed);
        assertThat(taken).hasSize(3).allMatch(t -> t > lost.stream().mapToLong(Long::longValue).max().getAsLong());
        harness.awaitScenarioConverged(Duration.ofSeconds(240));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(offsetEpochs()).hasSize(3).containsOnly(2L));
        System.out.printf("StandbyTakeoverIT: %d changes committed by the workload, %d documents compared, 0 differences%n",
                workload.committed.get(), harness.documents("employees").size());
    }

    /** The epoch milliseconds of the log lines containing {@code text} (the log's ISO timestamps, UTC). */
    private static List<Long> logTimes(Path log, String text) throws Exception {
        return Files.readAllLines(log).stream().filter(l -> l.contains(text) && l.length() > 24 && l.charAt(4) == '-')
                .map(l -> java.time.Instant.parse(l.substring(0, l.indexOf(' '))).toEpochMilli()).toList();
    }

    private static String esPid() throws Exception {
        Process p = new ProcessBuilder("bash", io.mosaic.testkit.LocalServices.root().resolve("deploy/local/elasticsearch.sh").toString(), "pid")
                .start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        assertThat(out).as("the local Elasticsearch's pid").matches("[0-9]+");
        return out;
    }

    private static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor()).isZero();
    }

    /** Every PostgreSQL source has one active slot reader, and the MariaDB source one binlog reader, whatever the process count. */
    private void assertOneReaderPerSource() throws Exception {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            try (Connection c = harness.dbs.openPgServer(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE pid IN (SELECT active_pid FROM pg_replication_slots WHERE slot_name LIKE 'mosaic%')")) {
                r.next();
                assertThat(r.getLong(1)).as("walsenders of Mosaic's slots (admin, motivation)").isEqualTo(2);
            }
            try (Connection c = harness.dbs.openMysqlServer(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT count(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) {
                r.next();
                assertThat(r.getLong(1)).as("binlog readers of labor").isEqualTo(1);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private List<Long> offsetEpochs() throws Exception {
        MosaicHarness.es("POST", "/mosaic-offsets/_refresh", null);
        Map<String, Object> r = MosaicHarness.es("POST", "/mosaic-offsets/_search", Map.of("size", 100));
        List<Long> out = new ArrayList<>();
        for (Map<String, Object> hit : (List<Map<String, Object>>) ((Map<String, Object>) r.get("hits")).get("hits")) {
            if (!((Map<String, Object>) hit.get("_source")).containsKey("offsets")) {
                continue; // a source's record of captured tables (offsets.CapturedTables), beside its position
            }
            Object epoch = ((Map<String, Object>) hit.get("_source")).get("lease_epoch");
            out.add(epoch == null ? -1 : ((Number) epoch).longValue());
        }
        return out;
    }

    private void awaitPhases(ChildProcess p, int port, Duration timeout, String phase) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            p.checkAlive();
            List<String> phases = phases(port);
            return phases.size() == SOURCES.size() && phases.stream().allMatch(phase::equals);
        });
    }

    /** The phase of every source in a process's /status. */
    @SuppressWarnings("unchecked")
    private List<String> phases(int port) throws Exception {
        Map<String, Object> status = ElasticsearchGateway.JSON.readValue(get(port, "/status").body(), Map.class);
        List<String> out = new ArrayList<>();
        for (Map<String, Object> s : (List<Map<String, Object>>) status.get("sources")) {
            out.add((String) s.get("phase"));
        }
        return out;
    }

    /** The values of one meter in a process's /metrics, by its label set. */
    private List<Double> metric(int port, String name) throws Exception {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : get(port, "/metrics").body().split("\n")) {
            if (line.startsWith(name + "{")) {
                values.put(line.substring(0, line.lastIndexOf(' ')), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        assertThat(values).as(name + " per source").hasSize(SOURCES.size());
        return new ArrayList<>(values.values());
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
