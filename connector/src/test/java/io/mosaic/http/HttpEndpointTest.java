package io.mosaic.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The endpoint listens only on the configured address, and a failure never puts its message (which may quote a value) in a body. */
class HttpEndpointTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void itBindsOnlyTheConfiguredAddress() throws Exception {
        try (HttpEndpoint http = new HttpEndpoint("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> new HttpEndpoint.Health(true, "live\n"), () -> new HttpEndpoint.Health(false, "starting\n"), () -> "{}\n")) {
            HttpResponse<String> live = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            // another address of the same machine (all of 127/8 is loopback on Linux) is not listened on
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.2", http.port()), 2000);
                }
            }).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void aFailingStatusShowsOnlyTheKindOfFailure() throws Exception {
        try (HttpEndpoint http = new HttpEndpoint("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> new HttpEndpoint.Health(true, "live\n"), () -> new HttpEndpoint.Health(true, "ready\n"), () -> {
                    throw new IllegalStateException("password=s3cret host=db.internal");
                })) {
            HttpResponse<String> status = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).isEqualTo(500);
            assertThat(status.body()).contains("IllegalStateException").doesNotContain("s3cret", "db.internal");
        }
    }
}
