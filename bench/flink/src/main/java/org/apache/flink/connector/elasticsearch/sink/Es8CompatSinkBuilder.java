package org.apache.flink.connector.elasticsearch.sink;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.bulk.BackoffPolicy;
import org.elasticsearch.action.bulk.BulkProcessor;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.RestHighLevelClient;
import org.elasticsearch.common.unit.ByteSizeUnit;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.common.unit.TimeValue;

/**
 * {@link Elasticsearch7SinkBuilder} whose bulk requests talk to an Elasticsearch 8 cluster.
 *
 * <p>The ES7 sink uses the 7.10 high-level REST client, which cannot parse ES 8 bulk responses.
 * ES 8 offers REST API compatibility mode: when a request carries {@code
 * application/vnd.elasticsearch+json;compatible-with=7} as {@code Accept} and {@code
 * Content-Type}, the cluster answers in the 7.x wire format. The stock builder always calls
 * {@code client.bulkAsync(request, RequestOptions.DEFAULT, listener)} and exposes no hook for
 * request options, so this class provides its own {@link #getBulkProcessorBuilderFactory()}: the
 * same mapping of the sink's flush and backoff settings onto the 7.x BulkProcessor, with compat-mode
 * {@link RequestOptions} on every bulk call.
 *
 * <p>It lives in the connector's package because {@code BulkProcessorBuilderFactory}, {@code
 * BulkRequestConsumerFactory} and {@code BulkProcessorConfig} are package-private.
 */
public class Es8CompatSinkBuilder<IN> extends Elasticsearch7SinkBuilder<IN> {

    static final String COMPAT_MEDIA_TYPE = "application/vnd.elasticsearch+json;compatible-with=7";

    @Override
    protected BulkProcessorBuilderFactory getBulkProcessorBuilderFactory() {
        return new CompatBulkProcessorBuilderFactory();
    }

    /** RequestOptions is not serializable: keep it in a static holder, built on the task side. */
    static final class Options {
        static final RequestOptions COMPAT;

        static {
            RequestOptions.Builder b = RequestOptions.DEFAULT.toBuilder();
            b.addHeader("Accept", COMPAT_MEDIA_TYPE);
            b.addHeader("Content-Type", COMPAT_MEDIA_TYPE);
            COMPAT = b.build();
        }

        private Options() {}
    }

    /** Static (no outer instance captured) so that it serializes cleanly with the sink. */
    static final class CompatBulkProcessorBuilderFactory implements BulkProcessorBuilderFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public BulkProcessor.Builder apply(
                RestHighLevelClient client,
                BulkProcessorConfig bulkProcessorConfig,
                BulkProcessor.Listener listener) {
            BulkProcessor.Builder builder =
                    BulkProcessor.builder(new CompatBulkRequestConsumer(client), listener);

            if (bulkProcessorConfig.getBulkFlushMaxActions() != -1) {
                builder.setBulkActions(bulkProcessorConfig.getBulkFlushMaxActions());
            }
            if (bulkProcessorConfig.getBulkFlushMaxMb() != -1) {
                builder.setBulkSize(
                        new ByteSizeValue(bulkProcessorConfig.getBulkFlushMaxMb(), ByteSizeUnit.MB));
            }
            if (bulkProcessorConfig.getBulkFlushInterval() != -1) {
                builder.setFlushInterval(new TimeValue(bulkProcessorConfig.getBulkFlushInterval()));
            }

            final TimeValue backoffDelay =
                    new TimeValue(bulkProcessorConfig.getBulkFlushBackOffDelay());
            final int maxRetryCount = bulkProcessorConfig.getBulkFlushBackoffRetries();
            final BackoffPolicy backoffPolicy;
            switch (bulkProcessorConfig.getFlushBackoffType()) {
                case CONSTANT:
                    backoffPolicy = BackoffPolicy.constantBackoff(backoffDelay, maxRetryCount);
                    break;
                case EXPONENTIAL:
                    backoffPolicy = BackoffPolicy.exponentialBackoff(backoffDelay, maxRetryCount);
                    break;
                case NONE:
                    backoffPolicy = BackoffPolicy.noBackoff();
                    break;
                default:
                    throw new IllegalArgumentException(
                            "Received unknown backoff policy type "
                                    + bulkProcessorConfig.getFlushBackoffType());
            }
            builder.setBackoffPolicy(backoffPolicy);
            return builder;
        }
    }

    /** Created on the task side only (holds the live client), never serialized. */
    static final class CompatBulkRequestConsumer implements BulkRequestConsumerFactory {
        private final RestHighLevelClient client;

        CompatBulkRequestConsumer(RestHighLevelClient client) {
            this.client = client;
        }

        @Override
        public void accept(BulkRequest bulkRequest, ActionListener<BulkResponse> listener) {
            client.bulkAsync(bulkRequest, Options.COMPAT, listener);
        }
    }
}
