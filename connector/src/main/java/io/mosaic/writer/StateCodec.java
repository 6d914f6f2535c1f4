package io.mosaic.writer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.mosaic.mapping.Contribution;
import io.mosaic.mapping.DocumentState;

/** How a {@link DocumentState} and a lookup row are stored as documents of the state index. */
public final class StateCodec {

    static final String DOC_PREFIX = "d:";
    static final String LOOKUP_PREFIX = "l:";

    private StateCodec() {
    }

    public static String docId(String rootKey) {
        return DOC_PREFIX + rootKey;
    }

    public static String lookupId(String tableId, String key) {
        return LOOKUP_PREFIX + tableId + ":" + key;
    }

    /**
     * @param sourceOf the source of each contribution: null for the root, else the collection name
     */
    public static Map<String, Object> encode(DocumentState state, Set<String> refs, java.util.function.Function<String, String> sourceOf) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "doc");
        out.put("root_key", state.rootKey());
        out.put("seq", state.seq());
        out.put("refs", new ArrayList<>(refs));
        // the lowest version of a present row per source: a snapshot sweep finds rows older than its snapshot by it
        Map<String, Long> srcMin = new LinkedHashMap<>();
        if (state.root() != null && state.root().present()) {
            srcMin.merge(sourceOf.apply(null), state.root().version(), Math::min);
        }
        state.allChildren().forEach((collection, elements) -> elements.values().forEach(c -> {
            if (c.present()) {
                srcMin.merge(sourceOf.apply(collection), c.version(), Math::min);
            }
        }));
        out.put("src_min", srcMin);
        if (state.root() != null) {
            out.put("root", encode(state.root()));
        }
        Map<String, Object> children = new LinkedHashMap<>();
        state.allChildren().forEach((collection, elements) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            elements.forEach((k, c) -> m.put(k, encode(c)));
            children.put(collection, m);
        });
        out.put("children", children);
        return out;
    }

    @SuppressWarnings("unchecked")
    public static DocumentState decode(String rootKey, Map<String, Object> source) {
        DocumentState state = new DocumentState(rootKey);
        if (source == null) {
            return state;
        }
        state.seq(((Number) source.getOrDefault("seq", 0)).longValue());
        if (source.get("root") instanceof Map<?, ?> root) {
            state.setRoot(decodeContribution((Map<String, Object>) root));
        }
        if (source.get("children") instanceof Map<?, ?> children) {
            ((Map<String, Object>) children).forEach((collection, elements) ->
                    ((Map<String, Object>) elements).forEach((k, c) ->
                            state.applyChild(collection, k, decodeContribution((Map<String, Object>) c))));
        }
        return state;
    }

    static Map<String, Object> encode(Contribution c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", c.version());
        if (c.deleted()) {
            m.put("deleted", true);
        } else {
            m.put("row", c.row());
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static Contribution decodeContribution(Map<String, Object> m) {
        long v = ((Number) m.get("v")).longValue();
        boolean deleted = Boolean.TRUE.equals(m.get("deleted"));
        return new Contribution(v, deleted, deleted ? null : (Map<String, Object>) m.get("row"));
    }

    public static Map<String, Object> encodeLookup(String source, String tableId, String key, Contribution c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "lookup");
        out.put("source", source);
        out.put("table", tableId);
        out.put("key", key);
        out.putAll(encode(c));
        return out;
    }
}
