package io.mosaic.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** A POST operation answers loopback callers only, and only to POST; its parameters arrive decoded. */
class HttpActionTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void onlyLoopbackCallersMayPost() throws Exception {
        AtomicReference<Map<String, List<String>>> seen = new AtomicReference<>();
        try (HttpEndpoint http = new HttpEndpoint("0.0.0.0", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> new HttpEndpoint.Health(true, "live\n"), () -> new HttpEndpoint.Health(true, "ready\n"), () -> "{}\n")) {
            http.post("/snapshot", p -> {
                seen.set(p);
                return new HttpEndpoint.Health(!p.getOrDefault("table", List.of()).isEmpty(), "ok\n");
            });
            String base = "http://127.0.0.1:" + http.port();
            HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/snapshot?source=labor&table=labor.contracts"
                    + "&table=labor.qualifications&where=employee_id%20%3C%3D%20100")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(seen.get()).containsEntry("table", List.of("labor.contracts", "labor.qualifications"))
                    .containsEntry("where", List.of("employee_id <= 100"));
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/snapshot?source=labor")).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as("refused request").isEqualTo(400);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/snapshot?source=labor&table=x")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("GET").isEqualTo(405);

            InetAddress other = NetworkInterface.networkInterfaces().filter(i -> {
                try {
                    return i.isUp() && !i.isLoopback();
                } catch (Exception e) {
                    return false;
                }
            }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst().orElse(null);
            Assumptions.assumeTrue(other != null, "this machine has no non-loopback IPv4 address to call from");
            HttpResponse<String> remote = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + other.getHostAddress() + ":" + http.port()
                    + "/snapshot?source=labor&table=labor.contracts")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(remote.statusCode()).as("a caller on " + other).isEqualTo(403);
            HttpResponse<String> probe = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + other.getHostAddress() + ":" + http.port()
                    + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(probe.statusCode()).as("probes answer everyone").isEqualTo(200);
        }
    }
}
