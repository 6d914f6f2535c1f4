package io.mosaic.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The launcher's command line: the scenario command under its own name, with the service's exit codes. */
class ScenarioMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream stdout;
    private PrintStream stderr;

    @BeforeEach
    void capture() {
        stdout = System.out;
        stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(stdout);
        System.setErr(stderr);
    }

    @Test
    void helpAndBadOptions() {
        assertThat(ScenarioMain.run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: mosaic-scenario").contains("setup");
        assertThat(ScenarioMain.run("setup", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: mosaic-scenario setup").contains("--employees=N");
        assertThat(ScenarioMain.run("setup", "--employees", "-1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--employees must not be negative");
        assertThat(ScenarioMain.run("setup", "--no-such-option")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown option: '--no-such-option'");
    }

    @Test
    void aServerThatCannotBeReachedIsAFailureWithOneLine() {
        assertThat(ScenarioMain.run("setup", "--employees", "1", "--pg-url", "jdbc:postgresql://127.0.0.1:1/",
                "--mysql-url", "jdbc:mariadb://127.0.0.1:1/")).isEqualTo(ScenarioMain.FAILURE);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: ").doesNotContain("\tat ");
    }
}
