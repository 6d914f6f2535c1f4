package io.mosaic.pipeline;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.metrics.MosaicMetrics;

/**
 * Whether Elasticsearch answers, for readiness: a cluster health request every {@code every}, with a
 * timeout of its own ({@code timeout}, not the write path's request timeout), on a thread of its own,
 * so that a probe reads the last verdict at once and never waits for the cluster, and a frozen
 * cluster turns readiness within {@code every + timeout}. A verdict that is not renewed in time
 * (the check itself is stuck) counts as no answer.
 */
final class ElasticsearchHealth implements AutoCloseable {

    /** The last check: whether the cluster answered, its status or what went wrong (by kind, no address), and when. */
    record Verdict(boolean up, String detail, long atMillis) {
    }

    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final Duration EVERY = Duration.ofSeconds(1);

    private final ElasticsearchGateway es;
    private final MosaicMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private volatile Verdict last = new Verdict(false, "not checked yet", 0);

    ElasticsearchHealth(ElasticsearchGateway es, MosaicMetrics metrics) {
        this.es = es;
        this.metrics = metrics;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mosaic-es-health");
            t.setDaemon(true);
            return t;
        });
    }

    ElasticsearchHealth start() {
        scheduler.scheduleWithFixedDelay(this::check, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void check() {
        Verdict v;
        try {
            v = new Verdict(true, "cluster health " + es.ping(TIMEOUT), System.currentTimeMillis());
        } catch (Exception e) {
            v = new Verdict(false, "no answer to cluster health within " + TIMEOUT.toSeconds() + " s (" + SourceRunner.kinds(e) + ")",
                    System.currentTimeMillis());
        }
        last = v;
        metrics.elasticsearchUp(v.up());
    }

    /** The last verdict; one older than a check and its timeout (with a second to spare) means the checks stopped answering. */
    Verdict current() {
        Verdict v = last;
        long age = System.currentTimeMillis() - v.atMillis();
        if (v.atMillis() > 0 && age > EVERY.plus(TIMEOUT).toMillis() + 1000) {
            return new Verdict(false, "no answer to cluster health for " + age / 1000 + " s", v.atMillis());
        }
        return v;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
