package io.mosaic.writer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.es.ElasticsearchGateway.DocConsumer;
import io.mosaic.mapping.Contribution;
import io.mosaic.mapping.DocumentState;
import io.mosaic.mapping.NestedGroup;

/**
 * Mosaic's state index of one document type, in one place: its format (how a {@link DocumentState}
 * and a lookup row are stored), its Elasticsearch mapping and settings, and the queries the writer
 * runs on it. Nothing else knows a field name of it.
 *
 * <p>Two kinds of documents: {@code d:<root key>} holds every row contributing to one public document,
 * each with its source version, the write counter {@code seq}, the lookup rows it refers to
 * ({@code refs}), the lowest version per source of its present rows ({@code src_min}, for the
 * snapshot sweep and truncates) and the highest version per source of its deleted rows ({@code src_del}, for a
 * truncate or sweep replayed after a crash, see {@link SnapshotSweep}); {@code l:<table>:<key>} holds one lookup
 * row, externally versioned; {@code n:<collection>:<key>} holds the rows of the nested collections under one
 * element of a collection, and the element's owner (a {@link NestedGroup}, see {@link NestedWrites}), with
 * {@code src_min} and {@code src_del} as a state has.
 */
public final class StateIndex {

    static final String DOC_PREFIX = "d:";
    static final String LOOKUP_PREFIX = "l:";
    /** The rows under one element of a collection with nested collections (see {@link NestedWrites}). */
    static final String NESTED_PREFIX = "n:";
    /** A source's deferred-assembly marker (see {@link DeferredAssembly}); neither a document state nor a lookup row. */
    static final String DEFERRED_PREFIX = "x:deferred:";

    private static final String KIND = "kind";
    private static final String KIND_DOC = "doc";
    private static final String KIND_LOOKUP = "lookup";
    private static final String KIND_NESTED = "nested";
    /** A nested group's outer collection, owner (root key) and the owner's version; not indexed. */
    private static final String COLLECTION = "collection";
    private static final String OWNER = "owner";
    private static final String OWNER_VERSION = "owner_v";
    private static final String KIND_DEFERRED = "deferred";
    /** A deferred-assembly marker's flag: the source's snapshot ended (its writes wait only for a pass). Not indexed. */
    private static final String ENDED = "ended";
    private static final String ROOT_KEY = "root_key";
    private static final String SEQ = "seq";
    /** A routed type's routing and former routing (see {@link DocumentState#routing()}); not indexed. */
    private static final String ROUTING = "routing";
    private static final String FORMER_ROUTING = "former_routing";
    private static final String REFS = "refs";
    private static final String SRC_MIN = "src_min";
    private static final String SRC_DEL = "src_del";
    private static final String ROOT = "root";
    private static final String CHILDREN = "children";
    private static final String SOURCE = "source";
    private static final String TABLE = "table";
    private static final String KEY = "key";
    private static final String VERSION = "v";
    private static final String DELETED = "deleted";
    private static final String ROW = "row";

    /** The index's mapping: only what is searched is indexed; the rows themselves are stored, not indexed. */
    public static final Map<String, Object> MAPPINGS = Map.of(
            "dynamic_templates", List.of(Map.of(SRC_MIN, Map.of("path_match", SRC_MIN + ".*", "mapping", Map.of("type", "long"))),
                    Map.of(SRC_DEL, Map.of("path_match", SRC_DEL + ".*", "mapping", Map.of("type", "long")))),
            "dynamic", false,
            "properties", Map.ofEntries(
                    Map.entry(KIND, Map.of("type", "keyword")),
                    Map.entry(ROOT_KEY, Map.of("type", "keyword")),
                    Map.entry(REFS, Map.of("type", "keyword")),
                    Map.entry(TABLE, Map.of("type", "keyword")),
                    Map.entry(KEY, Map.of("type", "keyword")),
                    Map.entry(SEQ, Map.of("type", "long")),
                    Map.entry(SOURCE, Map.of("type", "keyword")),
                    Map.entry(VERSION, Map.of("type", "long")),
                    Map.entry(DELETED, Map.of("type", "boolean")),
                    Map.entry(SRC_MIN, Map.of("type", "object", "dynamic", true)),
                    Map.entry(SRC_DEL, Map.of("type", "object", "dynamic", true)),
                    Map.entry(ROOT, Map.of("type", "object", "enabled", false)),
                    Map.entry(CHILDREN, Map.of("type", "object", "enabled", false)),
                    Map.entry(ROW, Map.of("type", "object", "enabled", false))));

    /**
     * No periodic refresh: the state is read by id (realtime) and searched only by the fan-out and the
     * snapshot sweep, which refresh first. A refresh a second made a small segment a second, and merging
     * them was the largest single cost of the three-source stream in Elasticsearch.
     */
    public static final Map<String, Object> SETTINGS = Map.of("refresh_interval", "-1");

    private final DocumentStore store;

    public StateIndex(DocumentStore store) {
        this.store = store;
    }

    // ---------------------------------------------------------------- ids

    public static String docId(String rootKey) {
        return DOC_PREFIX + rootKey;
    }

    public static String lookupId(String tableId, String key) {
        return LOOKUP_PREFIX + tableId + ":" + key;
    }

    /** The id of the nested group under element {@code key} of collection {@code collection}. */
    public static String nestedId(String collection, String key) {
        return NESTED_PREFIX + collection + ":" + key;
    }

    /** The id of the lookup document a {@link io.mosaic.mapping.LookupMapping#ref} names. */
    static String lookupIdOfRef(String ref) {
        return LOOKUP_PREFIX + ref;
    }

    /** The id of {@code source}'s deferred-assembly marker in a state index. */
    static String deferredId(String source) {
        return DEFERRED_PREFIX + source;
    }

    // ---------------------------------------------------------------- format

    /** A deferred-assembly marker: {@code source} wrote states of a snapshot without their public documents. */
    static Map<String, Object> encodeDeferred(String source, boolean ended) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(KIND, KIND_DEFERRED);
        out.put(SOURCE, source);
        out.put(ENDED, ended);
        return out;
    }

    /** Whether a stored deferred-assembly marker says its source's snapshot ended. */
    static boolean deferredEnded(Doc doc) {
        return Boolean.TRUE.equals(doc.source().get(ENDED));
    }

    /**
     * @param sourceOf the source of each contribution: null for the root, else the collection name
     */
    public static Map<String, Object> encode(DocumentState state, Set<String> refs, Function<String, String> sourceOf) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(KIND, KIND_DOC);
        out.put(ROOT_KEY, state.rootKey());
        out.put(SEQ, state.seq());
        if (state.routing() != null) {
            out.put(ROUTING, state.routing());
        }
        if (state.formerRouting() != null) {
            out.put(FORMER_ROUTING, state.formerRouting());
        }
        out.put(REFS, new ArrayList<>(refs));
        // the lowest version of a present row per source: a snapshot sweep finds rows older than its snapshot by it;
        // the highest of a deleted one: a sweep replayed after a crash finds the rows it deleted by it
        Map<String, Long> srcMin = new LinkedHashMap<>();
        Map<String, Long> srcDel = new LinkedHashMap<>();
        if (state.root() != null) {
            versionBySource(state.root(), sourceOf.apply(null), srcMin, srcDel);
        }
        state.allChildren().forEach((collection, elements) -> elements.values().forEach(c ->
                versionBySource(c, sourceOf.apply(collection), srcMin, srcDel)));
        out.put(SRC_MIN, srcMin);
        out.put(SRC_DEL, srcDel);
        if (state.root() != null) {
            out.put(ROOT, encode(state.root()));
        }
        Map<String, Object> children = new LinkedHashMap<>();
        state.allChildren().forEach((collection, elements) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            elements.forEach((k, c) -> m.put(k, encode(c)));
            children.put(collection, m);
        });
        out.put(CHILDREN, children);
        return out;
    }

    /** The state of a document as stored, or an empty one for a document without state ({@code source} null). */
    @SuppressWarnings("unchecked")
    public static DocumentState decode(String rootKey, Map<String, Object> source) {
        DocumentState state = new DocumentState(rootKey);
        if (source == null) {
            return state;
        }
        state.seq(((Number) source.getOrDefault(SEQ, 0)).longValue());
        state.routings((String) source.get(ROUTING), (String) source.get(FORMER_ROUTING));
        if (source.get(ROOT) instanceof Map<?, ?> root) {
            state.setRoot(decodeContribution((Map<String, Object>) root));
        }
        if (source.get(CHILDREN) instanceof Map<?, ?> children) {
            ((Map<String, Object>) children).forEach((collection, elements) ->
                    ((Map<String, Object>) elements).forEach((k, c) ->
                            state.applyChild(collection, k, decodeContribution((Map<String, Object>) c))));
        }
        return state;
    }

    /**
     * A nested group: its owner, its rows by nested collection, and the lowest version per source of its present
     * rows ({@code src_min}), so that a snapshot sweep or a truncate finds them as it finds a state's.
     *
     * @param sourceOf the source of each nested collection, by name
     */
    static Map<String, Object> encodeNested(NestedGroup group, Function<String, String> sourceOf) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(KIND, KIND_NESTED);
        out.put(COLLECTION, group.collection());
        out.put(KEY, group.key());
        out.put(OWNER_VERSION, group.ownerVersion());
        if (group.owner() != null) {
            out.put(OWNER, group.owner());
        }
        Map<String, Long> srcMin = new LinkedHashMap<>();
        Map<String, Long> srcDel = new LinkedHashMap<>();
        Map<String, Object> children = new LinkedHashMap<>();
        group.allRows().forEach((nested, rows) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            rows.forEach((k, c) -> {
                m.put(k, encode(c));
                versionBySource(c, sourceOf.apply(nested), srcMin, srcDel);
            });
            children.put(nested, m);
        });
        out.put(SRC_MIN, srcMin);
        out.put(SRC_DEL, srcDel);
        out.put(CHILDREN, children);
        return out;
    }

    /** The nested group as stored, or an empty one when {@code doc} is absent. */
    @SuppressWarnings("unchecked")
    static NestedGroup decodeNested(String collection, String key, Doc doc) {
        NestedGroup group = new NestedGroup(collection, key);
        if (doc == null || !doc.found()) {
            return group;
        }
        Map<String, Object> source = doc.source();
        if (source.get(OWNER_VERSION) instanceof Number v) {
            group.applyOwner(v.longValue(), (String) source.get(OWNER));
        }
        if (source.get(CHILDREN) instanceof Map<?, ?> children) {
            ((Map<String, Object>) children).forEach((nested, rows) ->
                    ((Map<String, Object>) rows).forEach((k, c) -> group.applyRow(nested, k, decodeContribution((Map<String, Object>) c))));
        }
        return group;
    }

    /** The rows (tombstones included) of nested collection {@code nested} in a stored group; empty when absent. */
    public static Map<String, Contribution> nestedRows(String collection, String key, Doc doc, String nested) {
        return decodeNested(collection, key, doc).rows(nested);
    }

    /** A stored nested group, its collection and key taken from the document. */
    static NestedGroup decodeNested(Doc doc) {
        return decodeNested((String) doc.source().get(COLLECTION), (String) doc.source().get(KEY), doc);
    }

    /** Whether a stored document of the state index is a nested group. */
    static boolean isNested(Doc doc) {
        return doc.id().startsWith(NESTED_PREFIX);
    }

    /** The state of a stored document as {@link #decode} reads it, its root key taken from the document. */
    static DocumentState decode(Doc doc) {
        return decode((String) doc.source().get(ROOT_KEY), doc.source());
    }

    static Map<String, Object> encode(Contribution c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(VERSION, c.version());
        if (c.deleted()) {
            m.put(DELETED, true);
        } else {
            m.put(ROW, c.row());
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static Contribution decodeContribution(Map<String, Object> m) {
        long v = ((Number) m.get(VERSION)).longValue();
        boolean deleted = Boolean.TRUE.equals(m.get(DELETED));
        return new Contribution(v, deleted, deleted ? null : (Map<String, Object>) m.get(ROW));
    }

    public static Map<String, Object> encodeLookup(String source, String tableId, String key, Contribution c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(KIND, KIND_LOOKUP);
        out.put(SOURCE, source);
        out.put(TABLE, tableId);
        out.put(KEY, key);
        out.putAll(encode(c));
        return out;
    }

    /** Counts a contribution in {@code src_min} (a present row) or {@code src_del} (a deleted one) of its source. */
    private static void versionBySource(Contribution c, String source, Map<String, Long> srcMin, Map<String, Long> srcDel) {
        if (c.present()) {
            srcMin.merge(source, c.version(), Math::min);
        } else if (c.deleted()) {
            srcDel.merge(source, c.version(), Math::max);
        }
    }

    /** The row of a stored lookup document, or null when it is absent or deleted. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> lookupRow(Doc doc) {
        if (doc == null || !doc.found() || Boolean.TRUE.equals(doc.source().get(DELETED))) {
            return null;
        }
        return (Map<String, Object>) doc.source().get(ROW);
    }

    /** The contribution a stored lookup document holds (a tombstone when deleted), or null when there is none. */
    public static Contribution lookupContribution(Doc doc) {
        return doc == null || !doc.found() ? null : decodeContribution(doc.source());
    }

    /** The key (its text) of a stored lookup document. */
    static String lookupKey(Doc doc) {
        return (String) doc.source().get(KEY);
    }

    /** The table id of a stored lookup document. */
    static String lookupTable(Doc doc) {
        return (String) doc.source().get(TABLE);
    }

    // ---------------------------------------------------------------- queries

    /** Every document state (not the lookup rows) of a state index. */
    static Map<String, Object> documentStatesQuery() {
        return Map.of("term", Map.of(KIND, KIND_DOC));
    }

    /**
     * The root keys of every document whose state refers to one of {@code refs}, after a refresh: search
     * is not realtime, so every state write acknowledged so far is made visible first.
     */
    Set<String> referringKeys(String index, Collection<String> refs) throws Exception {
        store.refresh(index);
        Set<String> keys = new LinkedHashSet<>();
        store.search(index, Map.of("terms", Map.of(REFS, List.copyOf(refs))), false, d -> {
            if (d.id().startsWith(DOC_PREFIX)) {
                keys.add(d.id().substring(DOC_PREFIX.length()));
            }
        });
        return keys;
    }

    /**
     * Every lookup row of {@code source} a sweep at {@code version} concerns: present at a version below it, or
     * deleted at exactly it (by that sweep, before a crash) or, with {@code deletedBefore}, at or below it.
     */
    void lookupsToSweep(String index, String source, long version, boolean deletedBefore, DocConsumer consumer) throws Exception {
        Map<String, Object> older = Map.of("bool", Map.of("filter", List.of(Map.of("range", Map.of(VERSION, Map.of("lt", version)))),
                "must_not", List.of(Map.of("term", Map.of(DELETED, true)))));
        Map<String, Object> deleted = Map.of("bool", Map.of("filter", List.of(deletedBefore
                ? Map.of("range", Map.of(VERSION, Map.of("lte", version))) : Map.of("term", Map.of(VERSION, version)),
                Map.of("term", Map.of(DELETED, true)))));
        store.search(index, Map.of("bool", Map.of("filter", List.of(Map.of("term", Map.of(KIND, KIND_LOOKUP)),
                        Map.of("term", Map.of(SOURCE, source))), "should", List.of(older, deleted), "minimum_should_match", 1)),
                true, consumer);
    }

    /**
     * Every document state, and every nested group, a sweep of {@code source} at {@code version} concerns ({@link
     * #isNested} tells them apart): holding a present row of the source at a version below it, or a row of it
     * deleted at exactly it (by that sweep, before a crash) or, with {@code deletedBefore}, a deleted row of it whose
     * version is at most it ({@code src_del} is the highest).
     */
    void statesToSweep(String index, String source, long version, boolean deletedBefore, DocConsumer consumer) throws Exception {
        String del = SRC_DEL + "." + source;
        store.search(index, Map.of("bool", Map.of("should", List.of(Map.of("range", Map.of(SRC_MIN + "." + source, Map.of("lt", version))),
                deletedBefore ? Map.of("range", Map.of(del, Map.of("lte", version))) : Map.of("term", Map.of(del, version))),
                "minimum_should_match", 1)), true, consumer);
    }

    void refresh(String index) throws Exception {
        store.refresh(index);
    }
}
