package io.mosaic.testkit;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.mosaic.scenario.ScenarioDatabases;

/**
 * The project's local PostgreSQL, MariaDB and Elasticsearch (deploy/local/services.sh), started once
 * per test run and shared by every integration test. Nothing is mocked: tests talk to real servers.
 */
public final class LocalServices {

    public static final String ES_URL = "http://127.0.0.1:" + env("MOSAIC_ES_PORT", "19200");
    private static boolean started;

    private LocalServices() {
    }

    public static Path root() {
        return Path.of(System.getProperty("mosaic.root", "..")).toAbsolutePath().normalize();
    }

    public static synchronized ScenarioDatabases start() {
        if (!started) {
            // -Dmosaic.services=external: the servers are already running (e.g. started by hand)
            if (!"external".equals(System.getProperty("mosaic.services"))) {
                run("start", "all");
            }
            started = true;
        }
        return ScenarioDatabases.localDefaults();
    }

    /** Runs deploy/local/services.sh or one service's script with the given arguments; fails on a non-zero exit. */
    public static void run(String... args) {
        script("services.sh", args);
    }

    public static void script(String script, String... args) {
        try {
            String[] command = new String[args.length + 2];
            command[0] = "bash";
            command[1] = root().resolve("deploy/local/" + script).toString();
            System.arraycopy(args, 0, command, 2, args.length);
            Process p = new ProcessBuilder(command).inheritIO().redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed");
            }
        } catch (Exception e) {
            throw new IllegalStateException("local services: " + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
