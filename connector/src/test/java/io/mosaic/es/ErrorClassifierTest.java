package io.mosaic.es;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

import org.apache.http.ConnectionClosedException;
import org.apache.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParseException;

/** What heals by waiting and what does not (issue 10: every IOException used to be retried for ever). */
class ErrorClassifierTest {

    @Test
    void connectionFailuresAndTimeoutsAreRetried() {
        assertThat(ErrorClassifier.isRetryable(new ConnectException("Connection refused"))).isTrue();
        assertThat(ErrorClassifier.isRetryable(new SocketTimeoutException("30,000 milliseconds timeout"))).isTrue();
        assertThat(ErrorClassifier.isRetryable(new SocketException("Connection reset"))).isTrue();
        assertThat(ErrorClassifier.isRetryable(new IOException("Connection reset by peer"))).isTrue();
        assertThat(ErrorClassifier.isRetryable(new ConnectionClosedException("Connection closed unexpectedly"))).isTrue();
        assertThat(ErrorClassifier.isRetryable(new NoHttpResponseException("127.0.0.1:19200 failed to respond"))).isTrue();
        assertThat(ErrorClassifier.isRetryable(new RetryableWriteException("3 bulk items failed retryably"))).isTrue();
        // as the REST client rethrows them: wrapped, with the original as cause
        assertThat(ErrorClassifier.isRetryable(new IllegalStateException("request failed", new ConnectException("refused")))).isTrue();
    }

    @Test
    void whatCannotHealIsNotRetried() {
        assertThat(ErrorClassifier.isRetryable(new JsonParseException(null, "Unexpected character ('<')"))).isFalse();
        assertThat(ErrorClassifier.isRetryable(new IOException("unexpected end of stream"))).isFalse();
        assertThat(ErrorClassifier.isRetryable(new IllegalStateException("no hits in the response"))).isFalse();
        assertThat(ErrorClassifier.isRetryable(new ElasticsearchRequestException("bulk", "[http://127.0.0.1:1]",
                new JsonParseException(null, "Unexpected character")))).isFalse();
    }

    @Test
    void aGivenUpRequestStaysAsRetryableAsItsCause() {
        assertThat(ErrorClassifier.isRetryable(new ElasticsearchRequestException("bulk", "[http://127.0.0.1:1]",
                new ConnectException("Connection refused")))).isTrue();
    }

    @Test
    void statusesThatHealAreRetriedOthersAreNot() {
        assertThat(ErrorClassifier.isRetryableStatus(429)).isTrue();
        assertThat(ErrorClassifier.isRetryableStatus(502)).isTrue();
        assertThat(ErrorClassifier.isRetryableStatus(503)).isTrue();
        assertThat(ErrorClassifier.isRetryableStatus(504)).isTrue();
        for (int status : new int[] {400, 401, 403, 404, 409, 413, 500, 501}) {
            assertThat(ErrorClassifier.isRetryableStatus(status)).as("%d", status).isFalse();
        }
        assertThat(ErrorClassifier.isRetryableItem(400, "mapper_parsing_exception")).isFalse();
        assertThat(ErrorClassifier.isRetryableItem(429, "es_rejected_execution_exception")).isTrue();
        assertThat(ErrorClassifier.isRetryableItem(403, "cluster_block_exception")).isTrue();
    }
}
