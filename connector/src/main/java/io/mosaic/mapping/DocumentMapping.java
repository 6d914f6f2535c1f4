package io.mosaic.mapping;

import io.mosaic.model.TableRef;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One document type, read from one mapping file: the index it lives in, the root table whose rows
 * are its documents, the root's fields and lookups, and its child collections.
 *
 * @param rootKey the root table's primary key: its text ({@link KeyColumns#of}) is each document's {@code _id}
 * @param routing the root column whose value is the Elasticsearch custom routing ({@code _routing}) of
 *                every public write of the type, or null for the default routing by {@code _id}
 * @param routingLocation where {@code root.routing} is written, for messages (null without routing)
 */
public record DocumentMapping(
        String name,
        Path file,
        String alias,
        int indexVersion,
        Path template,
        TableRef root,
        KeyColumns rootKey,
        List<FieldMapping> fields,
        List<LookupMapping> lookups,
        List<CollectionMapping> collections,
        String rootLocation,
        RowFilter rootFilter,
        String routing,
        String routingLocation) {

    /** The concrete, versioned index the alias points at. */
    public String indexName() {
        return alias + "-v" + indexVersion;
    }

    /** Mosaic's internal index holding each document's source rows and the lookup rows. */
    public String stateIndex() {
        return "mosaic-" + alias + "-state";
    }

    /**
     * Whether the document is a function of its root row alone. Such documents need no state: each
     * change is written directly, versioned by its source position. A routed type is never one: when
     * its routing value changes, the copy at the old routing must be deleted, and only the state knows
     * the old value for certain (a PostgreSQL update carries no old row unless the replica identity is
     * full).
     */
    public boolean isSingleTable() {
        return lookups.isEmpty() && collections.isEmpty() && routing == null;
    }

    /** The columns captured from the root table. */
    public Set<String> rootColumns() {
        Set<String> out = new LinkedHashSet<>();
        out.addAll(rootKey.columns());
        fields.forEach(f -> out.addAll(f.expr().columns()));
        out.addAll(rootFilter.columns());
        lookups.forEach(l -> out.addAll(l.on().columns()));
        if (routing != null) {
            out.add(routing);
        }
        return out;
    }

    /** Every lookup of this document, those of the root and those of its collections. */
    public List<LookupMapping> allLookups() {
        List<LookupMapping> out = new ArrayList<>(lookups);
        collections.forEach(c -> out.addAll(c.lookups()));
        return out;
    }

    /** Whether some collection holds nested collections (see {@link CollectionMapping}). */
    public boolean hasNested() {
        return collections.stream().anyMatch(CollectionMapping::hasNested);
    }

    /** Every source this document takes rows from. */
    public Set<String> sources() {
        Set<String> out = new LinkedHashSet<>();
        out.add(root.source());
        allLookups().forEach(l -> out.add(l.table().source()));
        collections.forEach(c -> {
            out.add(c.table().source());
            c.collections().forEach(n -> out.add(n.table().source()));
        });
        return out;
    }
}
