package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mosaic.config.ElasticsearchConfig;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.Retry;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.ContractComparison;
import io.mosaic.testkit.EsHttp;
import io.mosaic.testkit.ExpectedDocuments;
import io.mosaic.testkit.FaultWorkload;
import io.mosaic.testkit.LocalServices;
import io.mosaic.testkit.MosaicHarness;
import io.mosaic.testkit.NamespacedElasticsearch;
import io.mosaic.testkit.NetworkNamespace;

/**
 * A real network partition between Mosaic and Elasticsearch: the cluster runs in a network namespace of
 * this test's own ({@link NetworkNamespace}, {@link NamespacedElasticsearch}), Mosaic (a child JVM)
 * streams the reference scenario into it under a workload, and the link is cut for
 * 30 s ({@code -Dmosaic.partition.seconds=S} for longer), so that connections hang: no refusal, no reset, nothing but silence. Writes
 * must time out and be retried (retries and the stalled gauge grow), readiness must turn within seconds,
 * the process must stay alive, no change may become a dead letter and no source may fail; after the link
 * returns everything resumes and the documents equal the SQL projection.
 *
 * <p>Needs root and network namespaces (CAP_NET_ADMIN): where {@code ip netns add} fails, the test is
 * skipped through an assumption that says why, never passed. The namespace is called
 * {@code mosaic-partition} (addresses {@code 10.213.0.1/30} and {@code .2}, or
 * {@code -Dmosaic.partition.subnet=10.x.y}); leftovers of a killed run are removed at start.
 */
class NetworkPartitionIT {

    static final int CUT_SECONDS = Integer.getInteger("mosaic.partition.seconds", 30);
    static final String SUBNET = System.getProperty("mosaic.partition.subnet", "10.213.0");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static NetworkNamespace namespace;
    static NamespacedElasticsearch elasticsearch;
    static MosaicHarness harness;
    static ChildProcess mosaic;

    @BeforeAll
    static void partitionableCluster() throws Exception {
        String why = NetworkNamespace.unavailable();
        assumeTrue(why == null, "NetworkPartitionIT skipped: this machine does not allow network namespaces "
                + "(it needs root with CAP_NET_ADMIN and iproute2's `ip netns add` and veth pairs): " + why);
        namespace = NetworkNamespace.create("mosaic-partition", SUBNET + ".1", SUBNET + ".2");
        elasticsearch = NamespacedElasticsearch.start(namespace, Integer.parseInt(System.getenv().getOrDefault("MOSAIC_ES_PORT", "19200")));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (mosaic != null) {
                mosaic.close();
            }
            if (harness != null) {
                harness.close();
            }
        } finally {
            try {
                if (elasticsearch != null) {
                    if (namespace != null && namespace.isCut()) {
                        namespace.heal();
                    }
                    elasticsearch.close();
                }
            } finally {
                if (namespace != null) {
                    namespace.close();
                }
            }
        }
    }

    @AfterEach
    void healTheLink() throws Exception {
        if (namespace != null && namespace.isCut()) { // a failed test must not leave the next one partitioned
            namespace.heal();
        }
    }

    @Test
    void writesHangThenRetryAndEverythingResumesWhenTheLinkReturns() throws Exception {
        ScenarioSize size = new ScenarioSize(2, 300);
        long seed = 13;
        final int p = startConverged("partition", size, seed);

        FaultWorkload workload = new FaultWorkload(harness.dbs, seed, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        try {
            Thread.sleep(5000); // streaming under load before the cut
            assertThat(get(p, "/health/ready").statusCode()).as("ready before the cut").isEqualTo(200);
            double retriesBefore = sum(metrics(p), "mosaic_elasticsearch_retries_total");

            namespace.cut();
            long cutAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> get(p, "/health/ready").statusCode() == 503);
            double notReadyAfter = seconds(cutAt);
            String readyBody = get(p, "/health/ready").body();

            double maxStalled = 0;
            double failedDuring = 0;
            int liveChecks = 0;
            while (seconds(cutAt) < CUT_SECONDS) {
                assertThat(get(p, "/health/live").statusCode()).as("liveness during the cut, %.1f s in", seconds(cutAt)).isEqualTo(200);
                liveChecks++;
                mosaic.checkAlive();
                String now = metrics(p);
                maxStalled = Math.max(maxStalled, sum(now, "mosaic_elasticsearch_stalled_seconds"));
                failedDuring = Math.max(failedDuring, failedSources(now));
                Thread.sleep(1000);
            }
            String during = metrics(p);
            double retriesDuring = sum(during, "mosaic_elasticsearch_retries_total") - retriesBefore;

            namespace.heal();
            long healedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> get(p, "/health/ready").statusCode() == 200);
            double readyAgainAfter = seconds(healedAt);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> sum(metrics(p), "mosaic_elasticsearch_stalled_seconds") == 0);
            double writingAgainAfter = seconds(healedAt);

            Thread.sleep(5000); // streaming again under load after the cut
            workload.running.set(false);
            writer.join();
            long convergingAt = System.nanoTime();
            int documents = awaitConverged(Duration.ofSeconds(240));
            double convergedAfter = seconds(convergingAt);

            String after = metrics(p);
            System.out.printf("NetworkPartitionIT: link cut for %d s under load; not ready %.1f s after the cut (%s); "
                            + "stalled gauge up to %.0f s, %.0f retries during the cut, %d liveness checks all 200; "
                            + "ready %.1f s and writing %.1f s after the link returned; %d changes committed; %d documents "
                            + "compared %.1f s after the workload stopped, 0 differences; dead letters %.0f; failed sources %.0f%n",
                    CUT_SECONDS, notReadyAfter, readyBody.replace('\n', ' '), maxStalled, retriesDuring, liveChecks,
                    readyAgainAfter, writingAgainAfter, workload.committed.get(), documents, convergedAfter,
                    sum(after, "mosaic_writer_dead_letters_total"), failedSources(after));

            assertThat(notReadyAfter).as("readiness turned not-ready %.1f s after the cut", notReadyAfter).isLessThan(10);
            assertThat(readyBody).as("readiness names the cluster").contains("elasticsearch");
            assertThat(retriesDuring).as("requests retried during the cut (mosaic_elasticsearch_retries_total)").isGreaterThan(0);
            assertThat(maxStalled).as("mosaic_elasticsearch_stalled_seconds during the cut").isGreaterThanOrEqualTo(CUT_SECONDS / 2.0);
            assertThat(failedDuring).as("sources in phase failed during the cut").isZero();
            assertThat(sum(after, "mosaic_writer_dead_letters_total")).as("dead letters").isZero();
            assertThat(failedSources(after)).as("sources in phase failed").isZero();
            assertThat(deadLetterDocuments()).as("documents in mosaic-dead-letters").isZero();
            assertThat(readyAgainAfter).as("ready again %.1f s after the link returned", readyAgainAfter).isLessThan(60);
            assertThat(workload.committed.get()).isGreaterThan(50);
            // the partition is silence, not a refusal: requests are given up by Mosaic's own timeouts
            String log = Files.readString(mosaic.log());
            assertThat(log).as("the log of %s", mosaic.log()).contains("SocketTimeoutException")
                    .doesNotContain("Connection refused", "No route to host");
            mosaic.checkAlive();
            assertThat(get(p, "/health/live").statusCode()).isEqualTo(200);
        } finally {
            workload.running.set(false);
            writer.join();
        }
    }

    /**
     * A pod stopped while the cluster is unreachable: the writer is retrying a batch that can never be
     * acknowledged, and SIGTERM must still stop the process within Kubernetes' default grace period
     * (30 s) instead of retrying until it is killed. The batch in hand is not committed, so a restart after
     * the link returns writes it again and the documents converge.
     */
    @Test
    void sigtermDuringThePartitionStopsWithinTheGracePeriodAndARestartConverges() throws Exception {
        ScenarioSize size = new ScenarioSize(1, 200);
        long seed = 17;
        final int p = startConverged("partition-sigterm", size, seed);
        FaultWorkload workload = new FaultWorkload(harness.dbs, seed, size.employees(), (int) size.departments(), (int) size.surveys());
        Thread writer = new Thread(workload, "workload");
        writer.start();
        try {
            Thread.sleep(3000);
            namespace.cut();
            long cutAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> sum(metrics(p), "mosaic_elasticsearch_stalled_seconds") > 0);
            Thread.sleep(2000); // in the middle of a retry
            double stalledFor = seconds(cutAt);
            long stopping = System.nanoTime();
            int exit = mosaic.terminate(60);
            double stoppedAfter = seconds(stopping);
            workload.running.set(false);
            writer.join();
            namespace.heal();
            System.out.printf("NetworkPartitionIT: SIGTERM %.1f s into the cut, exit %d after %.1f s; %d changes committed%n",
                    stalledFor, exit, stoppedAfter, workload.committed.get());
            assertThat(exit).as("exit code after SIGTERM during the partition (-1: still running after 60 s); log %s", mosaic.log())
                    .isNotEqualTo(-1);
            assertThat(stoppedAfter).as("stopped %.1f s after SIGTERM", stoppedAfter).isLessThan(30);

            mosaic.start();
            int documents = awaitConverged(Duration.ofSeconds(240));
            assertThat(documents).isPositive();
            assertThat(deadLetterDocuments()).as("documents in mosaic-dead-letters").isZero();
        } finally {
            workload.running.set(false);
            writer.join();
        }
    }

    /**
     * {@code mosaic run} started while the link is cut: every connection attempt hangs until the connect
     * timeout. The endpoint must open anyway, liveness answer, readiness say what it waits for, the
     * process wait rather than exit; once the link returns it starts and the documents converge.
     */
    @Test
    void startedDuringThePartitionWaitsThenStartsWhenTheLinkReturns() throws Exception {
        // the default connect timeout (5 s): one per start-up check, not one per source as well
        final int p = start("partition-start", new ScenarioSize(1, 100), 19, true, "5s");
        long cutAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get(p, "/health/live").statusCode() == 200);
        double liveAfter = seconds(cutAt);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get(p, "/health/ready").body().contains("cannot reach"));
        HttpResponse<String> ready = get(p, "/health/ready");
        Thread.sleep(15_000); // several connection attempts, each hanging until the connect timeout
        assertThat(mosaic.alive()).as("still waiting after %.0f s of partition, not exited (log %s)", seconds(cutAt), mosaic.log()).isTrue();
        assertThat(get(p, "/health/ready").statusCode()).isEqualTo(503);

        namespace.heal();
        long healedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> get(p, "/health/ready").statusCode() == 200);
        double readyAfter = seconds(healedAt);
        int documents = awaitConverged(Duration.ofSeconds(240));
        // one start-up check behind the partition costs one connect timeout (5 s) and the database checks, not
        // one connect timeout per source as well (4 x 5 s): the stored positions, which live in the cluster,
        // are not looked up while it does not answer
        Matcher first = Pattern.compile("not started yet, waiting for (\\d+) s so far: elasticsearch: cannot reach")
                .matcher(Files.readString(mosaic.log()));
        assertThat(first.find()).as("the wait is logged in %s", mosaic.log()).isTrue();
        int firstCheck = Integer.parseInt(first.group(1));
        System.out.printf("NetworkPartitionIT: started during the partition: live %.1f s after start, first start-up check %d s, "
                + "ready (503): %s; ready %.1f s after the link returned, %d documents converged%n", liveAfter, firstCheck,
                ready.body().replace('\n', ' '), readyAfter, documents);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("elasticsearch");
        assertThat(documents).isPositive();
        assertThat(firstCheck).as("seconds the first start-up check took behind the partition").isLessThan(15);
        mosaic.checkAlive();
    }

    /**
     * What made a CI run of {@link #writesHangThenRetryAndEverythingResumesWhenTheLinkReturns} find documents of
     * the previous test's scenario: a request written into a connection during a cut, then abandoned by its
     * client (a timeout, a process that exits), is still delivered by the kernel's retransmissions after the
     * link returns, and the node executes it. {@link NamespacedElasticsearch#dropConnections}, which every
     * test's start calls, makes it unable to arrive. Both halves are shown with a raw socket, as Mosaic's HTTP
     * client leaves it after a timeout: the request written, the socket closed.
     */
    @Test
    void aRequestAbandonedDuringTheCutArrivesAfterTheLinkReturnsUnlessTheConnectionsAreDropped() throws Exception {
        if (mosaic != null) { // an earlier test's Mosaic would connect during the cuts below
            mosaic.close();
        }
        EsHttp es = new EsHttp(elasticsearch.url(), Duration.ofSeconds(60));
        checkedCleanUp(es, "/late-probe-*?ignore_unavailable=true");
        try {
            // the kernel retransmits the request 0.2, 0.6, 1.4, 3, 6.2, 12.6, 25.4 and 51 s after sending it: a cut
            // of 4 s hides the first four, and the link is back well before the fifth
            long sent = abandonDuringACut("late-probe-kept");
            namespace.heal();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> Boolean.TRUE.equals(es.request("GET", "/late-probe-kept/_doc/1", null).get("found")));
            double arrivedAfter = seconds(sent);

            long sentAgain = abandonDuringACut("late-probe-dropped");
            elasticsearch.dropConnections(); // before the link returns: no retransmission can be in between
            namespace.heal();
            Thread.sleep(30_000); // past the retransmissions at 6.2, 12.6 and 25.4 s
            EsHttp fresh = new EsHttp(elasticsearch.url(), Duration.ofSeconds(60)); // the pooled connection was dropped too
            Map<String, Object> dropped = fresh.request("GET", "/late-probe-dropped/_doc/1", null);
            System.out.printf("NetworkPartitionIT: a request abandoned during a 4 s cut was executed %.1f s after it was sent; "
                    + "with the connections dropped first, %.0f s after: %s%n", arrivedAfter, seconds(sentAgain), dropped);
            assertThat(arrivedAfter).as("the abandoned request arrived after the link returned").isGreaterThan(4);
            assertThat(dropped.get("_status")).as("the request abandoned before the connections were dropped: %s", dropped).isEqualTo(404);
        } finally {
            if (namespace.isCut()) {
                namespace.heal();
            }
            checkedCleanUp(new EsHttp(elasticsearch.url(), Duration.ofSeconds(60)), "/late-probe-*?ignore_unavailable=true");
        }
    }

    /**
     * Connects to the namespaced node, cuts the link, writes a request indexing a document into {@code index}
     * and closes the socket, as a client that gave up; then waits 4 s with the link still cut. When it was sent.
     */
    private static long abandonDuringACut(String index) throws Exception {
        URI url = URI.create(elasticsearch.url());
        try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
            namespace.cut();
            String body = "{\"probe\":\"" + index + "\"}";
            String request = "PUT /" + index + "/_doc/1 HTTP/1.1\r\nHost: " + url.getHost() + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }
        long sent = System.nanoTime();
        Thread.sleep(4000);
        return sent;
    }

    /** {@link #start}, then waits until Mosaic is ready and the documents equal the SQL projection. */
    private static int startConverged(String name, ScenarioSize size, long seed) throws Exception {
        int port = start(name, size, seed, false, "2s");
        await().atMost(Duration.ofSeconds(240)).ignoreExceptions().until(() -> get(port, "/health/ready").statusCode() == 200);
        awaitConverged(Duration.ofSeconds(240));
        return port;
    }

    /**
     * Fresh tables and a fresh namespaced cluster, the scenario seeded, Mosaic started as a child JVM on
     * the namespaced cluster with short timeouts and an HTTP port of its own, which is returned; with
     * {@code cutFirst} the link is cut just before Mosaic starts.
     */
    private static int start(String name, ScenarioSize size, long seed, boolean cutFirst, String connectTimeout) throws Exception {
        if (mosaic != null) {
            mosaic.close();
        }
        if (harness != null) {
            harness.close();
        }
        // A request the previous test's Mosaic wrote while the link was cut is still retransmitted by the host's
        // kernel after that Mosaic gave up on it and exited, and the node executes it when it gets through: a
        // bulk of public documents arriving a minute late in this test's fresh indices, with the versions of the
        // earlier test's states, which this test's writes then lose against (a CI run had 33 documents of seed 17
        // among those of seed 13). Dropping every connection to the node makes such a request unable to arrive.
        elasticsearch.dropConnections();
        harness = new MosaicHarness();
        EsHttp es = new EsHttp(elasticsearch.url(), Duration.ofSeconds(60));
        checkedCleanUp(es, "/employees*,mosaic-*?expand_wildcards=all&ignore_unavailable=true");
        checkedCleanUp(es, "/_index_template/mosaic-*");
        assertThat(es.call("GET", "/_cat/indices/employees*,mosaic-*?format=json&expand_wildcards=all", null).toString())
                .as("indices left on the namespaced node after the clean-up").isEqualTo("[]");
        ScenarioSeeder.seed(harness.dbs, size, seed);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        String yaml = Files.readString(config);
        String local = "elasticsearch:\n  urls: " + LocalServices.ES_URL + "\n  request_timeout: 10s\n";
        assertThat(yaml).contains(local, "http:\n  port: 0\n");
        // short timeouts: a request that hangs is given up after 3 s (a connection usually after 2 s) and retried
        Files.writeString(config, yaml.replace(local, "elasticsearch:\n  urls: " + elasticsearch.url()
                        + "\n  request_timeout: 3s\n  connect_timeout: " + connectTimeout + "\n")
                .replace("http:\n  port: 0\n", "http:\n  host: 127.0.0.1\n  port: " + port + "\n"));
        mosaic = ChildProcess.mosaic(name, config, harness.workDir.resolve(name + ".log"), null);
        if (cutFirst) {
            namespace.cut();
        }
        mosaic.start();
        return port;
    }

    /** A DELETE of the clean-up, which must succeed or find nothing to delete (404). */
    private static void checkedCleanUp(EsHttp es, String path) throws Exception {
        Map<String, Object> r = es.request("DELETE", path, null);
        assertThat(r.get("_status")).as("DELETE %s on the namespaced node: %s", path, r).isIn(200, 404);
    }

    /** Waits until the namespaced cluster's employees index equals the SQL projection; the number of documents. */
    private static int awaitConverged(Duration timeout) throws Exception {
        ElasticsearchGateway gateway = new ElasticsearchGateway(new ElasticsearchConfig(List.of(URI.create(elasticsearch.url())),
                null, null, null, Duration.ofSeconds(5), Duration.ofSeconds(60)), Retry.never());
        EsHttp es = new EsHttp(elasticsearch.url(), Duration.ofSeconds(60));
        List<String> last = new ArrayList<>();
        int[] count = new int[1];
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                Map<String, Map<String, Object>> expected;
                try {
                    expected = ExpectedDocuments.compute(harness.dbs);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                es.request("POST", "/employees/_refresh", null);
                Map<String, Map<String, Object>> actual = new TreeMap<>();
                gateway.scan("employees", Map.of("match_all", Map.of()), true, List.of(), 5000, d -> actual.put(d.id(), d.source()));
                last.clear();
                last.addAll(ContractComparison.differences(expected, actual));
                count[0] = actual.size();
                return last.isEmpty() && !expected.isEmpty();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(last.size() + " difference(s) after " + timeout + ", first: "
                    + last.subList(0, Math.min(5, last.size())) + "; see " + mosaic.log() + explain(es, last), e);
        } finally {
            gateway.close();
        }
        return count[0];
    }

    /**
     * For the first document of {@code differences} that exists in the index: its Elasticsearch version next to
     * the write counter of its state, and the state itself. The public document is written with the state's
     * counter as its external version, so a version above the state's counter was written by someone else
     * (an earlier test's Mosaic, or a request of one arriving late) and wins against every write of this one.
     */
    private static String explain(EsHttp es, List<String> differences) {
        Pattern id = Pattern.compile("^document (\\S+) (differs|exists)");
        for (String d : differences) {
            Matcher m = id.matcher(d);
            if (!m.find()) {
                continue;
            }
            try {
                Map<String, Object> doc = es.request("GET", "/employees/_doc/" + m.group(1), null);
                // a document's state is keyed "d:" and the document's id (StateIndex.DOC_PREFIX)
                Map<String, Object> state = es.request("GET", "/mosaic-employees-state/_doc/d:" + m.group(1), null);
                Object stateSource = state.get("_source");
                Object seq = stateSource instanceof Map<?, ?> src ? src.get("seq") : null;
                String text = EsHttp.JSON.writeValueAsString(stateSource);
                boolean foreign = doc.get("_version") instanceof Number v && seq instanceof Number q && v.longValue() > q.longValue();
                return "\ndocument " + m.group(1)
                        + (foreign ? " (its version is above its state's seq: not written from this state, and this test's writes lose against it)" : "") + ": _version " + doc.get("_version") + ", _seq_no " + doc.get("_seq_no")
                        + ", mosaic " + (doc.get("_source") instanceof Map<?, ?> src ? src.get("mosaic") : null)
                        + "; its state (status " + state.get("_status") + "): seq " + seq + ", _seq_no " + state.get("_seq_no") + ": "
                        + (text.length() > 3000 ? text.substring(0, 3000) + "..." : text);
            } catch (Exception e) {
                return "\n(could not read document " + m.group(1) + " and its state: " + e + ")";
            }
        }
        return "";
    }

    private static long deadLetterDocuments() throws Exception {
        EsHttp es = new EsHttp(elasticsearch.url(), Duration.ofSeconds(30));
        Map<String, Object> r = es.request("GET", "/mosaic-dead-letters/_count?ignore_unavailable=true", null);
        Object count = r.get("count");
        return count == null ? 0 : ((Number) count).longValue();
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String metrics(int port) throws Exception {
        HttpResponse<String> r = get(port, "/metrics");
        assertThat(r.statusCode()).as("/metrics").isEqualTo(200);
        return r.body();
    }

    /** The sum of every sample of a meter in a Prometheus text exposition (0 when absent). */
    static double sum(String exposition, String name) {
        double total = 0;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([^ \\n]+)").matcher(exposition);
        while (m.find()) {
            double v = Double.parseDouble(m.group(2));
            if (!Double.isNaN(v)) {
                total += v;
            }
        }
        return total;
    }

    private static double failedSources(String exposition) {
        double total = 0;
        Matcher m = Pattern.compile("(?m)^mosaic_source_phase\\{[^}]*phase=\"failed\"[^}]*\\} ([^ \\n]+)").matcher(exposition);
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }
}
