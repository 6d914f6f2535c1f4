package io.mosaic.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What /status and readiness say while start-up waits: the server, never its address or user. */
class StatusReportTest {

    @Test
    void whileStartingEverySourceIsStartingAndTheWaitNamesTheServerOnly() throws Exception {
        String waiting = Mosaic.waitingFor("source 'admin': cannot connect to postgres://debezium@db.internal:5432/admin: Connection refused. "
                + "Check sources.admin.host/port/user/password and that the database is running.");
        assertThat(waiting).isEqualTo("cannot reach source 'admin' yet (its address and the cause are in the log)");
        assertThat(Mosaic.waitingFor("elasticsearch: cannot reach [https://es.internal:9200]: ConnectException"))
                .doesNotContain("es.internal").contains("cannot reach elasticsearch yet");

        JsonNode status = new ObjectMapper().readTree(StatusReport.json(false, waiting, List.of("admin", "labor"), List.of(), null, 0));
        assertThat(status.path("started").asBoolean()).isFalse();
        assertThat(status.path("waiting_for").asText()).isEqualTo(waiting);
        assertThat(status.path("sources")).hasSize(2).allSatisfy(s -> {
            assertThat(s.path("phase").asText()).isEqualTo("starting");
            assertThat(s.path("restarts").asInt()).isZero();
        });
        assertThat(status.path("elasticsearch").path("up").asBoolean()).isFalse();
    }

    @Test
    void unknownNumbersAreNullNotNaN() throws Exception {
        String json = StatusReport.json(true, null, List.of(), List.of(),
                new ElasticsearchHealth.Verdict(true, "cluster health green", System.currentTimeMillis()), Double.NaN);
        assertThat(json).doesNotContain("NaN");
        JsonNode status = new ObjectMapper().readTree(json);
        assertThat(status.path("writer").path("retrying_for_seconds").isNull()).isTrue();
        assertThat(status.path("elasticsearch").path("detail").asText()).isEqualTo("cluster health green");
    }

    @Test
    void onlyDriverAndNetworkCausesAreQuotedNeverOtherMessages() {
        assertThat(SourceRunner.cause(new IllegalStateException("engine", new java.io.EOFException("unexpected end of stream"))))
                .isEqualTo(": unexpected end of stream");
        assertThat(SourceRunner.cause(new IllegalStateException("cannot convert value 'clash@example.com'"))).isEmpty();
        assertThat(SourceRunner.cause(new RuntimeException(new java.sql.SQLException("Connection refused\nat line 2")))).isEqualTo(": Connection refused");
    }

    @Test
    void errorsAreDescribedByKindOnly() {
        Exception e = new IllegalStateException("value 'clash@example.com'", new java.net.SocketTimeoutException("10.0.0.7:9200"));
        assertThat(SourceRunner.kinds(e)).isEqualTo("IllegalStateException, caused by SocketTimeoutException");
    }
}
