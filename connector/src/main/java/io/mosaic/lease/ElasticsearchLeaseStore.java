package io.mosaic.lease;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.mosaic.es.ElasticsearchGateway;

/**
 * Leases in Elasticsearch: the index {@code mosaic-leases}, next to Mosaic's offsets, one document
 * per replication stream. A new lease is created with {@code op_type=create}; every other write
 * carries the {@code if_seq_no}/{@code if_primary_term} of the version it replaces, so two processes
 * can never both believe they wrote it. Reads are realtime GETs: no refresh is needed.
 */
public final class ElasticsearchLeaseStore implements LeaseStore {

    public static final String INDEX = "mosaic-leases";

    private final ElasticsearchGateway es;
    private volatile boolean indexReady;

    /** @param es a gateway whose requests fail fast (the lease has its own cadence and deadline) */
    public ElasticsearchLeaseStore(ElasticsearchGateway es) {
        this.es = es;
    }

    @Override
    public Stored read(String key) throws Exception {
        Map<String, Object> doc = es.send("GET", path(key), null, 404);
        if (!Boolean.TRUE.equals(doc.get("found"))) {
            return null;
        }
        return stored(doc, doc.get("_source") instanceof Map<?, ?> s ? s : Map.of());
    }

    @Override
    public Stored write(String key, Stored expected, String holder, long epoch, long ttlMillis) throws Exception {
        ensureIndex();
        Map<String, Object> body = new LinkedHashMap<>();
        Instant now = Instant.now();
        body.put("key", key);
        body.put("holder", holder);
        body.put("epoch", epoch);
        body.put("renewed_at", now.toString());
        body.put("expires_at", holder == null ? null : now.plusMillis(ttlMillis).toString());
        String condition = expected == null ? "?op_type=create"
                : "?if_seq_no=" + expected.seqNo() + "&if_primary_term=" + expected.primaryTerm();
        // 409: another write came first (or the lease was created meanwhile); 404: the index went away
        Map<String, Object> r = es.send("PUT", path(key) + condition, body, 409, 404);
        Object status = r.get("status");
        if (Integer.valueOf(409).equals(status) || Integer.valueOf(404).equals(status)) {
            return null;
        }
        return stored(r, body);
    }

    private void ensureIndex() throws Exception {
        if (!indexReady) {
            es.createIndex(INDEX, Map.of("dynamic", false, "properties", Map.of(
                    "key", Map.of("type", "keyword"), "holder", Map.of("type", "keyword"), "epoch", Map.of("type", "long"))));
            indexReady = true;
        }
    }

    private static Stored stored(Map<String, Object> answer, Map<?, ?> source) {
        return new Stored(source.get("holder") instanceof String h ? h : null,
                source.get("epoch") instanceof Number n ? n.longValue() : 0,
                ((Number) answer.get("_seq_no")).longValue(), ((Number) answer.get("_primary_term")).longValue());
    }

    private static String path(String key) {
        return "/" + INDEX + "/_doc/" + java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8);
    }
}
