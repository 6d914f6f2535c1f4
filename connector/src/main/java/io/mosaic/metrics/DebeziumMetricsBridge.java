package io.mosaic.metrics;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.ToDoubleFunction;

import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Debezium's own connector MBeans of one source, as gauges read at each scrape. The embedded engine
 * registers them in the platform MBean server as
 * {@code debezium.<postgres|mysql|mariadb>:type=connector-metrics,context=<snapshot|streaming>,server=<source>}
 * (the server is the topic prefix, which Mosaic sets to the source's name); each gauge is NaN while its
 * MBean is absent (before the engine started, after it stopped). Only numbers are bridged: never
 * {@code LastEvent}, which quotes a row's key.
 */
public final class DebeziumMetricsBridge implements MeterBinder {

    private record Bridged(String name, String context, String attribute, String description, String baseUnit, double scale) {
    }

    private static final List<Bridged> GAUGES = List.of(
            new Bridged("mosaic.debezium.behind.source", "streaming", "MilliSecondsBehindSource",
                    "Debezium's MilliSecondsBehindSource: seconds between the last streamed change's commit and Debezium reading it",
                    "seconds", 0.001),
            new Bridged("mosaic.debezium.since.last.event", "streaming", "MilliSecondsSinceLastEvent",
                    "Debezium's MilliSecondsSinceLastEvent while streaming, in seconds", "seconds", 0.001),
            new Bridged("mosaic.debezium.connected", "streaming", "Connected",
                    "Debezium's Connected: 1 while the streaming connection to the database is up", null, 1),
            new Bridged("mosaic.debezium.queue.remaining.capacity", "streaming", "QueueRemainingCapacity",
                    "Debezium's QueueRemainingCapacity: free records in the engine's bounded queue (fill = 1 - remaining / total)", null, 1),
            new Bridged("mosaic.debezium.queue.total.capacity", "streaming", "QueueTotalCapacity",
                    "Debezium's QueueTotalCapacity: size of the engine's bounded queue in records (writer.queue_size)", null, 1),
            new Bridged("mosaic.debezium.snapshot.running", "snapshot", "SnapshotRunning",
                    "Debezium's SnapshotRunning: 1 while the snapshot reads tables", null, 1),
            new Bridged("mosaic.debezium.snapshot.completed", "snapshot", "SnapshotCompleted",
                    "Debezium's SnapshotCompleted: 1 once the snapshot of this run completed", null, 1),
            new Bridged("mosaic.debezium.snapshot.tables", "snapshot", "TotalTableCount",
                    "Debezium's TotalTableCount: tables the snapshot reads", null, 1),
            new Bridged("mosaic.debezium.snapshot.tables.remaining", "snapshot", "RemainingTableCount",
                    "Debezium's RemainingTableCount: tables the snapshot has yet to read", null, 1),
            new Bridged("mosaic.debezium.snapshot.rows.scanned", "snapshot", "RowsScanned",
                    "Debezium's RowsScanned, summed over the tables: rows the snapshot has read", null, 1));

    /** The names of the bridged gauges, as registered. */
    public static List<String> names() {
        return GAUGES.stream().map(Bridged::name).toList();
    }

    private final String source;
    private final String domain;
    private final MBeanServer server;

    /**
     * @param connector the connector's short name: {@code postgres}, {@code mysql} or {@code mariadb}
     */
    public DebeziumMetricsBridge(String source, String connector) {
        this(source, connector, ManagementFactory.getPlatformMBeanServer());
    }

    DebeziumMetricsBridge(String source, String connector, MBeanServer server) {
        this.source = source;
        this.domain = "debezium." + connector;
        this.server = server;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Bridged b : GAUGES) {
            ObjectName name = objectName(b.context());
            ToDoubleFunction<DebeziumMetricsBridge> read = bridge -> bridge.read(name, b.attribute()) * b.scale();
            Gauge.builder(b.name(), this, read).description(b.description()).baseUnit(b.baseUnit())
                    .tags("source", source).strongReference(true).register(registry);
        }
    }

    /** The MBean's name for a context ({@code snapshot}, {@code streaming}). */
    public ObjectName objectName(String context) {
        try {
            return new ObjectName(domain + ":type=connector-metrics,context=" + context + ",server=" + source);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("source name " + source, e);
        }
    }

    /** An attribute of the source's MBean of {@code context} as a number (see {@link #read}), for /status. */
    public double value(String context, String attribute) {
        return read(objectName(context), attribute);
    }

    /** The attribute as a number: booleans 1 or 0, maps summed; NaN when absent or negative (Debezium's "not yet"). */
    double read(ObjectName name, String attribute) {
        Object value;
        try {
            value = server.getAttribute(name, attribute);
        } catch (Exception | LinkageError e) {
            return Double.NaN; // not registered (yet, or any more), or not this connector's attribute
        }
        double v;
        if (value instanceof Number n) {
            v = n.doubleValue();
        } else if (value instanceof Boolean b) {
            v = b ? 1 : 0;
        } else if (value instanceof TabularData t) {
            v = 0;
            for (Object row : t.values()) {
                if (row instanceof CompositeData c && c.get("value") instanceof Number n) {
                    v += n.doubleValue();
                }
            }
        } else if (value instanceof java.util.Map<?, ?> m) {
            v = 0;
            for (Object o : m.values()) {
                if (o instanceof Number n) {
                    v += n.doubleValue();
                }
            }
        } else {
            return Double.NaN;
        }
        return v < 0 ? Double.NaN : v;
    }
}
