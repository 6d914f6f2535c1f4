package io.mosaic.writer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.mosaic.es.BulkAction;
import io.mosaic.es.BulkOutcome;
import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.es.ElasticsearchGateway.DocConsumer;
import io.mosaic.es.ElasticsearchGateway;

/**
 * A {@link DocumentStore} in memory, for unit tests of the writer's algorithm: it keeps the guards
 * as Elasticsearch does (external and external_gte versions, if_seq_no, create-only, delete
 * tombstones that keep their version), realtime gets, and search that sees only what the last refresh
 * made visible. It understands the few queries the writer sends (term, terms, range lt, bool filter
 * and must_not, match_all). {@link #beforeWrite} lets a test act as a concurrent writer.
 *
 * <p>Documents are keyed by shard and id, as Elasticsearch keys them: the routing picks the shard, and a
 * shard keys a document by {@code _id} alone, with one version per copy. By default every routing is a
 * shard of its own, so the same id written at two routings is two documents, each with its own version,
 * and a test sees a copy left behind at an old routing; {@link #oneShard()} puts every routing on one
 * shard, where a delete at one routing removes the document written at another. {@link #get} names no
 * routing: it sees only the copy at the default routing.
 */
final class InMemoryDocumentStore implements DocumentStore {

    /** A stored document; {@code source == null} is a delete tombstone that keeps its version. */
    record Stored(Map<String, Object> source, long version, long seqNo, String routing) {
    }

    /** True: every routing shares one shard, as two routing values hashing to the same shard do. */
    private final boolean oneShard;

    InMemoryDocumentStore() {
        this(false);
    }

    private InMemoryDocumentStore(boolean oneShard) {
        this.oneShard = oneShard;
    }

    /** A store of one shard: documents keyed by id alone, whatever their routing. */
    static InMemoryDocumentStore oneShard() {
        return new InMemoryDocumentStore(true);
    }

    private final Map<String, Map<String, Stored>> live = new HashMap<>();
    private final Map<String, Map<String, Stored>> searchable = new HashMap<>();
    private long seqNo;

    /** The key of a copy: the id on the default shard, else shard (here: the routing) and id. */
    private String key(String routing, String id) {
        return routing == null || oneShard ? id : routing + "\u0000" + id;
    }

    private static String idOf(String key) {
        return key.substring(key.indexOf('\u0000') + 1);
    }
    /** Items written, per index, for tests that count round trips. */
    final Map<String, Integer> itemsWritten = new TreeMap<>();
    /** Called with every bulk item just before it is applied. */
    Consumer<BulkAction> beforeWrite = a -> { };

    /** Ids read with their sources ({@link #get}, not {@link #versions}), per index, for tests that count reads. */
    final Map<String, List<String>> sourceReads = new HashMap<>();

    @Override
    public synchronized Map<String, Doc> get(String index, Collection<String> ids) {
        sourceReads.computeIfAbsent(index, k -> new ArrayList<>()).addAll(ids);
        return read(index, ids);
    }

    @Override
    public synchronized Map<String, Doc> versions(String index, Collection<String> ids) {
        Map<String, Doc> out = new LinkedHashMap<>();
        read(index, ids).forEach((id, d) -> out.put(id, d.withoutSource()));
        return out;
    }

    private Map<String, Doc> read(String index, Collection<String> ids) {
        Map<String, Doc> out = new LinkedHashMap<>();
        for (String id : ids) {
            Stored s = live.getOrDefault(index, Map.of()).get(id);
            out.put(id, s == null || s.source() == null ? new Doc(id, false, null, -1, -1, -1)
                    : new Doc(id, true, copy(s.source()), s.seqNo(), 1, s.version()));
        }
        return out;
    }

    @Override
    public List<BulkOutcome> write(String what, List<BulkAction> actions) {
        List<BulkOutcome> out = new ArrayList<>();
        for (BulkAction a : actions) {
            beforeWrite.accept(a);
            out.add(apply(a));
        }
        return out;
    }

    /** Applies one item as Elasticsearch would; public to the tests so that they can write behind the writer's back. */
    synchronized BulkOutcome apply(BulkAction a) {
        Map<String, Stored> docs = live.computeIfAbsent(a.index(), k -> new HashMap<>());
        String key = key(a.routing(), a.id());
        Stored current = docs.get(key);
        boolean exists = current != null && current.source() != null;
        long version;
        if (a.versionGuard() != null) {
            boolean stale = current != null && (a.versionGuard() == BulkAction.VersionGuard.EXTERNAL
                    ? current.version() >= a.version() : current.version() > a.version());
            if (stale) {
                return conflict();
            }
            version = a.version();
        } else if (a.ifSeqNo() >= 0) {
            if (!exists || current.seqNo() != a.ifSeqNo()) {
                return conflict();
            }
            version = current.version() + 1;
        } else if (a.kind() == BulkAction.Kind.CREATE) {
            if (exists) {
                return conflict();
            }
            version = 1;
        } else {
            version = current == null ? 1 : current.version() + 1;
        }
        itemsWritten.merge(a.index(), 1, Integer::sum);
        long seq = ++seqNo;
        if (a.kind() == BulkAction.Kind.DELETE) {
            docs.put(key, new Stored(null, version, seq, a.routing()));
            return new BulkOutcome(exists ? 200 : 404, null, null, seq, 1);
        }
        docs.put(key, new Stored(copy(a.document()), version, seq, a.routing()));
        return new BulkOutcome(exists ? 200 : 201, null, null, seq, 1);
    }

    private static BulkOutcome conflict() {
        return new BulkOutcome(409, "version_conflict_engine_exception", "a newer version exists", -1, -1);
    }

    @Override
    public synchronized void refresh(String index) {
        Map<String, Stored> view = new HashMap<>();
        live.getOrDefault(index, Map.of()).forEach((id, s) -> {
            if (s.source() != null) {
                view.put(id, s);
            }
        });
        searchable.put(index, view);
    }

    @Override
    public void search(String index, Map<String, Object> query, boolean withSource, DocConsumer consumer) throws Exception {
        List<Doc> hits = new ArrayList<>();
        synchronized (this) {
            new TreeMap<>(searchable.getOrDefault(index, Map.of())).forEach((key, s) -> {
                if (matches(query, s)) {
                    hits.add(new Doc(idOf(key), true, withSource ? copy(s.source()) : null, s.seqNo(), 1, s.version()));
                }
            });
        }
        for (Doc d : hits) {
            consumer.accept(d);
        }
    }

    /** The public or state document as the writer left it (realtime), or null. */
    synchronized Map<String, Object> doc(String index, String id) {
        Stored s = live.getOrDefault(index, Map.of()).get(id);
        return s == null || s.source() == null ? null : copy(s.source());
    }

    /** The document at {@code routing} (null: the default routing) as the writer left it (realtime), or null. */
    synchronized Map<String, Object> doc(String index, String routing, String id) {
        Stored s = live.getOrDefault(index, Map.of()).get(key(routing, id));
        return s == null || s.source() == null ? null : copy(s.source());
    }

    /** The ids of the live documents of an index, at any routing: an id live at two routings is listed twice. */
    synchronized List<String> ids(String index) {
        List<String> out = new ArrayList<>();
        new TreeMap<>(live.getOrDefault(index, Map.of())).forEach((key, s) -> {
            if (s.source() != null) {
                out.add(idOf(key));
            }
        });
        return out;
    }

    /** The routings (null for the default) at which {@code id} is live in {@code index}. */
    synchronized List<String> routings(String index, String id) {
        List<String> out = new ArrayList<>();
        live.getOrDefault(index, Map.of()).forEach((key, s) -> {
            if (s.source() != null && idOf(key).equals(id)) {
                out.add(s.routing());
            }
        });
        return out;
    }

    /** Every write is visible after the next refresh, and there is no failover: the last sequence number given. */
    @Override
    public synchronized OptionalLong checkpoint(String index) {
        return checkpointReadable ? OptionalLong.of(seqNo) : OptionalLong.empty();
    }

    /** False: {@link #checkpoint} is empty, as for a role without the monitor privilege. */
    volatile boolean checkpointReadable = true;

    @SuppressWarnings("unchecked")
    private static boolean matches(Map<String, Object> query, Stored stored) {
        Map<String, Object> source = stored.source();
        Map.Entry<String, Object> q = query.entrySet().iterator().next();
        Map<String, Object> body = (Map<String, Object>) q.getValue();
        switch (q.getKey()) {
            case "match_all":
                return true;
            case "term": {
                Map.Entry<String, Object> t = body.entrySet().iterator().next();
                // a number equals a number of the same value, whatever its Java type (as an indexed long does)
                return values(source, t.getKey()).stream().anyMatch(v -> v.equals(t.getValue())
                        || v instanceof Number n && t.getValue() instanceof Number w && n.longValue() == w.longValue());
            }
            case "terms": {
                Map.Entry<String, Object> t = body.entrySet().iterator().next();
                return values(source, t.getKey()).stream().anyMatch(((Collection<Object>) t.getValue())::contains);
            }
            case "range": {
                Map.Entry<String, Object> r = body.entrySet().iterator().next();
                Map<String, Object> bounds = (Map<String, Object>) r.getValue();
                if (r.getKey().equals("_seq_no")) {
                    return stored.seqNo() > ((Number) bounds.get("gt")).longValue();
                }
                return values(source, r.getKey()).stream().anyMatch(v -> v instanceof Number n
                        && (!(bounds.get("lt") instanceof Number lt) || n.longValue() < lt.longValue())
                        && (!(bounds.get("lte") instanceof Number lte) || n.longValue() <= lte.longValue()));
            }
            case "bool": {
                for (Object f : (List<Object>) body.getOrDefault("filter", List.of())) {
                    if (!matches((Map<String, Object>) f, stored)) {
                        return false;
                    }
                }
                for (Object f : (List<Object>) body.getOrDefault("must_not", List.of())) {
                    if (matches((Map<String, Object>) f, stored)) {
                        return false;
                    }
                }
                List<Object> should = (List<Object>) body.getOrDefault("should", List.of());
                int minimum = ((Number) body.getOrDefault("minimum_should_match", 0)).intValue();
                return should.stream().filter(f -> matches((Map<String, Object>) f, stored)).count() >= minimum;
            }
            default:
                throw new IllegalArgumentException("the in-memory store does not know the query " + q.getKey());
        }
    }

    /** The values at a dotted path; a list contributes each element, as an indexed array does. */
    @SuppressWarnings("unchecked")
    private static List<Object> values(Map<String, Object> source, String path) {
        Object v = source;
        for (String part : path.split("\\.")) {
            if (!(v instanceof Map<?, ?> m)) {
                return List.of();
            }
            v = ((Map<String, Object>) m).get(part);
        }
        if (v == null) {
            return List.of();
        }
        return v instanceof List<?> l ? (List<Object>) l : List.of(v);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> source) {
        try {
            return ElasticsearchGateway.JSON.readValue(ElasticsearchGateway.JSON.writeValueAsBytes(source), Map.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
