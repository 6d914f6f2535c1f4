package io.mosaic.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A program run as its own process, its output in a log file: Mosaic as a real child JVM, so that a test
 * can kill it with SIGKILL like a crashing pod and start it again, or a program under measurement, so that
 * its memory and CPU are its own. The first start writes a new log; a restart appends to it.
 */
public final class ChildProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private Process process;

    /** Not started yet: see {@link #start}. {@code env} is added to this JVM's environment. */
    public ChildProcess(String name, List<String> command, Map<String, String> env, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.log = log;
    }

    /**
     * {@code mosaic run --config config [--sources a,b]} on this JVM's classpath (the connector's
     * {@code io.mosaic.Main}), with the launcher's heap and collector; {@code sources} null for all.
     */
    public static ChildProcess mosaic(String name, Path config, Path log, List<String> sources) {
        return mosaic(name, config, log, sources, Map.of());
    }

    /** As {@link #mosaic(String, Path, Path, List)}, with {@code env} added to the environment (such as {@code MOSAIC_LOG_FORMAT}). */
    public static ChildProcess mosaic(String name, Path config, Path log, List<String> sources, Map<String, String> env) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseParallelGC", "-XX:MinHeapFreeRatio=20", "-XX:MaxHeapFreeRatio=40", "-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=5000", "-cp", System.getProperty("java.class.path"), "io.mosaic.Main", "run", "--config", config.toString()));
        if (sources != null) {
            cmd.add("--sources");
            cmd.add(String.join(",", sources));
        }
        return new ChildProcess(name, cmd, env, log);
    }

    /** Starts the process, or starts it again after it exited or was killed. */
    public synchronized ChildProcess start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(process == null ? ProcessBuilder.Redirect.to(log.toFile()) : ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        process = pb.start();
        return this;
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public synchronized long pid() {
        return process.pid();
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** Fails with the log's location if the process died. */
    public synchronized void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
        }
    }

    /** Waits for the process to exit by itself; its exit code, or -1 if it is still running after {@code seconds}. */
    public int waitFor(long seconds) throws InterruptedException {
        Process p;
        synchronized (this) {
            p = process;
        }
        return p.waitFor(seconds, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    public synchronized void kill9() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * SIGTERM, as Kubernetes stops a pod, and the exit code once the process has exited; -1 if it did
     * not exit within {@code seconds} (it is then killed).
     */
    public synchronized int terminate(long seconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            return -1;
        }
        return process.exitValue();
    }

    /** SIGTERM, and SIGKILL if it has not exited within 30 s. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
