package io.mosaic.pipeline;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mosaic.config.MosaicConfig;
import io.mosaic.config.Problems;
import io.mosaic.config.SourceConfig;
import io.mosaic.http.HttpEndpoint;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingLoader;
import io.mosaic.mapping.MappingSet;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.source.DebeziumProperties;
import io.mosaic.offsets.OffsetStores;
import io.mosaic.writer.DocumentWriter;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.writer.IndexManager;
import io.mosaic.writer.ElasticsearchDeadLetters;
import io.mosaic.es.Retry;

/**
 * The service: wires configuration, mappings, Elasticsearch, one {@link SourceRunner} per source,
 * metrics and the HTTP endpoint together — the one place where the parts meet. Start-up checks the
 * whole configuration, the mappings and every connection first, and fails with all problems at once.
 */
public final class Mosaic implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Mosaic.class);

    private final MosaicConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MosaicMetrics metrics = new MosaicMetrics();
    private final List<SourceRunner> runners = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger running = new AtomicInteger();
    private ExecutorService executor;
    private ElasticsearchGateway es;
    private HttpEndpoint http;
    private AutoCloseable processMeters;
    private volatile ElasticsearchHealth esHealth;
    private volatile RebuildWatch rebuildWatch;
    private ElasticsearchGateway rebuildEs;
    private volatile SourceRunner failed;
    private volatile long failedAt;
    private volatile Throwable failure;
    private volatile boolean started;
    /** While start-up waits for a server: what it waits for, for readiness. */
    private volatile String startProblem;
    private String gatewayId;
    private final List<LeaseKeeper> keepers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final String holderId = io.mosaic.lease.SourceLease.holderId();
    private ElasticsearchGateway leaseEs;
    private volatile boolean stopping;

    private final java.util.Set<String> only;

    public Mosaic(MosaicConfig config) {
        this(config, null);
    }

    /**
     * @param only the sources this process runs, or null for all: several processes can share one
     *             configuration and mapping, each tailing some of the sources
     */
    public Mosaic(MosaicConfig config, java.util.Set<String> only) {
        this.config = config;
        this.only = only;
        if (only != null) {
            List<String> unknown = only.stream().filter(s -> !config.sources().containsKey(s)).toList();
            if (!unknown.isEmpty()) {
                throw new io.mosaic.config.ConfigException("--sources", "unknown source(s) " + unknown
                        + "; the config file defines " + config.sources().keySet());
            }
        }
    }

    private java.util.Set<String> resnapshot = java.util.Set.of();

    /** Sources to snapshot again at start: their slot and stored position are dropped first. */
    public Mosaic resnapshot(java.util.Set<String> sources) {
        List<String> unknown = sources.stream().filter(s -> !config.sources().containsKey(s)).toList();
        if (!unknown.isEmpty()) {
            throw new io.mosaic.config.ConfigException("--resnapshot", "unknown source(s) " + unknown
                    + "; the config file defines " + config.sources().keySet());
        }
        this.resnapshot = java.util.Set.copyOf(sources);
        return this;
    }

    private boolean runs(String source) {
        return only == null || only.contains(source);
    }

    /** Loads the mappings of a configuration, reporting every problem at once. */
    public static MappingSet loadMappings(MosaicConfig config) {
        Problems problems = new Problems();
        List<DocumentMapping> docs = new MappingLoader(config.sources().keySet()).load(config.mappings(), problems);
        problems.throwIfAny();
        // a source no mapping reads from is reported by Preflight, together with what the live sources show
        return new MappingSet(docs);
    }

    /**
     * Starts the service. The HTTP endpoint opens first, so that liveness answers at once. Then the
     * sources and Elasticsearch are checked: a problem the user must fix fails at once (exit 2, every
     * problem together); a server that cannot be reached is waited for, retried with backoff, logged
     * with its address and shown by readiness, as for any outage later on. Returns without starting
     * anything when {@link #close} is called meanwhile.
     */
    public void start() throws Exception {
        MappingSet mappings = loadMappings(config);
        processMeters = MosaicMetrics.bindJvmAndProcess(registry); // first: it configures meter filters
        metrics.bindTo(registry);
        for (DocumentMapping m : mappings.documents()) {
            metrics.declareIndex(m.alias(), "document");
            if (!m.isSingleTable()) {
                metrics.declareIndex(m.stateIndex(), "state", "lookup");
            }
        }
        if (config.http().port() > 0) {
            http = new HttpEndpoint(config.http().host(), config.http().port(), registry, this::liveness, this::readiness, this::status);
            // POST /snapshot?source=labor&table=labor.contracts[&table=...][&where=...], from loopback only
            http.post("/snapshot", params -> {
                String source = params.getOrDefault("source", List.of()).stream().findFirst().orElse(null);
                List<String> tables = params.getOrDefault("table", List.of());
                String where = params.getOrDefault("where", List.of()).stream().findFirst().orElse(null);
                try {
                    String id = SnapshotRequests.request(config, mappings, source, tables, where);
                    LOG.info("snapshot of {} of source {} requested over HTTP (signal {})", tables, source, id);
                    for (SourceRunner r : runners) {
                        if (r.name().equals(source)) {
                            r.incrementalSnapshotRequested(id, tables); // shown as requested until Debezium starts it
                        }
                    }
                    return new HttpEndpoint.Health(true, "snapshot of " + tables + " requested from source " + source + " (signal " + id
                            + "); GET /status shows its progress (sources[].incremental_snapshot)\n");
                } catch (SnapshotRequests.Refused e) {
                    return new HttpEndpoint.Health(false, e.getMessage() + "\n");
                }
            });
            LOG.info("health and metrics on http://{}:{}/health/ready and /metrics", config.http().host(), http.port());
        }
        if (!awaitStartChecks(mappings)) {
            return;
        }

        Retry retry = Components.pipelineRetry(config, metrics);
        es = Components.gateway(config, retry, metrics);
        esHealth = new ElasticsearchHealth(es, metrics).start();
        rebuildEs = Components.checkingGateway(config); // no retry: the watch reads again in a few seconds
        rebuildWatch = new RebuildWatch(rebuildEs, mappings.documents().stream().filter(m -> !m.isSingleTable())
                .map(DocumentMapping::alias).distinct().toList(), metrics).start();
        for (String name : resnapshot) {
            // a new snapshot always goes with a new slot (see SourcePosition); the sweep removes what it lacks
            SourceConfig source = config.sources().get(name);
            try (java.sql.Connection c = io.mosaic.source.SourceProbe.connect(source)) {
                new io.mosaic.source.SourceInspector(source).dropSlot(c);
            }
            new io.mosaic.offsets.StoredPositions(config.state(), es).forget(source);
            LOG.info("source {}: position forgotten; it will be snapshotted again", name);
        }

        for (SourceConfig source : config.sources().values()) {
            if (runs(source.name()) && !source.type().isBinlog()) {
                // Debezium must not create it (publication.autocreate.mode=disabled): only Mosaic knows the column lists
                try (java.sql.Connection c = io.mosaic.source.SourceProbe.connect(source)) {
                    new io.mosaic.source.SourceInspector(source).ensurePublication(c, mappings);
                }
            }
        }

        IndexManager indices = new IndexManager(es);
        for (DocumentMapping m : mappings.documents()) {
            indices.ensure(m);
        }
        DocumentWriter writer = Components.writer(config, mappings, es, retry, metrics, new ElasticsearchDeadLetters(es));
        writer.finishDeferredAssemblies(); // documents a crash left unwritten after a snapshot, before any source runs
        String gatewayId = null;
        if (config.state().inElasticsearch()) {
            gatewayId = "mosaic-" + System.identityHashCode(this);
            OffsetStores.register(gatewayId, es);
            this.gatewayId = gatewayId;
        } else {
            Files.createDirectories(config.state().directory());
        }
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mosaic-source");
            t.setDaemon(false);
            return t;
        });
        for (SourceConfig source : config.sources().values()) {
            if (!runs(source.name())) {
                continue;
            }
            Properties props = DebeziumProperties.of(source, mappings, config.writer(), config.state().directory(), gatewayId);
            ElasticsearchGateway gateway = es;
            Backfill backfill = new Backfill(source, mappings, new io.mosaic.offsets.CapturedTables(config.state(), es),
                    new io.mosaic.offsets.StoredPositions(config.state(), es), retry);
            SourceRunner runner = new SourceRunner(source, mappings, props, writer, retry, metrics,
                    RestartPolicy.of(config.restart()), () -> Preflight.lostPosition(config, source, gateway), this::sourceStopped, backfill);
            runners.add(runner);
        }
        running.set(runners.size());
        for (SourceRunner r : runners) {
            if (config.lease().enabled()) {
                keepers.add(leaseKeeper(r, gatewayId));
            } else {
                r.start(executor);
            }
        }
        started = true;
        LOG.info("Mosaic started: {} source(s), {} document type(s), Elasticsearch {}", runners.size(), mappings.documents().size(), es.describe());
    }

    /** A source's runner that starts only while this process holds the source's lease (see {@link LeaseKeeper}). */
    private LeaseKeeper leaseKeeper(SourceRunner runner, String gatewayId) {
        if (leaseEs == null) {
            leaseEs = Components.checkingGateway(config); // fails fast: the lease has its own cadence and deadline
        }
        String stream = OffsetStores.stream(config.sources().get(runner.name()));
        io.mosaic.lease.SourceLease lease = new io.mosaic.lease.SourceLease(stream, holderId,
                new io.mosaic.lease.ElasticsearchLeaseStore(leaseEs), config.lease().ttl(), config.lease().renewInterval(), System::nanoTime);
        OffsetStores.registerLease(gatewayId, stream, lease);
        metrics.leaseHeld(runner.name(), lease::held);
        return new LeaseKeeper(lease, runner, executor, this::leaseLost).start();
    }

    private void leaseLost(SourceRunner runner, String why) {
        if (!stopping && failure == null) {
            failed = runner;
            failedAt = System.nanoTime();
            failure = runner.failure();
            stopped.countDown();
        }
    }

    /** The longest wait between two start-up checks, whatever writer.max_backoff says: a probe should see progress. */
    private static final Duration MAX_START_CHECK_WAIT = Duration.ofSeconds(10);

    /**
     * Runs the start-up checks until they pass; throws the problems the user must fix; waits out
     * outages. Returns false when the service was closed while waiting.
     */
    private boolean awaitStartChecks(MappingSet mappings) throws Exception {
        Retry waits = Retry.forever(config.writer().initialBackoff(),
                config.writer().maxBackoff().compareTo(MAX_START_CHECK_WAIT) < 0 ? config.writer().maxBackoff() : MAX_START_CHECK_WAIT,
                e -> true, (what, attempt, wait, cause) -> { });
        long since = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            Problems problems = new Problems();
            // no retry inside the checks: an unreachable server must be reported, not waited for there
            try (ElasticsearchGateway check = Components.checkingGateway(config)) {
                Preflight.check(config, mappings, check, only == null ? config.sources().keySet() : only, resnapshot, problems);
            }
            if (problems.isEmpty()) {
                startProblem = null;
                return true;
            }
            if (!problems.onlyOutages()) {
                problems.throwIfAny();
            }
            Duration wait = waits.backoff(attempt);
            startProblem = problems.list().stream().map(p -> waitingFor(p.message())).distinct()
                    .collect(java.util.stream.Collectors.joining("; "));
            if (attempt == 1 || attempt % 10 == 0) {
                for (io.mosaic.config.ConfigProblem p : problems.list()) {
                    LOG.warn("not started yet, waiting for {} s so far: {}", Duration.ofNanos(System.nanoTime() - since).toSeconds(), p.message());
                }
            }
            if (stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        }
    }

    /**
     * What start-up waits for, for readiness and /status: the server named by an outage's message
     * ({@code elasticsearch}, {@code source 'admin'}) without its address, user or cause, which the log has.
     */
    static String waitingFor(String problem) {
        int colon = problem.indexOf(": ");
        String server = colon < 0 ? "a server" : problem.substring(0, colon);
        return "cannot reach " + server + " yet (its address and the cause are in the log)";
    }

    private void sourceStopped(SourceRunner runner) {
        if (runner.state() == SourceRunner.State.FAILED && failure == null) {
            failed = runner;
            failedAt = System.nanoTime();
            failure = runner.failure();
            // A source gave up (it cannot recover, or kept failing for restart.give_up_after): the service stops
            // and exits 1. Failures that may heal are restarted in-process by the runner and never come here.
            stopped.countDown();
        }
        if (running.decrementAndGet() == 0) {
            stopped.countDown();
        }
    }

    /** Blocks until the service stops; returns the failure that stopped it, or null for a clean stop. */
    public Throwable awaitTermination() throws InterruptedException {
        stopped.await();
        return failure;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public List<SourceRunner> runners() {
        return List.copyOf(runners);
    }

    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** How long a service whose source failed may take to exit before liveness fails (close waits 30 s for the engines). */
    static final Duration EXIT_GRACE = Duration.ofSeconds(60);

    /**
     * Live while the process and its threads work: every running source's engine thread is alive and
     * no threads are deadlocked. A source that is restarting in-process stays live. A source that
     * cannot recover (or failed for restart.give_up_after) stops the service, which exits with 1 and is
     * restarted: while it exits, liveness stays 200 (saying so), so that the kubelet does not kill a
     * clean exit; should the exit not happen within {@link #EXIT_GRACE}, liveness fails, and the kubelet
     * restarts the container. Outages (a database or the cluster down) never fail liveness: they are
     * waited for, and shown by readiness.
     */
    private HttpEndpoint.Health liveness() {
        if (failure != null) {
            SourceRunner r = failed;
            String what = r != null && r.lastError() != null ? r.lastError() : "a source stopped (" + SourceRunner.kinds(failure) + ")";
            long since = System.nanoTime() - failedAt;
            if (since < EXIT_GRACE.toNanos()) {
                return new HttpEndpoint.Health(true, "stopping: " + what + "; the service exits with 1 to be restarted\n");
            }
            return new HttpEndpoint.Health(false, "failed: " + what + "; the service has not exited for "
                    + Duration.ofNanos(since).toSeconds() + " s\n");
        }
        if (started) {
            for (SourceRunner r : runners) {
                if (!r.threadAlive()) {
                    return new HttpEndpoint.Health(false, "failed: the engine thread of source " + r.name() + " died\n");
                }
            }
        }
        long[] deadlocked = java.lang.management.ManagementFactory.getThreadMXBean().findDeadlockedThreads();
        if (deadlocked != null) {
            return new HttpEndpoint.Health(false, "failed: " + deadlocked.length + " threads are deadlocked\n");
        }
        return new HttpEndpoint.Health(true, "live\n");
    }

    /**
     * Ready when every source snapshots or streams and Elasticsearch answered its last health check
     * (every second, 2 s timeout: see {@link ElasticsearchHealth}); the body names each source's phase, the
     * cluster's answer and whether the writer is retrying.
     */
    private HttpEndpoint.Health readiness() {
        if (!started) {
            String problem = startProblem;
            return new HttpEndpoint.Health(false, "starting: " + (problem == null ? "checking the sources and Elasticsearch" : problem) + "\n");
        }
        StringBuilder body = new StringBuilder();
        boolean ok = true;
        for (SourceRunner r : runners) {
            SourceRunner.State state = r.state();
            // a standby is ready: it does what it should, and a Deployment of several replicas must be able to roll
            ok &= state == SourceRunner.State.SNAPSHOTTING || state == SourceRunner.State.STREAMING || state == SourceRunner.State.STANDBY;
            body.append("source ").append(r.name()).append(": ").append(state.name().toLowerCase(java.util.Locale.ROOT)).append('\n');
        }
        ElasticsearchHealth.Verdict es = esHealth.current();
        ok &= es.up();
        body.append("elasticsearch: ").append(es.up() ? "ok, " : "not ready: ").append(es.detail()).append('\n');
        body.append("writer: ").append(writerState(metrics.stalledSeconds(), metrics.refusal())).append('\n');
        return new HttpEndpoint.Health(ok, body.toString());
    }

    /** The writer's line of readiness: ok, or how long it has been retrying and, when the cluster refuses writes, why. */
    static String writerState(double stalledSeconds, String refusal) {
        if (stalledSeconds <= 0) {
            return "ok";
        }
        String out = String.format(java.util.Locale.ROOT, "retrying a failing request for %.0f s", stalledSeconds);
        if (refusal == null) {
            return out;
        }
        return out + "; Elasticsearch refuses writes (" + refusal + ": " + ("cluster_block_exception".equals(refusal)
                ? "an index is read-only, as at the flood-stage disk watermark, or write-blocked; free disk space or lift the block"
                : "the cluster is overloaded") + "), nothing is skipped and writing resumes by itself";
    }

    /** The JSON of /status; docs/METRICS.md describes it. */
    private String status() {
        RebuildWatch watch = rebuildWatch;
        return StatusReport.json(started, startProblem, runs(), runners, esHealth == null ? null : esHealth.current(), metrics.stalledSeconds(),
                metrics.refusal(), watch == null ? java.util.Map.of() : watch.status(System.currentTimeMillis()));
    }

    private List<String> runs() {
        return config.sources().keySet().stream().filter(this::runs).toList();
    }

    @Override
    /**
     * Stops the service: every engine stops after the batch in hand is written and acknowledged, and
     * commits its position; then the endpoint and the client close. Idempotent: a second call waits
     * for the first to finish.
     */
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closeOnce();
            closed = true;
        }
    }

    private final Object closeLock = new Object();
    private boolean closed;

    private void closeOnce() {
        stopping = true;
        // In parallel: behind a network partition each engine's last offset commit waits
        // offset.flush.timeout.ms for the cluster, and one after another they outlasted a 30 s grace period
        // (NetworkPartitionIT: 36 s for three sources).
        List<Thread> stoppers = new ArrayList<>();
        for (SourceRunner r : runners) {
            Thread t = new Thread(() -> {
                try {
                    r.close();
                } catch (Exception e) {
                    LOG.warn("closing source {}: {}", r.name(), e.toString());
                }
            }, "mosaic-stop-" + r.name());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (LeaseKeeper k : keepers) {
            k.close(); // after its runner committed its position: a standby takes over at once
        }
        if (leaseEs != null) {
            try {
                leaseEs.close();
            } catch (Exception e) {
                LOG.debug("closing the lease's Elasticsearch client", e);
            }
        }
        if (http != null) {
            http.close();
        }
        if (esHealth != null) {
            esHealth.close();
        }
        if (rebuildWatch != null) {
            rebuildWatch.close();
        }
        if (rebuildEs != null) {
            try {
                rebuildEs.close();
            } catch (Exception e) {
                LOG.debug("closing the rebuild watch's Elasticsearch client", e);
            }
        }
        if (processMeters != null) {
            try {
                processMeters.close();
            } catch (Exception e) {
                LOG.debug("closing the GC meters", e);
            }
        }
        if (gatewayId != null) {
            OffsetStores.unregister(gatewayId);
        }
        if (es != null) {
            try {
                es.close();
            } catch (Exception e) {
                LOG.debug("closing Elasticsearch client", e);
            }
        }
        stopped.countDown();
    }
}
