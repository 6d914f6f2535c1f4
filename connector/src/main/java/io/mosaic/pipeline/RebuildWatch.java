package io.mosaic.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.ErrorClassifier;
import io.mosaic.metrics.MosaicMetrics;

/**
 * What the service knows of a {@code mosaic rebuild} running as another process: every
 * {@link RebuildProgress#EVERY} a realtime GET of each rebuildable alias's {@link RebuildProgress}
 * document, on a thread of its own through a gateway that does not retry, so that {@code /status}
 * and a scrape read the last answer at once. A failed read keeps the last answer; its updated time
 * makes it stale in time.
 */
final class RebuildWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RebuildWatch.class);

    private final ElasticsearchGateway es;
    private final List<String> aliases;
    private final Map<String, RebuildProgress> last = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mosaic-rebuild-watch");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean failing;

    /** @param aliases the document types a rebuild can build (those with a state index) */
    RebuildWatch(ElasticsearchGateway es, List<String> aliases, MosaicMetrics metrics) {
        this.es = es;
        this.aliases = List.copyOf(aliases);
        for (String alias : this.aliases) {
            metrics.rebuild(alias, () -> count(alias, true), () -> count(alias, false),
                    () -> last.containsKey(alias) && last.get(alias).runningAt(System.currentTimeMillis()));
        }
    }

    RebuildWatch start() {
        scheduler.scheduleWithFixedDelay(this::check, 0, RebuildProgress.EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void check() {
        for (String alias : aliases) {
            try {
                RebuildProgress p = RebuildProgress.read(es, alias);
                if (p != null) {
                    last.put(alias, p);
                }
                failing = false;
            } catch (Exception e) {
                if (!failing) { // once per outage: the readiness check says more
                    LOG.debug("reading the rebuild progress of {}: {}", alias, ErrorClassifier.describe(e));
                }
                failing = true;
            }
        }
    }

    private double count(String alias, boolean done) {
        RebuildProgress p = last.get(alias);
        return p == null ? Double.NaN : done ? p.done() : p.total();
    }

    /** The {@code rebuild} object of {@code /status}: per alias that ever reported, its last report with {@code running} and {@code stale}. */
    Map<String, Object> status(long nowMillis) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String alias : aliases) {
            RebuildProgress p = last.get(alias);
            if (p != null) {
                out.put(alias, entry(p, nowMillis));
            }
        }
        return out;
    }

    static Map<String, Object> entry(RebuildProgress p, long nowMillis) {
        Map<String, Object> e = p.toSource();
        e.remove("alias");
        e.put("running", p.runningAt(nowMillis));
        e.put("stale", p.staleAt(nowMillis));
        return e;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
