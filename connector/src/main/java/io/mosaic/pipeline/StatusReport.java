package io.mosaic.pipeline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.mosaic.metrics.DebeziumMetricsBridge;
import io.mosaic.metrics.SourceMeters;

/**
 * The body of {@code /status}: per source its phase, snapshot progress, last acknowledged position,
 * lag, last error and restart count; the cluster's last health check; the writer's stall. Numbers
 * that are not known (yet) are null. Its shape is documented in docs/METRICS.md. Nothing in it comes
 * from a row, and nothing from the configuration but a failing source's server ({@code host:port}) in
 * its {@code last_error}, which must say where: no user, secret or value.
 */
final class StatusReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StatusReport() {
    }

    static String json(boolean started, String waitingFor, List<String> sources, List<SourceRunner> runners,
                       ElasticsearchHealth.Verdict es, double stalledSeconds) {
        return json(started, waitingFor, sources, runners, es, stalledSeconds, null);
    }

    /** @param refusal how the cluster refuses writes while the writer is stalled on that (an error type), or null */
    static String json(boolean started, String waitingFor, List<String> sources, List<SourceRunner> runners,
                       ElasticsearchHealth.Verdict es, double stalledSeconds, String refusal) {
        return json(started, waitingFor, sources, runners, es, stalledSeconds, refusal, Map.of());
    }

    /** @param rebuild per alias, the last progress a {@code mosaic rebuild} reported ({@link RebuildWatch#status}) */
    static String json(boolean started, String waitingFor, List<String> sources, List<SourceRunner> runners,
                       ElasticsearchHealth.Verdict es, double stalledSeconds, String refusal, Map<String, Object> rebuild) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("started", started);
        out.put("waiting_for", started ? null : waitingFor);
        List<Map<String, Object>> list = new ArrayList<>();
        if (!started) {
            for (String name : sources) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("name", name);
                s.put("phase", "starting");
                s.put("restarts", 0);
                list.add(s);
            }
        }
        for (SourceRunner r : runners) {
            list.add(source(r));
        }
        out.put("sources", list);
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("up", es != null && es.up());
        cluster.put("detail", es == null ? "not checked before start-up completes" : es.detail());
        cluster.put("checked_at", es == null || es.atMillis() == 0 ? null : Instant.ofEpochMilli(es.atMillis()).toString());
        out.put("elasticsearch", cluster);
        Map<String, Object> writer = new LinkedHashMap<>();
        writer.put("retrying_for_seconds", round(stalledSeconds));
        writer.put("writes_refused", refusal);
        out.put("writer", writer);
        out.put("rebuild", rebuild);
        try {
            return JSON.writeValueAsString(out) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> source(SourceRunner r) {
        SourceMeters m = r.meters();
        DebeziumMetricsBridge d = r.debezium();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", r.name());
        s.put("phase", r.state().name().toLowerCase(java.util.Locale.ROOT));
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("running", bool(d.value("snapshot", "SnapshotRunning")));
        snapshot.put("completed", bool(d.value("snapshot", "SnapshotCompleted")));
        double total = d.value("snapshot", "TotalTableCount");
        double remaining = d.value("snapshot", "RemainingTableCount");
        snapshot.put("tables_total", whole(total));
        snapshot.put("tables_done", whole(total - remaining));
        snapshot.put("rows_scanned", whole(d.value("snapshot", "RowsScanned")));
        snapshot.put("rows_written", m.snapshotRows());
        snapshot.put("rows_estimated", whole(m.snapshotRowsEstimate()));
        s.put("snapshot", snapshot);
        s.put("position", r.lastPosition());
        long at = r.lastAcknowledgedMillis();
        s.put("acknowledged_at", at == 0 ? null : Instant.ofEpochMilli(at).toString());
        s.put("lag_seconds", round(m.currentLagSeconds()));
        s.put("debezium_behind_source_seconds", round(d.value("streaming", "MilliSecondsBehindSource") / 1000));
        s.put("backfill", r.backfillStatus());
        s.put("incremental_snapshot", r.incrementalSnapshotStatus());
        s.put("last_error", r.lastError());
        s.put("restarts", r.restarts());
        return s;
    }

    private static Object round(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 1000) / 1000.0;
    }

    private static Object whole(double v) {
        return Double.isNaN(v) ? null : (long) v;
    }

    private static Object bool(double v) {
        return Double.isNaN(v) ? null : v != 0;
    }
}
