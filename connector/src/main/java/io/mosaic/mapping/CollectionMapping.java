package io.mosaic.mapping;

import io.mosaic.model.TableRef;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A 1:N child collection: every row of {@code table} whose {@code parent} column equals the root key
 * becomes one element of the array at {@code path}; elements are keyed (and ordered) by {@code key}.
 * The child table may live in another source than the root.
 */
public record CollectionMapping(String name, List<String> path, TableRef table, String key, String parent,
                                List<FieldMapping> fields, List<LookupMapping> lookups, String location,
                                String tableLocation, RowFilter filter) {

    /** The columns captured from the child table. */
    public Set<String> columns() {
        Set<String> out = new LinkedHashSet<>();
        out.add(key);
        out.add(parent);
        fields.forEach(f -> out.addAll(f.expr().columns()));
        out.addAll(filter.columns());
        lookups.forEach(l -> out.add(l.on()));
        return out;
    }
}
