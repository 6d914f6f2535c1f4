package io.mosaic.bench;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mosaic.config.ElasticsearchConfig;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.Retry;
import io.mosaic.testkit.EsHttp;

/**
 * The benchmark's view of Elasticsearch: it observes the index under test and drives the sink-limit
 * and naive references through plain HTTP ({@link EsHttp}), kept apart from Mosaic's writer on purpose,
 * so a measurement never goes through the code it measures. Only {@link #export}, which reads the final
 * documents after a run (not measured), pages through the connector's paging helper.
 */
public final class Es {

    static final ObjectMapper JSON = new ObjectMapper();

    private final EsHttp http;

    public Es(String url) {
        this.http = new EsHttp(url, Duration.ofMinutes(2));
    }

    public String url() {
        return http.url();
    }

    /** Plain requests: {@link EsHttp#call} throws with the body on any status >= 300 unless allowed. */
    public EsHttp http() {
        return http;
    }

    public void deleteIndices(String pattern) throws IOException, InterruptedException {
        JsonNode indices = http.call("GET", "/_cat/indices/" + pattern + "?format=json&expand_wildcards=all", null, 404);
        if (!indices.isArray()) {
            return; // 404: nothing matches
        }
        for (JsonNode i : indices) {
            http.call("DELETE", "/" + i.get("index").asText(), null, 404);
        }
    }

    public void createIndex(String index, JsonNode template) throws IOException, InterruptedException {
        http.call("PUT", "/" + index, JSON.writeValueAsString(template));
    }

    public void refresh(String index) throws IOException, InterruptedException {
        http.call("POST", "/" + index + "/_refresh", null, 404);
    }

    /**
     * The index's refreshes so far on its primaries, as {@code {count, total milliseconds}}: read around a period, their
     * differences give the mean time one refresh took, which a search waits for on top of the refresh interval.
     */
    public long[] refreshStats(String index) throws IOException, InterruptedException {
        JsonNode r = http.call("GET", "/" + index + "/_stats/refresh?filter_path=_all.primaries.refresh", null)
                .path("_all").path("primaries").path("refresh");
        return new long[] {r.path("total").asLong(), r.path("total_time_in_millis").asLong()};
    }

    /** Documents visible to search (no refresh forced: what a user would see). */
    public long count(String index, Object query) throws IOException, InterruptedException {
        Object body = query == null ? Map.of() : Map.of("query", query);
        JsonNode r = http.call("POST", "/" + index + "/_count", JSON.writeValueAsString(body), 404);
        return r.path("count").asLong(0);
    }

    /** Searchable documents by id, with their sources. */
    public Map<String, JsonNode> searchByIds(String index, Collection<String> ids, List<String> fields) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("size", ids.size());
        body.putObject("query").putObject("ids").set("values", JSON.valueToTree(ids));
        body.set("_source", JSON.valueToTree(fields));
        JsonNode r = http.call("POST", "/" + index + "/_search", JSON.writeValueAsString(body), 404);
        Map<String, JsonNode> out = new java.util.HashMap<>();
        for (JsonNode hit : r.path("hits").path("hits")) {
            out.put(hit.get("_id").asText(), hit.get("_source"));
        }
        return out;
    }

    /**
     * Every document of the index as {@code _id} and source, read through the connector's one paging
     * helper ({@link ElasticsearchGateway#scan}: one point in time, so a refresh or merge between pages
     * neither skips nor repeats a document; paging on {@code _doc} without one missed a third of them
     * while Mosaic still ran).
     */
    public List<Map.Entry<String, JsonNode>> export(String index) throws Exception {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        try (ElasticsearchGateway gateway = new ElasticsearchGateway(new ElasticsearchConfig(List.of(URI.create(url())), null, null, null,
                Duration.ofSeconds(5), Duration.ofMinutes(2)), Retry.never())) {
            gateway.scan(index, Map.of("match_all", Map.of()), true, List.of(), 5000,
                    d -> out.add(Map.entry(d.id(), JSON.valueToTree(d.source()))));
        }
        return out;
    }

    /** A bulk request; returns the number of items that failed. */
    public int bulk(String ndjson) throws IOException, InterruptedException {
        JsonNode r = http.call("POST", "/_bulk", ndjson);
        if (!r.path("errors").asBoolean()) {
            return 0;
        }
        int failed = 0;
        for (JsonNode item : r.path("items")) {
            JsonNode op = item.elements().next();
            if (op.path("status").asInt() >= 300) {
                failed++;
            }
        }
        return failed;
    }
}
