package io.mosaic.it;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Mosaic as a real child JVM, so that tests can kill it with SIGKILL like a crashing pod. */
final class MosaicProcess implements AutoCloseable {

    private final String name;
    private final Path config;
    private final Path log;
    private final List<String> sources;
    private Process process;
    int starts;

    MosaicProcess(String name, Path config, Path log, List<String> sources) {
        this.name = name;
        this.config = config;
        this.log = log;
        this.sources = sources;
    }

    synchronized void start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), "io.mosaic.Main", "run", "--config", config.toString()));
        if (sources != null) {
            cmd.add("--sources");
            cmd.add(String.join(",", sources));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        starts++;
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    synchronized void kill9() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    String name() {
        return name;
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
