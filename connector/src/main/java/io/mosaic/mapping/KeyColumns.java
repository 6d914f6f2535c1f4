package io.mosaic.mapping;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of a key, or of a reference to one, in the order the mapping lists them: a root's
 * {@code key}, a collection's {@code key} and {@code parent}, a lookup's {@code key} and {@code on}.
 * One column ({@code key: id}) or several ({@code key: [member_id, tag]}, a composite key); a reference
 * names as many columns as the key it refers to, matched by position. {@link #of} gives the key's text
 * (see {@link Keys} for the form of a composite one), the one identity the writer, the state and the
 * public {@code _id} use.
 */
public record KeyColumns(List<String> columns, String location) {

    /** @param location where the mapping names the columns (file:line), for messages; null when unknown; not part of equality */
    public KeyColumns {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one column");
        }
        columns = List.copyOf(columns);
    }

    public KeyColumns(List<String> columns) {
        this(columns, null);
    }

    /** The same columns in the same order are the same key, wherever they are written. */
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyColumns k && k.columns.equals(columns);
    }

    @Override
    public int hashCode() {
        return columns.hashCode();
    }

    /** {@link #location()}, or {@code fallback} when it is unknown. */
    public String locationOr(String fallback) {
        return location != null ? location : fallback;
    }

    public static KeyColumns named(String... columns) {
        return new KeyColumns(List.of(columns));
    }

    /** Whether the key has several columns. */
    public boolean composite() {
        return columns.size() > 1;
    }

    public int size() {
        return columns.size();
    }

    /** The first (for a one-column key, the only) column. */
    public String first() {
        return columns.get(0);
    }

    /** The key text of a row ({@link Keys#of(List)}); null when the row is null or any of the columns is null. */
    public String of(Map<String, Object> row) {
        if (row == null) {
            return null;
        }
        if (columns.size() == 1) {
            return Keys.of(row.get(columns.get(0))); // the common case, without a list per row (profiled: 1-2% of Mosaic's CPU)
        }
        List<Object> parts = new ArrayList<>(columns.size());
        for (String c : columns) {
            Object v = row.get(c);
            if (v == null) {
                return null;
            }
            parts.add(v);
        }
        return Keys.of(parts);
    }

    /**
     * The columns of a key text as a row of their texts: what a delete of the row needs when only its key
     * is known (the snapshot sweep of a document type without state, a repair of a missing row).
     */
    public Map<String, Object> row(String key) {
        List<String> parts = Keys.parts(key, columns.size());
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            out.put(columns.get(i), parts.get(i));
        }
        return out;
    }

    /** The order of elements keyed by these columns: part by part, numerically for whole numbers ({@link Keys#order}). */
    public Comparator<String> order() {
        return Keys.order(columns.size());
    }

    /** For messages: {@code column 'id'}, or {@code columns [member_id, tag]}. */
    public String phrase() {
        return composite() ? "columns " + this : "column '" + columns.get(0) + "'";
    }

    /** As written in a mapping: {@code id}, or {@code [member_id, tag]}. */
    @Override
    public String toString() {
        return composite() ? "[" + String.join(", ", columns) + "]" : columns.get(0);
    }
}
