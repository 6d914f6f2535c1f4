package io.mosaic.writer;

import io.mosaic.es.ElasticsearchGateway;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps dead letters in the index {@code mosaic-dead-letters} (and logs where they come from, never
 * their values), so that they can be listed and replayed with {@code mosaic dead-letters}.
 */
public final class ElasticsearchDeadLetters implements DeadLetterSink {

    public static final String INDEX = "mosaic-dead-letters";
    private static final Logger LOG = LoggerFactory.getLogger("io.mosaic.deadletters");

    private final ElasticsearchGateway es;
    private volatile boolean indexReady;

    public ElasticsearchDeadLetters(ElasticsearchGateway es) {
        this.es = es;
    }

    @Override
    public void accept(DeadLetter letter) throws Exception {
        LOG.error("dead letter: document {} source {} table {} key {} at {}: {}", letter.document(), letter.source(),
                letter.table(), letter.key(), letter.position(), letter.error());
        ensureIndex();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("document", letter.document());
        body.put("source", letter.source());
        body.put("table", letter.table());
        body.put("key", letter.key());
        body.put("position", letter.position());
        body.put("error", letter.error());
        body.put("op", letter.op());
        body.put("version", letter.version());
        body.put("before", letter.before());
        body.put("after", letter.after());
        body.put("at", Instant.now().toString());
        es.send("PUT", "/" + INDEX + "/_doc/" + java.net.URLEncoder.encode(letter.id(), java.nio.charset.StandardCharsets.UTF_8), body);
    }

    private void ensureIndex() throws Exception {
        if (indexReady) {
            return;
        }
        es.createIndex(INDEX, Map.of("dynamic", false, "properties", Map.ofEntries(
                        Map.entry("document", Map.of("type", "keyword")), Map.entry("source", Map.of("type", "keyword")),
                        Map.entry("table", Map.of("type", "keyword")), Map.entry("key", Map.of("type", "keyword")),
                        Map.entry("position", Map.of("type", "keyword")), Map.entry("error", Map.of("type", "text")),
                        Map.entry("op", Map.of("type", "keyword")), Map.entry("version", Map.of("type", "long")),
                        Map.entry("at", Map.of("type", "date")),
                        Map.entry("before", Map.of("type", "object", "enabled", false)),
                        Map.entry("after", Map.of("type", "object", "enabled", false)))));
        indexReady = true;
    }

    /** Every stored dead letter, oldest first. */
    @SuppressWarnings("unchecked")
    public List<ElasticsearchGateway.Doc> all() throws Exception {
        if (!es.indexExists(INDEX)) {
            return List.of();
        }
        es.refresh(INDEX);
        List<ElasticsearchGateway.Doc> docs = new java.util.ArrayList<>(es.searchDocs(INDEX, Map.of("match_all", Map.of())));
        docs.sort(java.util.Comparator.comparing(d -> String.valueOf(d.source().get("at"))));
        return docs;
    }

    public void delete(String id) throws Exception {
        es.send("DELETE", "/" + INDEX + "/_doc/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8), null, 404);
    }
}
