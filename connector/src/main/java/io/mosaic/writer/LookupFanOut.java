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

    /**
     * Writes lookup rows and returns the root keys of every document that refers to one that was written;
     * the rows leave {@code cache} first, so that no batch takes the old row for a first guess.
     */
    Set<String> write(DocumentMapping m, Collection<LookupWrite> writes, LookupCache cache) throws Exception {
        cache.invalidate(m.stateIndex(), writes.stream().map(LookupWrite::id).toList());
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
     * Re-reads the versions of the {@code used} lookup documents (realtime, without their sources) and
     * returns those that differ from what {@code seen} holds, the rows the documents were projected with:
     * found or not, version, sequence number or primary term, so that any write since the first read counts
     * (a replay that rewrites an equal version too). Those leave {@code seen} and the process's
     * {@link LookupCache}, so that the next assembly reads them again with their sources.
     */
    Set<String> changedSince(DocumentMapping m, Set<String> used, Map<String, Doc> seen, LookupCache cache) throws Exception {
        if (used.isEmpty()) {
            return Set.of();
        }
        Set<String> changed = new LinkedHashSet<>();
        for (Doc d : store.versions(m.stateIndex(), used).values()) {
            Doc before = seen.get(d.id());
            if (before == null || before.found() != d.found() || before.version() != d.version() || before.seqNo() != d.seqNo()
                    || before.primaryTerm() != d.primaryTerm()) {
                seen.remove(d.id());
                changed.add(d.id());
            }
        }
        cache.invalidate(m.stateIndex(), changed);
        return changed;
    }
}
