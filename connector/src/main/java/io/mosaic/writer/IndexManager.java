package io.mosaic.writer;

import io.mosaic.es.ElasticsearchGateway;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.mapping.DocumentMapping;

/**
 * Creates what a document type needs in Elasticsearch before anything is written: its index
 * template, its versioned index behind its alias, and Mosaic's state index. Idempotent.
 */
public final class IndexManager {

    private static final Logger LOG = LoggerFactory.getLogger(IndexManager.class);

    private final ElasticsearchGateway es;

    public IndexManager(ElasticsearchGateway es) {
        this.es = es;
    }

    /** The mapping of the {@code mosaic} object every document carries. */
    static final Map<String, Object> MOSAIC_FIELD = Map.of("type", "object", "dynamic", false, "properties", Map.of(
            "version", Map.of("type", "long"), "seq", Map.of("type", "long"), "source", Map.of("type", "keyword")));

    /**
     * Creates or updates the index template, the index behind the alias and the state index. An alias
     * that still points at an older version of this document type's index is accepted: the mapping's
     * new version waits for {@code mosaic rebuild}, and documents go on being written through the alias
     * meanwhile, with this mapping. An alias pointing anywhere else is an error.
     */
    public void ensure(DocumentMapping mapping) throws Exception {
        ensureTemplate(mapping);
        String index = mapping.indexName();
        List<String> current = aliasIndices(mapping.alias());
        if (current != null && !current.contains(index)) {
            if (current.size() == 1 && olderVersion(mapping, current.get(0))) {
                LOG.warn("alias {} points to {}, while {} sets index.version {}: documents are written to {} with this mapping "
                        + "until `mosaic rebuild` builds {} and moves the alias", mapping.alias(), current.get(0), mapping.file(),
                        mapping.indexVersion(), current.get(0), index);
            } else {
                throw new IllegalStateException("alias '" + mapping.alias() + "' points to " + current + ", not to " + index
                        + " (index.version " + mapping.indexVersion() + " in " + mapping.file() + "); set index.version to match, "
                        + "or move the alias");
            }
        }
        if (current == null) {
            Map<String, Object> created = es.send("PUT", "/" + index,
                    Map.of("aliases", Map.of(mapping.alias(), Map.of("is_write_index", true))), 400);
            if (Integer.valueOf(400).equals(created.get("status"))) {
                // The index exists without the alias (e.g. created by hand or interrupted): attach the alias.
                es.send("POST", "/_aliases", Map.of("actions", List.of(Map.of("add", Map.of("index", index, "alias", mapping.alias())))));
            }
            LOG.info("index {} ready behind alias {}", index, mapping.alias());
        }
        if (!mapping.isSingleTable()) {
            ensureStateIndex(mapping.stateIndex());
        }
    }

    /** Puts the document type's index template, which every new version of its index gets. */
    @SuppressWarnings("unchecked")
    public void ensureTemplate(DocumentMapping mapping) throws Exception {
        Map<String, Object> template = mapping.template() == null ? new LinkedHashMap<>()
                : ElasticsearchGateway.JSON.readValue(Files.readString(mapping.template()), Map.class);
        // Mosaic's own bookkeeping is mapped by Mosaic: versions must be searchable for snapshot sweeps
        Map<String, Object> mappings = (Map<String, Object>) template.computeIfAbsent("mappings", k -> new LinkedHashMap<String, Object>());
        Map<String, Object> properties = (Map<String, Object>) mappings.computeIfAbsent("properties", k -> new LinkedHashMap<String, Object>());
        properties.put("mosaic", MOSAIC_FIELD);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("index_patterns", List.of(mapping.alias() + "-v*"));
        body.put("priority", 200);
        body.put("template", template);
        if (mapping.template() != null) {
            body.put("_meta", Map.of("managed_by", "mosaic", "mapping", mapping.file().getFileName().toString()));
        }
        es.send("PUT", "/_index_template/mosaic-" + mapping.alias(), body);
    }

    /** The indices an alias points at, or null when there is no such alias. */
    @SuppressWarnings("unchecked")
    public List<String> aliasIndices(String alias) throws Exception {
        Map<String, Object> found = es.send("GET", "/_alias/" + alias, null, 404);
        if (Integer.valueOf(404).equals(found.get("status"))) {
            return null;
        }
        found.remove("status");
        return List.copyOf(found.keySet());
    }

    /** Whether {@code index} is {@code <alias>-v<n>} with n below the mapping's version. */
    static boolean olderVersion(DocumentMapping mapping, String index) {
        String prefix = mapping.alias() + "-v";
        if (!index.startsWith(prefix)) {
            return false;
        }
        try {
            return Integer.parseInt(index.substring(prefix.length())) < mapping.indexVersion();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Creates {@code index} empty, without alias, from the template; an index of that name left by an
     * interrupted rebuild is deleted first (nothing but a rebuild writes to an index without the alias).
     */
    public void createEmpty(String index) throws Exception {
        es.send("DELETE", "/" + index, null, 404);
        es.send("PUT", "/" + index, Map.of());
    }

    /** The {@code index.refresh_interval} that {@code index} was created with (from its template), or null for the default. */
    @SuppressWarnings("unchecked")
    public String refreshInterval(String index) throws Exception {
        Map<String, Object> r = es.send("GET", "/" + index + "/_settings/index.refresh_interval", null);
        if (r.get(index) instanceof Map<?, ?> i && i.get("settings") instanceof Map<?, ?> settings
                && settings.get("index") instanceof Map<?, ?> idx && idx.get("refresh_interval") != null) {
            return idx.get("refresh_interval").toString();
        }
        return null;
    }

    /** Sets {@code index.refresh_interval}; null resets it to Elasticsearch's default. */
    public void refreshInterval(String index, String interval) throws Exception {
        Map<String, Object> setting = new LinkedHashMap<>();
        setting.put("index.refresh_interval", interval);
        es.send("PUT", "/" + index + "/_settings", setting);
    }

    /** Moves {@code alias} from {@code from} to {@code to} in one request, so that no search sees neither or both. */
    public void moveAlias(String alias, String from, String to) throws Exception {
        es.send("POST", "/_aliases", Map.of("actions", List.of(
                Map.of("remove", Map.of("index", from, "alias", alias)),
                Map.of("add", Map.of("index", to, "alias", alias, "is_write_index", true)))));
    }

    public void deleteIndex(String index) throws Exception {
        es.send("DELETE", "/" + index, null, 404);
    }

    private void ensureStateIndex(String index) throws Exception {
        Map<String, Object> mappings = StateIndex.MAPPINGS;
        Map<String, Object> settings = StateIndex.SETTINGS;
        if (es.createIndex(index, mappings, settings)) {
            LOG.info("state index {} created", index);
        } else {
            es.send("PUT", "/" + index + "/_settings", Map.of("index", settings));
            // fields only ever added: a state index an older version created gets those this one searches (src_del)
            es.send("PUT", "/" + index + "/_mapping", mappings);
        }
    }
}
