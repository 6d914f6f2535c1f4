package io.mosaic.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The benchmark's own small Elasticsearch client (plain HTTP): it observes the index under test
 * and drives the sink-limit and naive references. Kept apart from Mosaic's writer on purpose, so a
 * measurement never goes through the code it measures.
 */
public final class Es {

    static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Es(String url) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public String url() {
        return url;
    }

    /** Sends a request and returns the parsed body; throws with the body on any status >= 300 unless {@code allowed}. */
    public JsonNode call(String method, String path, String body, int... allowed) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofMinutes(2));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        boolean ok = r.statusCode() < 300;
        for (int a : allowed) {
            ok |= r.statusCode() == a;
        }
        if (!ok) {
            throw new IOException(method + " " + path + " -> " + r.statusCode() + ": " + abbreviate(r.body()));
        }
        return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    public void deleteIndices(String pattern) throws IOException, InterruptedException {
        JsonNode indices = call("GET", "/_cat/indices/" + pattern + "?format=json&expand_wildcards=all", null, 404);
        if (!indices.isArray()) {
            return; // 404: nothing matches
        }
        for (JsonNode i : indices) {
            call("DELETE", "/" + i.get("index").asText(), null, 404);
        }
    }

    public void createIndex(String index, JsonNode template) throws IOException, InterruptedException {
        call("PUT", "/" + index, JSON.writeValueAsString(template));
    }

    public void refresh(String index) throws IOException, InterruptedException {
        call("POST", "/" + index + "/_refresh", null, 404);
    }

    /** Documents visible to search (no refresh forced: what a user would see). */
    public long count(String index, Object query) throws IOException, InterruptedException {
        Object body = query == null ? Map.of() : Map.of("query", query);
        JsonNode r = call("POST", "/" + index + "/_count", JSON.writeValueAsString(body), 404);
        return r.path("count").asLong(0);
    }

    /** Searchable documents by id, with their sources. */
    public Map<String, JsonNode> searchByIds(String index, Collection<String> ids, List<String> fields) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("size", ids.size());
        body.putObject("query").putObject("ids").set("values", JSON.valueToTree(ids));
        body.set("_source", JSON.valueToTree(fields));
        JsonNode r = call("POST", "/" + index + "/_search", JSON.writeValueAsString(body), 404);
        Map<String, JsonNode> out = new java.util.HashMap<>();
        for (JsonNode hit : r.path("hits").path("hits")) {
            out.put(hit.get("_id").asText(), hit.get("_source"));
        }
        return out;
    }

    /**
     * Every document of the index as {@code _id} and source, paged by the documents' unique {@code id}
     * field. (Paging on {@code _doc} is not stable: a refresh or merge between pages renumbers documents,
     * and an export taken while Mosaic still ran missed a third of them.)
     */
    public List<Map.Entry<String, JsonNode>> export(String index) throws IOException, InterruptedException {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        JsonNode after = null;
        while (true) {
            ObjectNode body = JSON.createObjectNode();
            body.put("size", 5000);
            body.putArray("sort").add("id");
            if (after != null) {
                body.set("search_after", after);
            }
            JsonNode hits = call("POST", "/" + index + "/_search", JSON.writeValueAsString(body)).path("hits").path("hits");
            if (hits.isEmpty()) {
                return out;
            }
            for (JsonNode h : hits) {
                out.add(Map.entry(h.get("_id").asText(), h.get("_source")));
            }
            after = hits.get(hits.size() - 1).get("sort");
        }
    }

    /** A bulk request; returns the number of items that failed. */
    public int bulk(String ndjson) throws IOException, InterruptedException {
        JsonNode r = call("POST", "/_bulk", ndjson);
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

    static String abbreviate(String s) {
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
