import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.mosaic.config.MosaicConfig;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.pipeline.Components;
import io.mosaic.writer.IndexRebuild;
import io.mosaic.writer.StateIndex;

/**
 * The read limit of a rebuild's state scan: the point-in-time scan of a state index that `mosaic rebuild` reads,
 * each state decoded as the rebuild decodes it, nothing looked up, projected or written. Run after bench/rebuild.sh
 * (its config and state are left in $MOSAIC_LOCAL_DIR/bench-rebuild):
 *
 *   java -Xmx192m -XX:+UseParallelGC -cp "connector/target/mosaic.jar:connector/target/lib/*" bench/StateScan.java \
 *     "$MOSAIC_LOCAL_DIR/bench-rebuild/v1.conf" [state index, default mosaic-employees-state] [repeats, default 3]
 *
 * The first scan of a fresh JVM includes its warm-up (JIT); the later ones are the steady read limit.
 */
public class StateScan {
    public static void main(String[] args) throws Exception {
        MosaicConfig cfg = MosaicConfig.load(Path.of(args[0]));
        String index = args.length > 1 ? args[1] : "mosaic-employees-state";
        int repeat = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (ElasticsearchGateway es = Components.checkingGateway(cfg)) {
            for (int i = 0; i < repeat; i++) {
                AtomicLong n = new AtomicLong();
                long t0 = System.nanoTime();
                es.scan(index, IndexRebuild.statesQuery(), true, List.of(), ElasticsearchGateway.PAGE_SIZE, d -> {
                    StateIndex.decode((String) d.source().get("root_key"), d.source());
                    n.incrementAndGet();
                });
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("state scan %d: %d states in %.2f s = %.0f states/s%n", i + 1, n.get(), s, n.get() / s);
            }
        }
    }
}
