package io.mosaic.mapping;

/** The part a table plays in one document type: its root, one of its collections, or one of its lookups. */
public sealed interface TableRole {

    DocumentMapping document();

    record Root(DocumentMapping document) implements TableRole {
    }

    /**
     * A collection's table; {@code within} is the outer collection of a nested one (whose {@code parent} names
     * the outer collection's key), null for a collection of the root.
     */
    record Child(DocumentMapping document, CollectionMapping collection, CollectionMapping within) implements TableRole {

        public Child(DocumentMapping document, CollectionMapping collection) {
            this(document, collection, null);
        }

        /** Whether this is a nested collection (a grandchild table of the document). */
        public boolean nested() {
            return within != null;
        }
    }

    /** {@code collection} is null for a lookup of the root. */
    record Lookup(DocumentMapping document, LookupMapping lookup, CollectionMapping collection) implements TableRole {
    }
}
