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

    @SuppressWarnings("unchecked")
    public void ensure(DocumentMapping mapping) throws Exception {
        if (mapping.template() != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> template = ElasticsearchGateway.JSON.readValue(Files.readString(mapping.template()), Map.class);

            // Mosaic's own bookkeeping is mapped by Mosaic: versions must be searchable for snapshot sweeps
            Map<String, Object> mappings = (Map<String, Object>) template.computeIfAbsent("mappings", k -> new LinkedHashMap<String, Object>());
            Map<String, Object> properties = (Map<String, Object>) mappings.computeIfAbsent("properties", k -> new LinkedHashMap<String, Object>());
            properties.put("mosaic", MOSAIC_FIELD);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("index_patterns", List.of(mapping.alias() + "-v*"));
            body.put("priority", 200);
            body.put("template", template);
            body.put("_meta", Map.of("managed_by", "mosaic", "mapping", mapping.file().getFileName().toString()));
            es.send("PUT", "/_index_template/mosaic-" + mapping.alias(), body);
        }
        if (mapping.template() == null) {
            es.send("PUT", "/_index_template/mosaic-" + mapping.alias(), Map.of("index_patterns", List.of(mapping.alias() + "-v*"),
                    "priority", 200, "template", Map.of("mappings", Map.of("properties", Map.of("mosaic", MOSAIC_FIELD)))));
        }
        String index = mapping.indexName();
        Map<String, Object> alias = es.send("GET", "/_alias/" + mapping.alias(), null, 404);
        boolean aliasExists = !Integer.valueOf(404).equals(alias.get("status"));
        alias.remove("status");
        if (aliasExists && !alias.containsKey(index)) {
            throw new IllegalStateException("alias '" + mapping.alias() + "' points to " + alias.keySet() + ", not to " + index
                    + " (index.version " + mapping.indexVersion() + " in " + mapping.file() + "); move the alias, or set index.version to match");
        }
        if (!aliasExists) {
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

    private void ensureStateIndex(String index) throws Exception {
        Map<String, Object> mappings = StateIndex.MAPPINGS;
        Map<String, Object> settings = StateIndex.SETTINGS;
        if (es.createIndex(index, mappings, settings)) {
            LOG.info("state index {} created", index);
        } else {
            es.send("PUT", "/" + index + "/_settings", Map.of("index", settings));
        }
    }
}
