package io.mosaic.mapping;

import io.mosaic.model.TableRef;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A 1:N child collection: every row of {@code table} whose {@code parent} column equals the root key
 * becomes one element of the array at {@code path}; elements are keyed (and ordered) by {@code key}.
 * The child table may live in another source than the root.
 *
 * <p>An element is an object of {@code fields} and {@code lookups}, or, when {@code value} is set (a
 * {@code value:} collection), the single value that field expression gives for the row: an array of
 * scalars such as {@code ["衛生管理者", "危険物取扱者"]}. Such a collection has no fields and no lookups,
 * and a row whose value is null contributes no element.
 *
 * <p>{@code key} is the child table's primary key (one or several columns); {@code parent} names as many
 * columns as the root key has, matched by position, and holds the root key of the row's document.
 *
 * <p><b>Nested collections.</b> An object collection may hold {@code collections} of its own (one level: a
 * nested collection holds none). Each element of the outer collection then carries, at the nested
 * collection's {@code path} (relative to the element), the rows of the nested table whose {@code parent}
 * names the element's {@code key}: the parent of a nested collection is the outer collection's key, not the
 * root's, so a grandchild row ({@code contract_allowances(contract_id, ...)}) needs no root column. How the
 * writer finds the document of such a row: {@code io.mosaic.writer.NestedWrites}.
 */
public record CollectionMapping(String name, List<String> path, TableRef table, KeyColumns key, KeyColumns parent,
                                List<FieldMapping> fields, List<LookupMapping> lookups, String location,
                                String tableLocation, RowFilter filter, FieldMapping value, List<CollectionMapping> collections) {

    public CollectionMapping {
        collections = collections == null ? List.of() : List.copyOf(collections);
    }

    /** A collection without nested collections. */
    public CollectionMapping(String name, List<String> path, TableRef table, KeyColumns key, KeyColumns parent,
                             List<FieldMapping> fields, List<LookupMapping> lookups, String location,
                             String tableLocation, RowFilter filter, FieldMapping value) {
        this(name, path, table, key, parent, fields, lookups, location, tableLocation, filter, value, List.of());
    }

    /** An object collection (elements are objects of {@code fields}). */
    public CollectionMapping(String name, List<String> path, TableRef table, KeyColumns key, KeyColumns parent,
                             List<FieldMapping> fields, List<LookupMapping> lookups, String location,
                             String tableLocation, RowFilter filter) {
        this(name, path, table, key, parent, fields, lookups, location, tableLocation, filter, null);
    }

    /** Whether the elements hold nested collections of their own. */
    public boolean hasNested() {
        return !collections.isEmpty();
    }

    /** Whether each element is one scalar value (a {@code value:} collection) rather than an object. */
    public boolean scalar() {
        return value != null;
    }

    /** The columns captured from the child table. */
    public Set<String> columns() {
        Set<String> out = new LinkedHashSet<>();
        out.addAll(key.columns());
        out.addAll(parent.columns());
        fields.forEach(f -> out.addAll(f.expr().columns()));
        if (value != null) {
            out.addAll(value.expr().columns());
        }
        out.addAll(filter.columns());
        lookups.forEach(l -> out.addAll(l.on().columns()));
        return out;
    }

    /** The field expressions evaluated on the child rows: {@code fields}, or the {@code value}. */
    public List<FieldMapping> rowFields() {
        return value == null ? fields : List.of(value);
    }
}
