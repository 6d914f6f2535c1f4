package io.mosaic.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.offsets.OffsetStores;
import io.mosaic.writer.ElasticsearchDeadLetters;

/**
 * The Elasticsearch privileges Mosaic needs, and no more: the least-privilege role of the README's
 * "Secured Elasticsearch" section ({@code deploy/elasticsearch/mosaic-role.json} for the reference
 * scenario, which {@code SecuredClusterIT} runs with). Start-up and {@code mosaic validate} ask a secured
 * cluster whether the configured credentials have them, so that a missing one is named before anything
 * is written.
 */
public final class RequiredPrivileges {

    /** Cluster health (start-up check, readiness) and the index template of each mapping. */
    public static final List<String> CLUSTER = List.of("cluster:monitor/health", "manage_index_templates");
    /** On Mosaic's indices: created on first use, read (mget, point-in-time searches), written by bulk, refreshed
     *  before a fan-out search, created behind their alias, and the state index's settings and mapping re-applied at start. */
    public static final List<String> INDICES = List.of("create_index", "view_index_metadata", "read", "write", "maintenance",
            "indices:admin/aliases", "indices:admin/settings/update", "indices:admin/mapping/put");
    /** On each mapping's alias: documents are written and read through it, and the index is created behind it. */
    public static final List<String> ALIASES = List.of("view_index_metadata", "read", "write", "indices:admin/aliases");

    private RequiredPrivileges() {
    }

    /**
     * The indices (versioned indices as the pattern {@code <alias>-v*}) of {@code mappings}, and Mosaic's own
     * (the offset and schema-history indices only for {@code state.store: elasticsearch}).
     */
    public static List<String> indices(MappingSet mappings, boolean patterns, boolean stateInElasticsearch) {
        Set<String> out = new LinkedHashSet<>();
        for (DocumentMapping m : mappings.documents()) {
            out.add(patterns ? m.alias() + "-v*" : m.indexName());
            if (!m.isSingleTable()) {
                out.add(m.stateIndex());
            }
        }
        if (stateInElasticsearch) {
            out.add(OffsetStores.OFFSETS_INDEX);
            out.add(OffsetStores.HISTORY_INDEX);
            out.add(io.mosaic.lease.ElasticsearchLeaseStore.INDEX); // standby replicas (lease.enabled)
        }
        out.add(ElasticsearchDeadLetters.INDEX);
        out.add(RebuildProgress.INDEX); // written by `mosaic rebuild`, read by `mosaic run` for /status
        return List.copyOf(out);
    }

    public static List<String> aliases(MappingSet mappings) {
        return mappings.documents().stream().map(DocumentMapping::alias).distinct().toList();
    }

    /** The role descriptor (JSON as maps) that grants exactly what Mosaic needs for {@code mappings}. */
    public static Map<String, Object> roleDescriptor(MappingSet mappings, boolean stateInElasticsearch) {
        Map<String, Object> role = new LinkedHashMap<>();
        role.put("cluster", CLUSTER);
        role.put("indices", List.of(Map.of("names", indices(mappings, true, stateInElasticsearch), "privileges", INDICES),
                Map.of("names", aliases(mappings), "privileges", ALIASES)));
        return role;
    }

    /** The body of {@code _security/user/_has_privileges} for the concrete indices of {@code mappings}. */
    static Map<String, Object> hasPrivilegesRequest(MappingSet mappings, boolean stateInElasticsearch) {
        return Map.of("cluster", CLUSTER, "index", List.of(Map.of("names", indices(mappings, false, stateInElasticsearch),
                        "privileges", INDICES),
                Map.of("names", aliases(mappings), "privileges", ALIASES)));
    }

    /** What a {@code _has_privileges} answer lacks, as {@code privilege on index} phrases; empty when it has everything. */
    @SuppressWarnings("unchecked")
    static List<String> missing(Map<String, Object> answer) {
        List<String> out = new ArrayList<>();
        if (Boolean.TRUE.equals(answer.get("has_all_requested"))) {
            return out;
        }
        Map<String, Object> cluster = (Map<String, Object>) answer.getOrDefault("cluster", Map.of());
        cluster.forEach((privilege, granted) -> {
            if (!Boolean.TRUE.equals(granted)) {
                out.add("cluster privilege " + privilege);
            }
        });
        Map<String, Object> index = (Map<String, Object>) answer.getOrDefault("index", Map.of());
        index.forEach((name, privileges) -> ((Map<String, Object>) privileges).forEach((privilege, granted) -> {
            if (!Boolean.TRUE.equals(granted)) {
                out.add(privilege + " on " + name);
            }
        }));
        return out;
    }
}
