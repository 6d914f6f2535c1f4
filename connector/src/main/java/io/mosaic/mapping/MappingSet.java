package io.mosaic.mapping;

import io.mosaic.model.TableRef;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * All document types together, indexed by table: which roles each captured table plays and which of
 * its columns are needed. Only those columns are captured (deny by default), so an unmapped column
 * such as a national ID number never enters Mosaic.
 */
public final class MappingSet {

    private final List<DocumentMapping> documents;
    private final Map<String, TableRef> tables = new LinkedHashMap<>();
    private final Map<String, List<TableRole>> roles = new LinkedHashMap<>();
    private final Map<String, Set<String>> columns = new LinkedHashMap<>();
    private final Map<String, Map<String, List<String>>> uses = new LinkedHashMap<>();

    public MappingSet(List<DocumentMapping> documents) {
        this.documents = List.copyOf(documents);
        for (DocumentMapping d : documents) {
            add(d.root(), new TableRole.Root(d), d.rootColumns());
            use(d.root(), d.rootKey(), "the root key of document '" + d.name() + "' (" + d.file() + ", root.key)");
            uses(d.root(), d.fields(), d.name());
            for (LookupMapping l : d.lookups()) {
                add(l.table(), new TableRole.Lookup(d, l, null), l.columns());
                lookupUses(d, d.root(), l);
            }
            for (CollectionMapping c : d.collections()) {
                add(c.table(), new TableRole.Child(d, c), c.columns());
                use(c.table(), c.key(), "the key of collection '" + c.name() + "' (" + c.location() + ")");
                use(c.table(), c.parent(), "the parent column of collection '" + c.name() + "' (" + c.location() + ")");
                uses(c.table(), c.rowFields(), d.name());
                for (LookupMapping l : c.lookups()) {
                    add(l.table(), new TableRole.Lookup(d, l, c), l.columns());
                    lookupUses(d, c.table(), l);
                }
                for (CollectionMapping n : c.collections()) {
                    add(n.table(), new TableRole.Child(d, n, c), n.columns());
                    use(n.table(), n.key(), "the key of nested collection '" + c.name() + "." + n.name() + "' (" + n.location() + ")");
                    use(n.table(), n.parent(), "the parent column of nested collection '" + c.name() + "." + n.name() + "' ("
                            + n.location() + ")");
                    uses(n.table(), n.rowFields(), d.name());
                    n.filter().conditions().forEach(f -> use(n.table(), f.column(), "the filter of nested collection '" + c.name() + "."
                            + n.name() + "' (" + f.location() + ")"));
                }
            }
        }
    }

    private void lookupUses(DocumentMapping d, TableRef owner, LookupMapping l) {
        use(owner, l.on(), "the 'on' column of lookup '" + l.name() + "' (" + l.location() + ")");
        use(l.table(), l.key(), "the key of lookup '" + l.name() + "' (" + l.location() + ")");
        uses(l.table(), l.fields(), d.name());
    }

    private void uses(TableRef table, List<FieldMapping> fields, String document) {
        for (FieldMapping f : fields) {
            for (String column : f.expr().columns()) {
                use(table, column, "field '" + f.name() + "' of document '" + document + "' (" + f.location() + ")");
            }
        }
    }

    private void use(TableRef table, KeyColumns columns, String what) {
        columns.columns().forEach(c -> use(table, c, what));
    }

    private void use(TableRef table, String column, String what) {
        List<String> list = uses.computeIfAbsent(table.id(), k -> new LinkedHashMap<>()).computeIfAbsent(column, k -> new ArrayList<>());
        if (!list.contains(what)) {
            list.add(what);
        }
    }

    private void add(TableRef table, TableRole role, Set<String> cols) {
        tables.putIfAbsent(table.id(), table);
        roles.computeIfAbsent(table.id(), k -> new ArrayList<>()).add(role);
        columns.computeIfAbsent(table.id(), k -> new LinkedHashSet<>()).addAll(cols);
    }

    /**
     * Where the mappings read each captured column of a table: for every column, what reads it with its
     * mapping file and line, such as {@code field 'name.family' of document 'employee' (employees.yaml:17)}.
     * A message about a column that disappeared from the source names these.
     */
    public Map<String, List<String>> columnUses(String tableId) {
        return Collections.unmodifiableMap(uses.getOrDefault(tableId, Map.of()));
    }

    public List<DocumentMapping> documents() {
        return documents;
    }

    public List<TableRole> roles(String tableId) {
        return roles.getOrDefault(tableId, List.of());
    }

    /** The columns captured from a table: its keys and every column a mapping reads. */
    public Set<String> columns(String tableId) {
        return Collections.unmodifiableSet(columns.getOrDefault(tableId, Set.of()));
    }

    /**
     * The tables captured from one source: those that serve as lookups first, then the rest, each
     * group in mapping order. Debezium snapshots tables in this (include-list) order, so lookup rows
     * are in place before the documents that refer to them arrive: a lookup row snapshotted after
     * its documents would fan out to every one of them and assemble each a second time.
     */
    public List<TableRef> tables(String source) {
        List<TableRef> out = new ArrayList<>();
        for (boolean lookups : new boolean[] {true, false}) {
            for (TableRef t : tables.values()) {
                if (t.source().equals(source) && isLookup(t.id()) == lookups) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    private boolean isLookup(String tableId) {
        return roles(tableId).stream().anyMatch(r -> r instanceof TableRole.Lookup);
    }

    public List<TableRef> allTables() {
        return List.copyOf(tables.values());
    }

    /** Sources that some mapping reads. */
    public Set<String> sources() {
        Set<String> out = new LinkedHashSet<>();
        tables.values().forEach(t -> out.add(t.source()));
        return out;
    }
}
