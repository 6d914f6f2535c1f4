package io.mosaic.verify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.mapping.DocumentMapping;

/**
 * Reads a document type's published documents by id, as verify and repair compare them.
 *
 * <p>Without routing: a realtime {@code mget}. With {@code root.routing}, an id alone does not find a
 * document (the routing picks its shard), and a copy left at a former routing is a document of its own. So a
 * routed type is read with an {@code ids} search over every shard, after a refresh: every copy of each id
 * comes back with its {@code _routing}, and each document read gets the field {@code _routing} (the routing
 * of its one copy, or the list of them when there are several), which the comparison then checks against the
 * routing its root row gives. The cost is a refresh per page read, which verify's re-checks absorb.
 */
final class PublishedDocuments {

    /** The pseudo-field the routing is compared under; no mapped field can have the name (a leading underscore is Elasticsearch's). */
    static final String ROUTING = "_routing";

    private PublishedDocuments() {
    }

    /** The documents of {@code ids} in {@code m}'s alias, by id; absent ids are missing from the map or not found. */
    @SuppressWarnings("unchecked")
    static Map<String, Doc> read(ElasticsearchGateway es, DocumentMapping m, Collection<String> ids) throws Exception {
        if (ids.isEmpty() || !es.indexExists(m.alias())) {
            return Map.of();
        }
        if (m.routing() == null) {
            return es.mget(m.alias(), ids);
        }
        es.refresh(m.alias());
        Map<String, Object> body = Map.of("query", Map.of("ids", Map.of("values", List.copyOf(ids))),
                "size", Math.max(10, 2 * ids.size()), "version", true, "track_total_hits", false);
        Map<String, Object> r = es.send("POST", "/" + m.alias() + "/_search", body);
        Map<String, List<Map<String, Object>>> copies = new LinkedHashMap<>();
        for (Map<String, Object> h : (List<Map<String, Object>>) ((Map<String, Object>) r.get("hits")).get("hits")) {
            copies.computeIfAbsent((String) h.get("_id"), k -> new ArrayList<>()).add(h);
        }
        Map<String, Doc> out = new LinkedHashMap<>();
        copies.forEach((id, hits) -> {
            Map<String, Object> first = hits.get(0);
            Map<String, Object> source = new LinkedHashMap<>((Map<String, Object>) first.getOrDefault("_source", Map.of()));
            source.put(ROUTING, hits.size() == 1 ? first.get("_routing") : hits.stream().map(h -> h.get("_routing")).toList());
            long version = first.get("_version") instanceof Number n ? n.longValue() : 0;
            out.put(id, new Doc(id, true, source, -1, -1, version));
        });
        return out;
    }
}
