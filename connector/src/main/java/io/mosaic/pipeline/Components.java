package io.mosaic.pipeline;

import io.mosaic.config.MosaicConfig;
import io.mosaic.es.BulkWriter;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.ErrorClassifier;
import io.mosaic.es.Retry;
import io.mosaic.mapping.MappingSet;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.writer.DeadLetterSink;
import io.mosaic.writer.DocumentStore;
import io.mosaic.writer.DocumentWriter;
import io.mosaic.writer.ElasticsearchDocumentStore;

/**
 * The one place that builds the Elasticsearch client, its retry and the document writer from a
 * configuration, for {@code run}, {@code validate}, {@code dead-letters} and the tests alike.
 */
public final class Components {

    private Components() {
    }

    /**
     * The retry of the running pipeline: for ever, with the writer's backoff, for what can heal; every
     * retry is counted and marks the writer as stalled (until a batch succeeds), saying whether it is
     * because the cluster refuses writes (a block, a 429).
     */
    public static Retry pipelineRetry(MosaicConfig config, MosaicMetrics metrics) {
        return Retry.forever(config.writer().initialBackoff(), config.writer().maxBackoff(), ErrorClassifier::isRetryable,
                (what, attempt, wait, cause) -> {
                    metrics.retry(what);
                    metrics.stalled(ErrorClassifier.refusal(cause));
                });
    }

    /** A retry for a command a user waits for: for ever, as the pipeline, but counting nothing. */
    public static Retry commandRetry(MosaicConfig config) {
        return Retry.forever(config.writer().initialBackoff(), config.writer().maxBackoff(), ErrorClassifier::isRetryable,
                (what, attempt, wait, cause) -> { });
    }

    /** The cluster of the configuration, every request through {@code retry}. */
    public static ElasticsearchGateway gateway(MosaicConfig config, Retry retry) {
        return new ElasticsearchGateway(config.elasticsearch(), retry);
    }

    /** As {@link #gateway(MosaicConfig, Retry)}, its bulk requests and item failures measured by {@code metrics}. */
    public static ElasticsearchGateway gateway(MosaicConfig config, Retry retry, MosaicMetrics metrics) {
        return new ElasticsearchGateway(config.elasticsearch(), retry, metrics);
    }

    /** The cluster of the configuration for checks that must answer now: no retry at all. */
    public static ElasticsearchGateway checkingGateway(MosaicConfig config) {
        return new ElasticsearchGateway(config.elasticsearch(), Retry.never());
    }

    /** The document writer on {@code es}, its bulk items retried by {@code retry}. */
    public static DocumentWriter writer(MosaicConfig config, MappingSet mappings, ElasticsearchGateway es, Retry retry,
                                        MosaicMetrics metrics, DeadLetterSink deadLetters) {
        return new DocumentWriter(documentStore(es, retry), mappings, metrics, deadLetters, config.writer().maxRowBytes(),
                config.writer().lookupCacheRows());
    }

    /** What the writer and {@code rebuild} read and write documents through: {@code es}, bulk items retried by {@code retry}. */
    public static DocumentStore documentStore(ElasticsearchGateway es, Retry retry) {
        return new ElasticsearchDocumentStore(es, new BulkWriter(es, retry));
    }
}
