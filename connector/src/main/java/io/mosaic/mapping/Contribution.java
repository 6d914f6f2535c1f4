package io.mosaic.mapping;

import io.mosaic.model.RowChange;

import java.util.Map;

/**
 * What one source row contributes to a document, with the version (source position) it was last
 * changed at. A deleted row stays as a tombstone carrying its version, so that an older change
 * replayed later cannot bring it back.
 */
public record Contribution(long version, boolean deleted, Map<String, Object> row) {

    public static Contribution of(RowChange change) {
        return change.op() == RowChange.Op.DELETE
                ? new Contribution(change.version(), true, null)
                : new Contribution(change.version(), false, change.after());
    }

    public boolean present() {
        return !deleted && row != null;
    }

    /**
     * Whether a change at {@code version} applies over this contribution. An equal version applies too:
     * a replayed change must be able to finish what a crash interrupted (such as the public write).
     */
    public boolean acceptsVersion(long incoming) {
        return incoming >= version;
    }
}
