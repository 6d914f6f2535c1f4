package io.mosaic.es;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.HealthStatus;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import io.mosaic.config.ElasticsearchConfig;

/**
 * Mosaic's connection to Elasticsearch: the few document APIs the write path needs (realtime mget,
 * bulk, refresh, term search) and index administration, each retried through {@link Retry}. Uses
 * only APIs every 8.x/9.x cluster has: no scripts, no update-by-query, and cluster health rather
 * than {@code GET /} to check the cluster.
 */
public final class ElasticsearchGateway implements AutoCloseable {

    /** A document as read by mget: absent ({@code found == false}) or with its source and concurrency tokens. */
    public record Doc(String id, boolean found, Map<String, Object> source, long seqNo, long primaryTerm, long version) {

        /** The same document as a versions-only read returns it: existence and concurrency tokens, no source. */
        public Doc withoutSource() {
            return new Doc(id, found, null, seqNo, primaryTerm, version);
        }
    }

    /** The reason every version conflict is reported with: Elasticsearch's own names the document's id. */
    static final String CONFLICT_REASON = "version conflict: a newer write of the document is there";

    /** The JSON mapper for documents: decimals stay exact, dates stay text. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ElasticsearchGateway.class);
    private static final ContentType NDJSON = ContentType.create("application/x-ndjson");

    private final ElasticsearchConfig config;
    private final RestClient rest;
    private final ElasticsearchClient client;
    private final Retry retry;
    private final BulkObserver observer;
    private final WireFormat wire = new WireFormat(JSON);

    public ElasticsearchGateway(ElasticsearchConfig config, Retry retry) {
        this(config, retry, BulkObserver.NONE);
    }

    /** @param observer told about every bulk request and failed item (metrics) */
    public ElasticsearchGateway(ElasticsearchConfig config, Retry retry, BulkObserver observer) {
        this.config = config;
        this.retry = retry;
        this.observer = observer;
        HttpHost[] hosts = config.urls().stream()
                .map(u -> new HttpHost(u.getHost(), u.getPort() > 0 ? u.getPort() : ("https".equals(u.getScheme()) ? 443 : 9200), u.getScheme()))
                .toArray(HttpHost[]::new);
        RestClientBuilder builder = RestClient.builder(hosts)
                .setRequestConfigCallback(r -> r
                        .setConnectTimeout((int) config.connectTimeout().toMillis())
                        .setSocketTimeout((int) config.requestTimeout().toMillis())
                        .setConnectionRequestTimeout((int) config.connectTimeout().toMillis()));
        List<Header> headers = new ArrayList<>();
        if (config.apiKey() != null) {
            headers.add(new BasicHeader("Authorization", "ApiKey " + config.apiKey()));
        }
        builder.setDefaultHeaders(headers.toArray(Header[]::new));
        BasicCredentialsProvider credentials = null;
        if (config.username() != null) {
            // the client puts basic auth in every request from the first (its auth cache), not after a 401
            credentials = new BasicCredentialsProvider();
            credentials.setCredentials(AuthScope.ANY, new UsernamePasswordCredentials(config.username(),
                    config.password() == null ? "" : config.password()));
        }
        javax.net.ssl.SSLContext tls = config.caCertificate() == null ? null : sslContext(config.caCertificate());
        BasicCredentialsProvider basic = credentials;
        builder.setHttpClientConfigCallback(h -> {
            if (basic != null) {
                h.setDefaultCredentialsProvider(basic);
            }
            if (tls != null) {
                h.setSSLContext(tls);
            }
            if (!config.verifyHostname()) {
                h.setSSLHostnameVerifier(org.apache.http.conn.ssl.NoopHostnameVerifier.INSTANCE);
            }
            return h;
        });
        this.rest = builder.build();
        this.client = new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper(JSON)));
    }

    /** TLS that trusts exactly the CA certificates of {@code pem} (elasticsearch.ca_certificate, checked when the config was read). */
    private static javax.net.ssl.SSLContext sslContext(java.nio.file.Path pem) {
        try {
            javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(io.mosaic.config.PemCertificates.trustStore(pem));
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS with the CA of " + pem, e);
        }
    }

    public ElasticsearchClient client() {
        return client;
    }

    public String describe() {
        return config.urls().toString();
    }

    /** Cluster health, once, without retry; throws when the cluster cannot be reached or is red. */
    public HealthStatus health() throws IOException {
        HealthStatus status = client.cluster().health(h -> h.timeout(t -> t.time("5s"))).status();
        if (status == HealthStatus.Red) {
            throw new RetryableWriteException("cluster health is red"); // heals as shards recover
        }
        return status;
    }

    /**
     * Cluster health, once, without retry, within {@code timeout} (connect and read) whatever the
     * configured request timeout: the cheap request of the readiness check. Returns the status
     * ({@code green}, {@code yellow}, {@code red}); throws when the cluster does not answer in time.
     */
    public String ping(java.time.Duration timeout) throws IOException {
        int millis = (int) timeout.toMillis();
        Request request = new Request("GET", "/_cluster/health");
        request.addParameter("filter_path", "status");
        request.setOptions(org.elasticsearch.client.RequestOptions.DEFAULT.toBuilder().setRequestConfig(
                org.apache.http.client.config.RequestConfig.custom().setConnectTimeout(millis).setSocketTimeout(millis)
                        .setConnectionRequestTimeout(millis).build()));
        // the client checks its socket timeout only about once a second: the wall clock bounds the wait instead
        java.util.concurrent.CompletableFuture<Response> answer = new java.util.concurrent.CompletableFuture<>();
        org.elasticsearch.client.Cancellable sent = rest.performRequestAsync(request, new org.elasticsearch.client.ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                answer.complete(response);
            }

            @Override
            public void onFailure(Exception exception) {
                answer.completeExceptionally(exception);
            }
        });
        Response response;
        try {
            response = answer.get(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            sent.cancel();
            throw new java.net.SocketTimeoutException("no answer within " + millis + " ms");
        } catch (InterruptedException e) {
            sent.cancel();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        try (InputStream in = response.getEntity().getContent()) {
            Object status = JSON.readValue(in, Map.class).get("status");
            return status == null ? "unknown" : status.toString();
        }
    }

    /** Realtime multi-get of raw documents; missing documents come back with {@code found == false}. */
    public Map<String, Doc> mget(String index, Collection<String> ids) throws Exception {
        return mget(index, ids, true);
    }

    /** As {@link #mget(String, Collection)}; without {@code withSource}, the documents' sources are null (not read at all). */
    public Map<String, Doc> mget(String index, Collection<String> ids, boolean withSource) throws Exception {
        if (ids.isEmpty()) {
            return new LinkedHashMap<>();
        }
        Request request = new Request("POST", "/" + index + "/_mget");
        request.addParameter("realtime", "true");
        if (!withSource) {
            request.addParameter("_source", "false");
        }
        request.addParameter("filter_path", WireFormat.MGET_FILTER_PATH);
        request.setEntity(new ByteArrayEntity(wire.encodeMget(ids), ContentType.APPLICATION_JSON));
        return post("mget " + index, request, in -> wire.decodeMget(in, index));
    }

    /**
     * One bulk request, retried as a whole on connection errors, 429 and 5xx; the item outcomes, in
     * order, are the caller's, their reasons {@linkplain ErrorText#redact(String, Object) redacted}.
     * Written and read by {@link WireFormat} on the low-level client.
     */
    public List<BulkOutcome> bulk(String what, List<BulkAction> actions) throws Exception {
        Request request = new Request("POST", "/_bulk");
        request.addParameter("filter_path", WireFormat.FILTER_PATH);
        request.setEntity(new ByteArrayEntity(wire.encodeBulk(actions), NDJSON));
        List<BulkOutcome> items = call(what, () -> {
            long start = System.nanoTime();
            boolean answered = false;
            try {
                Response response = rest.performRequest(request);
                List<BulkOutcome> out;
                try (InputStream in = response.getEntity().getContent()) {
                    out = wire.decodeBulk(in, actions.size());
                }
                answered = true;
                return out;
            } finally {
                observer.request(actions.size(), System.nanoTime() - start, answered);
            }
        });
        List<BulkOutcome> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            BulkOutcome o = items.get(i);
            if (!o.ok() && !o.conflict() && !(o.notFound() && o.errorType() == null)) {
                observer.itemFailed(o.status(), o.errorType(), o.retryable());
            }
            // a rejected document's reason can quote its values (a field's value preview): never let them out.
            // A conflict's reason only names the id and versions, and every caller takes a conflict for a lost
            // race: it gets a fixed text, since redacting each one was 1-2% of Mosaic's CPU on the initial load
            out.add(o.reason() == null ? o : o.withReason(o.conflict() ? CONFLICT_REASON : ErrorText.redact(o.reason(), actions.get(i).document())));
        }
        return out;
    }

    /** Reads a response body as a stream. */
    @FunctionalInterface
    private interface BodyReader<T> {
        T read(InputStream in) throws IOException;
    }

    /**
     * Sends a prepared request on the low-level client, retried as a whole, and reads its body as it
     * arrives. The request (its body already encoded once) is the same object on every attempt.
     */
    private <T> T post(String what, Request request, BodyReader<T> reader) throws Exception {
        return call(what, () -> {
            Response response = rest.performRequest(request);
            try (InputStream in = response.getEntity().getContent()) {
                return reader.read(in);
            }
        });
    }

    /**
     * Runs one request through the retry; a failure that is given up on (one that cannot heal, or any
     * once a bounded retry is spent) is thrown as an {@link ElasticsearchRequestException} that names
     * the request and the cluster. It keeps the failure as its cause, so it stays retryable exactly when
     * the failure is.
     */
    private <T> T call(String what, java.util.concurrent.Callable<T> request) throws Exception {
        try {
            return retry.call(what, request);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new ElasticsearchRequestException(what, describe(), e);
        }
    }

    public void refresh(String index) throws Exception {
        call("refresh " + index, () -> client.indices().refresh(r -> r.index(index)));
    }

    /** Receives the documents of a {@link #scan}, one at a time. */
    @FunctionalInterface
    public interface DocConsumer {
        void accept(Doc doc) throws Exception;
    }

    /** Documents per page of a {@link #scan}. */
    public static final int PAGE_SIZE = 1000;

    /** Every document matching a query (a query DSL map), with its source; see {@link #scan}. */
    public List<Doc> searchDocs(String index, Map<String, Object> query) throws Exception {
        List<Doc> out = new ArrayList<>();
        scan(index, query, true, List.of(), PAGE_SIZE, out::add);
        return out;
    }

    /**
     * The one paging helper: hands every document of {@code index} (an index, alias or pattern) matching
     * {@code query} to {@code consumer}, in {@code sort} order (then shard and Lucene order), page by page.
     * The pages are read through a point in time, so that they are one consistent view of the index as
     * of the first page, however it is written meanwhile: without one, search_after on a live index
     * skips and repeats documents, because updates and merges renumber them between pages (issue 10).
     * Documents written after the first page are not seen; callers that need them refresh and scan again.
     *
     * @return the number of documents handed over; 0 when the index does not exist
     */
    @SuppressWarnings("unchecked")
    public long scan(String index, Map<String, Object> query, boolean withSource, List<Map<String, Object>> sort, int pageSize,
                     DocConsumer consumer) throws Exception {
        Map<String, Object> opened = send("POST", "/" + index + "/_pit?keep_alive=" + PIT_KEEP_ALIVE, null, 404);
        if (Integer.valueOf(404).equals(opened.get("status"))) {
            return 0;
        }
        String pit = (String) opened.get("id");
        long seen = 0;
        try {
            List<Object> after = null;
            while (true) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("size", pageSize);
                body.put("query", query);
                body.put("pit", Map.of("id", pit, "keep_alive", PIT_KEEP_ALIVE));
                List<Map<String, Object>> order = new ArrayList<>(sort);
                order.add(Map.of("_shard_doc", "asc")); // unique within a point in time: no hit is skipped or repeated
                body.put("sort", order);
                body.put("track_total_hits", false);
                body.put("seq_no_primary_term", true);
                if (!withSource) {
                    body.put("_source", false);
                }
                if (after != null) {
                    body.put("search_after", after);
                }
                Map<String, Object> r = send("POST", "/_search", body);
                pit = r.get("pit_id") instanceof String next ? next : pit;
                List<Map<String, Object>> hits = (List<Map<String, Object>>) ((Map<String, Object>) r.get("hits")).get("hits");
                for (Map<String, Object> h : hits) {
                    consumer.accept(new Doc((String) h.get("_id"), true, (Map<String, Object>) h.get("_source"),
                            ((Number) h.getOrDefault("_seq_no", -1)).longValue(), ((Number) h.getOrDefault("_primary_term", -1)).longValue(), -1));
                    seen++;
                }
                if (hits.size() < pageSize) {
                    return seen;
                }
                after = (List<Object>) hits.get(hits.size() - 1).get("sort");
            }
        } finally {
            try {
                send("DELETE", "/_pit", Map.of("id", pit), 404);
            } catch (Exception e) {
                // it expires by itself after PIT_KEEP_ALIVE; the scan's outcome stands
                LOG.debug("closing a point in time on {}: {}", index, ErrorClassifier.describe(e));
            }
        }
    }

    private static final String PIT_KEEP_ALIVE = "1m";

    /** Whether an index (or alias) exists. */
    public boolean indexExists(String index) throws Exception {
        return !Integer.valueOf(404).equals(send("HEAD", "/" + index, null, 404).get("status"));
    }

    /**
     * Creates one of Mosaic's internal indices (one shard, a replica where the cluster has room) unless it
     * exists; returns whether it was created.
     */
    public boolean createIndex(String index, Map<String, Object> mappings) throws Exception {
        return createIndex(index, mappings, Map.of());
    }

    /** As {@link #createIndex(String, Map)}, with further index settings (such as {@code refresh_interval}). */
    public boolean createIndex(String index, Map<String, Object> mappings, Map<String, Object> indexSettings) throws Exception {
        Map<String, Object> settings = new LinkedHashMap<>(Map.of("number_of_shards", 1, "auto_expand_replicas", "0-1"));
        settings.putAll(indexSettings);
        boolean created = !Integer.valueOf(400).equals(send("PUT", "/" + index, Map.of("settings", settings, "mappings", mappings), 400).get("status"));
        if (!created) {
            // Another thread (a source starting beside this one) may have created it a moment ago: its creation
            // waited for the primary, this one did not, and a read now would meet a shard still recovering (503).
            send("GET", "/_cluster/health/" + index + "?wait_for_status=yellow&wait_for_no_initializing_shards=true&timeout=10s", null, 408);
        }
        return created;
    }

    /** A low-level request with a JSON body, retried; returns the status, and the body as a map when there is one. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> send(String method, String path, Object body, int... acceptedStatuses) throws Exception {
        return call(method + " " + path, () -> {
            Request request = new Request(method, path);
            if (body != null) {
                request.setJsonEntity(body instanceof String s ? s : JSON.writeValueAsString(body));
            }
            Response response;
            try {
                response = rest.performRequest(request);
            } catch (ResponseException e) {
                int status = e.getResponse().getStatusLine().getStatusCode();
                for (int accepted : acceptedStatuses) {
                    if (status == accepted) {
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("status", status);
                        return out;
                    }
                }
                throw e;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            if (response.getEntity() != null) {
                try (InputStream in = response.getEntity().getContent()) {
                    byte[] bytes = in.readAllBytes();
                    if (bytes.length > 0 && bytes[0] == '{') {
                        out.putAll(JSON.readValue(bytes, Map.class));
                    }
                }
            }
            out.put("status", response.getStatusLine().getStatusCode());
            return out;
        });
    }

    @Override
    public void close() throws IOException {
        rest.close();
    }
}
