package io.mosaic.mapping;

/** The part a table plays in one document type: its root, one of its collections, or one of its lookups. */
public sealed interface TableRole {

    DocumentMapping document();

    record Root(DocumentMapping document) implements TableRole {
    }

    record Child(DocumentMapping document, CollectionMapping collection) implements TableRole {
    }

    /** {@code collection} is null for a lookup of the root. */
    record Lookup(DocumentMapping document, LookupMapping lookup, CollectionMapping collection) implements TableRole {
    }
}
