package io.mosaic.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The launcher's command line: the scenario command under its own name, with the service's exit codes. */
class ScenarioMainTest {

    @Test
    void helpAndBadOptions() {
        assertThat(ScenarioMain.run("--help")).isZero();
        assertThat(ScenarioMain.run("setup", "--help")).isZero();
        assertThat(ScenarioMain.run("setup", "--employees", "-1")).isEqualTo(2);
        assertThat(ScenarioMain.run("setup", "--no-such-option")).isEqualTo(2);
    }

    @Test
    void aServerThatCannotBeReachedIsAFailure() {
        assertThat(ScenarioMain.run("setup", "--employees", "1", "--pg-url", "jdbc:postgresql://127.0.0.1:1/",
                "--mysql-url", "jdbc:mariadb://127.0.0.1:1/")).isEqualTo(ScenarioMain.FAILURE);
    }
}
