package io.mosaic.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class ScenarioCommandTest {

    @Test
    void setupDefaultsToTheLocalServices() {
        CommandLine cli = new CommandLine(new ScenarioCommand());
        ParseResult parsed = cli.parseArgs("setup");
        ScenarioCommand.Setup setup = (ScenarioCommand.Setup) parsed.subcommand().commandSpec().userObject();
        assertThat(setup.employees).isEqualTo(1000);
        assertThat(setup.companies).isNull();
        assertThat(setup.seed).isEqualTo(42);
        assertThat(setup.pgUrl).isEqualTo("jdbc:postgresql://127.0.0.1:15432/");
        assertThat(setup.pgUser).isEqualTo("postgres");
        assertThat(setup.pgPassword).isEqualTo("postgres");
        assertThat(setup.mysqlUrl).isEqualTo("jdbc:mariadb://127.0.0.1:13306/");
        assertThat(setup.mysqlUser).isEqualTo("mosaic");
        assertThat(setup.mysqlPassword).isEqualTo("mosaic");
    }

    @Test
    void setupTakesSizesSeedAndConnections() {
        CommandLine cli = new CommandLine(new ScenarioCommand());
        ParseResult parsed = cli.parseArgs("setup", "--employees", "100000", "--companies", "7", "--seed", "9",
                "--pg-url", "jdbc:postgresql://h:1/", "--pg-user", "a", "--pg-password", "b",
                "--mysql-url", "jdbc:mariadb://h:2/", "--mysql-user", "c", "--mysql-password", "d");
        ScenarioCommand.Setup setup = (ScenarioCommand.Setup) parsed.subcommand().commandSpec().userObject();
        assertThat(List.of(setup.employees, setup.companies)).containsExactly(100000, 7);
        assertThat(setup.seed).isEqualTo(9);
        assertThat(List.of(setup.pgUrl, setup.pgUser, setup.pgPassword, setup.mysqlUrl, setup.mysqlUser,
                setup.mysqlPassword)).containsExactly("jdbc:postgresql://h:1/", "a", "b", "jdbc:mariadb://h:2/", "c", "d");
    }

    @Test
    void withoutASubcommandItPrintsUsage() {
        CommandLine cli = new CommandLine(new ScenarioCommand());
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute()).isZero();
        assertThat(out.toString()).contains("Usage: scenario").contains("setup");
    }

    @Test
    void rejectsANegativeEmployeeCount() {
        CommandLine cli = new CommandLine(new ScenarioCommand());
        cli.setErr(new PrintWriter(new StringWriter()));
        assertThat(cli.execute("setup", "--employees", "-1")).isEqualTo(2);
    }
}
