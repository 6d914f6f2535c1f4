package io.mosaic.writer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mosaic.es.BulkAction;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.ProjectionException;
import io.mosaic.mapping.Projector;
import io.mosaic.model.RowChange;

/**
 * Documents made of their root row alone: each change is written directly, with its source version
 * as an {@code external_gte} version, so that an older change can never overwrite a newer one and a
 * replayed one is harmless. Within a batch only the last change per key is written.
 */
final class DirectWrites {

    private final DocumentStore store;
    private final Outcomes outcomes;

    DirectWrites(DocumentStore store, Outcomes outcomes) {
        this.store = store;
        this.outcomes = outcomes;
    }

    void write(DocumentMapping m, List<RowChange> changes) throws Exception {
        Map<String, RowChange> latest = new LinkedHashMap<>();
        for (RowChange c : changes) {
            String key = m.rootKey().of(c.row());
            if (key == null) {
                outcomes.deadLetter(m, c, null, "the row has no value for the key " + m.rootKey().phrase());
                continue;
            }
            latest.remove(key); // keeps the map in the order of the last change per key
            latest.put(key, c);
        }
        List<BulkAction> ops = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, RowChange> e : latest.entrySet()) {
            RowChange c = e.getValue();
            if (c.op() == RowChange.Op.DELETE || !m.rootFilter().matches(c.after())) {
                // gone, or no longer passing the root filter: either way no document, at this version
                ops.add(BulkAction.delete(m.alias(), e.getKey(), c.version(), BulkAction.VersionGuard.EXTERNAL_GTE));
            } else {
                Map<String, Object> doc;
                try {
                    doc = Projector.projectRow(m.fields(), List.of(), c.after(), (t, k) -> null, m.root());
                } catch (ProjectionException ex) {
                    outcomes.deadLetter(m, c, e.getKey(), ex.getMessage());
                    continue;
                }
                doc.put("mosaic", Map.of("source", c.table().source(), "version", c.version()));
                ops.add(BulkAction.index(m.alias(), e.getKey(), doc, c.version(), BulkAction.VersionGuard.EXTERNAL_GTE));
            }
            keys.add(e.getKey());
        }
        outcomes.tally(m.alias(), "document", ops, store.write("bulk " + m.alias(), ops), (i, o) ->
                outcomes.deadLetter(m, latest.get(keys.get(i)), keys.get(i), Outcomes.rejected("document", o)));
    }

    /** The keys of the type's documents written from {@code source} before {@code version}, for the snapshot sweep. */
    void keysOlderThan(DocumentMapping m, long version, KeyConsumer consumer) throws Exception {
        store.refresh(m.alias());
        store.search(m.alias(), Map.of("range", Map.of("mosaic.version", Map.of("lt", version))), false, d -> consumer.accept(d.id()));
    }

    /** Receives document keys. */
    @FunctionalInterface
    interface KeyConsumer {
        void accept(String key) throws Exception;
    }
}
