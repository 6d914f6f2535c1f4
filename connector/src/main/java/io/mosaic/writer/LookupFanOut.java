package io.mosaic.writer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.es.BulkAction;
import io.mosaic.es.BulkOutcome;
import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.mapping.Contribution;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.LookupMapping;
import io.mosaic.model.RowChange;

/**
 * N:1 lookup rows (a department, a survey) and the documents they fan out to. A lookup row is written
 * to the state index first, externally versioned by its source version, so that an older change can
 * never win; then every document whose state refers to it is found and re-assembled.
 *
 * <p>Search is not realtime, and a concurrent writer may assemble a document with the old lookup row
 * after this one searched: {@link #changedSince} is the re-check that closes that gap. After a state
 * write, the writer re-reads the lookups it used; one that changed meanwhile means assembling again.
 */
final class LookupFanOut {

    private static final Logger LOG = LoggerFactory.getLogger(LookupFanOut.class);

    /** One lookup row to write. */
    record LookupWrite(String id, LookupMapping lookup, String key, Contribution contribution, RowChange change) {
    }

    private final DocumentStore store;
    private final StateIndex state;
    private final Outcomes outcomes;

    LookupFanOut(DocumentStore store, StateIndex state, Outcomes outcomes) {
        this.store = store;
        this.state = state;
        this.outcomes = outcomes;
    }

    /** Writes lookup rows and returns the root keys of every document that refers to one that was written. */
    Set<String> write(DocumentMapping m, Collection<LookupWrite> writes) throws Exception {
        List<BulkAction> ops = new ArrayList<>();
        List<LookupWrite> order = new ArrayList<>(writes);
        for (LookupWrite w : order) {
            Map<String, Object> body = StateIndex.encodeLookup(w.lookup().table().source(), w.lookup().table().id(), w.key(), w.contribution());
            ops.add(BulkAction.index(m.stateIndex(), w.id(), body, w.contribution().version(), BulkAction.VersionGuard.EXTERNAL_GTE));
        }
        List<BulkOutcome> results = store.write("bulk " + m.stateIndex(), ops);
        outcomes.tally(m.stateIndex(), "lookup", ops, results, (i, o) -> outcomes.deadLetter(m, order.get(i).change(), order.get(i).key(),
                Outcomes.rejected("lookup row", o)));
        Set<String> refs = new LinkedHashSet<>();
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).ok()) {
                refs.add(order.get(i).lookup().ref(order.get(i).key()));
            }
        }
        if (refs.isEmpty()) {
            return Set.of();
        }
        Set<String> keys = state.referringKeys(m.stateIndex(), refs);
        outcomes.fanOut(m.alias(), keys.size());
        LOG.debug("{} lookup change(s) fan out to {} document(s) of {}", refs.size(), keys.size(), m.alias());
        return keys;
    }

    /**
     * Re-reads {@code used} lookup documents (realtime) and returns those that differ from what
     * {@code seen} holds; {@code seen} is updated to the fresh versions.
     */
    Set<String> changedSince(DocumentMapping m, Set<String> used, Map<String, Doc> seen) throws Exception {
        if (used.isEmpty()) {
            return Set.of();
        }
        Set<String> changed = new LinkedHashSet<>();
        for (Doc d : store.get(m.stateIndex(), used).values()) {
            Doc before = seen.get(d.id());
            if (before == null || before.version() != d.version() || before.found() != d.found()) {
                seen.put(d.id(), d);
                changed.add(d.id());
            }
        }
        return changed;
    }
}
