package io.mosaic.offsets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import io.mosaic.config.SourceConfig;
import io.mosaic.config.StateConfig;
import io.mosaic.es.ElasticsearchGateway;

/**
 * Reads and forgets the position Mosaic keeps for a source (in Elasticsearch or in the state
 * directory), to check it against the server before starting and to force a new snapshot.
 */
public final class StoredPositions {

    private final StateConfig state;
    private final ElasticsearchGateway es;

    public StoredPositions(StateConfig state, ElasticsearchGateway es) {
        this.state = state;
        this.es = es;
    }

    /**
     * The stored offset of a source as Debezium wrote it (lsn, lsn_commit, file, pos, ...), an empty map
     * when a position is stored that cannot be read here (the file store), or null when none is stored.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> offset(SourceConfig source) throws Exception {
        if (!state.inElasticsearch()) {
            return Files.exists(state.directory().resolve(source.name() + ".offsets")) ? Map.of() : null;
        }
        Map<String, Object> doc = es.send("GET", "/" + OffsetStores.OFFSETS_INDEX + "/_doc/"
                + ElasticsearchOffsetStore.encodeId(OffsetStores.stream(source)), null, 404);
        if (!(doc.get("_source") instanceof Map<?, ?> src) || !(src.get("offsets") instanceof Map<?, ?> offsets) || offsets.isEmpty()) {
            return null;
        }
        Object value = offsets.values().iterator().next();
        if (value == null) {
            return null;
        }
        return ElasticsearchGateway.JSON.readValue(Base64.getDecoder().decode((String) value), Map.class);
    }

    /** Forgets the source's position, schema history and record of captured tables: the next start snapshots it again. */
    public void forget(SourceConfig source) throws Exception {
        String stream = OffsetStores.stream(source);
        new CapturedTables(state, es).forget(source);
        if (state.inElasticsearch()) {
            es.send("DELETE", "/" + OffsetStores.OFFSETS_INDEX + "/_doc/" + ElasticsearchOffsetStore.encodeId(stream), null, 404);
            // no _delete_by_query: it is not in every cluster (the reindex module)
            if (es.indexExists(OffsetStores.HISTORY_INDEX)) {
                es.refresh(OffsetStores.HISTORY_INDEX);
                for (ElasticsearchGateway.Doc d : es.searchDocs(OffsetStores.HISTORY_INDEX, Map.of("term", Map.of("stream", stream)))) {
                    es.send("DELETE", "/" + OffsetStores.HISTORY_INDEX + "/_doc/" + ElasticsearchOffsetStore.encodeId(d.id()), null, 404);
                }
            }
        } else {
            Path dir = state.directory();
            Files.deleteIfExists(dir.resolve(source.name() + ".offsets"));
            Files.deleteIfExists(dir.resolve(source.name() + ".schema-history"));
        }
    }
}
