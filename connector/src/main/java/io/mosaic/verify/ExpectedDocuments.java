package io.mosaic.verify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mosaic.mapping.CollectionMapping;
import io.mosaic.mapping.Contribution;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.DocumentState;
import io.mosaic.mapping.LookupMapping;
import io.mosaic.mapping.ProjectionException;
import io.mosaic.mapping.Projector;

/**
 * The documents the sources' current rows give, assembled by the writer's own {@link Projector} from a
 * {@link DocumentState} filled with those rows: verify checks the pipeline against the mapping's meaning,
 * not against a second implementation of it. One range of root rows at a time, inside the reader's
 * snapshots; the rows it read are kept with the documents, for a repair.
 */
final class ExpectedDocuments {

    /**
     * The rows of one range: root rows by key, child rows by collection and root key, lookup rows by table
     * and key, and the lookup keys the rows refer to by table (some may have no row).
     */
    record Rows(Map<String, Map<String, Object>> roots, Map<String, Map<String, List<Map<String, Object>>>> children,
                Map<String, Map<String, Map<String, Object>>> lookups, Map<String, Set<String>> referred,
                Map<String, Map<String, List<Map<String, Object>>>> nested) {

        Rows(Map<String, Map<String, Object>> roots, Map<String, Map<String, List<Map<String, Object>>>> children,
             Map<String, Map<String, Map<String, Object>>> lookups, Map<String, Set<String>> referred) {
            this(roots, children, lookups, referred, Map.of());
        }

        List<Map<String, Object>> children(String collection, String rootKey) {
            return children.getOrDefault(collection, Map.of()).getOrDefault(rootKey, List.of());
        }

        /** The rows of nested collection {@code nested} under element {@code outerKey} of {@code outer}. */
        List<Map<String, Object>> nested(CollectionMapping outer, CollectionMapping nested, String outerKey) {
            return this.nested.getOrDefault(nestedName(outer, nested), Map.of()).getOrDefault(outerKey, List.of());
        }
    }

    static String nestedName(CollectionMapping outer, CollectionMapping nested) {
        return outer.name() + "." + nested.name();
    }

    /** A document that cannot be assembled (the writer dead-letters it): skipped, not compared. */
    static final Map<String, Object> UNPROJECTABLE = Map.of();

    private ExpectedDocuments() {
    }

    /** Reads, in the reader's current snapshots, the child and lookup rows of the documents of {@code roots}. */
    static Rows read(SourceReader reader, DocumentMapping m, Collection<Map<String, Object>> roots, Set<String> keysWithoutRoot)
            throws Exception {
        Map<String, Map<String, Object>> byKey = new LinkedHashMap<>();
        for (Map<String, Object> r : roots) {
            byKey.put(m.rootKey().of(r), r);
        }
        Set<String> keys = new LinkedHashSet<>(byKey.keySet());
        keys.addAll(keysWithoutRoot);
        Map<String, Map<String, List<Map<String, Object>>>> children = new HashMap<>();
        Map<String, Map<String, List<Map<String, Object>>>> nested = new HashMap<>();
        Map<String, Set<String>> lookupKeys = new LinkedHashMap<>();
        for (LookupMapping l : m.lookups()) {
            roots.forEach(r -> addKey(lookupKeys, l, r));
        }
        for (CollectionMapping c : m.collections()) {
            Map<String, List<Map<String, Object>>> perRoot = new HashMap<>();
            if (!keys.isEmpty()) {
                for (Map<String, Object> row : reader.rowsWhere(c.table(), c.parent(), keys)) {
                    perRoot.computeIfAbsent(c.parent().of(row), k -> new ArrayList<>()).add(row);
                    for (LookupMapping l : c.lookups()) {
                        addKey(lookupKeys, l, row);
                    }
                }
            }
            children.put(c.name(), perRoot);
            // the nested rows of these elements, by the element's key (their parent names it, not the root)
            Set<String> elementKeys = new LinkedHashSet<>();
            perRoot.values().forEach(rows -> rows.forEach(r -> elementKeys.add(c.key().of(r))));
            elementKeys.remove(null);
            for (CollectionMapping n : c.collections()) {
                Map<String, List<Map<String, Object>>> perElement = new HashMap<>();
                if (!elementKeys.isEmpty()) {
                    for (Map<String, Object> row : reader.rowsWhere(n.table(), n.parent(), elementKeys)) {
                        perElement.computeIfAbsent(n.parent().of(row), k -> new ArrayList<>()).add(row);
                    }
                }
                nested.put(nestedName(c, n), perElement);
            }
        }
        Map<String, Map<String, Map<String, Object>>> lookups = new HashMap<>();
        Map<String, Set<String>> referred = new HashMap<>();
        for (LookupMapping l : m.allLookups()) {
            Set<String> wanted = lookupKeys.getOrDefault(l.table().id() + "#" + l.key(), Set.of());
            referred.computeIfAbsent(l.table().id(), k -> new LinkedHashSet<>()).addAll(wanted);
            Map<String, Map<String, Object>> rows = lookups.computeIfAbsent(l.table().id(), k -> new HashMap<>());
            List<String> todo = wanted.stream().filter(k -> !rows.containsKey(k)).toList();
            if (!todo.isEmpty()) {
                for (Map<String, Object> row : reader.rowsWhere(l.table(), l.key(), todo)) {
                    rows.put(l.key().of(row), row);
                }
            }
        }
        return new Rows(byKey, children, lookups, referred, nested);
    }

    private static void addKey(Map<String, Set<String>> lookupKeys, LookupMapping l, Map<String, Object> row) {
        String key = l.on().of(row);
        if (key != null) {
            lookupKeys.computeIfAbsent(l.table().id() + "#" + l.key(), k -> new LinkedHashSet<>()).add(key);
        }
    }

    /**
     * The expected document of {@code key}: null when its root row does not exist, {@link #UNPROJECTABLE}
     * when the writer could not assemble it either.
     */
    static Map<String, Object> document(DocumentMapping m, Rows rows, String key) {
        Map<String, Object> root = rows.roots().get(key);
        if (root == null) {
            return null;
        }
        DocumentState state = new DocumentState(key);
        state.setRoot(new Contribution(0, false, root));
        for (CollectionMapping c : m.collections()) {
            for (Map<String, Object> child : rows.children(c.name(), key)) {
                state.applyChild(c.name(), c.key().of(child), new Contribution(0, false, child));
            }
        }
        try {
            if (m.isSingleTable()) {
                if (!m.rootFilter().matches(root)) {
                    return null; // the root filter says: no document
                }
                return Projector.projectRow(m.fields(), List.of(), root, (t, k) -> null, m.root());
            }
            return Projector.project(m, state, (table, lookupKey) -> rows.lookups().getOrDefault(table.id(), Map.of()).get(lookupKey),
                    (outer, n, outerKey) -> {
                        Map<String, Contribution> out = new java.util.TreeMap<>();
                        for (Map<String, Object> row : rows.nested(outer, n, outerKey)) {
                            out.put(n.key().of(row), new Contribution(0, false, row));
                        }
                        return out;
                    });
        } catch (ProjectionException e) {
            return UNPROJECTABLE;
        }
    }
}
