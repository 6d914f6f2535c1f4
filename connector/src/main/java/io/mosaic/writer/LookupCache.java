package io.mosaic.writer;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import io.mosaic.es.ElasticsearchGateway.Doc;

/**
 * Lookup rows (state-index documents of N:1 tables) that earlier batches of this process read, so that
 * a batch reads from Elasticsearch only the lookup rows it has not seen: in a stream, the same few
 * thousand departments and surveys are referred to by every batch.
 *
 * <p>Contract: a cached row is a <em>first guess</em>, never trusted. Whatever a document was projected
 * with, cached or read in the same batch, is re-checked after the document's state write by
 * {@link LookupFanOut#changedSince} (a realtime read of the rows' versions); a row that changed means
 * assembling the document again from a fresh read, and the stale row leaves the cache. The ordering
 * argument of {@link LookupFanOut} therefore holds unchanged: it rests on that re-check, not on where the
 * first read came from. Rows this process writes are dropped, so the next use reads them afresh.
 *
 * <p>Bounded: at most {@code capacity} rows, the least recently used leaving first; 0 turns the cache
 * off. Thread-safe: the sources' batches share it.
 */
final class LookupCache {

    private record Key(String index, String id) {
    }

    private final int capacity;
    private final LinkedHashMap<Key, Doc> rows;

    LookupCache(int capacity) {
        this.capacity = capacity;
        this.rows = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Doc> eldest) {
                return size() > LookupCache.this.capacity;
            }
        };
    }

    /** The cached rows among {@code ids} of {@code index}, by id. */
    synchronized Map<String, Doc> get(String index, Collection<String> ids) {
        Map<String, Doc> hits = new HashMap<>();
        if (capacity == 0) {
            return hits;
        }
        for (String id : ids) {
            Doc d = rows.get(new Key(index, id));
            if (d != null) {
                hits.put(id, d);
            }
        }
        return hits;
    }

    /** Remembers rows just read from {@code index} with their sources. */
    synchronized void put(String index, Map<String, Doc> read) {
        if (capacity == 0) {
            return;
        }
        read.forEach((id, d) -> rows.put(new Key(index, id), d));
    }

    /** Forgets rows of {@code index}: they changed, or this process is writing them. */
    synchronized void invalidate(String index, Collection<String> ids) {
        for (String id : ids) {
            rows.remove(new Key(index, id));
        }
    }

    synchronized int size() {
        return rows.size();
    }
}
