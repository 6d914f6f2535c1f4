package io.mosaic.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import java.lang.management.ManagementFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.mosaic.es.BulkObserver;

/**
 * Mosaic's own meters, each declared here once, by name, with a description and base unit; tagged
 * {@code source}, {@code table} or {@code index} (never a row value). docs/METRICS.md documents them
 * as Prometheus scrapes them. Per-source meters live in {@link SourceMeters}; Debezium's own MBeans
 * are bridged by {@link DebeziumMetricsBridge}.
 *
 * <p>Latencies and sizes are histograms with fixed buckets (not client-side percentiles), so that
 * quantiles aggregate across pods. Counters whose label values are known at start-up (tables,
 * indices, operations) are declared with 0 then, so that {@code increase()} sees their first event.
 */
public final class MosaicMetrics implements MeterBinder, BulkObserver {

    // per source: see SourceMeters
    public static final String CHANGES = "mosaic.source.changes";
    public static final String LAG = "mosaic.source.lag";
    public static final String RECEIVE_LAG = "mosaic.source.receive.lag";
    public static final String CURRENT_LAG = "mosaic.source.current.lag";
    public static final String LAST_EVENT_AGE = "mosaic.source.last.event.age";
    public static final String PHASE = "mosaic.source.phase";
    public static final String LEASE_HELD = "mosaic.source.lease.held";
    public static final String SNAPSHOT_ROWS = "mosaic.source.snapshot.rows";
    public static final String SNAPSHOT_ROWS_ESTIMATE = "mosaic.source.snapshot.rows.estimate";
    public static final String RESTARTS = "mosaic.source.restarts";
    // incremental snapshots (mosaic snapshot, POST /snapshot, the automatic backfill, rebuild's fallback)
    public static final String INCREMENTAL_SNAPSHOT_ROWS = "mosaic.source.incremental.snapshot.rows";
    public static final String INCREMENTAL_SNAPSHOT_RUNNING = "mosaic.source.incremental.snapshot.running";
    public static final String INCREMENTAL_SNAPSHOTS = "mosaic.source.incremental.snapshots";
    // the writer
    public static final String DOCUMENTS_WRITTEN = "mosaic.writer.documents.written";
    public static final String DOCUMENTS_DELETED = "mosaic.writer.documents.deleted";
    public static final String STALE = "mosaic.writer.stale";
    public static final String DEAD_LETTERS = "mosaic.writer.dead.letters";
    public static final String FANOUT = "mosaic.writer.fanout";
    public static final String LOOKUP_CACHE_ROWS = "mosaic.writer.lookup.cache.rows";
    public static final String BATCH_DURATION = "mosaic.writer.batch.duration";
    // Elasticsearch
    public static final String BULK_DURATION = "mosaic.elasticsearch.bulk.duration";
    public static final String BULK_SIZE = "mosaic.elasticsearch.bulk.size";
    public static final String BULK_ITEM_FAILURES = "mosaic.elasticsearch.bulk.item.failures";
    public static final String RETRIES = "mosaic.elasticsearch.retries";
    public static final String STALLED = "mosaic.elasticsearch.stalled";
    public static final String WRITES_REFUSED = "mosaic.elasticsearch.writes.refused";
    public static final String ES_UP = "mosaic.elasticsearch.up";
    // a `mosaic rebuild` (another process), as it reports itself in mosaic-rebuilds
    public static final String REBUILD_DOCUMENTS = "mosaic.rebuild.documents";
    public static final String REBUILD_DOCUMENTS_ESTIMATE = "mosaic.rebuild.documents.estimate";
    public static final String REBUILD_RUNNING = "mosaic.rebuild.running";

    /** The {@code operation} label of {@link #RETRIES}: a closed set. */
    static final List<String> OPERATIONS = List.of("bulk", "mget", "refresh", "search", "batch", "admin");

    private static final Pattern ERROR_TYPE = Pattern.compile("[a-z0-9_.]{1,80}");

    private MeterRegistry registry;
    /** Meters by name and tags: each is built once, on its first use, not on every batch. */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> fanOuts = new ConcurrentHashMap<>();
    private final Map<String, SourceMeters> sources = new ConcurrentHashMap<>();
    private final AtomicLong stalledSince = new AtomicLong();
    /** Why the cluster refuses writes (an error type), while the writer is stalled on that; null otherwise. */
    private volatile String refusal;
    private volatile double elasticsearchUp = Double.NaN;
    private Timer bulkAnswered;
    private Timer bulkFailed;
    private DistributionSummary bulkSize;

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(STALLED, stalledSince, s -> s.get() == 0 ? 0 : (System.currentTimeMillis() - s.get()) / 1000.0)
                .description("Seconds the writer has been retrying a failing Elasticsearch request (0 when healthy)")
                .baseUnit("seconds").register(registry);
        Gauge.builder(WRITES_REFUSED, this, m -> m.refusal != null && m.isStalled() ? 1 : 0)
                .description("1 while the writer is stalled because Elasticsearch refuses writes (an index block such as the "
                        + "flood-stage disk watermark's, a full write queue: 429), 0 otherwise")
                .register(registry);
        Gauge.builder(ES_UP, this, m -> m.elasticsearchUp)
                .description("1 when Elasticsearch answered the last health check (cluster health, 2 s timeout, every second), 0 when not; NaN before the first")
                .register(registry);
        bulkAnswered = bulkTimer("answered");
        bulkFailed = bulkTimer("failed");
        bulkSize = DistributionSummary.builder(BULK_SIZE).description("Items per bulk request sent to Elasticsearch")
                .baseUnit("items").serviceLevelObjectives(1, 10, 50, 100, 250, 511, 1024, 2048, 4096).register(registry);
        for (String operation : OPERATIONS) {
            retryCounter(operation);
        }
    }

    private Timer bulkTimer(String outcome) {
        return Timer.builder(BULK_DURATION)
                .description("Seconds from sending a bulk request to Elasticsearch to having read its response, per attempt "
                        + "(outcome: answered, or failed without a readable response)")
                .tags("outcome", outcome)
                .serviceLevelObjectives(ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000),
                        ms(10000), ms(30000))
                .register(registry);
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * The JVM and process meters (memory, GC, threads, classes, CPU, uptime, file descriptors), named
     * as Prometheus' linter wants: Micrometer's {@code process.cpu.time} (in ns) is replaced by
     * {@code process_cpu_seconds_total}, and {@code system.cpu.count} is {@code system_cpus} (a gauge
     * may not end in {@code _count}). Returns the GC meters, which hold a listener: close them with the service.
     */
    public static AutoCloseable bindJvmAndProcess(MeterRegistry registry) {
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .description("CPU time used by the process").baseUnit("seconds").register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return gc;
    }

    /** The meters of one source, built on first use (their label values are known at start-up: call it then). */
    public SourceMeters source(String source) {
        return sources.computeIfAbsent(source, s -> new SourceMeters(this, s));
    }

    /** Whether this process holds the lease of a source (1) or stands by (0): only with {@code lease.enabled}. */
    public void leaseHeld(String source, java.util.function.BooleanSupplier held) {
        Gauge.builder(LEASE_HELD, held, h -> h.getAsBoolean() ? 1 : 0)
                .description("1 while this process holds the source's lease and may stream it, 0 while it stands by or lost it")
                .tags("source", source).strongReference(true).register(registry);
    }

    /**
     * The gauges of a rebuild of the document type {@code index} (its alias), read from what the rebuild
     * last reported: NaN for the counts when no rebuild ever reported.
     */
    public void rebuild(String index, java.util.function.DoubleSupplier done, java.util.function.DoubleSupplier total,
                        java.util.function.BooleanSupplier running) {
        Gauge.builder(REBUILD_DOCUMENTS, done, java.util.function.DoubleSupplier::getAsDouble)
                .description("States of the document type's last `mosaic rebuild` done in its current pass (first the build of the new "
                        + "index, then the catch-up after the alias moved); NaN when no rebuild reported")
                .tags("index", index).strongReference(true).register(registry);
        Gauge.builder(REBUILD_DOCUMENTS_ESTIMATE, total, java.util.function.DoubleSupplier::getAsDouble)
                .description("States the last `mosaic rebuild` counted before it started (what each pass goes through); NaN when no rebuild reported")
                .tags("index", index).strongReference(true).register(registry);
        Gauge.builder(REBUILD_RUNNING, running, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 while a `mosaic rebuild` of the document type reports progress (building, moved, catching-up, updated "
                        + "within the last 60 s), 0 otherwise (none, done, failed, or stale: its process stopped reporting)")
                .tags("index", index).strongReference(true).register(registry);
    }

    /** Declares the counters of a document index with 0, so that their first increase is seen. */
    public void declareIndex(String index, String... kinds) {
        for (String kind : kinds) {
            written(index, kind);
        }
        if (List.of(kinds).contains("document")) {
            deleted(index);
        }
        stale(index, 0);
    }

    /** Declares a mapped table of a source: its change, incremental snapshot row and dead-letter counters, with 0. */
    public void declareTable(String source, String table) {
        source(source).changes(table, 0);
        source(source).incrementalSnapshotRows(table, 0);
        deadLetters(source, table, 0);
    }

    public void written(String index, String kind, int n) {
        written(index, kind).increment(n);
    }

    private Counter written(String index, String kind) {
        return counter(DOCUMENTS_WRITTEN, "Items Elasticsearch acknowledged as written (kind: document, the public document; "
                + "state, a state document; lookup, a lookup row)", "index", index, "kind", kind);
    }

    public void deleted(String index, int n) {
        deleted(index).increment(n);
    }

    private Counter deleted(String index) {
        return counter(DOCUMENTS_DELETED, "Public documents deleted (or already absent) in Elasticsearch", "index", index);
    }

    public void stale(String index, int n) {
        counter(STALE, "Writes Elasticsearch rejected because a newer version was already there (harmless replays)", "index", index)
                .increment(n);
    }

    /** @param table the table without its source, e.g. {@code public.employees} */
    public void deadLetters(String source, String table, int n) {
        counter(DEAD_LETTERS, "Changes parked as dead letters: they could not be projected, or Elasticsearch rejected them for good",
                "source", source, "table", table).increment(n);
    }

    /** Documents re-assembled because a batch's lookup rows changed (one observation per such batch). */
    public void fanOut(String index, int documents) {
        fanOuts.computeIfAbsent(index, i -> DistributionSummary.builder(FANOUT)
                .description("Documents re-assembled because a batch changed lookup rows they refer to, per batch with lookup changes")
                .baseUnit("documents").tags("index", i)
                .serviceLevelObjectives(1, 10, 100, 1000, 10000, 100000).register(registry)).record(documents);
    }

    /**
     * Lookup rows a batch needed: taken from the writer's lookup cache ({@code hit}), read from Elasticsearch
     * ({@code miss}), or found changed by the re-check after the state write ({@code stale}: read again).
     */
    public void lookupCacheRows(String index, String result, int n) {
        if (n > 0) {
            counter(LOOKUP_CACHE_ROWS, "Lookup rows the writer needed for assembling documents, by where they came from: its cache (hit), "
                    + "Elasticsearch (miss), or read again because the re-check after the state write found them changed (stale)",
                    "index", index, "result", result).increment(n);
        }
    }

    /** Counts a retry; {@code what} is the retried request's description, such as {@code bulk employees}. */
    public void retry(String what) {
        retryCounter(operation(what)).increment();
    }

    private Counter retryCounter(String operation) {
        return counter(RETRIES, "Elasticsearch requests (operation: bulk, mget, refresh, search, admin) or whole batches retried "
                + "after a failure that can heal", "operation", operation);
    }

    /** The closed set of operations of {@link #RETRIES}, from a request description. */
    static String operation(String what) {
        int space = what.indexOf(' ');
        String first = (space < 0 ? what : what.substring(0, space)).toLowerCase(java.util.Locale.ROOT);
        if (OPERATIONS.contains(first)) {
            return first;
        }
        return what.contains("_search") || what.contains("_pit") ? "search" : "admin";
    }

    @Override
    public void request(int items, long nanos, boolean answered) {
        (answered ? bulkAnswered : bulkFailed).record(nanos, TimeUnit.NANOSECONDS);
        bulkSize.record(items);
    }

    @Override
    public void itemFailed(int status, String errorType, boolean retryable) {
        String reason = errorType != null && ERROR_TYPE.matcher(errorType).matches() ? errorType : "status_" + status;
        counter(BULK_ITEM_FAILURES, "Bulk items Elasticsearch failed, by its error type (reason); version conflicts are counted as "
                + "stale instead. Retryable ones are sent again, the others become dead letters",
                "reason", reason, "retryable", Boolean.toString(retryable)).increment();
    }

    /** Notes the last readiness health check of Elasticsearch. */
    public void elasticsearchUp(boolean up) {
        elasticsearchUp = up ? 1 : 0;
    }

    public void stalled(boolean stalled) {
        if (stalled) {
            stalledSince.compareAndSet(0, System.currentTimeMillis());
        } else {
            stalledSince.set(0);
            refusal = null;
        }
    }

    /**
     * The writer is stalled, retrying a failure; {@code refusal} says how the cluster refuses writes
     * ({@code cluster_block_exception}, {@code es_rejected_execution_exception}), or is null when the
     * failure is something else (a timeout, a refused connection). The last retried failure wins.
     */
    public void stalled(String refusal) {
        stalled(true);
        this.refusal = refusal;
    }

    /** How the cluster refuses writes while the writer is stalled on that ({@code cluster_block_exception}), or null. */
    public String refusal() {
        String r = refusal;
        return r != null && isStalled() ? r : null;
    }

    public boolean isStalled() {
        return stalledSince.get() != 0;
    }

    /** Seconds the writer has been retrying, 0 when it is not. */
    public double stalledSeconds() {
        long since = stalledSince.get();
        return since == 0 ? 0 : (System.currentTimeMillis() - since) / 1000.0;
    }

    Counter counter(String name, String description, String... tags) {
        StringBuilder key = new StringBuilder(name);
        for (String t : tags) {
            key.append('\u0000').append(t);
        }
        return counters.computeIfAbsent(key.toString(), k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }
}
