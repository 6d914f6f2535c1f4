package io.mosaic.es;

import java.util.Map;

/**
 * One item of a bulk request: index, create or delete one document, optionally guarded by an
 * external version ({@code external} or {@code external_gte}) or by {@code if_seq_no}/{@code if_primary_term}.
 * Only the item kinds and guards the write path needs, so that {@link WireFormat} can write them as
 * NDJSON directly.
 *
 * @param document the source for index and create, null for delete
 * @param version the external version, or -1 for none
 * @param ifSeqNo the sequence number the document must have, or -1 for none (then {@code ifPrimaryTerm} is ignored)
 * @param routing the custom routing ({@code _routing}) of the document, or null for the default (by {@code _id}).
 *                Elasticsearch keys a document by routing and id: the same id at another routing is another
 *                document on (usually) another shard, with its own version.
 */
public record BulkAction(Kind kind, String index, String id, Map<String, Object> document,
                         long version, VersionGuard versionGuard, long ifSeqNo, long ifPrimaryTerm, String routing) {

    public BulkAction(Kind kind, String index, String id, Map<String, Object> document,
                      long version, VersionGuard versionGuard, long ifSeqNo, long ifPrimaryTerm) {
        this(kind, index, id, document, version, versionGuard, ifSeqNo, ifPrimaryTerm, null);
    }

    /** This item at {@code routing} (null: the default routing). */
    public BulkAction routed(String routing) {
        return new BulkAction(kind, index, id, document, version, versionGuard, ifSeqNo, ifPrimaryTerm, routing);
    }

    /** The bulk item kinds used. */
    public enum Kind {
        INDEX("index"), CREATE("create"), DELETE("delete");

        final String action;

        Kind(String action) {
            this.action = action;
        }
    }

    /** External versioning: {@code external} rejects an equal version, {@code external_gte} accepts it (replays). */
    public enum VersionGuard {
        EXTERNAL("external"), EXTERNAL_GTE("external_gte");

        final String wire;

        VersionGuard(String wire) {
            this.wire = wire;
        }
    }

    public static BulkAction index(String index, String id, Map<String, Object> document, long version, VersionGuard guard) {
        return new BulkAction(Kind.INDEX, index, id, document, version, guard, -1, -1);
    }

    /** Index only if the document is still at {@code seqNo}/{@code primaryTerm} (optimistic concurrency). */
    public static BulkAction indexIfUnchanged(String index, String id, Map<String, Object> document, long seqNo, long primaryTerm) {
        return new BulkAction(Kind.INDEX, index, id, document, -1, null, seqNo, primaryTerm);
    }

    /** Create only if the document does not exist yet. */
    public static BulkAction create(String index, String id, Map<String, Object> document) {
        return new BulkAction(Kind.CREATE, index, id, document, -1, null, -1, -1);
    }

    /** Delete only if the document is still at {@code seqNo}/{@code primaryTerm} (optimistic concurrency). */
    public static BulkAction deleteIfUnchanged(String index, String id, long seqNo, long primaryTerm) {
        return new BulkAction(Kind.DELETE, index, id, null, -1, null, seqNo, primaryTerm);
    }

    public static BulkAction delete(String index, String id, long version, VersionGuard guard) {
        return new BulkAction(Kind.DELETE, index, id, null, version, guard, -1, -1);
    }
}
