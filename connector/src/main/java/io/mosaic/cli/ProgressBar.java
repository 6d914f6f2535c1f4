package io.mosaic.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress line for a long command: done/total, rate and ETA. On a terminal it redraws one line at
 * most every 200 ms; otherwise (a log, a Kubernetes Job) it prints a line every 10 s, so that the
 * output stays readable. Pure formatting apart from the clock, which a test can replace.
 */
final class ProgressBar {

    private final PrintStream out;
    private final String label;
    private final long total;
    private final String unit;
    private final boolean terminal;
    private final LongSupplier nanos;
    private final long started;
    private long lastPrinted = Long.MIN_VALUE;

    ProgressBar(PrintStream out, String label, long total, boolean terminal, LongSupplier nanos) {
        this(out, label, total, "documents", terminal, nanos);
    }

    /** @param total what {@code done} goes to; 0 or less when unknown (the line then shows the count and rate only) */
    ProgressBar(PrintStream out, String label, long total, String unit, boolean terminal, LongSupplier nanos) {
        this.out = out;
        this.unit = unit;
        this.label = label;
        this.total = total;
        this.terminal = terminal;
        this.nanos = nanos;
        this.started = nanos.getAsLong();
    }

    static ProgressBar onStderr(String label, long total) {
        return onStderr(label, total, "documents");
    }

    static ProgressBar onStderr(String label, long total, String unit) {
        return new ProgressBar(System.err, label, total, unit, System.console() != null, System::nanoTime);
    }

    void update(long done) {
        long now = nanos.getAsLong();
        long every = terminal ? 200_000_000L : 10_000_000_000L;
        if (lastPrinted != Long.MIN_VALUE && now - lastPrinted < every) {
            return;
        }
        lastPrinted = now;
        String line = line(done, now);
        if (terminal) {
            out.print("\r" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    void finish(long done) {
        String line = line(done, nanos.getAsLong());
        out.println(terminal ? "\r" + line : line);
        out.flush();
    }

    String line(long done, long now) {
        double seconds = Math.max(1e-9, (now - started) / 1e9);
        double rate = done / seconds;
        long shown = Math.max(done, 0);
        if (total <= 0) {
            return String.format(Locale.ROOT, "%s %,d %s  %,.0f/s", label, shown, unit, rate);
        }
        int width = 30;
        double share = total <= 0 ? 1 : Math.min(1, (double) shown / total);
        int filled = (int) Math.round(share * width);
        String bar = "#".repeat(filled) + " ".repeat(width - filled);
        String eta = rate <= 0 || total <= shown ? "0s" : formatSeconds((long) Math.ceil((total - shown) / rate));
        return String.format(Locale.ROOT, "%s [%s] %,d/%,d %s  %,.0f/s  ETA %s", label, bar, shown, Math.max(total, shown), unit, rate, eta);
    }

    static String formatSeconds(long s) {
        return s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
}
