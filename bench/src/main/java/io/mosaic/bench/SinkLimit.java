package io.mosaic.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The sink limit: the final documents, already assembled, bulk-indexed straight into a fresh index
 * with the same template, timed until all of them are searchable. Nothing is read, versioned or
 * assembled, so no pipeline writing these documents to this cluster can be faster.
 */
public final class SinkLimit {

    /** Documents per second, and the settings that gave them. */
    /** @param esCpuMicrosPerChange Elasticsearch's CPU per document (named like the streams' for the report) */
    public record Result(int docs, double docsPerSecond, int bulkSize, int threads, double esCpuMicrosPerChange) {
    }

    private SinkLimit() {
    }

    public static Result run(Es es, List<Map.Entry<String, JsonNode>> docs, String index, JsonNode template, int bulkSize, int threads)
            throws Exception {
        es.deleteIndices(index);
        es.createIndex(index, template);
        List<String> bodies = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        int inBody = 0;
        for (Map.Entry<String, JsonNode> d : docs) {
            b.append("{\"index\":{\"_index\":\"").append(index).append("\",\"_id\":\"").append(d.getKey()).append("\"}}\n");
            b.append(Es.JSON.writeValueAsString(d.getValue())).append('\n');
            if (++inBody == bulkSize) {
                bodies.add(b.toString());
                b.setLength(0);
                inBody = 0;
            }
        }
        if (inBody > 0) {
            bodies.add(b.toString());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long esCpu = Cpu.elasticsearchMillis(es);
        long start = System.nanoTime();
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (String body : bodies) {
                results.add(pool.submit(() -> es.bulk(body)));
            }
            for (Future<Integer> f : results) {
                if (f.get() > 0) {
                    throw new IllegalStateException(f.get() + " documents were rejected by " + index);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Bench.awaitCount(es, index, null, docs.size(), 120);
        double seconds = (System.nanoTime() - start) / 1e9;
        double esMicros = (Cpu.elasticsearchMillis(es) - esCpu) * 1000.0 / docs.size();
        es.deleteIndices(index);
        return new Result(docs.size(), docs.size() / seconds, bulkSize, threads, esMicros);
    }
}
