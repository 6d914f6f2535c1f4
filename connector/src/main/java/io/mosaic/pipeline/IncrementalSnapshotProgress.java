package io.mosaic.pipeline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.connect.source.SourceRecord;

import io.mosaic.metrics.SourceMeters;
import io.mosaic.source.SnapshotNotifications;
import io.mosaic.source.SnapshotNotifications.Event;

/**
 * The progress of a source's incremental snapshot, whoever asked for it ({@code mosaic snapshot}, {@code POST
 * /snapshot}, the automatic backfill, or the fallback of {@code mosaic rebuild}), for {@code /status} and
 * the meters. It learns of a snapshot from Debezium's notifications ({@link SnapshotNotifications}: started,
 * in progress, a table scanned with its row count, completed, aborted), so a snapshot asked for by another
 * process shows from its start; one asked for in this process shows as {@code requested} from the signal on.
 * Rows are counted as Elasticsearch acknowledges them ({@link #acknowledged}), per table.
 *
 * <p>When is it done? As for {@link Backfill}: the first acknowledged record without Debezium's snapshot
 * context in its offset after one with it was queued after the snapshot's last row, so every row it read is
 * written by then. Before that a completed snapshot stays {@code running}. A snapshot that this process
 * resumed from the stored offsets (no start notification: it was under way when the process stopped)
 * shows from its first record, with the tables its offset names.
 *
 * <p>Only the last snapshot is kept: memory is a few fields per mapped table. Nothing in it comes from a
 * row (Debezium's chunk keys are dropped).
 */
final class IncrementalSnapshotProgress {

    static final String REQUESTED = "requested";
    static final String RUNNING = "running";
    static final String DONE = "done";
    static final String ABORTED = "aborted";

    private final List<String> mapped;
    private final SourceMeters meters;
    private final LongSupplier clock;

    private String signal;
    /** Every signal whose tables this snapshot reads: Debezium adds a signal that arrives while it runs to it. */
    private final List<String> signals = new ArrayList<>();
    private String phase;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private String current;
    private boolean paused;
    private boolean resumed;
    private long requestedAt;
    private long startedAt;
    private long finishedAt;
    private boolean contextSeen;
    /** Debezium notified the end of the snapshot under way; its last rows may not be acknowledged yet. */
    private boolean completed;

    private static final class Table {
        String state = "pending";
        long rowsWritten;
        Long rowsScanned;
    }

    /** @param mapped the source's mapped tables, as the mapping names them ({@code public.employees}) */
    IncrementalSnapshotProgress(List<String> mapped, SourceMeters meters, LongSupplier clock) {
        this.mapped = List.copyOf(mapped);
        this.meters = meters;
        this.clock = clock;
        meters.incrementalSnapshotRunningFrom(this::running);
    }

    /** This process signalled a snapshot of {@code tables} (the HTTP endpoint, the backfill): it shows before Debezium starts it. */
    synchronized void requested(String signalId, List<String> requested) {
        if (RUNNING.equals(phase)) {
            // Debezium's start came first, or it adds the tables to the snapshot under way (whose id its notifications keep)
            requested.forEach(t -> tables.computeIfAbsent(name(t), k -> new Table()));
            if (requestedAt == 0 && signalId != null && signalId.equals(signal)) {
                requestedAt = clock.getAsLong();
            }
            return;
        }
        reset(signalId);
        if (signalId != null) {
            signals.add(signalId);
        }
        phase = REQUESTED;
        requestedAt = clock.getAsLong();
        requested.forEach(t -> tables.put(name(t), new Table()));
    }

    /** A notification of Debezium's, on its streaming thread. */
    synchronized void notified(Event e) {
        try {
            handle(e);
        } finally {
            if (RUNNING.equals(phase) && e.signal() != null && !signals.contains(e.signal())) {
                signals.add(e.signal());
            }
        }
    }

    private void handle(Event e) {
        switch (e.type()) {
            case Event.STARTED -> {
                if (RUNNING.equals(phase) && completed) {
                    end(DONE); // its end was not seen in the records (it cannot be later than the next one's start)
                }
                boolean asked = REQUESTED.equals(phase) && (signal == null || signal.equals(e.signal()));
                if (!RUNNING.equals(phase) && !asked) {
                    reset(e.signal()); // asked for by another process (mosaic snapshot, mosaic rebuild)
                }
                if (signal == null) {
                    signal = e.signal();
                }
                phase = RUNNING;
                if (startedAt == 0) {
                    startedAt = clock.getAsLong();
                }
                e.collections().forEach(t -> tables.computeIfAbsent(name(t), k -> new Table()));
            }
            case Event.IN_PROGRESS -> {
                ensureRunning(e.signal());
                e.collections().forEach(t -> tables.computeIfAbsent(name(t), k -> new Table()));
                if (e.table() != null) {
                    current = name(e.table());
                    Table t = tables.computeIfAbsent(current, k -> new Table());
                    if ("pending".equals(t.state)) {
                        t.state = RUNNING;
                    }
                }
            }
            case Event.TABLE_SCAN_COMPLETED -> {
                ensureRunning(e.signal());
                if (e.table() != null) {
                    Table t = tables.computeIfAbsent(name(e.table()), k -> new Table());
                    t.state = e.scanned() ? DONE : (e.status() == null ? "failed" : e.status().toLowerCase(Locale.ROOT));
                    t.rowsScanned = e.rowsScanned();
                    if (name(e.table()).equals(current)) {
                        current = null;
                    }
                }
            }
            case Event.PAUSED -> paused = true;
            case Event.RESUMED -> paused = false;
            case Event.ABORTED -> {
                if (phase != null && !DONE.equals(phase) && !ABORTED.equals(phase)) {
                    end(ABORTED);
                }
            }
            case Event.COMPLETED -> completed = RUNNING.equals(phase); // done once its rows are acknowledged (see acknowledged)
            default -> {
            }
        }
    }

    /**
     * A batch was acknowledged, in queue order: {@code rows} counts its incremental-snapshot rows per table.
     * Ends the snapshot at the first record without the snapshot's offset context after one with it.
     */
    synchronized void acknowledged(List<SourceRecord> records, Map<String, Integer> rows) {
        String context = null;
        boolean ended = false;
        boolean seen = contextSeen;
        for (SourceRecord r : records) {
            Object c = r.sourceOffset() == null ? null : r.sourceOffset().get(Backfill.SNAPSHOT_CONTEXT);
            if (c != null) {
                context = c.toString();
                seen = true;
            } else if (seen) {
                ended = true;
            }
        }
        rows.forEach(meters::incrementalSnapshotRows);
        if (context != null && !RUNNING.equals(phase)) {
            // under way when this process started: Debezium resumes it from the offsets without a start notification
            reset(null);
            phase = RUNNING;
            resumed = true;
            startedAt = clock.getAsLong();
            for (String t : mapped) {
                if (context.contains(t)) {
                    tables.put(t, new Table());
                }
            }
        }
        rows.forEach((t, n) -> {
            Table table = tables.computeIfAbsent(name(t), k -> new Table());
            table.rowsWritten += n;
            if ("pending".equals(table.state)) {
                table.state = RUNNING;
            }
        });
        contextSeen = seen;
        if (ended && RUNNING.equals(phase)) {
            end(DONE);
        }
    }

    /** Whether a snapshot is asked for or under way (the {@code mosaic_source_incremental_snapshot_running} gauge). */
    synchronized boolean running() {
        return REQUESTED.equals(phase) || RUNNING.equals(phase);
    }

    /** What {@code /status} shows as the source's {@code incremental_snapshot}: the last one of this process, or null. */
    synchronized Map<String, Object> status() {
        if (phase == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("signal", signal);
        out.put("signals", List.copyOf(signals));
        out.put("phase", phase);
        out.put("paused", paused);
        out.put("resumed", resumed);
        out.put("current_table", RUNNING.equals(phase) ? current : null);
        long total = 0;
        List<Map<String, Object>> list = new ArrayList<>();
        for (Map.Entry<String, Table> e : tables.entrySet()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("table", e.getKey());
            t.put("state", e.getValue().state);
            t.put("rows_written", e.getValue().rowsWritten);
            t.put("rows_scanned", e.getValue().rowsScanned);
            total += e.getValue().rowsWritten;
            list.add(t);
        }
        out.put("tables", list);
        out.put("rows_written", total);
        out.put("requested_at", at(requestedAt));
        out.put("started_at", at(startedAt));
        out.put("finished_at", at(finishedAt));
        return out;
    }

    private void ensureRunning(String signalId) {
        if (!RUNNING.equals(phase)) {
            // a start notification this process missed (it was registered after it): take the snapshot as running
            boolean same = signalId != null && signalId.equals(signal) && REQUESTED.equals(phase);
            if (!same) {
                reset(signalId);
            }
            phase = RUNNING;
            startedAt = clock.getAsLong();
        }
    }

    private void end(String how) {
        phase = how;
        finishedAt = clock.getAsLong();
        current = null;
        contextSeen = false;
        completed = false;
        paused = false;
        meters.incrementalSnapshotEnded(how);
    }

    private void reset(String signalId) {
        signal = signalId;
        signals.clear();
        tables.clear();
        current = null;
        paused = false;
        resumed = false;
        requestedAt = 0;
        startedAt = 0;
        finishedAt = 0;
        contextSeen = false;
        completed = false;
    }

    /** A table as the mapping names it ({@code public.employees}) for Debezium's name of it ({@code admin.public.employees}). */
    private String name(String notified) {
        for (String t : mapped) {
            if (SnapshotNotifications.sameTable(notified, t)) {
                return t;
            }
        }
        return notified;
    }

    private static String at(long millis) {
        return millis == 0 ? null : Instant.ofEpochMilli(millis).toString();
    }
}
