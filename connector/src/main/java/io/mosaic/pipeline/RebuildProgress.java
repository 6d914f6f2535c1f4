package io.mosaic.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mosaic.es.ElasticsearchGateway;

/**
 * The progress of a {@code mosaic rebuild} of one document type, as the rebuild process reports it
 * and the service shows it ({@code /status}, {@code mosaic_rebuild_*}): one document per alias in the
 * internal index {@code mosaic-rebuilds}, next to {@code mosaic-offsets}, overwritten every few seconds
 * by the rebuild and read with a realtime GET by the service, so that no refresh is needed.
 *
 * <p>{@code done} counts the states of the current pass ({@code building}: the first pass into the new
 * index; {@code catching-up}: the second, after the alias moved) against {@code total}, the states
 * counted before the first pass. A rebuild that stopped reporting (its process was killed) would read
 * {@code building} for ever: an unfinished phase not updated within {@link #STALE_AFTER} is
 * {@linkplain #staleAt stale}, shown as not running.
 */
public record RebuildProgress(String alias, String target, String phase, long done, long total, double rate,
                              long startedAtMillis, long updatedAtMillis) {

    public static final String INDEX = "mosaic-rebuilds";
    public static final String BUILDING = "building";
    public static final String MOVED = "moved";
    public static final String CATCHING_UP = "catching-up";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    /** The phases of a rebuild still at work. */
    static final List<String> UNFINISHED = List.of(BUILDING, MOVED, CATCHING_UP);
    /** How often a rebuild writes its progress (at most; and at every change of phase). */
    public static final Duration EVERY = Duration.ofSeconds(5);
    /**
     * An unfinished phase older than this is stale. Far above {@link #EVERY}: a page's bulk request may be
     * retried for a while on a busy cluster before the next report.
     */
    static final Duration STALE_AFTER = Duration.ofSeconds(60);

    /** Whether the rebuild is at work: an unfinished phase, updated recently enough. */
    public boolean runningAt(long nowMillis) {
        return UNFINISHED.contains(phase) && !staleAt(nowMillis);
    }

    /** An unfinished phase that has not been updated within {@link #STALE_AFTER}: its process is gone or stuck. */
    public boolean staleAt(long nowMillis) {
        return UNFINISHED.contains(phase) && nowMillis - updatedAtMillis > STALE_AFTER.toMillis();
    }

    /** The same rebuild in {@code phase} with {@code done} states at {@code rate} per second, updated at {@code nowMillis}. */
    public RebuildProgress with(String phase, long done, double rate, long nowMillis) {
        return new RebuildProgress(alias, target, phase, done, total, rate, startedAtMillis, nowMillis);
    }

    /** The stored document (and the shape of {@code /status}'s {@code rebuild} entries, with {@code running} and {@code stale}). */
    public Map<String, Object> toSource() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("alias", alias);
        out.put("target", target);
        out.put("phase", phase);
        out.put("done", done);
        out.put("total", total);
        out.put("rate_per_second", Math.round(rate * 10) / 10.0);
        out.put("started_at", Instant.ofEpochMilli(startedAtMillis).toString());
        out.put("updated_at", Instant.ofEpochMilli(updatedAtMillis).toString());
        return out;
    }

    /** The document as read back, or null when it is not one (an older or foreign shape). */
    static RebuildProgress fromSource(Map<?, ?> s) {
        try {
            return new RebuildProgress((String) s.get("alias"), (String) s.get("target"), (String) s.get("phase"),
                    ((Number) s.get("done")).longValue(), ((Number) s.get("total")).longValue(), ((Number) s.get("rate_per_second")).doubleValue(),
                    Instant.parse((String) s.get("started_at")).toEpochMilli(), Instant.parse((String) s.get("updated_at")).toEpochMilli());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Creates the index unless it exists (a rebuild calls it once, before its first write). */
    public static void ensureIndex(ElasticsearchGateway es) throws Exception {
        es.createIndex(INDEX, Map.of("dynamic", false, "properties", Map.of(
                "alias", Map.of("type", "keyword"), "phase", Map.of("type", "keyword"), "updated_at", Map.of("type", "date"))));
    }

    /** Overwrites the alias's document. */
    public void write(ElasticsearchGateway es) throws Exception {
        es.send("PUT", path(alias), toSource());
    }

    /** The alias's document, or null when there is none (no rebuild ever ran, or the index does not exist). */
    static RebuildProgress read(ElasticsearchGateway es, String alias) throws Exception {
        Map<String, Object> doc = es.send("GET", path(alias), null, 404);
        if (!Boolean.TRUE.equals(doc.get("found")) || !(doc.get("_source") instanceof Map<?, ?> s)) {
            return null;
        }
        return fromSource(s);
    }

    private static String path(String alias) {
        return "/" + INDEX + "/_doc/" + java.net.URLEncoder.encode(alias, java.nio.charset.StandardCharsets.UTF_8);
    }
}
