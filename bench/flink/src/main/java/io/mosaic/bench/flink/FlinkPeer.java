package io.mosaic.bench.flink;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.elasticsearch.sink.ElasticsearchSink;
import org.apache.flink.connector.elasticsearch.sink.Es8CompatSinkBuilder;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.http.HttpHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark peer: Apache Flink CDC (incremental-snapshot PostgreSQL source) → Elasticsearch,
 * run in a local (in-JVM) Flink mini cluster. Prints {@code FLINK_PEER_STARTED} on stdout once
 * the job is submitted, then runs until the process is killed.
 */
public final class FlinkPeer {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkPeer.class);

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("pg-host", "127.0.0.1");
        DEFAULTS.put("pg-port", "15432");
        DEFAULTS.put("pg-db", "admin");
        DEFAULTS.put("pg-user", "postgres");
        DEFAULTS.put("pg-password", "postgres");
        DEFAULTS.put("schema", "public");
        DEFAULTS.put("table", "employees");
        DEFAULTS.put("slot", null); // required
        DEFAULTS.put("publication", null); // required
        DEFAULTS.put("startup", "initial"); // initial | latest
        DEFAULTS.put("es", "http://127.0.0.1:19200");
        DEFAULTS.put("index", null); // required
        DEFAULTS.put("parallelism", "1");
        DEFAULTS.put("bulk-actions", "5000");
        DEFAULTS.put("bulk-flush-ms", "1000");
        DEFAULTS.put("split-size", "25000");
        DEFAULTS.put("skip-backfill", "true");
        DEFAULTS.put("fetch-size", "10000");
        DEFAULTS.put("checkpoint-ms", "1000");
        DEFAULTS.put("restart-attempts", "10");
    }

    private FlinkPeer() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> opts = parse(argv);

        int parallelism = Integer.parseInt(opts.get("parallelism"));
        String schema = opts.get("schema");
        String table = opts.get("table");

        Properties dbz = new Properties();
        dbz.setProperty("publication.name", opts.get("publication"));
        dbz.setProperty("publication.autocreate.mode", "filtered");

        StartupOptions startup;
        switch (opts.get("startup")) {
            case "initial":
                startup = StartupOptions.initial();
                break;
            case "latest":
                startup = StartupOptions.latest();
                break;
            default:
                throw usage("--startup must be initial or latest");
        }

        PostgresIncrementalSource<EsAction> source =
                PostgresSourceBuilder.PostgresIncrementalSource.<EsAction>builder()
                        .hostname(opts.get("pg-host"))
                        .port(Integer.parseInt(opts.get("pg-port")))
                        .database(opts.get("pg-db"))
                        .schemaList(schema)
                        .tableList(schema + "." + table)
                        .username(opts.get("pg-user"))
                        .password(opts.get("pg-password"))
                        .slotName(opts.get("slot"))
                        .decodingPluginName("pgoutput")
                        .debeziumProperties(dbz)
                        .startupOptions(startup)
                        .splitSize(Integer.parseInt(opts.get("split-size")))
                        .fetchSize(Integer.parseInt(opts.get("fetch-size")))
                        .skipSnapshotBackfill(Boolean.parseBoolean(opts.get("skip-backfill")))
                        .deserializer(new EmployeeDeserializer())
                        .build();

        ElasticsearchSink<EsAction> sink =
                new Es8CompatSinkBuilder<EsAction>()
                        .setHosts(HttpHost.create(opts.get("es")))
                        .setEmitter(new EsActionEmitter(opts.get("index")))
                        .setBulkFlushMaxActions(Integer.parseInt(opts.get("bulk-actions")))
                        .setBulkFlushInterval(Long.parseLong(opts.get("bulk-flush-ms")))
                        // flush pending bulk requests on every checkpoint: the LSN is only
                        // committed to the slot after the checkpoint (and so the flush) completed
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .build();

        Configuration conf = new Configuration();
        // The in-JVM mini cluster still opens a REST endpoint and a blob server (random ports):
        // keep them on loopback.
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        conf.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                Integer.parseInt(opts.get("restart-attempts")));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        // Without checkpoints the source never commits the LSN: the slot would never advance.
        env.enableCheckpointing(Long.parseLong(opts.get("checkpoint-ms")));
        env.getConfig().enableObjectReuse();

        env.fromSource(source, WatermarkStrategy.noWatermarks(), "postgres-cdc")
                .setParallelism(parallelism)
                .sinkTo(sink)
                .setParallelism(parallelism)
                .name("elasticsearch");

        JobClient job = env.executeAsync("mosaic-bench-flink " + schema + "." + table);
        LOG.info("Submitted Flink job {}", job.getJobID());
        System.out.println("FLINK_PEER_STARTED");
        System.out.flush();

        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        job.cancel().get(5, TimeUnit.SECONDS);
                                    } catch (Exception e) {
                                        // best effort: we are going down anyway
                                    }
                                },
                                "flink-peer-shutdown"));

        try {
            JobExecutionResult result = job.getJobExecutionResult().get();
            LOG.warn("Flink job finished unexpectedly: {}", result);
            System.exit(2);
        } catch (Exception e) {
            LOG.error("Flink job failed", e);
            System.exit(1);
        }
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> opts = new LinkedHashMap<>(DEFAULTS);
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.err.println(help());
                System.exit(0);
            }
            if (!a.startsWith("--")) {
                throw usage("unexpected argument: " + a);
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= argv.length) {
                    throw usage("missing value for --" + name);
                }
                value = argv[++i];
            }
            if (!DEFAULTS.containsKey(name)) {
                throw usage("unknown option --" + name);
            }
            opts.put(name, value);
        }
        for (Map.Entry<String, String> e : opts.entrySet()) {
            if (e.getValue() == null) {
                throw usage("--" + e.getKey() + " is required");
            }
        }
        return opts;
    }

    private static String help() {
        StringBuilder sb = new StringBuilder("usage: peer.sh [--name value]...\n");
        DEFAULTS.forEach(
                (k, v) ->
                        sb.append("  --")
                                .append(k)
                                .append(v == null ? " (required)" : " (default " + v + ")")
                                .append('\n'));
        return sb.toString();
    }

    private static IllegalArgumentException usage(String msg) {
        System.err.println("error: " + msg);
        System.err.println(help());
        System.exit(64);
        return new IllegalArgumentException(msg); // unreachable
    }
}
