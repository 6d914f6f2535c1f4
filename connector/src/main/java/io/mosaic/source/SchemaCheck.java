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
