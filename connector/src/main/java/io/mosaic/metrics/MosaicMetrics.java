package io.mosaic.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Mosaic's own meters, each declared once by name with a description; tagged {@code source},
 * {@code table} or {@code index}. Bound to a registry at start-up, like a Micrometer {@link MeterBinder}.
 */
public final class MosaicMetrics implements MeterBinder {

    public static final String CHANGES = "mosaic.source.changes";
    public static final String SOURCE_LAG = "mosaic.source.lag";
    public static final String SOURCE_LAST_EVENT = "mosaic.source.last.event.age";
    public static final String SOURCE_RUNNING = "mosaic.source.running";
    public static final String SOURCE_SNAPSHOTTING = "mosaic.source.snapshotting";
    public static final String BATCH = "mosaic.writer.batch";
    public static final String WRITES = "mosaic.writer.writes";
    public static final String STALE = "mosaic.writer.stale";
    public static final String DEAD_LETTERS = "mosaic.writer.dead.letters";
    public static final String RETRIES = "mosaic.writer.retries";
    public static final String STALLED = "mosaic.writer.stalled";

    private MeterRegistry registry;
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    /** Meters by name and tags: each is built once, on its first use, not on every batch. */
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final AtomicLong stalledSince = new AtomicLong();

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(STALLED, stalledSince, s -> s.get() == 0 ? 0 : (System.currentTimeMillis() - s.get()) / 1000.0)
                .description("Seconds the writer has been retrying a failing Elasticsearch request (0 when healthy)")
                .baseUnit("seconds").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void changes(String source, String table, int n) {
        counter(CHANGES, "Row changes received from the source", "source", source, "table", table).increment(n);
    }

    public void writes(String index, String kind, int n) {
        counter(WRITES, "Documents written to Elasticsearch (kind: document, delete, state, lookup)", "index", index, "kind", kind)
                .increment(n);
    }

    public void stale(String index, int n) {
        counter(STALE, "Writes Elasticsearch rejected because a newer version was already there (harmless replays)", "index", index)
                .increment(n);
    }

    public void deadLetters(String source, String table, int n) {
        counter(DEAD_LETTERS, "Rows that could not be projected or were rejected by Elasticsearch", "source", source, "table", table)
                .increment(n);
    }

    public void retry(String what) {
        counter(RETRIES, "Elasticsearch requests retried after a retryable failure", "operation", what.split(" ")[0]).increment();
    }

    private Counter counter(String name, String description, String... tags) {
        List<String> key = new java.util.ArrayList<>(tags.length + 1);
        key.add(name);
        key.addAll(List.of(tags));
        return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    public void stalled(boolean stalled) {
        if (stalled) {
            stalledSince.compareAndSet(0, System.currentTimeMillis());
        } else {
            stalledSince.set(0);
        }
    }

    public boolean isStalled() {
        return stalledSince.get() != 0;
    }

    public Timer batchTimer(String source) {
        return timers.computeIfAbsent(source, s -> Timer.builder(BATCH).description("Time to write one batch of changes to Elasticsearch, acknowledged")
                .tags("source", s).publishPercentiles(0.5, 0.95, 0.99).register(registry));
    }

    /** Milliseconds from a change's commit in the source to its acknowledgement by Elasticsearch. */
    public void lag(String source, long millis) {
        gauge(SOURCE_LAG, source, "Milliseconds from the last written change's commit in the source to its acknowledgement by Elasticsearch")
                .set(millis);
    }

    /** Notes that a batch of the source was handled now; exported as the seconds since (issue 10: it was never registered). */
    public void lastEvent(String source) {
        gauges.computeIfAbsent(SOURCE_LAST_EVENT + "|" + source, k -> {
            AtomicLong stamp = new AtomicLong();
            Gauge.builder(SOURCE_LAST_EVENT, stamp, s -> s.get() == 0 ? 0 : (System.currentTimeMillis() - s.get()) / 1000.0)
                    .description("Seconds since the source's last batch was written and acknowledged (grows while it is stuck)")
                    .baseUnit("seconds").tags("source", source).register(registry);
            return stamp;
        }).set(System.currentTimeMillis());
    }

    public void running(String source, boolean running) {
        gauge(SOURCE_RUNNING, source, "1 while the source's Debezium engine runs, else 0").set(running ? 1 : 0);
    }

    public void snapshotting(String source, boolean snapshotting) {
        gauge(SOURCE_SNAPSHOTTING, source, "1 while the source reads its initial snapshot, 0 once it streams changes")
                .set(snapshotting ? 1 : 0);
    }

    private AtomicLong gauge(String name, String source, String description) {
        return gauges.computeIfAbsent(name + "|" + source, k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, AtomicLong::get).description(description).tags("source", source).register(registry);
            return value;
        });
    }

    public static long nanosToMillis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
