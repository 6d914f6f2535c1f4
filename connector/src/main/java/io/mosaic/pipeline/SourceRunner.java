package io.mosaic.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
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
 * error, described by kind only (an error's message may quote a row value or an address).
 */
public final class SourceRunner implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>>, AutoCloseable {

    /** What a runner is doing, for health checks. */
    public enum State { STANDBY, STARTING, SNAPSHOTTING, STREAMING, STOPPED, FAILED }

    private static final Logger LOG = LoggerFactory.getLogger(SourceRunner.class);

    private final SourceConfig source;
    private final List<TableRef> tables;
    private final DocumentWriter writer;
    private final Retry retry;
    private final MosaicMetrics metrics;
    private final SourceMeters meters;
    private final DebeziumMetricsBridge debezium;
    private final ChangeEventConverter converter;
    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final Consumer<SourceRunner> onStop;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final AtomicBoolean estimating = new AtomicBoolean();
    private volatile Throwable failure;
    private volatile String lastError;
    private volatile boolean closing;
    private volatile Thread thread;
    private volatile String lastPosition;
    private volatile long lastAcknowledgedMillis;
    private final MappingSet mappings;
    /** A problem the publication check found off the engine's thread; the next batch stops the source with it. */
    private volatile SchemaChangeException schemaProblem;
    private volatile java.util.concurrent.ScheduledExecutorService publicationCheck;

    /** How often a PostgreSQL source's publication is checked for mapped tables that were dropped (one catalog query). */
    static final java.time.Duration PUBLICATION_CHECK_INTERVAL = java.time.Duration.ofSeconds(15);

    /**
     * @param mappings the mappings: the source's tables are declared in the meters with 0 and estimated for snapshot
     *        progress, and each change's schema is checked against the columns they read
     */
    public SourceRunner(SourceConfig source, MappingSet mappings, Properties properties, DocumentWriter writer, Retry retry,
                        MosaicMetrics metrics, Consumer<SourceRunner> onStop) {
        this.source = source;
        this.tables = List.copyOf(mappings.tables(source.name()));
        this.mappings = mappings;
        this.writer = writer;
        this.retry = retry;
        this.metrics = metrics;
        this.meters = metrics.source(source.name());
        for (TableRef t : this.tables) {
            metrics.declareTable(source.name(), t.table());
        }
        this.debezium = new DebeziumMetricsBridge(source.name(), source.type().configName());
        debezium.bindTo(metrics.registry());
        meters.phaseFrom(() -> state().name().toLowerCase(java.util.Locale.ROOT));
        this.onStop = onStop;
        this.converter = new ChangeEventConverter(source, mappings);
        this.engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
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
            return State.STREAMING;
        }
        return s;
    }

    public Throwable failure() {
        return failure;
    }

    /** The last error, by kind and without any value, address or secret; null when there was none. */
    public String lastError() {
        return lastError;
    }

    public SourceMeters meters() {
        return meters;
    }

    public DebeziumMetricsBridge debezium() {
        return debezium;
    }

    /** The source's own description of the last change Elasticsearch acknowledged (an LSN, a binlog file and position), or null. */
    public String lastPosition() {
        return lastPosition;
    }

    /** When Elasticsearch acknowledged the last batch (epoch milliseconds), or 0. */
    public long lastAcknowledgedMillis() {
        return lastAcknowledgedMillis;
    }

    /** False when the runner should be running but its engine thread has died. */
    public boolean threadAlive() {
        Thread t = thread;
        State s = state.get();
        return t == null || s == State.STOPPED || s == State.FAILED || t.isAlive();
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
        lastError = why;
        if (failure == null) {
            failure = new IllegalStateException(why);
        }
    }

    public synchronized void start(ExecutorService executor) {
        if (closing || (!state.compareAndSet(State.STANDBY, State.STARTING) && state.get() != State.STARTING)) {
            return; // stopped while standing by: a lease taken during shutdown starts nothing
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
        executor.execute(() -> {
            thread = Thread.currentThread();
            engine.run();
        });
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<RowChange> changes = new ArrayList<>(records.size());
        Map<String, Integer> perTable = new LinkedHashMap<>();
        long[] commitMillis = new long[records.size()];
        int streamed = 0;
        int snapshotReads = 0;
        long oldestCommit = Long.MAX_VALUE;
        String position = null;
        boolean streaming = false;
        Long snapshotEnd = null;
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
                changes.add(change);
                perTable.merge(change.table().table(), 1, Integer::sum);
                position = change.position();
                if (change.snapshot()) {
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
                meters.writing(oldestCommit);
            }
            try {
                // A batch is idempotent (versions make a re-applied change harmless), so anything retryable
                // that escaped the per-request retries is retried here, for as long as it takes.
                final Long sweepAt = snapshotEnd;
                retry.call("batch of " + source.name(), () -> {
                    writer.write(changes);
                    if (sweepAt != null) {
                        // before this batch (and so the snapshot) is committed, and before any streamed change
                        writer.sweep(source.name(), sweepAt);
                    }
                    return null;
                });
                metrics.stalled(false);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (closing) {
                    // stopped while writing: the batch is not committed, so the next start writes it again
                    LOG.info("source {}: stopped while writing a batch of {} change(s); it will be written again at the next start",
                            source.name(), changes.size());
                    throw new InterruptedException("stopping");
                }
                // Not retryable (retryable failures are retried inside the writer for as long as it takes):
                // stop this source without committing the batch, so that nothing is skipped.
                failure = e;
                lastError = "source " + source.name() + ": writing a batch of " + changes.size() + " change(s) to Elasticsearch failed ("
                        + kinds(e) + "); the batch was not committed";
                LOG.error("source {}: writing a batch of {} change(s) failed: {}", source.name(), changes.size(), ErrorClassifier.describe(e), e);
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
        if (streaming && state.compareAndSet(State.SNAPSHOTTING, State.STREAMING)) {
            LOG.info("source {} is streaming changes", source.name());
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
        if (publicationCheck != null) {
            publicationCheck.shutdownNow();
        }
        if (closing) {
            state.set(State.STOPPED);
            LOG.info("source {} stopped", source.name());
        } else {
            if (failure == null) {
                failure = error != null ? error : new IllegalStateException(message);
            }
            if (lastError == null) {
                lastError = "source " + source.name() + ": the Debezium engine stopped unexpectedly"
                        + (error != null ? " (" + kinds(error) + ")" : "") + "; see the log";
            }
            state.set(State.FAILED);
            LOG.error("source {} stopped unexpectedly: {}", source.name(), message, error);
        }
        onStop.accept(this);
    }

    @Override
    public synchronized void close() throws Exception {
        if (closing) {
            return; // closed before (after a lost lease, say): the engine stops once
        }
        closing = true;
        if (state.compareAndSet(State.STANDBY, State.STOPPED)) {
            return; // never started: no engine to stop
        }
        if (publicationCheck != null) {
            publicationCheck.shutdownNow();
        }
        engine.close();
    }
}
