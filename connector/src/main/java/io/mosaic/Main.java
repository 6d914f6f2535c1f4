package io.mosaic;

import java.util.concurrent.Callable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.cli.DeadLettersCommand;
import io.mosaic.cli.ExitCodes;
import io.mosaic.cli.RebuildCommand;
import io.mosaic.cli.RunCommand;
import io.mosaic.cli.SnapshotCommand;
import io.mosaic.cli.ValidateCommand;
import io.mosaic.cli.VerifyCommand;
import io.mosaic.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mosaic} command line. Exit codes: 0 success, 1 failure while running, 2 bad configuration or input, 3 drift found by verify. */
@Command(name = "mosaic", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Keeps Elasticsearch documents assembled from several databases fresh by change data capture.",
        subcommands = {RunCommand.class, ValidateCommand.class, DeadLettersCommand.class, RebuildCommand.class, SnapshotCommand.class,
                VerifyCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    public static void main(String[] args) {
        routeJavaUtilLogging();
        int exit;
        try {
            exit = run(args);
        } catch (Throwable t) {
            // An Error must end the process (and let Kubernetes restart it), not leave it hanging on
            // the HTTP client's non-daemon threads.
            LOG.error("fatal", t);
            System.err.println("error: " + t);
            exit = ExitCodes.FAILURE;
        }
        System.exit(exit);
    }

    /**
     * Sends java.util.logging to logback: libraries that log through it (the binlog client;
     * commons-logging of the HTTP client falls back to it) would otherwise print two-line records of
     * their own on stderr, in neither of Mosaic's formats. Records below INFO are dropped by
     * java.util.logging's default level before they cost anything.
     */
    static void routeJavaUtilLogging() {
        if (!org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) {
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
        }
    }

    /** The values of {@code MOSAIC_LOG_FORMAT} (logback.xml's appenders). */
    static final java.util.List<String> LOG_FORMATS = java.util.List.of("text", "json");

    /**
     * Null when {@code MOSAIC_LOG_FORMAT} (a system property or the environment, as logback reads it) is
     * unset or valid; otherwise the problem: logback would have no appender and log nothing at all.
     */
    static String logFormatProblem(String value) {
        if (value == null || LOG_FORMATS.contains(value)) {
            return null;
        }
        return "MOSAIC_LOG_FORMAT=" + value + " is not a log format; set it to text (the default) or json (one JSON object per line)";
    }

    public static int run(String... args) {
        String logFormat = System.getProperty("MOSAIC_LOG_FORMAT", System.getenv("MOSAIC_LOG_FORMAT"));
        String problem = logFormatProblem(logFormat);
        if (problem != null) {
            System.err.println("error: " + problem);
            return ExitCodes.CONFIG;
        }
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // One clear message on the console; the stack trace only in the log at debug level.
            if (e instanceof ConfigException ce) {
                ce.problems().forEach(p -> System.err.println("error: " + p));
                return ExitCodes.CONFIG;
            }
            LOG.debug("command failed", e);
            System.err.println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return ExitCodes.FAILURE;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mosaic " + (v == null ? "dev" : v)};
        }
    }
}
