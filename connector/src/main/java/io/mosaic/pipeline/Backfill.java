package io.mosaic.pipeline;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.config.SourceConfig;
import io.mosaic.es.Retry;
import io.mosaic.mapping.MappingSet;
import io.mosaic.offsets.CapturedTables;
import io.mosaic.offsets.StoredPositions;
import io.mosaic.source.SnapshotNotifications;
import io.mosaic.source.SnapshotSignal;

/**
 * Picks up a table or column newly added to a mapping of a source that already streams: at each start
 * of the source's engine it compares the mapping with what was captured ({@link CapturedTables}) and
 * asks for an incremental snapshot of exactly the tables concerned, through the source's signal
 * table, as {@code mosaic snapshot} does. The record is updated only once that snapshot has ended and
 * every row it read has been written and acknowledged, so that a crash before repeats it.
 *
 * <p>When is it over? Debezium notifies each table it scanned ({@link SnapshotNotifications}), after
 * handing that table's last rows to the queue; and while an incremental snapshot runs, every record's
 * source offset carries its context ({@code incremental_snapshot_collections}). The first record without it that
 * Mosaic acknowledges after one with it was queued after the snapshot's last row, so (in queue order)
 * every row of the snapshot is in Elasticsearch by then. A crash between that and the next offset
 * commit is harmless: the committed offset still carries the snapshot's context, and Debezium resumes
 * the snapshot from it.
 *
 * <p>A source with no position yet takes its initial snapshot of every mapped table (the record is
 * written at once); a source with a position and no record (a deployment older than the record) is
 * taken as having captured its mapping. A source without {@code signal_table} whose mapping lacks
 * something is refused before it starts ({@link Preflight}).
 */
final class Backfill {

    private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);

    /** The offset key Debezium keeps while an incremental snapshot runs. */
    static final String SNAPSHOT_CONTEXT = "incremental_snapshot_collections";

    private final SourceConfig source;
    private final MappingSet mappings;
    private final CapturedTables captured;
    private final StoredPositions positions;
    private final Retry retry;
    private final String listenerId;

    private final Object lock = new Object();
    /** The tables the backfill under way reads; empty when none is. */
    private List<String> tables = List.of();
    /** The tables of the last backfill asked for, for /status. */
    private List<String> requested = List.of();
    private final Set<String> scanned = new LinkedHashSet<>();
    private boolean contextSeen;
    /** Whether the backfill under way reads a table the source has not captured before (not only new columns). */
    private boolean newTables;
    private String phase = "none";
    private String requestedAt;
    private String finishedAt;
    private String problem;

    /** Asks the source for an incremental snapshot of tables; returns the signal's id ({@link SnapshotSignal#send}). */
    interface Signal {
        String send(SourceConfig source, List<String> tables) throws Exception;
    }

    private final Signal signal;

    Backfill(SourceConfig source, MappingSet mappings, CapturedTables captured, StoredPositions positions, Retry retry) {
        this(source, mappings, captured, positions, retry, (s, t) -> SnapshotSignal.send(s, t, null));
    }

    Backfill(SourceConfig source, MappingSet mappings, CapturedTables captured, StoredPositions positions, Retry retry, Signal signal) {
        this.signal = signal;
        this.source = source;
        this.mappings = mappings;
        this.captured = captured;
        this.positions = positions;
        this.retry = retry;
        this.listenerId = "mosaic-" + source.name() + "-" + System.identityHashCode(this);
        SnapshotNotifications.register(listenerId, this::notified);
    }

    /** A mapping that needs a backfill this source cannot run (it has no signal table): no restart helps. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** The id Debezium's properties carry for {@link SnapshotNotifications}. */
    String listenerId() {
        return listenerId;
    }

    /**
     * Before the source's engine starts (and again whenever this process takes the source's lease): records
     * what a new source captures, or asks for the backfill of what the mapping reads and the record lacks.
     *
     * @return the id of the signal it sent, or null when it asked for nothing ({@link #tables()} then says what it reads)
     */
    String beforeStart() throws Exception {
        synchronized (lock) {
            if (!tables.isEmpty()) {
                return null; // an in-process restart: Debezium resumes the backfill under way from its offsets
            }
        }
        Map<String, Set<String>> mapped = CapturedTables.mapped(mappings, source.name());
        Map<String, Object> offset = retry.call("stored position of " + source.name(), () -> positions.offset(source));
        CapturedTables.Stored stored = retry.call("captured tables of " + source.name(), () -> captured.read(source));
        if (offset == null) {
            retry.call("captured tables of " + source.name(), () -> {
                captured.write(source, mapped, List.of());
                return null;
            });
            return null; // its initial snapshot reads every mapped table
        }
        if (stored == null) {
            retry.call("captured tables of " + source.name(), () -> {
                captured.write(source, mapped, List.of());
                return null;
            });
            LOG.info("source {}: no record of the tables captured from it yet (its first start with this version of Mosaic): "
                    + "the mapped tables {} are recorded as captured, and nothing is read again", source.name(), mapped.keySet());
            return null;
        }
        Map<String, Set<String>> missing = CapturedTables.missing(stored.tables(), mapped);
        if (missing.isEmpty()) {
            if (!stored.tables().equals(mapped) || !stored.backfill().isEmpty()) {
                retry.call("captured tables of " + source.name(), () -> {
                    captured.write(source, mapped, List.of()); // what the mapping no longer reads is no longer captured
                    return null;
                });
            }
            return null;
        }
        if (source.signalTable() == null) {
            // Preflight refuses this before start-up; a lease taken later meets the same mapping
            throw new Refused(Preflight.noSignalTable(source, missing, stored.tables()));
        }
        List<String> read = CapturedTables.tables(missing);
        String id = retry.call("backfill signal of " + source.name(), () -> signal.send(source, read));
        retry.call("captured tables of " + source.name(), () -> {
            captured.write(source, stored.tables(), read);
            return null;
        });
        synchronized (lock) {
            tables = read;
            requested = read;
            newTables = read.stream().anyMatch(t -> !stored.tables().containsKey(t));
            scanned.clear();
            contextSeen = false;
            phase = "running";
            requestedAt = Instant.now().toString();
            finishedAt = null;
            problem = null;
        }
        LOG.info("source {}: the mapping reads what was not captured before: {}; backfilling {} by an incremental snapshot "
                + "(signal {}) while streaming goes on, without a full re-snapshot; the log says when it has finished",
                source.name(), CapturedTables.describe(missing, stored.tables()), read, id);
        return id;
    }

    /** The tables of the backfill under way; empty when none is. */
    List<String> tables() {
        synchronized (lock) {
            return tables;
        }
    }

    /** Whether the backfill under way reads a table new to the source (a binlog source must learn its schema first). */
    boolean readsNewTables() {
        synchronized (lock) {
            return !tables.isEmpty() && newTables;
        }
    }

    /** A notification of Debezium's, on its streaming thread. */
    void notified(SnapshotNotifications.Event e) {
        synchronized (lock) {
            if (tables.isEmpty()) {
                return;
            }
            if (e.scanned()) {
                tables.stream().filter(t -> SnapshotNotifications.sameTable(e.table(), t)).forEach(scanned::add);
            } else if (SnapshotNotifications.Event.TABLE_SCAN_COMPLETED.equals(e.type())
                    && tables.stream().anyMatch(t -> SnapshotNotifications.sameTable(e.table(), t))) {
                problem = "Debezium did not read " + e.table() + " (" + e.status() + ")";
            } else if (SnapshotNotifications.Event.ABORTED.equals(e.type())) {
                problem = "the incremental snapshot was stopped";
            } else {
                return;
            }
        }
        LOG.info("source {}: backfill: Debezium reports {} {} ({})", source.name(), e.type(), e.table() == null ? "" : e.table(),
                e.status() == null ? "" : e.status());
    }

    /** After a batch was acknowledged and marked processed, on the engine's thread, in queue order. */
    void acknowledged(List<SourceRecord> records) {
        List<String> done;
        synchronized (lock) {
            if (tables.isEmpty()) {
                return;
            }
            boolean ended = false;
            for (SourceRecord r : records) {
                boolean inSnapshot = r.sourceOffset() != null && r.sourceOffset().get(SNAPSHOT_CONTEXT) != null;
                if (inSnapshot) {
                    contextSeen = true;
                } else if (contextSeen) {
                    ended = true;
                }
            }
            if (!ended) {
                return;
            }
            contextSeen = false;
            if (problem == null && !scanned.containsAll(tables)) {
                // another incremental snapshot ended (one resumed from the offsets, or asked for by hand) before this one began
                return;
            }
            if (problem != null) {
                LOG.warn("source {}: the backfill of {} ended without reading everything ({}); it is asked for again at the next start, "
                        + "or run `mosaic snapshot --source {} --table ...` for those tables", source.name(), tables, problem, source.name());
                phase = "failed";
                finishedAt = Instant.now().toString();
                tables = List.of();
                return;
            }
            done = tables;
        }
        Map<String, Set<String>> mapped = CapturedTables.mapped(mappings, source.name());
        try {
            retry.call("captured tables of " + source.name(), () -> {
                captured.write(source, mapped, List.of());
                return null;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            LOG.warn("source {}: the backfill of {} has finished, but its record could not be written ({}); the next start reads them again",
                    source.name(), done, e.getClass().getSimpleName());
            return;
        }
        synchronized (lock) {
            phase = "done";
            finishedAt = Instant.now().toString();
            tables = List.of();
        }
        LOG.info("source {}: the backfill of {} has finished: every row it read is written; they are recorded as captured",
                source.name(), done);
    }

    /** What {@code /status} shows: the last backfill of this process, or null when there was none. */
    Map<String, Object> status() {
        synchronized (lock) {
            if (requestedAt == null) {
                return null;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("phase", phase);
            out.put("tables", requested);
            out.put("tables_read", List.copyOf(scanned));
            out.put("requested_at", requestedAt);
            out.put("finished_at", finishedAt);
            return out;
        }
    }

    void close() {
        SnapshotNotifications.unregister(listenerId);
    }
}
