package io.mosaic.mapping;

import io.mosaic.model.TableRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes a public document from a {@link DocumentState} and the lookup rows it refers to. Pure:
 * the same state and lookups always give the same document, which is what makes replays harmless.
 * Collection elements are in the order of their keys ({@link KeyColumns#order()}: part by part for a composite
 * key); a {@code value:}
 * collection's element is its value, and a row whose value is null adds none.
 */
public final class Projector {

    /** The current row of a lookup table by key, or null when there is none (never seen, or deleted). */
    @FunctionalInterface
    public interface LookupRows {
        Map<String, Object> row(TableRef table, String key);
    }

    /**
     * The rows of one nested collection under one element of its outer collection (see {@link CollectionMapping}),
     * by key, tombstones included; empty when there are none.
     */
    @FunctionalInterface
    public interface NestedRows {
        Map<String, Contribution> rows(CollectionMapping outer, CollectionMapping nested, String outerKey);

        /** For a type without nested collections: asking for nested rows is a bug, not an empty array. */
        NestedRows NONE = (outer, nested, key) -> {
            throw new IllegalStateException("collection '" + outer.name() + "' holds nested collections, but no nested rows were given");
        };
    }

    private Projector() {
    }

    /** Whether the state makes a document: its root row exists and passes the root filter. */
    public static boolean visible(DocumentMapping mapping, DocumentState state) {
        return state.rootPresent() && mapping.rootFilter().matches(state.root().row());
    }

    /** {@link #project(DocumentMapping, DocumentState, LookupRows, NestedRows)} of a type without nested collections. */
    public static Map<String, Object> project(DocumentMapping mapping, DocumentState state, LookupRows lookups) {
        return project(mapping, state, lookups, NestedRows.NONE);
    }

    /**
     * The document for this state, or null when there is none (no root row, or it does not pass the root filter).
     * Each element of a collection with nested collections carries, at each nested path, the present rows of
     * {@code nested} under the element's key that pass the nested filter, in key order, as its collection does.
     */
    public static Map<String, Object> project(DocumentMapping mapping, DocumentState state, LookupRows lookups, NestedRows nested) {
        if (!visible(mapping, state)) {
            return null;
        }
        Map<String, Object> doc = projectRow(mapping.fields(), mapping.lookups(), state.root().row(), lookups, mapping.root());
        for (CollectionMapping c : mapping.collections()) {
            List<Object> elements = new ArrayList<>();
            state.children(c.name()).entrySet().stream()
                    .filter(e -> e.getValue().present() && c.filter().matches(e.getValue().row()))
                    .sorted(Map.Entry.comparingByKey(c.key().order()))
                    .forEach(e -> {
                        if (c.scalar()) {
                            Object v = evaluate(c.value(), e.getValue().row(), c.table());
                            if (v != null) { // a null value is no element: ["a", null] would say nothing more than ["a"]
                                elements.add(v);
                            }
                        } else {
                            Map<String, Object> element = projectRow(c.fields(), c.lookups(), e.getValue().row(), lookups, c.table());
                            for (CollectionMapping n : c.collections()) {
                                put(element, n.path(), elements(n, nested.rows(c, n, e.getKey()), lookups));
                            }
                            elements.add(element);
                        }
                    });
            put(doc, c.path(), elements);
        }
        return doc;
    }

    /** The elements of a nested collection (no lookups, no deeper collections) from its rows by key. */
    private static List<Object> elements(CollectionMapping n, Map<String, Contribution> rows, LookupRows lookups) {
        List<Object> out = new ArrayList<>();
        rows.entrySet().stream()
                .filter(e -> e.getValue().present() && n.filter().matches(e.getValue().row()))
                .sorted(Map.Entry.comparingByKey(n.key().order()))
                .forEach(e -> {
                    if (n.scalar()) {
                        Object v = evaluate(n.value(), e.getValue().row(), n.table());
                        if (v != null) {
                            out.add(v);
                        }
                    } else {
                        out.add(projectRow(n.fields(), n.lookups(), e.getValue().row(), lookups, n.table()));
                    }
                });
        return out;
    }

    /** The fields of one row with its lookups, as an object. */
    public static Map<String, Object> projectRow(List<FieldMapping> fields, List<LookupMapping> rowLookups,
                                                 Map<String, Object> row, LookupRows lookups, TableRef table) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (FieldMapping f : fields) {
            put(out, f.path(), evaluate(f, row, table));
        }
        for (LookupMapping l : rowLookups) {
            String key = l.on().of(row);
            Map<String, Object> target = out;
            if (!l.as().isEmpty()) {
                if (key == null) {
                    put(out, l.as(), null);
                    continue;
                }
                target = new LinkedHashMap<>();
                put(out, l.as(), target);
            }
            Map<String, Object> lookupRow = key == null ? null : lookups.row(l.table(), key);
            for (FieldMapping f : l.fields()) {
                put(target, f.path(), lookupRow == null ? null : evaluate(f, lookupRow, l.table()));
            }
        }
        return out;
    }

    private static Object evaluate(FieldMapping f, Map<String, Object> row, TableRef table) {
        try {
            return f.expr().evaluate(row);
        } catch (RuntimeException e) {
            throw new ProjectionException("field '" + f.name() + "' (" + f.location() + ") cannot be computed from "
                    + table.id() + ": " + e.getMessage(), e);
        }
    }

    /** Every lookup reference of the document: how a lookup change finds the documents to refresh. */
    public static Set<String> refs(DocumentMapping mapping, DocumentState state) {
        Set<String> refs = new LinkedHashSet<>();
        if (state.rootPresent()) {
            for (LookupMapping l : mapping.lookups()) {
                String key = l.on().of(state.root().row());
                if (key != null) {
                    refs.add(l.ref(key));
                }
            }
        }
        for (CollectionMapping c : mapping.collections()) {
            for (Contribution child : state.children(c.name()).values()) {
                if (!child.present()) {
                    continue;
                }
                for (LookupMapping l : c.lookups()) {
                    String key = l.on().of(child.row());
                    if (key != null) {
                        refs.add(l.ref(key));
                    }
                }
            }
        }
        return refs;
    }

    @SuppressWarnings("unchecked")
    static void put(Map<String, Object> target, List<String> path, Object value) {
        Map<String, Object> m = target;
        for (int i = 0; i < path.size() - 1; i++) {
            Object next = m.get(path.get(i));
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                m.put(path.get(i), next);
            }
            m = (Map<String, Object>) next;
        }
        m.put(path.get(path.size() - 1), value);
    }
}
