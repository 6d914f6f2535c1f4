package io.mosaic.mapping;

import io.mosaic.model.TableRef;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An N:1 lookup: the row of {@code table} whose {@code key} equals the owner row's {@code on} column.
 * Its fields go into the object at {@code as} (null when {@code on} is null), or straight into the
 * owner when {@code as} is empty. {@code key} may have several columns (a composite key); {@code on} then
 * names as many columns of the owner row, matched by position, and a null in any of them refers to no row.
 * A change to a lookup row fans out to every document referring to it.
 */
public record LookupMapping(String name, TableRef table, KeyColumns key, KeyColumns on, List<String> as,
                            List<FieldMapping> fields, String location, String tableLocation) {

    /** The columns captured from the lookup table. */
    public Set<String> columns() {
        Set<String> out = new LinkedHashSet<>();
        out.addAll(key.columns());
        fields.forEach(f -> out.addAll(f.expr().columns()));
        return out;
    }

    /** The reference a document keeps for a lookup row it uses; fan-out finds documents by it. */
    public String ref(String lookupKey) {
        return table.id() + ":" + lookupKey;
    }
}
