package io.mosaic.bench;

/**
 * Reads single values out of a Prometheus text exposition (Mosaic's {@code /metrics}), for counters read
 * before and after a measured period.
 */
public final class PromText {

    private PromText() {
    }

    /**
     * The sum of every sample of {@code name} whose label set contains each of {@code labels} (such as
     * {@code kind="document"}); 0 when there is none.
     */
    public static double sum(String metrics, String name, String... labels) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= line.contains(label);
            }
            if (all) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /** Public documents Elasticsearch acknowledged as written (`mosaic_writer_documents_written_total{kind="document"}`). */
    public static double documentsWritten(String metrics) {
        return sum(metrics, "mosaic_writer_documents_written_total", "kind=\"document\"");
    }

    /** Row changes Mosaic received from its sources (`mosaic_source_changes_total`). */
    public static double changesReceived(String metrics) {
        return sum(metrics, "mosaic_source_changes_total");
    }
}
