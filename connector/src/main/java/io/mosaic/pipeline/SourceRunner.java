package io.mosaic.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
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
import io.mosaic.model.RowChange;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.source.ChangeEventConverter;
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
 */
public final class SourceRunner implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>>, AutoCloseable {

    /** What a runner is doing, for health checks. */
    public enum State { STARTING, SNAPSHOTTING, STREAMING, STOPPED, FAILED }

    private static final Logger LOG = LoggerFactory.getLogger(SourceRunner.class);

    private final SourceConfig source;
    private final DocumentWriter writer;
    private final Retry retry;
    private final MosaicMetrics metrics;
    private final ChangeEventConverter converter;
    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final Consumer<SourceRunner> onStop;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private volatile Throwable failure;
    private volatile boolean closing;

    public SourceRunner(SourceConfig source, Properties properties, DocumentWriter writer, Retry retry, MosaicMetrics metrics,
                        Consumer<SourceRunner> onStop) {
        this.source = source;
        this.writer = writer;
        this.retry = retry;
        this.metrics = metrics;
        this.onStop = onStop;
        this.converter = new ChangeEventConverter(source);
        this.engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(properties)
                .notifying(this)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        state.compareAndSet(State.STARTING, State.SNAPSHOTTING);
                        metrics.snapshotting(source.name(), true);
                        metrics.running(source.name(), true);
                        LOG.info("source {} ({}) started", source.name(), source.describe());
                    }
                })
                .using((success, message, error) -> completed(success, message, error))
                .build();
    }

    public String name() {
        return source.name();
    }

    public State state() {
        return state.get();
    }

    public Throwable failure() {
        return failure;
    }

    public void start(ExecutorService executor) {
        executor.execute(engine);
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<RowChange> changes = new ArrayList<>(records.size());
        Map<String, Integer> perTable = new LinkedHashMap<>();
        long lastCommitMillis = 0;
        boolean streaming = false;
        Long snapshotEnd = null;
        for (RecordChangeEvent<SourceRecord> event : records) {
            streaming |= ChangeEventConverter.endsSnapshot(event.record());
            RowChange change = converter.convert(event.record());
            if (change != null && ChangeEventConverter.isLastSnapshotRecord(event.record())) {
                snapshotEnd = change.version();
            }
            if (change != null) {
                changes.add(change);
                perTable.merge(change.table().id(), 1, Integer::sum);
                if (event.record().value() instanceof Struct v && v.getStruct("source") != null && !change.snapshot()) {
                    Object ts = v.getStruct("source").get("ts_ms");
                    if (ts instanceof Long l) {
                        lastCommitMillis = l;
                    }
                }
            }
        }
        if (!changes.isEmpty()) {
            perTable.forEach((table, n) -> metrics.changes(source.name(), table.substring(source.name().length() + 1), n));
            long start = System.nanoTime();
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
                // Not retryable (retryable failures are retried inside the writer for as long as it takes):
                // stop this source without committing the batch, so that nothing is skipped.
                failure = e;
                LOG.error("source {}: writing a batch of {} change(s) failed: {}", source.name(), changes.size(), ErrorClassifier.describe(e), e);
                throw new IllegalStateException("source " + source.name() + ": " + ErrorClassifier.describe(e), e);
            }
            metrics.batchTimer(source.name()).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            if (lastCommitMillis > 0) {
                metrics.lag(source.name(), Math.max(0, System.currentTimeMillis() - lastCommitMillis));
            }
        }
        for (RecordChangeEvent<SourceRecord> event : records) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        metrics.lastEvent(source.name());
        if (streaming && state.compareAndSet(State.SNAPSHOTTING, State.STREAMING)) {
            metrics.snapshotting(source.name(), false);
            LOG.info("source {} is streaming changes", source.name());
        }
    }

    private void completed(boolean success, String message, Throwable error) {
        metrics.running(source.name(), false);
        if (closing) {
            state.set(State.STOPPED);
            LOG.info("source {} stopped", source.name());
        } else {
            if (failure == null) {
                failure = error != null ? error : new IllegalStateException(message);
            }
            state.set(State.FAILED);
            LOG.error("source {} stopped unexpectedly: {}", source.name(), message, error);
        }
        onStop.accept(this);
    }

    @Override
    public void close() throws Exception {
        closing = true;
        engine.close();
    }
}
