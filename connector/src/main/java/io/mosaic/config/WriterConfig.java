package io.mosaic.config;

import java.time.Duration;
import java.util.List;

/** How the writer batches changes and retries Elasticsearch. */
public record WriterConfig(int batchSize, Duration linger, Duration initialBackoff, Duration maxBackoff, int queueSize, long maxRowBytes,
                           int lookupCacheRows) {

    static final Setting<Integer> BATCH_SIZE = Setting.integer("batch_size", "the most changes handled in one batch")
            .withDefault(1024).validate(i -> i >= 1 && i <= 100_000, "a number from 1 to 100000");
    static final Setting<Duration> LINGER = Setting.duration("linger", "how long to wait for more changes before a batch is written")
            .withDefault(Duration.ofMillis(50));
    static final Setting<Duration> INITIAL_BACKOFF = Setting.duration("initial_backoff", "the first wait before a failed request is retried")
            .withDefault(Duration.ofMillis(200));
    static final Setting<Duration> MAX_BACKOFF = Setting.duration("max_backoff", "the longest wait between retries")
            .withDefault(Duration.ofSeconds(30));
    static final Setting<Integer> QUEUE_SIZE = Setting.integer("queue_size",
            "the most changes buffered per source between the database and the writer (bounds memory)")
            .withDefault(2048).validate(i -> i >= 1, "a positive number");

    static final Setting<Integer> MAX_ROW_BYTES = Setting.integer("max_row_bytes",
            "rows whose mapped columns are larger go to the dead letters instead of Elasticsearch (a request over the cluster's "
                    + "http.max_content_length would fail for ever)")
            .withDefault(8 * 1024 * 1024).validate(i -> i >= 1024, "at least 1024");

    static final Setting<Integer> LOOKUP_CACHE_ROWS = Setting.integer("lookup_cache_rows",
            "how many lookup rows (departments, surveys: the N:1 tables) read by earlier batches are kept in memory as first guesses; "
                    + "each use is still re-checked against Elasticsearch, so a stale one costs a re-read, never a wrong document. 0 turns it off")
            .withDefault(20_000).validate(i -> i >= 0 && i <= 10_000_000, "a number from 0 to 10000000");

    static final List<Setting<?>> SETTINGS = List.of(BATCH_SIZE, LINGER, INITIAL_BACKOFF, MAX_BACKOFF, QUEUE_SIZE, MAX_ROW_BYTES, LOOKUP_CACHE_ROWS);

    static WriterConfig read(YamlNode node, Problems problems) {
        Setting.rejectUnknownKeys(node, SETTINGS, problems);
        int batch = BATCH_SIZE.read(node, problems);
        int queue = QUEUE_SIZE.read(node, problems);
        return new WriterConfig(batch, LINGER.read(node, problems), INITIAL_BACKOFF.read(node, problems),
                MAX_BACKOFF.read(node, problems), Math.max(queue, batch), MAX_ROW_BYTES.read(node, problems), LOOKUP_CACHE_ROWS.read(node, problems));
    }

    public static WriterConfig defaults() {
        return read(YamlNode.parse("defaults", new java.io.StringReader("{}"), k -> null, new Problems()), new Problems());
    }
}
