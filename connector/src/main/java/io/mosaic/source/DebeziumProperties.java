package io.mosaic.source;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.mosaic.config.SourceConfig;
import io.mosaic.config.WriterConfig;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.TableRef;
import io.mosaic.offsets.ElasticsearchOffsetStore;
import io.mosaic.offsets.ElasticsearchSchemaHistory;
import io.mosaic.offsets.FileOffsetStore;
import io.mosaic.offsets.OffsetStores;

/**
 * Builds the embedded Debezium engine's properties for one source. The captured tables and columns
 * are derived from the mappings, so unmapped (sensitive) columns are never part of an event Mosaic
 * handles; whether they leave the database depends on the source (see {@link SourceSetup}).
 */
public final class DebeziumProperties {

    private DebeziumProperties() {
    }

    /**
     * @param gatewayId the registered Elasticsearch connection for the state store, or null for the file store in {@code stateDir}
     */
    public static Properties of(SourceConfig source, MappingSet mappings, WriterConfig writer, Path stateDir, String gatewayId) {
        List<TableRef> tables = mappings.tables(source.name());
        Properties p = new Properties();
        p.setProperty("name", "mosaic-" + source.name());
        p.setProperty("connector.class", source.type().connectorClass());
        p.setProperty("topic.prefix", source.name());
        p.setProperty("database.hostname", source.host());
        p.setProperty("database.port", Integer.toString(source.port()));
        p.setProperty("database.user", source.user());
        p.setProperty("database.password", source.password() == null ? "" : source.password());
        String stream = OffsetStores.stream(source);
        if (gatewayId != null) {
            p.setProperty("offset.storage", ElasticsearchOffsetStore.class.getName());
            p.setProperty(OffsetStores.GATEWAY_ID, gatewayId);
            p.setProperty(OffsetStores.STREAM, stream);
        } else {
            p.setProperty("offset.storage", FileOffsetStore.class.getName());
            p.setProperty("offset.storage.file.filename", stateDir.resolve(source.name() + ".offsets").toString());
        }
        // Offsets are flushed only for records already acknowledged by Elasticsearch (see SourceRunner).
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("offset.flush.timeout.ms", "10000");
        p.setProperty("snapshot.mode", source.snapshotMode());
        p.setProperty("tombstones.on.delete", "false");
        // Debezium skips truncates by default ("t"); Mosaic propagates them (DocumentWriter). pgoutput sends them
        // as messages, the binlog connectors turn a TRUNCATE TABLE statement into one.
        p.setProperty("skipped.operations", "none");
        // Four context headers per record that nothing reads: measurable garbage at thousands of changes/s.
        p.setProperty("extended.headers.enabled", "false");
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("heartbeat.interval.ms", Long.toString(source.heartbeat().toMillis()));
        p.setProperty("max.batch.size", Integer.toString(writer.batchSize()));
        p.setProperty("max.queue.size", Integer.toString(writer.queueSize()));
        p.setProperty("poll.interval.ms", Long.toString(Math.max(1, writer.linger().toMillis())));
        p.setProperty("errors.max.retries", "-1");
        p.setProperty("errors.retry.delay.initial.ms", "1000");
        p.setProperty("errors.retry.delay.max.ms", "30000");
        String tableList = tables.stream().map(t -> Pattern.quote(t.table())).collect(Collectors.joining(","));
        String columns = columnList(tables, mappings);
        if (source.signalTable() != null) {
            // Debezium reads on-demand snapshot requests from this table and writes its watermarks there:
            // both must reach it through the log, so it is captured (its own events never reach the writer).
            p.setProperty("signal.enabled.channels", "source");
            p.setProperty("signal.data.collection", source.signalTable());
            tableList += "," + Pattern.quote(source.signalTable());
            columns += "," + Pattern.quote(source.signalTable()) + "\\..*";
        }
        // the end of an incremental snapshot (a backfill) reaches the source's runner (SnapshotNotifications)
        p.setProperty("notification.enabled.channels", SnapshotNotifications.NAME);
        p.setProperty("table.include.list", tableList);
        p.setProperty("column.include.list", columns);
        p.setProperty("connect.timeout.ms", Long.toString(source.connectTimeout().toMillis()));

        switch (source.type()) {
            case POSTGRES -> {
                p.setProperty("database.dbname", source.database());
                p.setProperty("plugin.name", "pgoutput");
                p.setProperty("slot.name", source.slot());
                p.setProperty("publication.name", source.publication());
                // Mosaic creates the publication, with column lists (SourceInspector#ensurePublication); Debezium's
                // filtered mode would SET TABLE without them when the table set differs, widening it again
                p.setProperty("publication.autocreate.mode", "disabled");
                p.setProperty("schema.include.list", schemas(tables, source.signalTable()));
            }
            case MYSQL, MARIADB -> {
                p.setProperty("database.server.id", Long.toString(source.serverId()));
                p.setProperty("database.include.list", schemas(tables, source.signalTable()));
                // schema change records (one per DDL statement) let Mosaic notice the drop of a mapped table
                p.setProperty("include.schema.changes", "true");
                if (gatewayId != null) {
                    p.setProperty("schema.history.internal", ElasticsearchSchemaHistory.class.getName());
                    p.setProperty("schema.history.internal." + OffsetStores.GATEWAY_ID, gatewayId);
                    p.setProperty("schema.history.internal." + OffsetStores.STREAM, stream);
                } else {
                    p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
                    p.setProperty("schema.history.internal.file.filename", stateDir.resolve(source.name() + ".schema-history").toString());
                }
                p.setProperty("schema.history.internal.store.only.captured.tables.ddl", "true");
                p.setProperty("schema.history.internal.store.only.captured.databases.ddl", "true");
                p.setProperty("snapshot.locking.mode", "minimal");
            }
            default -> throw new IllegalStateException(source.type().toString());
        }
        SourceTls.debezium(source, p); // ssl_mode and ssl_root_cert; database.ssl.mode is disable unless set
        source.debezium().forEach(p::setProperty);
        return p;
    }

    /** The regex-quoted schemas (postgres) or databases (mysql/mariadb) of the tables, and of the signal table if any. */
    private static String schemas(List<TableRef> tables, String signalTable) {
        Set<String> out = new java.util.LinkedHashSet<>();
        tables.forEach(t -> out.add(t.schema()));
        if (signalTable != null) {
            out.add(signalTable.substring(0, signalTable.indexOf('.')));
        }
        return out.stream().map(Pattern::quote).collect(Collectors.joining(","));
    }

    /** Fully-qualified, regex-quoted names of every mapped column of every table of the source. */
    static String columnList(List<TableRef> tables, MappingSet mappings) {
        Set<String> out = new TreeSet<>();
        for (TableRef t : tables) {
            for (String column : mappings.columns(t.id())) {
                out.add(Pattern.quote(t.table() + "." + column));
            }
        }
        return String.join(",", out);
    }
}
