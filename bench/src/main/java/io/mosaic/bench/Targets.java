package io.mosaic.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline limits and the targets of issue 16, computed from one run's results (no measurement here).
 *
 * <p>On two shared cores a CDC pipeline must both read the log and index the documents, so the reference
 * is the <b>pipeline limit</b>: for streaming {@code 1 / (1/source_limit + 1/sink_limit)} changes/s, for the
 * initial load {@code 1 / (rows_per_document / source_rows_per_s + 1 / sink_docs_per_s)} documents/s, both
 * from limits measured in the same run. Every target is a ratio or an absolute bound taken from the same run,
 * so that a slower machine of the same kind moves the limits and the results together.
 *
 * <p>A target whose inputs are missing (a run without Flink CDC, say) is reported with {@code measured: null}
 * and {@code met: false}, never silently left out.
 */
final class Targets {

    /** One target: its name in results.json, what it measures, its bound and direction. */
    record Target(String name, String description, double measured, double goal, boolean atLeast, String unit) {
        boolean met() {
            return !Double.isNaN(measured) && (atLeast ? measured >= goal : measured <= goal);
        }
    }

    private Targets() {
    }

    /** {@code 1 / (1/a + 1/b)}: the rate of two stages that share the same cores; NaN when either is unknown. */
    static double serial(double a, double b) {
        if (!(a > 0) || !(b > 0)) {
            return Double.NaN;
        }
        return 1 / (1 / a + 1 / b);
    }

    /** The single-table stream's pipeline limit, changes/s. */
    static double singleStreamLimit(JsonNode r) {
        JsonNode s = r.path("single");
        return serial(s.path("source").path("stream").path("eventsPerSecond").asDouble(Double.NaN),
                s.path("sink").path("docsPerSecond").asDouble(Double.NaN));
    }

    /** The three-source stream's pipeline limit, changes/s. */
    static double fullStreamLimit(JsonNode r) {
        JsonNode f = r.path("full");
        return serial(f.path("source").path("stream").path("eventsPerSecond").asDouble(Double.NaN),
                f.path("sink").path("docsPerSecond").asDouble(Double.NaN));
    }

    /** The three-source initial load's pipeline limit, documents/s. */
    static double fullInitialLimit(JsonNode r) {
        JsonNode f = r.path("full");
        double rows = f.path("mosaicInitial").path("rows").asDouble(Double.NaN);
        double docs = f.path("mosaicInitial").path("docs").asDouble(Double.NaN);
        double sourceRows = f.path("source").path("initial").path("rowsPerSecond").asDouble(Double.NaN);
        double sinkDocs = f.path("sink").path("docsPerSecond").asDouble(Double.NaN);
        if (!(rows > 0) || !(docs > 0) || !(sourceRows > 0) || !(sinkDocs > 0)) {
            return Double.NaN;
        }
        return 1 / ((rows / docs) / sourceRows + 1 / sinkDocs);
    }

    /** The three-source burst throughput, changes/s: the reference of the freshness targets. */
    static double burst(JsonNode r) {
        return r.path("full").path("mosaicStream").path("eventsPerSecond").asDouble(Double.NaN);
    }

    static List<Target> compute(JsonNode r) {
        JsonNode single = r.path("single");
        JsonNode full = r.path("full");
        double singleStream = single.path("mosaicStream").path("eventsPerSecond").asDouble(Double.NaN);
        double flinkStream = single.path("flink").path("best").path("stream").path("eventsPerSecond").asDouble(Double.NaN);
        double fullStream = full.path("mosaicStream").path("eventsPerSecond").asDouble(Double.NaN);
        double fullInitialDocs = full.path("mosaicInitial").path("docsPerSecond").asDouble(Double.NaN);
        double burst = burst(r);

        double p99At1000 = Double.NaN;
        double worstP99UpToHalf = Double.NaN;
        double maxSustainable = Double.NaN;
        for (JsonNode f : full.path("freshness")) {
            int offered = f.path("offered").asInt();
            double p99 = f.path("p99").asDouble(Double.NaN);
            if (offered == 1000) {
                p99At1000 = p99;
            }
            // a small tolerance: the half-burst rate is rounded to 100 changes/s when the run offers it
            if (burst > 0 && offered <= burst * 0.5 + 50) {
                worstP99UpToHalf = Double.isNaN(worstP99UpToHalf) ? p99 : Math.max(worstP99UpToHalf, p99);
            }
            if (f.path("sustainable").asBoolean(false)) {
                maxSustainable = Double.isNaN(maxSustainable) ? offered : Math.max(maxSustainable, offered);
            }
        }
        double steadyRss = full.path("mosaicMemory").path("steadyRssBytes").asDouble(Double.NaN);

        List<Target> out = new ArrayList<>();
        out.add(new Target("single_stream_vs_pipeline_limit", "single-table streaming ≥ 90% of the pipeline limit",
                singleStream / singleStreamLimit(r), 0.9, true, "ratio"));
        out.add(new Target("single_stream_vs_flink", "single-table streaming ≥ 1.05× Flink CDC's best tuning",
                singleStream / flinkStream, 1.05, true, "ratio"));
        out.add(new Target("full_stream_vs_pipeline_limit", "three-source streaming ≥ 70% of the pipeline limit",
                fullStream / fullStreamLimit(r), 0.7, true, "ratio"));
        out.add(new Target("full_initial_docs_vs_pipeline_limit", "three-source initial load ≥ 70% of the pipeline limit (documents/s)",
                fullInitialDocs / fullInitialLimit(r), 0.7, true, "ratio"));
        out.add(new Target("p99_ms_at_1000", "p99 commit-to-searchable ≤ 1.5 s at 1,000 changes/s",
                p99At1000, 1500, false, "ms"));
        out.add(new Target("p99_ms_at_half_burst", "p99 commit-to-searchable ≤ 1.5 s at every offered rate up to half the burst throughput (the worst of them)",
                worstP99UpToHalf, 1500, false, "ms"));
        out.add(new Target("max_sustainable_share_of_burst", "highest sustainable offered rate ≥ 60% of the burst throughput",
                maxSustainable / burst, 0.6, true, "ratio"));
        out.add(new Target("steady_rss_mb", "three-source steady RSS (at 1,000 changes/s) ≤ 320 MB",
                steadyRss / (1024 * 1024), 320, false, "MB"));
        return out;
    }

    /** The {@code targets} list of results.json: one object per target with name, measured, goal and met. */
    static ArrayNode json(List<Target> targets) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (Target t : targets) {
            ObjectNode n = list.addObject();
            n.put("name", t.name());
            if (Double.isNaN(t.measured()) || Double.isInfinite(t.measured())) {
                n.putNull("measured");
            } else {
                n.put("measured", t.unit().equals("ratio") ? Math.round(t.measured() * 1000) / 1000.0 : Math.round(t.measured()));
            }
            n.put("goal", t.goal());
            n.put("comparison", t.atLeast() ? ">=" : "<=");
            n.put("unit", t.unit());
            n.put("met", t.met());
            n.put("description", t.description());
        }
        return list;
    }

    /** The limits of results.json's {@code limits} object (changes/s, documents/s). */
    static ObjectNode limits(JsonNode r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        put(n, "singleStreamPipelineLimit", singleStreamLimit(r));
        put(n, "fullStreamPipelineLimit", fullStreamLimit(r));
        put(n, "fullInitialDocsPipelineLimit", fullInitialLimit(r));
        put(n, "fullBurstThroughput", burst(r));
        return n;
    }

    private static void put(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, Math.round(v));
        }
    }
}
