package io.mosaic.source;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import io.mosaic.config.SourceConfig;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;

/**
 * Turns a Debezium change record of one source into a {@link RowChange}, or null for records that are
 * not row changes (heartbeats, schema changes, transaction markers, tombstones). A truncate ({@code t})
 * becomes a {@link RowChange.Op#TRUNCATE} of its table. With the mappings given, each row's schema is
 * checked first ({@link SchemaCheck}): a change of a table that lost a mapped column throws
 * {@link SchemaChangeException} instead of becoming a row without the column.
 */
public final class ChangeEventConverter {

    private final SourceConfig source;
    private final SchemaCheck schemaCheck;

    /** A converter that does not check schemas (benchmarks, tests of the conversion alone). */
    public ChangeEventConverter(SourceConfig source) {
        this.source = source;
        this.schemaCheck = null;
    }

    public ChangeEventConverter(SourceConfig source, MappingSet mappings) {
        this.source = source;
        this.schemaCheck = new SchemaCheck(source.name(), mappings);
    }

    /**
     * Whether a record shows that the source has left its initial snapshot: the snapshot's last record,
     * any streamed change, or a heartbeat (Debezium sends those only while streaming).
     */
    public static boolean endsSnapshot(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("source") == null || value.schema().field("op") == null) {
            // a heartbeat, or a record that is not a row change (a schema change, emitted by snapshots too)
            return record.topic() != null && record.topic().startsWith("__debezium-heartbeat");
        }
        Struct source = value.getStruct("source");
        Object snapshot = source == null || source.schema().field("snapshot") == null ? null : source.get("snapshot");
        return snapshot == null || "false".equals(snapshot.toString()) || "last".equals(snapshot.toString());
    }

    /** A binlog schema change record (a DDL statement): the drop of a mapped table stops the source ({@link SchemaCheck}). */
    private void checkSchemaChange(Struct change) {
        java.util.Map<String, String> tables = new java.util.LinkedHashMap<>();
        for (Object o : change.getArray("tableChanges")) {
            if (o instanceof Struct t && t.getString("id") != null) {
                // Debezium's table id, double-quoted: "labor"."contracts"
                tables.put(t.getString("id").replace("\"", ""), String.valueOf(t.get("type")));
            }
        }
        Struct block = change.schema().field("source") == null ? null : change.getStruct("source");
        if (block != null && SourcePosition.isSnapshot(block)) {
            return; // a snapshot describes each table with DROP TABLE IF EXISTS and CREATE TABLE: not a drop
        }
        String position;
        try {
            position = block == null ? "a schema change" : SourcePosition.describe(block, true);
        } catch (RuntimeException e) {
            position = "a schema change";
        }
        schemaCheck.checkSchemaChange(tables, position);
    }

    /**
     * Whether a record is a read of a blocking snapshot (the initial one, or a re-snapshot), which ends with
     * a {@linkplain #isLastSnapshotRecord last record}; not a read of an incremental snapshot, which is
     * interleaved with streamed changes and has no such end, and not a streamed change.
     */
    public static boolean isBlockingSnapshotRecord(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
            return false;
        }
        Struct source = value.getStruct("source");
        Object snapshot = source == null || source.schema().field("snapshot") == null ? null : source.get("snapshot");
        return snapshot != null && !"false".equals(snapshot.toString()) && !"incremental".equals(snapshot.toString());
    }

    /** Whether a record is the last one of a completed snapshot. */
    public static boolean isLastSnapshotRecord(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
            return false;
        }
        Struct source = value.getStruct("source");
        Object snapshot = source == null || source.schema().field("snapshot") == null ? null : source.get("snapshot");
        return snapshot != null && "last".equals(snapshot.toString());
    }

    public RowChange convert(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("op") == null) {
            if (schemaCheck != null && record.value() instanceof Struct change && change.schema().field("tableChanges") != null) {
                checkSchemaChange(change);
            }
            return null;
        }
        String op = value.getString("op");
        Struct sourceBlock = value.getStruct("source");
        boolean binlog = source.type().isBinlog();
        String schema = binlog ? sourceBlock.getString("db") : sourceBlock.getString("schema");
        TableRef table = new TableRef(source.name(), schema + "." + sourceBlock.getString("table"));
        if (table.table().equals(source.signalTable())) {
            return null; // a snapshot request or watermark: Debezium's business, not a row of any document
        }
        long version = SourcePosition.of(sourceBlock, binlog, record.sourceOffset());
        String position = SourcePosition.describe(sourceBlock, binlog, record.sourceOffset());
        boolean snapshot = SourcePosition.isSnapshot(sourceBlock);
        if (schemaCheck != null && !"t".equals(op) && value.schema().field("after") != null) {
            schemaCheck.check(table, value.schema().field("after").schema(), position);
        }
        return switch (op) {
            case "c", "r", "u" -> new RowChange(table, RowChange.Op.UPSERT, ConnectValues.row(value.getStruct("before")),
                    ConnectValues.row(value.getStruct("after")), version, position, snapshot || "r".equals(op));
            case "d" -> new RowChange(table, RowChange.Op.DELETE, ConnectValues.row(value.getStruct("before")), null,
                    version, position, snapshot);
            case "t" -> new RowChange(table, RowChange.Op.TRUNCATE, null, null, version, position, false);
            default -> null; // "m" (message) is not a row change
        };
    }
}
