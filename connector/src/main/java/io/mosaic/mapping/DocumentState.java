package io.mosaic.mapping;

import io.mosaic.model.RowChange;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything Mosaic knows about one document: its root row and its child rows, each with its own
 * source version, whether or not the root row exists yet. Kept in Mosaic's state index; the public
 * document is derived from it. {@code seq} counts the state's writes and versions the public document.
 */
public final class DocumentState {

    private final String rootKey;
    private long seq;
    private Contribution root;
    private String routing;
    private String formerRouting;
    private final Map<String, Map<String, Contribution>> children = new TreeMap<>();

    public DocumentState(String rootKey) {
        this.rootKey = rootKey;
    }

    public String rootKey() {
        return rootKey;
    }

    public long seq() {
        return seq;
    }

    public void seq(long seq) {
        this.seq = seq;
    }

    /**
     * For a routed document type: the routing the public document was last assembled at (kept after its
     * root row is deleted, so that the delete finds it), or null before any.
     */
    public String routing() {
        return routing;
    }

    /**
     * The routing before the last change of {@link #routing()}, at which a stale copy may still exist
     * until a publish deleted it; null if the routing never changed. Kept until the routing changes
     * again: a batch replayed after a crash between the state write and the public write must still
     * delete there (the replay carries the root row at the version the state already has), and a state
     * cannot know whether that delete was acknowledged.
     */
    public String formerRouting() {
        return formerRouting;
    }

    /** Records that the document is now at {@code routing}; a different previous one becomes the former. */
    public void routeTo(String routing) {
        if (this.routing != null && !this.routing.equals(routing)) {
            formerRouting = this.routing;
        }
        this.routing = routing;
    }

    /** Restores the stored routings, as read back from the state index. */
    public void routings(String routing, String formerRouting) {
        this.routing = routing;
        this.formerRouting = formerRouting;
    }

    public Contribution root() {
        return root;
    }

    /** Whether the document exists: its root row is present. */
    public boolean rootPresent() {
        return root != null && root.present();
    }

    /** The children of one collection, keyed by child key; includes tombstones. */
    public Map<String, Contribution> children(String collection) {
        return children.getOrDefault(collection, Map.of());
    }

    public Map<String, Map<String, Contribution>> allChildren() {
        return children;
    }

    /** Applies a change to the root row; returns whether it was new enough to apply. */
    public boolean applyRoot(RowChange change) {
        if (root != null && !root.acceptsVersion(change.version())) {
            return false;
        }
        root = Contribution.of(change);
        return true;
    }

    public void setRoot(Contribution contribution) {
        root = contribution;
    }

    /** Applies a contribution to one child; returns whether it was new enough to apply. */
    public boolean applyChild(String collection, String childKey, Contribution contribution) {
        Map<String, Contribution> map = children.computeIfAbsent(collection, k -> new TreeMap<>());
        Contribution current = map.get(childKey);
        if (current != null && !current.acceptsVersion(contribution.version())) {
            return false;
        }
        map.put(childKey, contribution);
        return true;
    }

    /** Whether nothing but tombstones is left, so the state carries no information worth keeping. */
    public boolean isEmpty() {
        if (root != null && root.present()) {
            return false;
        }
        for (Map<String, Contribution> m : children.values()) {
            for (Contribution c : m.values()) {
                if (c.present()) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public String toString() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", rootKey);
        m.put("seq", seq);
        m.put("root", root);
        m.put("children", children);
        return m.toString();
    }
}
