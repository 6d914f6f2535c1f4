package io.mosaic.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import io.mosaic.config.SourceConfig;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;
import io.mosaic.metrics.DebeziumMetricsBridge;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.metrics.SourceMeters;
import io.mosaic.source.ChangeEventConverter;
import io.mosaic.source.RowEstimate;
import io.mosaic.source.SchemaChangeException;
import io.mosaic.source.SourceFailures;
import io.mosaic.writer.DocumentWriter;
import io.mosaic.es.ErrorClassifier;
import io.mosaic.es.Retry;

/**
 * Runs one source: an embedded Debezium engine whose batches are written by the {@link DocumentWriter}
 * on the engine's own thread. A batch's records are marked processed, and so become eligible for the
 * engine's offset commit, only after Elasticsearch acknowledged all of its writes; a crash therefore
 * replays, and the writer's version checks make the replay harmless. Because the batch is handled
 * synchronously, a slow or unreachable Elasticsearch holds the engine back through Debezium's bounded
 * queue: memory stays bounded whatever the backlog.
 *
 * <p>It also keeps what {@code /status} and the source's meters ({@link SourceMeters}) show: the phase,
 * the position and time of the last acknowledged change, the lag, snapshot progress and the last
 * error, described by kind only (an error's message may quote a row value).
 *
 * <p>A failed engine is restarted in-process ({@link RestartPolicy}): the source shows {@code restarting},
 * the other sources go on, and after a backoff a check (the server answers, the stored position still
 * exists) precedes a new engine, which resumes from the committed offsets, so that a batch not yet
 * committed is replayed. A failure that cannot heal, or one that lasts longer than
 * {@code restart.give_up_after}, makes the source {@code failed} with a {@link SourceFailedException},
 * and the service stops.
 */
public final class SourceRunner implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>>, AutoCloseable {

    /** What a runner is doing, for health checks. */
    public enum State { STANDBY, STARTING, SNAPSHOTTING, STREAMING, RESTARTING, STOPPED, FAILED }

    private static final Logger LOG = LoggerFactory.getLogger(SourceRunner.class);

    private final SourceConfig source;
    private final List<TableRef> tables;
    private final DocumentWriter writer;
    private final Retry retry;
    private final MosaicMetrics metrics;
    private final SourceMeters meters;
    private final DebeziumMetricsBridge debezium;
    private final ChangeEventConverter converter;
    private final Properties properties;
    private final RestartPolicy restarts;
    private final Callable<String> restartCheck;
    private final Object lock = new Object();
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private ExecutorService executor;
    private ScheduledExecutorService scheduler;
    private volatile boolean recovering;
    /** Counted down when the current engine's run() returned (its thread goes back to the pool, alive). */
    private volatile java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(0);
    private final Consumer<SourceRunner> onStop;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final AtomicBoolean estimating = new AtomicBoolean();
    private volatile Throwable failure;
    private volatile String writeFailure;
    private volatile String lastError;
    private volatile boolean closing;
    /** Set when Mosaic itself stops the engine to restart it (its binlog server stopped answering), with why. */
    private volatile Exception stoppedToRestart;
    private volatile Thread thread;
    private volatile String lastPosition;
    private volatile long lastAcknowledgedMillis;
    private final MappingSet mappings;
    private final Backfill backfill;
    private final IncrementalSnapshotProgress incremental;
    private final String notificationsId;
    /** A problem the publication check found off the engine's thread; the next batch stops the source with it. */
    private volatile SchemaChangeException schemaProblem;
    private volatile java.util.concurrent.ScheduledExecutorService publicationCheck;

    /** How often a PostgreSQL source's publication is checked for mapped tables that were dropped (one catalog query). */
    static final java.time.Duration PUBLICATION_CHECK_INTERVAL = java.time.Duration.ofSeconds(15);

    /**
     * @param mappings the mappings: the source's tables are declared in the meters with 0 and estimated for snapshot
     *        progress, and each change's schema is checked against the columns they read
     * @param restarts when a failed engine is restarted, and when the source is given up
     * @param restartCheck run before every restart: why the stored position cannot be resumed from (with what to do), or
     *                     null when it can; it throws when the server cannot be reached or refuses the connection
     */
    SourceRunner(SourceConfig source, MappingSet mappings, Properties properties, DocumentWriter writer, Retry retry,
                 MosaicMetrics metrics, RestartPolicy restarts, Callable<String> restartCheck, Consumer<SourceRunner> onStop) {
        this(source, mappings, properties, writer, retry, metrics, restarts, restartCheck, onStop, null);
    }

    /** @param backfill what the source's engine checks before it starts (see {@link Backfill}), or null for nothing */
    SourceRunner(SourceConfig source, MappingSet mappings, Properties properties, DocumentWriter writer, Retry retry,
                 MosaicMetrics metrics, RestartPolicy restarts, Callable<String> restartCheck, Consumer<SourceRunner> onStop,
                 Backfill backfill) {
        this.backfill = backfill;
        this.source = source;
        this.tables = List.copyOf(mappings.tables(source.name()));
        this.mappings = mappings;
        this.writer = writer;
        this.retry = retry;
        this.metrics = metrics;
        this.meters = metrics.source(source.name());
        this.incremental = new IncrementalSnapshotProgress(tables.stream().map(TableRef::table).toList(), meters, System::currentTimeMillis);
        // the backfill and the progress both hear Debezium's notifications about incremental snapshots
        this.notificationsId = backfill != null ? backfill.listenerId() : "mosaic-runner-" + source.name() + "-" + System.identityHashCode(this);
        properties.setProperty(io.mosaic.source.SnapshotNotifications.ID, notificationsId);
        io.mosaic.source.SnapshotNotifications.register(notificationsId, incremental::notified);
        for (TableRef t : this.tables) {
            metrics.declareTable(source.name(), t.table());
        }
        this.debezium = new DebeziumMetricsBridge(source.name(), source.type().configName());
        debezium.bindTo(metrics.registry());
        meters.phaseFrom(() -> state().name().toLowerCase(java.util.Locale.ROOT));
        this.onStop = onStop;
        this.converter = new ChangeEventConverter(source, mappings);
        this.properties = properties;
        this.restarts = restarts;
        this.restartCheck = restartCheck;
        this.engine = backfill == null ? newEngine() : null; // else built once the backfill check has run (prepare)
    }

    /**
     * Runs the backfill check ({@link Backfill#beforeStart}) and builds the engine; false when the source cannot
     * start now (it failed, to be restarted, or gave up). A binlog source whose backfill reads a table new to it
     * starts in Debezium's {@code recovery} snapshot mode: its schema history holds only the tables captured so far
     * ({@code store.only.captured.tables.ddl}), and without the new table's schema the binlog reader stops at its
     * first change ("whose schema isn't known"). Recovery records the captured tables' current schema and then
     * streams on from the stored position.
     */
    private boolean prepare() {
        try {
            String signal = backfill.beforeStart();
            if (signal != null) {
                incremental.requested(signal, backfill.tables());
            }
        } catch (Backfill.Refused refused) {
            giveUp(refused.getMessage(), "its mapping needs a backfill it cannot run", null);
            return false;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            failed(e, "the check of the tables captured from it failed (" + kinds(e) + cause(e) + ")");
            return false;
        }
        String mode = properties.getProperty("snapshot.mode");
        if (source.type().isBinlog() && backfill.readsNewTables()) {
            properties.setProperty("snapshot.mode", "recovery");
            LOG.info("source {}: the backfill reads tables new to it, so its schema history is recovered first (Debezium's recovery "
                    + "snapshot mode: the captured tables' schema as it is now), then it streams on from its stored position", source.name());
        }
        try {
            synchronized (lock) {
                if (closing) {
                    return false; // stopped meanwhile: close() saw no engine and reported the source stopped
                }
                engine = newEngine();
            }
        } finally {
            properties.setProperty("snapshot.mode", mode);
        }
        return true;
    }

    /** A new engine: one per attempt, since a Debezium engine does not start twice. It resumes from the committed offsets. */
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> newEngine() {
        return DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(properties)
                .notifying(this)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        state.compareAndSet(State.STARTING, State.SNAPSHOTTING);
                        LOG.info("source {} ({}) started", source.name(), source.describe());
                    }
                })
                .using((success, message, error) -> completed(success, message, error))
                .build();
    }

    /** The source and its server, for messages: {@code source 'labor' (mariadb at db:3306)}, no user, no secret. */
    private String where() {
        return "source '" + source.name() + "' (" + source.type().configName() + " at " + source.address() + ")";
    }

    public String name() {
        return source.name();
    }

    /**
     * The runner's state. A source that resumes from a stored position reads no snapshot, yet shows
     * that it streams only with its first change or heartbeat (and an idle MariaDB sends none): so
     * while it seems to snapshot, Debezium's MBeans are asked whether the snapshot was skipped and
     * streaming is connected.
     */
    public State state() {
        State s = state.get();
        if (s == State.SNAPSHOTTING && debezium.value("snapshot", "SnapshotSkipped") == 1
                && debezium.value("streaming", "Connected") == 1 && state.compareAndSet(State.SNAPSHOTTING, State.STREAMING)) {
            LOG.info("source {} is streaming changes (it resumed from its stored position: no snapshot)", source.name());
            recovered();
            return State.STREAMING;
        }
        return s;
    }

    public Throwable failure() {
        return failure;
    }

    /**
     * The last error: the source, its server's host:port, the error's kind and what happens or what to do;
     * never a secret or a row value. Null when there was none.
     */
    public String lastError() {
        return lastError;
    }

    public SourceMeters meters() {
        return meters;
    }

    public DebeziumMetricsBridge debezium() {
        return debezium;
    }

    /** The source's last incremental snapshot in this process ({@link IncrementalSnapshotProgress#status}), or null when there was none. */
    Map<String, Object> incrementalSnapshotStatus() {
        return incremental.status();
    }

    /** This process signalled an incremental snapshot of {@code tables} of the source (signal {@code id}). */
    void incrementalSnapshotRequested(String id, List<String> tables) {
        incremental.requested(id, tables);
    }

    /** The last backfill of a table or column newly mapped ({@link Backfill#status}), or null when there was none. */
    Map<String, Object> backfillStatus() {
        return backfill == null ? null : backfill.status();
    }

    /** The source's own description of the last change Elasticsearch acknowledged (an LSN, a binlog file and position), or null. */
    public String lastPosition() {
        return lastPosition;
    }

    /** When Elasticsearch acknowledged the last batch (epoch milliseconds), or 0. */
    public long lastAcknowledgedMillis() {
        return lastAcknowledgedMillis;
    }

    /** In-process restarts of this source's engine so far. */
    public long restarts() {
        return meters.restarts();
    }

    /** False when the runner should be running but its engine thread has died (a restarting source has none: that is fine). */
    public boolean threadAlive() {
        Thread t = thread;
        State s = state.get();
        return t == null || s == State.STOPPED || s == State.FAILED || s == State.RESTARTING || t.isAlive();
    }

    /** Marks a runner that waits for its source's lease (another process streams the source) before it starts. */
    public void standBy() {
        state.compareAndSet(State.STARTING, State.STANDBY);
    }

    /**
     * The source's lease was lost: the runner stops, and this is its error. Documents written meanwhile
     * stay correct by their versions; positions are fenced by the offset store.
     */
    void leaseLost(String why) {
        synchronized (batchLock) {
            draining = true; // no waiting for the batch in hand: another process may take the source over soon
            leaseGone = true;
        }
        lastError = why;
        if (failure == null) {
            failure = new IllegalStateException(why);
        }
    }

    public void start(ExecutorService executor) {
        synchronized (lock) {
            if (closing || (!state.compareAndSet(State.STANDBY, State.STARTING) && state.get() != State.STARTING)) {
                return; // stopped while standing by: a lease taken during shutdown starts nothing
            }
            this.executor = executor;
            run(engine); // with a backfill, engine is null: it is built on the engine's thread (prepare), off this lock
            if (source.type().isBinlog()) {
                // The binlog client notices a stopped server only by a clean end of stream, which Debezium merely
                // logs; its keep-alive thread then reconnects on its own, a minute later, and meanwhile the source
                // looks as if it streamed. So Mosaic asks the server itself, at the heartbeat's pace.
                long every = Math.max(1000, source.heartbeat().toMillis());
                scheduler().scheduleWithFixedDelay(this::watch, every, every, TimeUnit.MILLISECONDS);
            }
            if (source.type() == io.mosaic.config.SourceType.POSTGRES) {
                publicationCheck = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "mosaic-publication-" + source.name());
                    t.setDaemon(true);
                    return t;
                });
                long every = PUBLICATION_CHECK_INTERVAL.toMillis();
                publicationCheck.scheduleWithFixedDelay(this::checkPublication, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }

    private ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mosaic-restart-" + source.name());
                t.setDaemon(true);
                return t;
            });
            // a source that resumed shows that it streams through Debezium's MBeans, read by state(): so read them
            scheduler.scheduleWithFixedDelay(this::state, 1, 1, TimeUnit.SECONDS);
        }
        return scheduler;
    }

    /** A streaming binlog source whose server refuses a new connection, or does not answer, is stopped and restarted. */
    private void watch() {
        if (closing || state() != State.STREAMING) {
            return;
        }
        try (java.sql.Connection c = io.mosaic.source.SourceProbe.connect(source)) {
            return;
        } catch (Exception e) {
            DebeziumEngine<RecordChangeEvent<SourceRecord>> running;
            synchronized (lock) {
                if (closing || state.get() != State.STREAMING) {
                    return;
                }
                stoppedToRestart = e;
                running = engine;
            }
            LOG.info("{}: a new connection to its server failed; stopping its engine to restart it", where());
            try {
                running.close(); // completed() follows, and sees stoppedToRestart
            } catch (Exception closeFailed) {
                LOG.debug("source {}: closing the engine to restart it", source.name(), closeFailed);
            }
        }
    }

    private void run(DebeziumEngine<RecordChangeEvent<SourceRecord>> e) {
        thread = null;
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        finished = done;
        executor.execute(() -> {
            thread = Thread.currentThread();
            try {
                DebeziumEngine<RecordChangeEvent<SourceRecord>> toRun = e;
                if (toRun == null) {
                    // the backfill check reads Elasticsearch and writes to the source: on this thread, never under the lock
                    if (!prepare()) {
                        return;
                    }
                    toRun = engine;
                }
                toRun.run();
            } finally {
                done.countDown();
            }
        });
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        synchronized (batchLock) {
            if (draining) {
                // stopping: a batch not begun is not begun; it is not committed, so the next start reads it again
                throw new io.mosaic.source.BatchRefusedWhileStopping("source " + source.name() + " is stopping");
            }
            inBatch = true;
        }
        try {
            processBatch(records, committer);
        } finally {
            synchronized (batchLock) {
                inBatch = false;
                batchLock.notifyAll();
            }
        }
    }

    /**
     * How long a stop waits for the batch in hand to be written, acknowledged and marked processed, so
     * that the engine's last offset commit covers it and a restart replays nothing of it. Debezium's
     * async engine interrupts its polling thread, and with it a batch being written, as soon as it is
     * closed; beyond this wait, or at once while the writer is stalled on a failing cluster, the batch
     * is interrupted and replayed.
     */
    static final java.time.Duration DRAIN_TIMEOUT = java.time.Duration.ofSeconds(10);

    private final Object batchLock = new Object();
    private boolean inBatch;
    private boolean draining;
    private boolean leaseGone;

    /** Lets the batch in hand finish (at most {@link #DRAIN_TIMEOUT}) and refuses new ones; true when none is in hand. */
    private boolean drain() {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        synchronized (batchLock) {
            draining = true;
            if (leaseGone || metrics.isStalled()) {
                // a lost lease must not wait; a writer retrying a failing cluster will not finish within the wait,
                // and waiting would only push the stop past the grace period (NetworkPartitionIT)
                return !inBatch;
            }
            while (inBatch) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    batchLock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private void processBatch(List<RecordChangeEvent<SourceRecord>> records, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        long receivedNanos = System.nanoTime();
        long receivedMillis = System.currentTimeMillis();
        List<RowChange> changes = new ArrayList<>(records.size());
        Map<String, Integer> perTable = new LinkedHashMap<>();
        long[] commitMillis = new long[records.size()];
        int streamed = 0;
        int snapshotReads = 0;
        Map<String, Integer> incrementalReads = new LinkedHashMap<>();
        long oldestCommit = Long.MAX_VALUE;
        String position = null;
        boolean streaming = false;
        Long snapshotEnd = null;
        boolean blockingSnapshot = true; // every change a read of a blocking snapshot: its documents can wait for its end
        for (RecordChangeEvent<SourceRecord> event : records) {
            streaming |= ChangeEventConverter.endsSnapshot(event.record());
            RowChange change;
            try {
                if (schemaProblem != null) {
                    throw schemaProblem;
                }
                change = converter.convert(event.record());
            } catch (SchemaChangeException e) {
                // A table lost a mapped column: stop the source without writing or committing this batch, so the
                // change is read again (and refused again) at the next start, until the mapping or the table is fixed.
                failure = e;
                lastError = e.getMessage();
                LOG.error("{}", e.getMessage());
                throw e;
            }
            if (change != null && ChangeEventConverter.isLastSnapshotRecord(event.record())) {
                snapshotEnd = change.version();
            }
            if (change != null) {
                blockingSnapshot &= ChangeEventConverter.isBlockingSnapshotRecord(event.record());
                changes.add(change);
                perTable.merge(change.table().table(), 1, Integer::sum);
                position = change.position();
                if (change.snapshot() && event.record().sourceOffset() != null
                        && event.record().sourceOffset().get(Backfill.SNAPSHOT_CONTEXT) != null) {
                    incrementalReads.merge(change.table().table(), 1, Integer::sum); // a row of an incremental snapshot
                } else if (change.snapshot()) {
                    snapshotReads++;
                } else if (event.record().value() instanceof Struct v && v.getStruct("source") != null
                        && v.getStruct("source").get("ts_ms") instanceof Long ts) {
                    commitMillis[streamed++] = ts;
                    oldestCommit = Math.min(oldestCommit, ts);
                }
            }
        }
        if (snapshotReads > 0 && estimating.compareAndSet(false, true)) {
            estimateSnapshotRows();
        }
        if (!changes.isEmpty()) {
            perTable.forEach(meters::changes);
            if (streamed > 0) {
                meters.received(receivedMillis, commitMillis, streamed);
                meters.writing(oldestCommit);
            }
            try {
                // A batch is idempotent (versions make a re-applied change harmless), so anything retryable
                // that escaped the per-request retries is retried here, for as long as it takes.
                final Long sweepAt = snapshotEnd;
                final boolean deferrable = blockingSnapshot;
                retry.call("batch of " + source.name(), () -> {
                    if (deferrable) {
                        writer.writeSnapshot(source.name(), changes);
                    } else {
                        writer.write(changes);
                    }
                    if (sweepAt != null) {
                        // before this batch (and so the snapshot) is committed, and before any streamed change
                        writer.sweep(source.name(), sweepAt);
                    }
                    return null;
                });
                metrics.stalled(false);
                meters.batchWritten(System.nanoTime() - receivedNanos);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (closing || stoppedToRestart != null) {
                    // stopped while writing: the batch is not committed, so the next start writes it again
                    LOG.info("source {}: stopped while writing a batch of {} change(s); it will be written again at the next start",
                            source.name(), changes.size());
                    throw new io.mosaic.source.BatchRefusedWhileStopping("source " + source.name() + " is stopping");
                }
                // Not retryable (retryable failures are retried inside the writer for as long as it takes):
                // stop this source without committing the batch, so that nothing is skipped.
                // The engine stops and is restarted (see completed): the batch is replayed from the committed position.
                writeFailure = "writing a batch of " + changes.size() + " change(s) to Elasticsearch failed (" + kinds(e)
                        + "); the batch was not committed";
                LOG.warn("{}: writing a batch of {} change(s) failed: {}", where(), changes.size(), ErrorClassifier.describe(e));
                throw new IllegalStateException("source " + source.name() + ": " + ErrorClassifier.describe(e), e);
            }
        }
        long now = System.currentTimeMillis();
        meters.acknowledged(now, commitMillis, streamed, snapshotReads);
        if (position != null) {
            lastPosition = position;
        }
        lastAcknowledgedMillis = now;
        for (RecordChangeEvent<SourceRecord> event : records) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        List<SourceRecord> acknowledged = new ArrayList<>(records.size());
        records.forEach(r -> acknowledged.add(r.record()));
        incremental.acknowledged(acknowledged, incrementalReads);
        if (backfill != null) {
            backfill.acknowledged(acknowledged);
        }
        if (streaming && state.compareAndSet(State.SNAPSHOTTING, State.STREAMING)) {
            LOG.info("source {} is streaming changes", source.name());
        }
        if (recovering) {
            recovered();
        }
    }

    /** The current engine snapshots or streams again; a late batch of an engine being stopped does not count. */
    private void recovered() {
        State s = state.get();
        if (recovering && (s == State.STREAMING || s == State.SNAPSHOTTING)) {
            recovering = false;
            restarts.recovered();
            lastError = null;
            LOG.info("{} recovered after {} restart(s) so far", where(), meters.restarts());
        }
    }

    /**
     * PostgreSQL's log carries no DDL: a dropped mapped table only leaves the publication. Checked here, off
     * the engine's thread; what it finds stops the source at its next batch (heartbeats make one even when idle).
     * An unreachable database is left to the engine.
     */
    private void checkPublication() {
        if (schemaProblem != null || closing) {
            return;
        }
        try (java.sql.Connection c = io.mosaic.source.SourceProbe.connect(source)) {
            java.util.Set<String> published = new io.mosaic.source.SourceInspector(source).published(c);
            List<String> missing = published == null ? List.of() : io.mosaic.source.SourceInspector.missingFromPublication(published, tables);
            if (!missing.isEmpty()) {
                schemaProblem = new io.mosaic.source.SchemaCheck(source.name(), mappings).droppedFromPublication(missing, source.publication());
            }
        } catch (Exception e) {
            LOG.debug("source {}: the publication could not be checked ({})", source.name(), kinds(e));
        }
    }

    /** Asks the database, once and off the engine's thread, how many rows the snapshot reads. */
    private void estimateSnapshotRows() {
        Thread t = new Thread(() -> {
            try {
                meters.snapshotRowsEstimate(RowEstimate.rows(source, tables));
            } catch (Exception e) {
                LOG.debug("source {}: no row estimate for the snapshot's progress ({})", source.name(), kinds(e));
            }
        }, "mosaic-estimate-" + source.name());
        t.setDaemon(true);
        t.start();
    }

    /** The kinds of an exception and its causes, such as {@code IllegalStateException, caused by PSQLException}: no message. */
    static String kinds(Throwable e) {
        StringBuilder out = new StringBuilder();
        int n = 0;
        String previous = null;
        for (Throwable t = e; t != null && n < 4; t = t.getCause() == t ? null : t.getCause()) {
            String kind = t.getClass().getSimpleName();
            if (!kind.equals(previous)) {
                out.append(n++ == 0 ? "" : ", caused by ").append(kind);
            }
            previous = kind;
        }
        return out.toString();
    }

    private void completed(boolean success, String message, Throwable error) {
        if (closing) {
            stopPublicationCheck();
            state.set(State.STOPPED);
            LOG.info("source {} stopped", source.name());
            onStop.accept(this);
            return;
        }
        Exception lost = stoppedToRestart;
        if (lost != null) {
            stoppedToRestart = null;
            failed(lost, "a new connection to its server failed (" + kinds(lost) + cause(lost) + "), so its engine was stopped");
            return;
        }
        String what = writeFailure != null ? writeFailure
                : "the Debezium engine stopped" + (error != null ? " (" + kinds(error) + cause(error) + ")" : "");
        writeFailure = null;
        failed(error != null ? error : new IllegalStateException("the engine stopped: " + message), what);
    }

    /**
     * The engine failed, or the check before a restart did: restart after a backoff, or give up. Runs
     * on the engine's thread or the restart scheduler's.
     */
    private void failed(Throwable error, String what) {
        RestartPolicy.Decision d = restarts.failed(SourceFailures.unrecoverable(source, error));
        if (d.giveUp()) {
            giveUp(d.reason(), what, error);
            return;
        }
        synchronized (lock) {
            if (closing) {
                state.set(State.STOPPED);
                return;
            }
            recovering = true;
            // the error first: whoever sees the phase restarting (unlocked) sees why
            lastError = where() + ": " + what + "; attempt " + d.attempt() + " to restart in " + millis(d.delay()) + ", failing for "
                    + d.failingFor().toSeconds() + " s. Mosaic restarts it from its last committed position; if this goes on, check "
                    + "that the database runs and is reachable";
            state.set(State.RESTARTING);
            scheduler().schedule(this::restart, d.delay().toMillis(), TimeUnit.MILLISECONDS);
        }
        // one line for the failure, then one every 10th attempt, as es.Retry does: the state and last_error show every attempt
        if (d.attempt() == 1 || d.attempt() % 10 == 0) {
            LOG.warn("{}: {}; attempt {} to restart in {} (failing for {} s)", where(), what, d.attempt(), millis(d.delay()),
                    d.failingFor().toSeconds());
        } else {
            LOG.debug("{}: {}; attempt {} to restart in {}", where(), what, d.attempt(), millis(d.delay()));
        }
    }

    /** After the backoff: check the server and the stored position, then start a new engine from the committed offsets. */
    private void restart() {
        if (closing) {
            return;
        }
        try {
            finished.await(30, TimeUnit.SECONDS); // the failed engine's own shutdown (offsets, MBeans) comes first
            String lost = restartCheck.call();
            if (lost != null) {
                giveUp(lost, "its stored position cannot be resumed from", null);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            failed(e, "cannot restart yet: the check before a restart failed (" + kinds(e) + cause(e) + ")");
            return;
        }
        synchronized (lock) {
            if (closing) {
                return;
            }
            state.set(State.STARTING);
            meters.restarted();
            engine = backfill == null ? newEngine() : null; // else built by prepare(), on the engine's thread
            run(engine);
        }
        LOG.info("{}: restarted (restart {}): a new engine resumes from the last committed position", where(), meters.restarts());
    }

    /** The publication check goes on across in-process restarts; it ends with the runner. */
    private void stopPublicationCheck() {
        if (publicationCheck != null) {
            publicationCheck.shutdownNow();
        }
    }

    private void giveUp(String reason, String what, Throwable error) {
        stopPublicationCheck();
        String message = where() + " cannot recover: " + reason + " (last failure: " + what + ")";
        synchronized (lock) {
            failure = new SourceFailedException(source.name(), message, error);
            lastError = message;
            state.set(State.FAILED);
        }
        LOG.error("{}; the service stops (exit 1)", message);
        onStop.accept(this);
    }

    private static String millis(java.time.Duration d) {
        return d.toMillis() < 1000 ? d.toMillis() + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /**
     * The root cause's message when it comes from a driver or the network ({@code : unexpected end of stream}),
     * which names no row value; empty for anything else, whose message might quote one.
     */
    static String cause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (!(root instanceof java.io.IOException || root instanceof java.sql.SQLException) || root.getMessage() == null) {
            return "";
        }
        String m = root.getMessage().split("\n")[0];
        return ": " + (m.length() > 160 ? m.substring(0, 160) + "…" : m);
    }

    @Override
    public void close() throws Exception {
        if (backfill != null) {
            backfill.close();
        }
        io.mosaic.source.SnapshotNotifications.unregister(notificationsId);
        if (!drain()) {
            LOG.info("source {}: the batch in hand did not finish within {} s; it is interrupted and will be written again at the next start",
                    source.name(), DRAIN_TIMEOUT.toSeconds());
        }
        DebeziumEngine<RecordChangeEvent<SourceRecord>> running;
        State s;
        synchronized (lock) {
            if (closing) {
                return; // closed before (after a lost lease, say): the engine stops once
            }
            closing = true;
            running = engine;
            s = state.get();
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
            if (publicationCheck != null) {
                publicationCheck.shutdownNow();
            }
            if (s == State.STANDBY) {
                state.set(State.STOPPED);
                return; // never started: no engine to stop
            }
            if (s == State.RESTARTING) {
                state.set(State.STOPPED); // no engine runs: nothing to stop, nothing to commit
            }
        }
        if (s == State.RESTARTING) {
            LOG.info("source {} stopped (it was waiting to restart)", source.name());
            onStop.accept(this);
        } else if (running == null && s != State.FAILED && s != State.STOPPED) {
            state.set(State.STOPPED); // its engine was never built (the backfill check did not pass yet)
            LOG.info("source {} stopped (it had not started yet)", source.name());
            onStop.accept(this);
        } else if (s != State.FAILED && s != State.STOPPED) {
            running.close();
        }
    }
}
