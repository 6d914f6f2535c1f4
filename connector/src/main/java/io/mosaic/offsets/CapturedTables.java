package io.mosaic.offsets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.mosaic.config.SourceConfig;
import io.mosaic.config.StateConfig;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.TableRef;

/**
 * Which tables of a source, and which columns of them, Mosaic has captured into the state and the
 * index: one small record per replication stream, kept beside its position (the document
 * {@code <stream>#captured} of {@code mosaic-offsets}, or {@code <source>.captured.json} in the state
 * directory). A mapping that reads a table or column the record lacks needs the existing rows read
 * again; {@link #missing} says which. The record names tables and columns only, never a row value.
 *
 * <p>It is written when a source starts without a position (its initial snapshot reads every mapped
 * table), when a source with a position has no record yet (the first start of a deployment that
 * predates it: what is mapped now is taken as captured, so an upgrade re-reads nothing), and after
 * a backfill of the tables it lacked has finished. While a backfill runs the record keeps the old
 * tables and names the backfill ({@link Stored#backfill}), so that a restart before it has finished
 * asks for it again and {@code mosaic rebuild} can tell that it is under way.
 */
public final class CapturedTables {

    /** The record as stored: the captured columns by table, and the tables of a backfill asked for and not finished yet. */
    public record Stored(Map<String, Set<String>> tables, List<String> backfill, String backfillRequestedAt) {
    }

    private final StateConfig state;
    private final ElasticsearchGateway es;

    public CapturedTables(StateConfig state, ElasticsearchGateway es) {
        this.state = state;
        this.es = es;
    }

    /** The columns the mappings read from each table of a source (tables as the mapping names them, {@code public.employees}). */
    public static Map<String, Set<String>> mapped(MappingSet mappings, String source) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (TableRef t : mappings.tables(source)) {
            out.put(t.table(), new TreeSet<>(mappings.columns(t.id())));
        }
        return out;
    }

    /**
     * The tables whose rows must be read again, in the order of {@code mapped} (lookups first), each
     * with the columns not captured before: every mapped column of a table never captured, or the
     * newly read columns of a captured one (a lookup's new {@code on} column, say). A table or column
     * the mapping no longer reads needs nothing. Pure: no I/O.
     */
    public static Map<String, Set<String>> missing(Map<String, Set<String>> captured, Map<String, Set<String>> mapped) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        mapped.forEach((table, columns) -> {
            Set<String> had = captured.get(table);
            Set<String> lacking = new TreeSet<>(columns);
            if (had != null) {
                lacking.removeAll(had);
            }
            if (had == null || !lacking.isEmpty()) {
                out.put(table, lacking);
            }
        });
        return out;
    }

    /** {@code public.departments (all columns), public.employees (department_id)}: for log lines and messages. */
    public static String describe(Map<String, Set<String>> missing, Map<String, Set<String>> captured) {
        List<String> parts = new ArrayList<>();
        missing.forEach((table, columns) -> parts.add(table + (captured.containsKey(table)
                ? " (new column" + (columns.size() == 1 ? " " : "s ") + String.join(", ", columns) + ")" : " (a new table)")));
        return String.join(", ", parts);
    }

    /** The stored record, or null when there is none. */
    @SuppressWarnings("unchecked")
    public Stored read(SourceConfig source) throws Exception {
        Map<String, Object> body;
        if (state.inElasticsearch()) {
            Map<String, Object> doc = es.send("GET", path(source), null, 404);
            if (!(doc.get("_source") instanceof Map<?, ?> src)) {
                return null;
            }
            body = (Map<String, Object>) src;
        } else {
            Path file = file(source);
            if (!Files.exists(file)) {
                return null;
            }
            body = ElasticsearchGateway.JSON.readValue(Files.readAllBytes(file), Map.class);
        }
        Map<String, Set<String>> tables = new LinkedHashMap<>();
        if (body.get("captured") instanceof Map<?, ?> captured) {
            captured.forEach((t, cols) -> tables.put((String) t, new TreeSet<>((List<String>) cols)));
        }
        List<String> backfill = List.of();
        String requestedAt = null;
        if (body.get("backfill") instanceof Map<?, ?> b && b.get("tables") instanceof List<?> l) {
            backfill = l.stream().map(String::valueOf).toList();
            requestedAt = (String) b.get("requested_at");
        }
        return new Stored(tables, backfill, requestedAt);
    }

    /**
     * Stores the record: {@code tables} as captured, and the backfill under way ({@code backfill} empty
     * when none). Refreshed at once, so that a restart or {@code mosaic rebuild} straight after reads it.
     */
    public void write(SourceConfig source, Map<String, Set<String>> tables, List<String> backfill) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stream", OffsetStores.stream(source));
        Map<String, Object> captured = new TreeMap<>();
        tables.forEach((t, cols) -> captured.put(t, List.copyOf(new TreeSet<>(cols))));
        body.put("captured", captured);
        String now = Instant.now().toString();
        if (!backfill.isEmpty()) {
            body.put("backfill", Map.of("tables", List.copyOf(backfill), "requested_at", now));
        }
        body.put("updated_at", now);
        if (state.inElasticsearch()) {
            es.createIndex(OffsetStores.OFFSETS_INDEX, Map.of("dynamic", false, "properties", Map.of(
                    "stream", Map.of("type", "keyword"), "offsets", Map.of("type", "object", "enabled", false))));
            es.send("PUT", path(source) + "?refresh=true", body);
        } else {
            Files.createDirectories(state.directory());
            Path tmp = state.directory().resolve(source.name() + ".captured.json.tmp");
            Files.write(tmp, ElasticsearchGateway.JSON.writeValueAsBytes(body));
            Files.move(tmp, file(source), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Forgets the record, with the position ({@link StoredPositions#forget}): a new snapshot captures everything again. */
    public void forget(SourceConfig source) throws Exception {
        if (state.inElasticsearch()) {
            es.send("DELETE", path(source), null, 404);
        } else {
            Files.deleteIfExists(file(source));
        }
    }

    /** The tables of {@code missing}, in the source's snapshot order (lookups first): what a backfill reads. */
    public static List<String> tables(Map<String, Set<String>> missing) {
        return List.copyOf(new LinkedHashSet<>(missing.keySet()));
    }

    private static String path(SourceConfig source) {
        return "/" + OffsetStores.OFFSETS_INDEX + "/_doc/" + ElasticsearchOffsetStore.encodeId(OffsetStores.stream(source) + "#captured");
    }

    private Path file(SourceConfig source) {
        return state.directory().resolve(source.name() + ".captured.json");
    }
}
