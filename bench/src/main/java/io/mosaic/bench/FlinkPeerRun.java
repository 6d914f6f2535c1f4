package io.mosaic.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.ReplicationSlots;

/**
 * The peer: Apache Flink CDC (bench/flink, its own JVM and classpath) on the single-table case, run in
 * several tunings on the same rows; the best of them is the one compared against.
 */
final class FlinkPeerRun {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkPeerRun.class);
    static final String INDEX = "bench-flink";
    static final String SLOT = "flink_bench";

    /** parallelism, bulk actions, bulk flush interval (ms) */
    static final int[][] TUNINGS = {{1, 5000, 1000}, {2, 5000, 1000}, {1, 1000, 200}};

    private FlinkPeerRun() {
    }

    static ObjectNode runAll(Bench bench) throws Exception {
        ObjectNode out = Es.JSON.createObjectNode();
        ArrayNode runs = out.putArray("runs");
        ObjectNode best = null;
        for (int[] t : TUNINGS) {
            ObjectNode r = run(bench, t[0], t[1], t[2]);
            runs.add(r);
            if (best == null || r.path("stream").path("eventsPerSecond").asDouble() > best.path("stream").path("eventsPerSecond").asDouble()) {
                best = r;
            }
        }
        out.set("best", best);
        return out;
    }

    static ObjectNode run(Bench bench, int parallelism, int bulkActions, int flushMillis) throws Exception {
        Es es = bench.es;
        long e = bench.o.employees();
        ObjectNode n = Es.JSON.createObjectNode();
        n.put("parallelism", parallelism);
        n.put("bulkActions", bulkActions);
        n.put("bulkFlushMillis", flushMillis);
        es.deleteIndices(INDEX);
        es.createIndex(INDEX, bench.template("bench/mappings/employees-flat.index.json"));
        ReplicationSlots.drop(bench.db.dbs, SLOT, Databases.SLOT_READERS_GONE);
        List<String> command = new ArrayList<>(List.of(bench.root.resolve("bench/flink/peer.sh").toString(),
                "--startup", "initial", "--index", INDEX, "--slot", SLOT, "--publication", SLOT + "_pub",
                "--es", es.url(), "--parallelism", Integer.toString(parallelism), "--bulk-actions", Integer.toString(bulkActions),
                "--bulk-flush-ms", Integer.toString(flushMillis), "--split-size", "25000", "--skip-backfill", "true"));
        Path log = bench.work.resolve("flink-p" + parallelism + "-b" + bulkActions + "-f" + flushMillis + ".log");
        try (ChildProcess peer = new ChildProcess("flink peer", command, Map.of(), log).start();
             MemorySampler memory = new MemorySampler(peer.pid(), null, 500)) {
            memory.phase("initial");
            long start = System.nanoTime();
            Bench.await("Flink CDC's initial load", () -> {
                peer.checkAlive();
                return es.count(INDEX, null) >= e;
            }, 1800);
            n.set("initial", bench.load(Bench.seconds(start), e, e));
            memory.phase("burst");
            n.set("stream", bench.codeBurst(INDEX, 2, e, peer.pid()));
            peer.checkAlive();
            n.put("peakRssBytes", memory.peakRss());
            n.put("burstRssBytes", memory.medianRss("burst"));
            LOG.info("Flink CDC {}", n);
        } finally {
            ReplicationSlots.drop(bench.db.dbs, SLOT, Databases.SLOT_READERS_GONE);
            es.deleteIndices(INDEX);
        }
        return n;
    }
}
