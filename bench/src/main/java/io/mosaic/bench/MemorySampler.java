package io.mosaic.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Samples a process's resident set size (from {@code /proc/<pid>/status}) and, where the process
 * reports it, its used heap, every {@code period}. Samples are tagged with the phase they fall in,
 * so the peak of a load and the steady state of a rate run come from the same series.
 */
public final class MemorySampler implements AutoCloseable {

    /** One reading; heap is -1 when unknown. */
    public record Sample(long millis, String phase, long rssBytes, long heapBytes) {
    }

    private final long pid;
    private final LongSupplier heap;
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile String phase = "start";
    private volatile boolean running = true;

    public MemorySampler(long pid, LongSupplier heap, long periodMillis) {
        this.pid = pid;
        this.heap = heap;
        this.thread = new Thread(() -> {
            while (running) {
                long rss = rss(pid);
                if (rss < 0) {
                    return; // the process is gone
                }
                long h = -1;
                try {
                    h = heap == null ? -1 : heap.getAsLong();
                } catch (RuntimeException ignored) {
                    // the process is busy starting or stopping; the RSS sample still counts
                }
                samples.add(new Sample(System.currentTimeMillis(), phase, rss, h));
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-" + pid);
        thread.setDaemon(true);
        thread.start();
    }

    public void phase(String phase) {
        this.phase = phase;
    }

    /** The largest RSS seen in any phase, including the kernel's own high-water mark. */
    public long peakRss() {
        long peak = hwm(pid);
        synchronized (samples) {
            for (Sample s : samples) {
                peak = Math.max(peak, s.rssBytes());
            }
        }
        return peak;
    }

    public long peakHeap() {
        long peak = -1;
        synchronized (samples) {
            for (Sample s : samples) {
                peak = Math.max(peak, s.heapBytes());
            }
        }
        return peak;
    }

    /** The median RSS of the samples taken in {@code phase}, or -1. */
    public long medianRss(String phase) {
        return median(phase, true);
    }

    public long medianHeap(String phase) {
        return median(phase, false);
    }

    private long median(String phase, boolean rss) {
        List<Long> values = new ArrayList<>();
        synchronized (samples) {
            for (Sample s : samples) {
                long v = rss ? s.rssBytes() : s.heapBytes();
                if (s.phase().equals(phase) && v >= 0) {
                    values.add(v);
                }
            }
        }
        if (values.isEmpty()) {
            return -1;
        }
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    public long maxRss(String phase) {
        return max(phase, true);
    }

    /** The largest heap use sampled in {@code phase}, or -1. */
    public long maxHeap(String phase) {
        return max(phase, false);
    }

    private long max(String phase, boolean rss) {
        long max = -1;
        synchronized (samples) {
            for (Sample s : samples) {
                if (s.phase().equals(phase)) {
                    max = Math.max(max, rss ? s.rssBytes() : s.heapBytes());
                }
            }
        }
        return max;
    }

    static long rss(long pid) {
        return statusField(pid, "VmRSS:");
    }

    static long hwm(long pid) {
        return statusField(pid, "VmHWM:");
    }

    private static long statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
