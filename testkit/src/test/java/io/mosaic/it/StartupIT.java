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
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.LocalServices;
import io.mosaic.testkit.MosaicHarness;

/**
 * {@code mosaic run} started while Elasticsearch is down (issue 10: it hung silently, the endpoint
 * never opened). Now the endpoint opens first, liveness answers, readiness says what it waits for
 * (the cluster and its address), the wait is logged, and once the cluster is back the service starts
 * and the documents converge, all in the same process.
 */
class StartupIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private MosaicHarness harness;
    private ChildProcess process;

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.close();
        }
        LocalServices.run("start", "all");
        if (harness != null) {
            harness.close();
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startedWhileTheClusterIsDownItWaitsVisiblyThenStarts() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 50), 7);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        Files.writeString(config, Files.readString(config).replace("http:\n  port: 0\n", "http:\n  port: " + port + "\n"));
        Path log = harness.workDir.resolve("startup.log");

        LocalServices.script("elasticsearch.sh", "stop");
        process = ChildProcess.mosaic("startup", config, log, null);
        process.start();
        final int p = port;
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> get(p, "/health/live").statusCode() == 200);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> get(p, "/health/ready").body().contains("cannot reach"));
        HttpResponse<String> ready = get(port, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        // the endpoint names the server it waits for, never its address (the log has it)
        assertThat(ready.body()).contains("starting", "elasticsearch").doesNotContain(LocalServices.ES_URL);
        assertThat(Files.readString(log)).contains("not started yet", LocalServices.ES_URL);
        assertThat(process.alive()).as("still waiting, not exited").isTrue();

        LocalServices.script("elasticsearch.sh", "start");
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> get(p, "/health/ready").statusCode() == 200);
        harness.awaitScenarioConverged(Duration.ofSeconds(60));
        assertThat(process.alive()).isTrue();
    }
}
