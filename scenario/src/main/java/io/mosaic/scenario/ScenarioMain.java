package io.mosaic.scenario;

import picocli.CommandLine;

/**
 * The {@code mosaic-scenario} command line ({@code scenario/target/bin/mosaic-scenario}): runs
 * {@link ScenarioCommand}, e.g. {@code mosaic-scenario setup --employees 1000}. Exit codes: 0 success,
 * 1 failure while running, 2 bad options.
 */
public final class ScenarioMain {

    /** The exit code of a command that failed while running (a database that cannot be reached, an SQL error). */
    static final int FAILURE = 1;

    private ScenarioMain() {
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = run(args);
        } catch (Throwable t) {
            System.err.println("error: " + t);
            exit = FAILURE;
        }
        System.exit(exit);
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new ScenarioCommand()).setCommandName("mosaic-scenario");
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // one clear message on the console, as the service's command line prints it
            System.err.println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return FAILURE;
        });
        return cli.execute(args);
    }
}
