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
    /** The secured node ({@code MOSAIC_ES_SECURITY=tls elasticsearch.sh}): https, its own CA, the elastic superuser. */
    public static final String ES_SECURED_URL = "https://127.0.0.1:" + env("MOSAIC_ES_SECURED_PORT", "19230");
    public static final String ES_ELASTIC_PASSWORD = env("MOSAIC_ES_ELASTIC_PASSWORD", "elastic-local");
    /** The secured node's user {@code mosaic}, with the least-privilege role of deploy/elasticsearch/mosaic-role.json. */
    public static final String ES_MOSAIC_PASSWORD = env("MOSAIC_ES_MOSAIC_PASSWORD", "Role-Secret-7q2");
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
        script(java.util.Map.of(), script, args);
    }

    /**
     * Runs the secured Elasticsearch node's script ({@code start}, {@code stop}, {@code wipe}) and returns the
     * path of its CA certificate (PEM), which the start generates the first time.
     */
    public static Path securedElasticsearch(String action) {
        java.util.Map<String, String> tls = java.util.Map.of("MOSAIC_ES_SECURITY", "tls");
        script(tls, "elasticsearch.sh", action);
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", root().resolve("deploy/local/elasticsearch.sh").toString(), "ca")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(tls);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? Path.of(out) : null;
        } catch (Exception e) {
            throw new IllegalStateException("local services: " + e.getMessage(), e);
        }
    }

    /** As {@link #script(String, String...)}, with {@code env} added to the environment. */
    public static void script(java.util.Map<String, String> env, String script, String... args) {
        try {
            String[] command = new String[args.length + 2];
            command[0] = "bash";
            command[1] = root().resolve("deploy/local/" + script).toString();
            System.arraycopy(args, 0, command, 2, args.length);
            ProcessBuilder pb = new ProcessBuilder(command).inheritIO().redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
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
