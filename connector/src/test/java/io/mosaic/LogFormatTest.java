package io.mosaic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;

/**
 * The service's own logback.xml, as shipped: {@code MOSAIC_LOG_FORMAT=json} writes one JSON object per
 * line (a stack trace and a multi-line message included), the default writes one text line per event,
 * and any other value is refused before anything runs.
 */
class LogFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void restore() throws Exception {
        System.clearProperty("MOSAIC_LOG_FORMAT");
        configure();
    }

    /** Configures logback from the shipped logback.xml, as at start-up, and returns what it writes to stdout meanwhile. */
    private static List<String> logWith(String format, Runnable logging) throws Exception {
        if (format == null) {
            System.clearProperty("MOSAIC_LOG_FORMAT");
        } else {
            System.setProperty("MOSAIC_LOG_FORMAT", format);
        }
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            configure();
            logging.run();
        } finally {
            System.setOut(stdout);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isEmpty()).toList();
    }

    private static void configure() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
    }

    private static void events() {
        org.slf4j.Logger log = LoggerFactory.getLogger("io.mosaic.pipeline.SourceRunner");
        log.info("source admin is streaming changes");
        MDC.put("dbz.connectorName", "admin");
        log.warn("bulk employees failed (RetryableWriteException: 3 of 3 bulk items failed retryably, refused: 429 \"quoted\"\nsecond line)");
        MDC.clear();
        log.error("source admin: writing a batch of 12 change(s) failed", new IllegalStateException("outer", new java.net.ConnectException("refused")));
    }

    @Test
    void jsonIsOneObjectPerLine() throws Exception {
        List<String> lines = logWith("json", LogFormatTest::events);
        assertThat(lines).hasSize(3);
        JsonNode[] events = new JsonNode[3];
        for (int i = 0; i < 3; i++) {
            events[i] = JSON.readTree(lines.get(i)); // throws if a line is not one JSON object
            assertThat(events[i].isObject()).isTrue();
            assertThat(events[i].path("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*");
            assertThat(events[i].path("logger_name").asText()).isEqualTo("io.mosaic.pipeline.SourceRunner");
            assertThat(events[i].path("thread_name").asText()).isNotEmpty();
        }
        assertThat(events[0].path("level").asText()).isEqualTo("INFO");
        assertThat(events[0].path("message").asText()).isEqualTo("source admin is streaming changes");
        assertThat(events[1].path("level").asText()).isEqualTo("WARN");
        assertThat(events[1].path("message").asText()).contains("\"quoted\"\nsecond line");
        assertThat(events[1].path("dbz.connectorName").asText()).isEqualTo("admin");
        assertThat(events[2].path("level").asText()).isEqualTo("ERROR");
        assertThat(events[2].path("stack_trace").asText()).contains("IllegalStateException: outer").contains("ConnectException: refused");
    }

    @Test
    void javaUtilLoggingComesOutInTheSameFormat() throws Exception {
        // the binlog client's own logger, as it logs on connecting (it printed two-line records on stderr)
        Main.routeJavaUtilLogging();
        List<String> lines = logWith("json", () -> java.util.logging.Logger.getLogger("com.github.shyiko.mysql.binlog.BinaryLogClient")
                .info("Connected to 127.0.0.1:23316 at 0-184054-20 (sid:5501, cid:107)"));
        assertThat(lines).singleElement().satisfies(l -> {
            JsonNode event = JSON.readTree(l);
            assertThat(event.path("logger_name").asText()).isEqualTo("com.github.shyiko.mysql.binlog.BinaryLogClient");
            assertThat(event.path("level").asText()).isEqualTo("INFO");
            assertThat(event.path("message").asText()).startsWith("Connected to");
        });
    }

    @Test
    void textIsTheDefaultOneLinePerEventWithoutAnException() throws Exception {
        List<String> lines = logWith(null, () -> LoggerFactory.getLogger("io.mosaic.Main").info("Mosaic started: 3 source(s)"));
        assertThat(lines).singleElement().asString().matches("\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  \\[.*\\] io\\.mosaic\\.Main - Mosaic started: 3 source\\(s\\)");
    }

    @Test
    void anUnknownFormatIsRefusedNamingTheVariableAndTheChoices() {
        assertThat(Main.logFormatProblem(null)).isNull();
        assertThat(Main.logFormatProblem("json")).isNull();
        assertThat(Main.logFormatProblem("text")).isNull();
        assertThat(Main.logFormatProblem("JSON")).contains("MOSAIC_LOG_FORMAT=JSON").contains("text").contains("json");
        System.setProperty("MOSAIC_LOG_FORMAT", "xml");
        assertThat(Main.run("--version")).isEqualTo(io.mosaic.cli.ExitCodes.CONFIG);
    }
}
