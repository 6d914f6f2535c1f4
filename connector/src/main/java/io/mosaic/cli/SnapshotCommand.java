package io.mosaic.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.config.MosaicConfig;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.pipeline.SnapshotRequests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mosaic snapshot}: an on-demand backfill of some tables of one source (all their rows, or those
 * matching a condition) while streaming goes on, through Debezium's incremental snapshots. The running
 * {@code mosaic run} that streams the source does the work; this command only signals it.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Read some tables of a source again while streaming goes on (an incremental snapshot), for example after a "
                + "mapping started to read a table or column it did not read before.")
public final class SnapshotCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
    Path config;

    @Option(names = "--source", required = true, description = "the source whose tables to read")
    String source;

    @Option(names = "--table", required = true, description = "a mapped table of the source, as the mapping names it (e.g. public.employees); repeatable")
    List<String> tables = new ArrayList<>();

    @Option(names = "--where", description = "read only the rows matching this SQL condition on the tables' columns, e.g. \"id > 1000\"")
    String where;

    @Option(names = "--wait", description = "follow the snapshot in the /status of the mosaic run streaming the source (the config's "
            + "http.host and http.port, or --status-url) with a progress line, until every row it read is written; exit 1 if it is aborted "
            + "or not done within --timeout")
    boolean wait;

    @Option(names = "--status-url", description = "the /status to follow with --wait (default http://<http.host>:<http.port>/status, "
            + "127.0.0.1 for 0.0.0.0)")
    String statusUrl;

    @Option(names = "--timeout", defaultValue = "PT6H", description = "how long --wait follows the snapshot (ISO-8601, default ${DEFAULT-VALUE})")
    Duration timeout;

    /** How often --wait reads /status. */
    static final Duration POLL = Duration.ofSeconds(2);
    /** How long --wait looks for its own signal before it follows a snapshot under way that reads its tables (Debezium merged them). */
    static final Duration MERGED_AFTER = Duration.ofSeconds(30);

    @Override
    public Integer call() throws Exception {
        return run();
    }

    private Integer run() throws Exception {
        MosaicConfig cfg = MosaicConfig.load(ExitCodes.configPath(config));
        String id;
        try {
            id = SnapshotRequests.request(cfg, Mosaic.loadMappings(cfg), source, tables, where);
        } catch (SnapshotRequests.Refused e) {
            System.err.println("error: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        String url = statusUrl != null ? statusUrl : cfg.http().port() > 0 ? "http://" + loopback(cfg.http().host()) + ":" + cfg.http().port()
                + "/status" : null;
        System.out.println("snapshot of " + tables + (where == null ? "" : " where " + where) + " requested from source " + source
                + " (signal " + id + "); the process streaming it reads the rows in chunks while streaming goes on. "
                + (url == null ? "Its /status (sources[].incremental_snapshot) shows the progress" : "Progress: GET " + url
                + " (sources[].incremental_snapshot, signal " + id + ")" + (wait ? "" : ", or run this command with --wait")));
        if (wait) {
            if (url == null) {
                System.err.println("error: --wait needs the /status of the process streaming " + source + ": set http.port in " + cfg.file()
                        + " or pass --status-url");
                return ExitCodes.CONFIG;
            }
            long total = 0;
            if (where == null) {
                try {
                    total = io.mosaic.source.RowEstimate.rows(cfg.sources().get(source),
                            tables.stream().map(t -> new io.mosaic.model.TableRef(source, t)).toList());
                } catch (Exception e) {
                    total = 0; // no estimate: the line shows rows only
                }
            }
            return follow(url, id, Math.max(total, 0));
        }
        return ExitCodes.OK;
    }

    /** Reads /status until the snapshot is done or aborted, drawing a progress line of its rows written. */
    private int follow(String url, String id, long total) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ProgressBar bar = ProgressBar.onStderr(source, total, "rows");
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String unreachable = null;
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                        .timeout(Duration.ofSeconds(10)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                boolean merged = System.nanoTime() - start > MERGED_AFTER.toNanos();
                JsonNode s = find(JSON.readTree(r.body()), source, id, tables, merged);
                unreachable = null;
                if (s != null) {
                    last = s;
                    long rows = s.path("rows_written").asLong();
                    String phase = s.path("phase").asText();
                    if (IncrementalPhases.DONE.equals(phase) || IncrementalPhases.ABORTED.equals(phase)) {
                        bar.finish(rows);
                        System.out.println("snapshot " + phase + ": " + describe(s));
                        return IncrementalPhases.DONE.equals(phase) ? ExitCodes.OK : ExitCodes.FAILURE;
                    }
                    bar.update(rows);
                }
            } catch (java.io.IOException e) {
                if (unreachable == null) {
                    unreachable = e.getClass().getSimpleName();
                    System.err.println("cannot read " + url + " (" + unreachable + "); trying again");
                }
            }
            Thread.sleep(POLL.toMillis());
        }
        System.err.println("error: the snapshot (signal " + id + ") is not done after " + timeout + (last == null ? "; " + url
                + " never showed it (is the process streaming " + source + " running, with a signal_table?)" : ": " + describe(last))
                + "; it goes on: follow " + url);
        return ExitCodes.FAILURE;
    }

    /**
     * The source's {@code incremental_snapshot} in a {@code /status} body if signal {@code id} asked for it (its {@code signal}
     * or one of its {@code signals}: Debezium adds the tables of a signal that arrives while a snapshot runs to that
     * snapshot); with {@code merged}, also one under way that reads every table of {@code tables}, in case the service
     * did not hear of the signal.
     */
    static JsonNode find(JsonNode status, String source, String id, List<String> tables, boolean merged) {
        for (JsonNode s : status.path("sources")) {
            if (!source.equals(s.path("name").asText())) {
                continue;
            }
            JsonNode snap = s.path("incremental_snapshot");
            if (snap.isMissingNode() || snap.isNull()) {
                return null;
            }
            if (id.equals(snap.path("signal").asText(null))) {
                return snap;
            }
            for (JsonNode signal : snap.path("signals")) {
                if (id.equals(signal.asText())) {
                    return snap; // added to a snapshot under way
                }
            }
            if (merged && IncrementalPhases.RUNNING.equals(snap.path("phase").asText())) {
                List<String> reads = new ArrayList<>();
                snap.path("tables").forEach(t -> reads.add(t.path("table").asText()));
                return reads.containsAll(tables) ? snap : null;
            }
            return null;
        }
        return null;
    }

    /** Per table its state and rows, e.g. {@code public.employees done 200 rows}. */
    static String describe(JsonNode snap) {
        List<String> out = new ArrayList<>();
        snap.path("tables").forEach(t -> out.add(t.path("table").asText() + " " + t.path("state").asText() + " "
                + t.path("rows_written").asLong() + " rows"));
        return String.join(", ", out);
    }

    private static String loopback(String host) {
        return host == null || host.isBlank() || "0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : host;
    }

    /** The phases of {@code sources[].incremental_snapshot.phase}, as the service writes them. */
    static final class IncrementalPhases {
        static final String RUNNING = "running";
        static final String DONE = "done";
        static final String ABORTED = "aborted";

        private IncrementalPhases() {
        }
    }
}
