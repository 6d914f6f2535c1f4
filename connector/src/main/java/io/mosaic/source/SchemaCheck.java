package io.mosaic.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.mapping.MappingSet;
import io.mosaic.model.TableRef;

/**
 * Checks the Connect schema of a table's row (what Debezium captured: the mapped columns that exist)
 * against the columns the mappings read. A mapped column missing from it was dropped or renamed in the
 * source: {@link #check} throws a {@link SchemaChangeException} naming the mapping lines, so that no
 * document is written without the field. A mapped column whose type changed (int to bigint,
 * varchar(20) to varchar(200), numeric(5,2) to numeric(7,2)) is logged once and accepted: its values are
 * converted as before, and one that no longer converts (or that Elasticsearch rejects) becomes a dead
 * letter, as any such value does.
 *
 * <p>On the hot path, so each schema object is checked once: Debezium reuses one schema object per
 * table version, and a cache by identity costs one lookup per change. Not thread-safe: one instance per
 * source, used on its engine's thread.
 */
public final class SchemaCheck {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaCheck.class);
    /** Schemas seen: a table changes its schema rarely, so this stays small; cleared if it ever grows. */
    private static final int MAX_CACHED = 10_000;

    private final String source;
    private final MappingSet mappings;
    private final Map<Schema, Boolean> passed = new IdentityHashMap<>();
    /** Per table, the schema of each mapped column as first seen, to notice type changes. */
    private final Map<String, Map<String, Schema>> columnSchemas = new HashMap<>();

    public SchemaCheck(String source, MappingSet mappings) {
        this.source = source;
        this.mappings = mappings;
    }

    /**
     * @param rowSchema the schema of the row struct ({@code after}/{@code before}) of a change of {@code table}
     * @param position where the change is, for the message
     * @throws SchemaChangeException when a column the mappings read is not in it
     */
    public void check(TableRef table, Schema rowSchema, String position) {
        if (rowSchema == null || passed.containsKey(rowSchema)) {
            return;
        }
        Map<String, List<String>> uses = mappings.columnUses(table.id());
        List<String> missing = new ArrayList<>();
        Map<String, Schema> known = columnSchemas.computeIfAbsent(table.id(), k -> new HashMap<>());
        for (Map.Entry<String, List<String>> e : uses.entrySet()) {
            Field f = rowSchema.field(e.getKey());
            if (f == null) {
                missing.add(e.getKey());
                continue;
            }
            Schema before = known.put(e.getKey(), f.schema());
            if (before != null && !sameType(before, f.schema())) {
                LOG.warn("source {}: column {} of {} changed type from {} to {} (at {}); read by {}. Mosaic carries on: "
                                + "its values are converted as before, and one that no longer converts becomes a dead letter",
                        source, e.getKey(), table.table(), describe(before), describe(f.schema()), position, String.join("; ", e.getValue()));
            }
        }
        if (!missing.isEmpty()) {
            throw new SchemaChangeException(message(table, missing, uses, position));
        }
        if (passed.size() >= MAX_CACHED) {
            passed.clear();
        }
        passed.put(rowSchema, Boolean.TRUE);
    }

    /**
     * Checks a binlog schema change record (Debezium's {@code include.schema.changes}): the drop of a mapped
     * table throws a {@link SchemaChangeException}, since its rows are gone without a delete event each, and a
     * table created again under the name has rows Mosaic did not read. Other changes (CREATE, ALTER) pass; an
     * ALTER that loses a mapped column shows in the row changes that follow it.
     *
     * @param tableIds the {@code id} and {@code type} of each entry of the record's {@code tableChanges}
     */
    public void checkSchemaChange(Map<String, String> tableIds, String position) {
        for (Map.Entry<String, String> e : tableIds.entrySet()) {
            if (!"DROP".equals(e.getValue())) {
                continue;
            }
            TableRef table = new TableRef(source, e.getKey());
            if (mappings.roles(table.id()).isEmpty()) {
                continue;
            }
            throw new SchemaChangeException("source " + source + ": the mapped table " + table.table() + " was dropped (at " + position
                    + "); Mosaic stopped the source before going past it (its position is not committed), so nothing of it is lost. "
                    + "Its rows are gone without a delete each, and a table created again under its name holds rows Mosaic has not read. "
                    + "To go on: create the table again (or remove it from " + String.join(", ", describeMappings(table))
                    + "), then run 'mosaic run --resnapshot " + source + "', which reads every table of the source anew "
                    + "and deletes the rows that are gone");
        }
    }

    /**
     * The problem of PostgreSQL tables gone from the source's publication. pgoutput carries no DDL: a
     * dropped table only leaves the publication (a table created again under its name is not in it, so its
     * rows are not published), which a periodic check of the catalog notices.
     */
    public SchemaChangeException droppedFromPublication(List<String> tables, String publication) {
        List<String> files = new ArrayList<>();
        tables.forEach(t -> describeMappings(new TableRef(source, t)).forEach(f -> {
            if (!files.contains(f)) {
                files.add(f);
            }
        }));
        return new SchemaChangeException("source " + source + ": the mapped table(s) " + String.join(", ", tables) + " are no longer in publication "
                + publication + ": dropped (or removed from the publication) while Mosaic streamed. PostgreSQL's log carries no DDL, so Mosaic "
                + "stopped the source at its next batch, without committing it. The table's rows went without a delete each, and the rows of a "
                + "table created again under its name are not published. To go on: create the table again (or remove it from "
                + String.join(", ", files) + "), ALTER PUBLICATION " + publication + " ADD TABLE " + String.join(", ", tables)
                + ", then run 'mosaic run --resnapshot " + source + "'");
    }

    private List<String> describeMappings(TableRef table) {
        List<String> out = new ArrayList<>();
        mappings.roles(table.id()).forEach(r -> {
            String file = String.valueOf(r.document().file());
            if (!out.contains(file)) {
                out.add(file);
            }
        });
        return out;
    }

    private String message(TableRef table, List<String> missing, Map<String, List<String>> uses, String position) {
        StringBuilder out = new StringBuilder("source ").append(source).append(": table ").append(table.table())
                .append(" no longer has ").append(missing.size() == 1 ? "column " : "columns ");
        for (int i = 0; i < missing.size(); i++) {
            out.append(i == 0 ? "" : ", ").append('\'').append(missing.get(i)).append('\'');
        }
        out.append(" (dropped or renamed, seen in the change at ").append(position).append("), which the mapping reads: ");
        List<String> lines = new ArrayList<>();
        missing.forEach(c -> uses.get(c).forEach(u -> lines.add(c + " is " + u)));
        out.append(String.join("; ", lines)).append(". Mosaic stopped the source before writing that change (its position is not committed), "
                + "so no document is written without the field and nothing is lost. To go on: rename the column back, or change "
                + "the mapping to the column's new name; then run 'mosaic run --resnapshot ").append(source)
                .append("' (changes made meanwhile carry the table's schema of their time, without the column, so only a new snapshot reads them right)");
        return out.toString();
    }

    private static boolean sameType(Schema a, Schema b) {
        return a.type() == b.type() && Objects.equals(a.name(), b.name()) && Objects.equals(a.parameters(), b.parameters());
    }

    private static String describe(Schema s) {
        return (s.name() != null ? s.name() : s.type().getName()) + (s.parameters() == null || s.parameters().isEmpty() ? "" : s.parameters());
    }
}
