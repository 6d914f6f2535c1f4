package io.mosaic.mapping;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything Mosaic knows under one element of a collection that holds nested collections (one contract of
 * {@code contracts[]}): the rows of each nested collection whose parent is the element's key, each with its
 * own source version (tombstones included), and the element's <i>owner</i>, the root key of the document the
 * element's row belongs to, with the version of the element row that said so. Kept in the state index beside
 * the document states (see {@code io.mosaic.writer.NestedWrites}): a nested row carries only its element's key,
 * and the owner is how its change finds its document.
 *
 * <p>The group does not depend on its element existing: rows that arrive before their element are kept
 * here, and stay when the element is deleted (its owner becomes none), so an element that comes back, or
 * moves to another document, brings them along.
 */
public final class NestedGroup {

    private final String collection;
    private final String key;
    private long ownerVersion = -1;
    private String owner;
    private final Map<String, Map<String, Contribution>> rows = new TreeMap<>();

    /** @param collection the outer collection's name; {@code key} the element's key text */
    public NestedGroup(String collection, String key) {
        this.collection = collection;
        this.key = key;
    }

    public String collection() {
        return collection;
    }

    public String key() {
        return key;
    }

    /** The root key of the document the element belongs to; null when unknown (not seen yet) or none (deleted, no parent). */
    public String owner() {
        return owner;
    }

    /** The version of the element row that set {@link #owner()}; -1 before any. */
    public long ownerVersion() {
        return ownerVersion;
    }

    /**
     * Records the element row at {@code version} saying its document is {@code owner} (null: deleted, or no parent);
     * returns whether it was new enough to apply (an equal version applies, as a replay must).
     */
    public boolean applyOwner(long version, String owner) {
        if (version < ownerVersion) {
            return false;
        }
        ownerVersion = version;
        this.owner = owner;
        return true;
    }

    /** The rows of one nested collection by key, tombstones included. */
    public Map<String, Contribution> rows(String nested) {
        return rows.getOrDefault(nested, Map.of());
    }

    public Map<String, Map<String, Contribution>> allRows() {
        return rows;
    }

    /** Applies a change to one nested row; returns whether it was new enough to apply. */
    public boolean applyRow(String nested, String rowKey, Contribution contribution) {
        Map<String, Contribution> map = rows.computeIfAbsent(nested, k -> new TreeMap<>());
        Contribution current = map.get(rowKey);
        if (current != null && !current.acceptsVersion(contribution.version())) {
            return false;
        }
        map.put(rowKey, contribution);
        return true;
    }

    @Override
    public String toString() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("collection", collection);
        m.put("key", key);
        m.put("owner", owner);
        m.put("ownerVersion", ownerVersion);
        m.put("rows", rows);
        return m.toString();
    }
}
