package io.mosaic.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.mosaic.config.MosaicConfig;
import io.mosaic.config.SourceConfig;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.mapping.Projector;
import io.mosaic.model.RowChange;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.source.ChangeEventConverter;
import io.mosaic.source.DebeziumProperties;

/**
 * The references that share Mosaic's source side: the same embedded Debezium engine, with the same
 * properties Mosaic derives from its configuration, but with another consumer. {@link Kind#NOOP}
 * counts and acknowledges (the source limit); {@link Kind#NAIVE} sends one Elasticsearch request per
 * change, externally versioned (the naive baseline).
 */
public final class DebeziumReference implements AutoCloseable {

    public enum Kind { NOOP, NAIVE }

    private final List<DebeziumEngine<RecordChangeEvent<SourceRecord>>> engines = new ArrayList<>();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong lastChangeNanos = new AtomicLong();
    private volatile Throwable failure;

    /**
     * @param config   a Mosaic configuration file: its sources and mappings decide what is captured
     * @param slotTag  replication slots are named {@code bench_<slotTag>_<source>}, MariaDB server ids are offset
     * @param snapshot Debezium's snapshot mode: {@code initial}, or {@code no_data} to stream only
     */
    public DebeziumReference(Kind kind, Path config, String slotTag, String snapshot, Es es, String naiveIndex, Path workDir) throws IOException {
        MosaicConfig cfg = MosaicConfig.load(config, name -> name.equals("MOSAIC_STATE_DIR") ? workDir.toString() : System.getenv(name));
        MappingSet mappings = Mosaic.loadMappings(cfg);
        Path state = workDir.resolve("ref-" + slotTag);
        MosaicUnderTest.deleteTree(state);
        Files.createDirectories(state);
        for (SourceConfig source : cfg.sources().values()) {
            Properties p = DebeziumProperties.of(source, mappings, cfg.writer(), state, null);
            p.setProperty("name", "bench-" + slotTag + "-" + source.name());
            p.setProperty("snapshot.mode", snapshot);
            p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
            if (source.type().isBinlog()) {
                p.setProperty("schema.history.internal", "io.debezium.relational.history.MemorySchemaHistory");
                p.setProperty("database.server.id", Long.toString(source.serverId() + 100 + Math.abs(slotTag.hashCode() % 100)));
            } else {
                p.setProperty("slot.name", "bench_" + slotTag + "_" + source.name());
                p.setProperty("publication.name", "bench_" + slotTag + "_" + source.name());
                // Mosaic creates its publications itself (disabled for Debezium); the reference has no Mosaic to do it
                p.setProperty("publication.autocreate.mode", "filtered");
            }
            ChangeEventConverter converter = new ChangeEventConverter(source);
            DocumentMapping flat = mappings.documents().get(0);
            engines.add(DebeziumEngine.create(ChangeEventFormat.of(Connect.class)).using(p)
                    .notifying((records, committer) -> {
                        for (RecordChangeEvent<SourceRecord> r : records) {
                            if (r.record().value() instanceof Struct v && v.schema().field("op") != null) {
                                if (kind == Kind.NAIVE) {
                                    index(es, flat, naiveIndex, converter.convert(r.record()));
                                }
                                changes.incrementAndGet();
                                lastChangeNanos.set(System.nanoTime());
                            }
                            committer.markProcessed(r);
                        }
                        committer.markBatchFinished();
                    })
                    .using((success, message, error) -> {
                        if (!success) {
                            failure = error != null ? error : new IllegalStateException(message);
                        }
                    })
                    .build());
        }
    }

    /** The naive write: one request per change, the change's version enforced by Elasticsearch. */
    private static void index(Es es, DocumentMapping m, String index, RowChange c) {
        if (c == null) {
            return;
        }
        try {
            String id = m.rootKey().of(c.row());
            String query = "?version=" + c.version() + "&version_type=external_gte";
            if (c.op() == RowChange.Op.DELETE) {
                es.http().call("DELETE", "/" + index + "/_doc/" + id + query, null, 404, 409);
            } else {
                Map<String, Object> doc = Projector.projectRow(m.fields(), List.of(), c.after(), (t, k) -> null, m.root());
                es.http().call("PUT", "/" + index + "/_doc/" + id + query, Es.JSON.writeValueAsString(doc), 409);
            }
        } catch (Exception e) {
            throw new IllegalStateException("naive write failed", e);
        }
    }

    public void start() {
        engines.forEach(executor::execute);
    }

    public long changes() {
        if (failure != null) {
            throw new IllegalStateException("the Debezium reference failed", failure);
        }
        return changes.get();
    }

    public long lastChangeNanos() {
        return lastChangeNanos.get();
    }

    @Override
    public void close() throws Exception {
        for (DebeziumEngine<?> e : engines) {
            e.close();
        }
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
    }
}
