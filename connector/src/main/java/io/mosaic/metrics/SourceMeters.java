package io.mosaic.metrics;

import static io.mosaic.metrics.MosaicMetrics.ms;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one source, built once and held by its runner, so that a batch touches fields, not
 * registry look-ups: changes received per table, end-to-end lag (a histogram, and the current lag as
 * a gauge), the phase, snapshot progress and the age of the last batch.
 *
 * <p>Lag is measured from the commit time the source recorded for a streamed change
 * ({@code source.ts_ms}) to Elasticsearch acknowledging the batch that carried it. The current lag
 * is, while a batch is being written, the age of its oldest change, so that it keeps growing while
 * the source is stuck on a batch; otherwise the lag of the newest change of the last acknowledged
 * batch. Snapshot reads have no commit time and are not counted.
 */
public final class SourceMeters {

    /** The phases of a source, the values of the {@code phase} label of {@link MosaicMetrics#PHASE}. */
    public static final List<String> PHASES = List.of("standby", "starting", "snapshotting", "streaming", "restarting", "stopped", "failed");

    private final MosaicMetrics metrics;
    private final String source;
    private final Map<String, Counter> changes = new ConcurrentHashMap<>();
    private final Timer lag;
    private final Timer receiveLag;
    private final Timer batchDuration;
    private final Counter restarts;
    private final AtomicLong snapshotRows = new AtomicLong();
    private volatile String phase = "starting";
    private volatile java.util.function.Supplier<String> phases = () -> phase;
    private volatile long inFlightSinceCommit;
    private volatile double lastAckLagSeconds = Double.NaN;
    private volatile long lastBatchMillis;
    private volatile double snapshotRowsEstimate = Double.NaN;
    private final Map<String, Counter> incrementalRows = new ConcurrentHashMap<>();
    private volatile java.util.function.BooleanSupplier incrementalRunning = () -> false;

    SourceMeters(MosaicMetrics metrics, String source) {
        this.metrics = metrics;
        this.source = source;
        MeterRegistry registry = metrics.registry();
        lag = Timer.builder(MosaicMetrics.LAG)
                .description("Seconds from a streamed change's commit in the source (source.ts_ms) to Elasticsearch acknowledging it")
                .tags("source", source)
                .serviceLevelObjectives(ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2000), ms(5000), ms(10_000), ms(30_000),
                        ms(60_000), ms(300_000), ms(900_000), ms(3_600_000))
                .register(registry);
        // The lag in two parts, so that a growing lag says where it grows: before Mosaic has the change (the
        // log read, Debezium's queue and its linger, the previous batch still being written) or while writing it.
        receiveLag = Timer.builder(MosaicMetrics.RECEIVE_LAG)
                .description("Seconds from a streamed change's commit in the source (source.ts_ms) to Mosaic receiving its batch from Debezium")
                .tags("source", source)
                .serviceLevelObjectives(ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2000), ms(5000), ms(10_000), ms(30_000),
                        ms(60_000), ms(300_000))
                .register(registry);
        batchDuration = Timer.builder(MosaicMetrics.BATCH_DURATION)
                .description("Seconds from Mosaic receiving a batch with changes from Debezium to Elasticsearch acknowledging all of it "
                        + "(every request and retry of the batch)")
                .tags("source", source)
                .serviceLevelObjectives(ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000),
                        ms(10_000), ms(30_000))
                .register(registry);
        Gauge.builder(MosaicMetrics.CURRENT_LAG, this, SourceMeters::currentLagSeconds)
                .description("Seconds the source's index is behind it: while a batch is written, the age of its oldest change "
                        + "(grows while the source is stuck); else the lag of the last acknowledged change. NaN before the first streamed change")
                .baseUnit("seconds").tags("source", source).register(registry);
        Gauge.builder(MosaicMetrics.LAST_EVENT_AGE, this, SourceMeters::lastEventAgeSeconds)
                .description("Seconds since the source's last batch (changes or heartbeat) was handled and acknowledged; NaN before the first")
                .baseUnit("seconds").tags("source", source).register(registry);
        for (String p : PHASES) {
            Gauge.builder(MosaicMetrics.PHASE, this, m -> p.equals(m.phase()) ? 1 : 0)
                    .description("1 for the phase the source is in (standby, starting, snapshotting, streaming, restarting, stopped, failed), 0 for the others")
                    .tags("source", source, "phase", p).register(registry);
        }
        Gauge.builder(MosaicMetrics.SNAPSHOT_ROWS, snapshotRows, AtomicLong::get)
                .description("Rows of the source's snapshot written and acknowledged so far (stays at its total once it streams)")
                .tags("source", source).register(registry);
        Gauge.builder(MosaicMetrics.SNAPSHOT_ROWS_ESTIMATE, this, m -> m.snapshotRowsEstimate)
                .description("The database's estimate of the rows the snapshot reads (pg_class.reltuples, information_schema.TABLES.TABLE_ROWS); NaN when unknown")
                .tags("source", source).register(registry);
        Gauge.builder(MosaicMetrics.INCREMENTAL_SNAPSHOT_RUNNING, this, m -> m.incrementalRunning.getAsBoolean() ? 1 : 0)
                .description("1 while an incremental snapshot of the source is asked for by this process or under way, until every row it "
                        + "read is acknowledged; 0 otherwise")
                .tags("source", source).register(registry);
        for (String outcome : List.of("done", "aborted")) {
            incrementalSnapshotsEnded(outcome);
        }
        restarts = metrics.counter(MosaicMetrics.RESTARTS, "In-process restarts of the source's engine after it failed (a new engine, "
                + "resuming from the committed position)", "source", source);
    }

    public String source() {
        return source;
    }

    /** @param table the table without its source, e.g. {@code public.employees} */
    public void changes(String table, int n) {
        changes.computeIfAbsent(table, t -> metrics.counter(MosaicMetrics.CHANGES, "Row changes received from the source (snapshot reads included)",
                "source", source, "table", t)).increment(n);
    }

    /** {@code n} rows of an incremental snapshot of {@code table} were written and acknowledged. */
    public void incrementalSnapshotRows(String table, int n) {
        incrementalRows.computeIfAbsent(table, t -> metrics.counter(MosaicMetrics.INCREMENTAL_SNAPSHOT_ROWS,
                "Rows of incremental snapshots (mosaic snapshot, POST /snapshot, backfills) written and acknowledged", "source", source,
                "table", t)).increment(n);
    }

    /** The {@code mosaic.source.incremental.snapshot.running} gauge reads {@code running}. */
    public void incrementalSnapshotRunningFrom(java.util.function.BooleanSupplier running) {
        this.incrementalRunning = running;
    }

    /** An incremental snapshot ended: {@code done} (every row it read acknowledged) or {@code aborted}. */
    public void incrementalSnapshotEnded(String outcome) {
        incrementalSnapshotsEnded(outcome).increment();
    }

    private Counter incrementalSnapshotsEnded(String outcome) {
        return metrics.counter(MosaicMetrics.INCREMENTAL_SNAPSHOTS, "Incremental snapshots of the source that ended, by outcome: done "
                + "(every row it read acknowledged) or aborted (stopped by a stop-snapshot signal)", "source", source, "outcome", outcome);
    }

    public double incrementalSnapshotRows(String table) {
        Counter c = incrementalRows.get(table);
        return c == null ? 0 : c.count();
    }

    /** A new engine was started for the source after it failed. */
    public void restarted() {
        restarts.increment();
    }

    public long restarts() {
        return (long) restarts.count();
    }

    public void phase(String phase) {
        this.phase = phase;
    }

    /** Reads the phase from {@code phases} (the runner's state, which it may correct on reading) instead. */
    public void phaseFrom(java.util.function.Supplier<String> phases) {
        this.phases = phases;
    }

    public String phase() {
        return phases.get();
    }

    /**
     * A batch reached Mosaic at {@code receivedMillis}; {@code commitMillis[0..count)} are its streamed
     * changes' commit times.
     */
    public void received(long receivedMillis, long[] commitMillis, int count) {
        for (int i = 0; i < count; i++) {
            receiveLag.record(Math.max(0, receivedMillis - commitMillis[i]), TimeUnit.MILLISECONDS);
        }
    }

    /** A batch with changes, received {@code nanos} ago, has been acknowledged in full. */
    public void batchWritten(long nanos) {
        batchDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A batch with streamed changes is about to be written; {@code oldestCommitMillis} is the commit time of its oldest. */
    public void writing(long oldestCommitMillis) {
        inFlightSinceCommit = oldestCommitMillis;
    }

    /**
     * A batch was acknowledged at {@code nowMillis}; {@code commitMillis[0..count)} are its streamed
     * changes' commit times, {@code snapshotReads} its snapshot rows.
     */
    public void acknowledged(long nowMillis, long[] commitMillis, int count, int snapshotReads) {
        long newest = 0;
        for (int i = 0; i < count; i++) {
            long c = commitMillis[i];
            lag.record(Math.max(0, nowMillis - c), TimeUnit.MILLISECONDS);
            newest = Math.max(newest, c);
        }
        if (count > 0) {
            lastAckLagSeconds = Math.max(0, nowMillis - newest) / 1000.0;
        }
        inFlightSinceCommit = 0;
        if (snapshotReads > 0) {
            snapshotRows.addAndGet(snapshotReads);
        }
        lastBatchMillis = nowMillis;
    }

    public void snapshotRowsEstimate(long rows) {
        snapshotRowsEstimate = rows < 0 ? Double.NaN : rows;
    }

    public double currentLagSeconds() {
        long since = inFlightSinceCommit;
        if (since > 0) {
            return Math.max(0, System.currentTimeMillis() - since) / 1000.0;
        }
        return lastAckLagSeconds;
    }

    public double lastEventAgeSeconds() {
        long last = lastBatchMillis;
        return last == 0 ? Double.NaN : (System.currentTimeMillis() - last) / 1000.0;
    }

    public long snapshotRows() {
        return snapshotRows.get();
    }

    public double snapshotRowsEstimate() {
        return snapshotRowsEstimate;
    }
}
