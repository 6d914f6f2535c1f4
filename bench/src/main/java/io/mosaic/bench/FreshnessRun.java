package io.mosaic.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * One freshness measurement against a Mosaic that is already streaming the full scenario: the offered
 * rates of {@link Freshness}, one after the other, each printed as a Markdown row. Besides the
 * commit-to-searchable latency it reads Mosaic's own lag histograms before and after each rate, so that the
 * row also shows how much of the latency is the pipeline (commit to Elasticsearch's acknowledgement; the
 * rest is the index's refresh and the probe's polling), and of that how much passes before Mosaic
 * receives the batch and how much in writing it. Used by
 * {@code bench/ab.sh --streams fresh}.
 *
 * <pre>java -cp bench.jar:lib/* io.mosaic.bench.FreshnessRun BUILD HTTP_PORT SECONDS RATE [RATE ...]</pre>
 */
public final class FreshnessRun {

    private FreshnessRun() {
    }

    public static void main(String[] args) throws Exception {
        String build = args[0];
        int httpPort = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        Databases db = new Databases();
        Es es = new Es(System.getenv().getOrDefault("MOSAIC_ES_URLS", "http://127.0.0.1:19200"));
        Freshness freshness = new Freshness(db, es, "employees", new BenchWorkload(db));
        for (int i = 3; i < args.length; i++) {
            int rate = Integer.parseInt(args[i]);
            String before = metrics(httpPort);
            Freshness.Result r = freshness.run(rate, 5, seconds);
            String after = metrics(httpPort);
            StringBuilder parts = new StringBuilder();
            for (String histogram : HISTOGRAMS) {
                TreeMap<Double, Double> b = buckets(before, histogram);
                TreeMap<Double, Double> a = buckets(after, histogram);
                parts.append(" ").append(quantile(b, a, 0.5)).append(" / ").append(quantile(b, a, 0.99)).append(" |");
            }
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %d |%s %s |%n", build, rate, r.achieved(),
                    r.p50(), r.p95(), r.p99(), r.max(), r.lost(), parts, r.sustainable() ? "yes" : "no");
        }
    }

    /**
     * The pipeline's latency, whole and in its two parts (commit to Mosaic receiving the batch, then the
     * batch's writing); a build without a histogram shows "–" for it.
     */
    static final List<String> HISTOGRAMS = List.of("mosaic_source_lag_seconds", "mosaic_source_receive_lag_seconds",
            "mosaic_writer_batch_duration_seconds");

    static String metrics(int httpPort) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * The benchmark's binlog source (bench/config/full.yaml): MariaDB records commit times in whole seconds, so
     * its changes would look up to 1 s older than they are and blur the percentiles of the other two.
     */
    static final String WHOLE_SECOND_SOURCE = "source=\"labor\"";

    /**
     * Cumulative bucket counts of a histogram, summed over its label sets but those of
     * {@link #WHOLE_SECOND_SOURCE}, by upper bound in seconds.
     */
    static TreeMap<Double, Double> buckets(String metrics, String histogram) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(histogram + "_bucket{") || line.contains(WHOLE_SECOND_SOURCE)) {
                continue;
            }
            int le = line.indexOf("le=\"");
            String bound = line.substring(le + 4, line.indexOf('"', le + 4));
            double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            buckets.merge(upper, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
        }
        return buckets;
    }

    /**
     * The upper bound, in ms, of the bucket holding quantile {@code q} of the observations between two
     * scrapes: infinite beyond the last finite bucket, NaN without observations.
     */
    static double quantileMs(TreeMap<Double, Double> before, TreeMap<Double, Double> after, double q) {
        if (after.isEmpty()) {
            return Double.NaN;
        }
        double total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        for (var bucket : after.entrySet()) {
            if (bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0) >= q * total) {
                return bucket.getKey() * 1000;
            }
        }
        return Double.NaN;
    }

    static String quantile(TreeMap<Double, Double> before, TreeMap<Double, Double> after, double q) {
        return bound(quantileMs(before, after, q));
    }

    /** "≤ 250" for a bucket's bound in ms, "> 5 min" past the last, "–" for none. */
    static String bound(double ms) {
        if (Double.isNaN(ms)) {
            return "–";
        }
        return Double.isInfinite(ms) ? "> last bucket" : "≤ " + Math.round(ms);
    }

    /**
     * The {@link #HISTOGRAMS}' p50 and p99 between two scrapes, as {@code {name: {p50, p99}}} in ms (see
     * {@link #quantileMs}), for the benchmark's results.
     */
    static java.util.Map<String, double[]> percentiles(String before, String after) {
        java.util.Map<String, double[]> out = new java.util.LinkedHashMap<>();
        for (String histogram : HISTOGRAMS) {
            TreeMap<Double, Double> b = buckets(before, histogram);
            TreeMap<Double, Double> a = buckets(after, histogram);
            out.put(histogram, new double[] {quantileMs(b, a, 0.5), quantileMs(b, a, 0.99)});
        }
        return out;
    }
}
