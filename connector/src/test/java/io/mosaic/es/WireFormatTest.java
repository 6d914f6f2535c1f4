package io.mosaic.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class WireFormatTest {

    private final WireFormat body = new WireFormat(ElasticsearchGateway.JSON);

    @Test
    void writesOneActionLineAndOneSourceLinePerItem() throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", "遠藤 \"直美\"");
        doc.put("score", new BigDecimal("59.80"));
        doc.put("tags", List.of("a", "b"));
        String ndjson = new String(body.encodeBulk(List.of(
                BulkAction.index("employees", "42", doc, 7, BulkAction.VersionGuard.EXTERNAL_GTE),
                BulkAction.indexIfUnchanged("state", "d:42", Map.of("seq", 3), 11, 2),
                BulkAction.create("state", "d:43", Map.of("seq", 1)),
                BulkAction.delete("employees", "44", 9, BulkAction.VersionGuard.EXTERNAL))), StandardCharsets.UTF_8);
        assertThat(ndjson).isEqualTo("""
                {"index":{"_index":"employees","_id":"42","version":7,"version_type":"external_gte"}}
                {"name":"遠藤 \\"直美\\"","score":59.80,"tags":["a","b"]}
                {"index":{"_index":"state","_id":"d:42","if_seq_no":11,"if_primary_term":2}}
                {"seq":3}
                {"create":{"_index":"state","_id":"d:43"}}
                {"seq":1}
                {"delete":{"_index":"employees","_id":"44","version":9,"version_type":"external"}}
                """);
    }

    @Test
    void readsStatusErrorAndSequenceNumbersInOrder() throws IOException {
        String response = """
                {"took":3,"errors":true,"items":[
                  {"index":{"_index":"e","_id":"1","status":201,"_seq_no":5,"_primary_term":1,"_shards":{"total":1}}},
                  {"index":{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"[1]: version conflict",
                     "caused_by":{"type":"x","reason":"y"},"index":"e"}}},
                  {"delete":{"status":404,"_seq_no":6,"_primary_term":1}},
                  {"create":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}}]}
                """;
        List<BulkOutcome> out = body.decodeBulk(new ByteArrayInputStream(response.getBytes(StandardCharsets.UTF_8)), 4);
        assertThat(out).containsExactly(
                new BulkOutcome(201, null, null, 5, 1),
                new BulkOutcome(409, "version_conflict_engine_exception", "[1]: version conflict", -1, -1),
                new BulkOutcome(404, null, null, 6, 1),
                new BulkOutcome(429, "es_rejected_execution_exception", "queue full", -1, -1));
        assertThat(out.get(1).conflict()).isTrue();
        assertThat(out.get(3).retryable()).isTrue();
    }

    @Test
    void refusesAResponseWithTheWrongNumberOfItems() {
        String response = "{\"items\":[{\"index\":{\"status\":201}}]}";
        assertThatThrownBy(() -> body.decodeBulk(new ByteArrayInputStream(response.getBytes(StandardCharsets.UTF_8)), 2))
                .isInstanceOf(IOException.class).hasMessageContaining("1 item(s) for 2 action(s)");
    }

    @Test
    void readsMgetDocumentsWithExactDecimalsAndConcurrencyTokens() throws IOException {
        String response = """
                {"docs":[{"_id":"d:1","_version":3,"_seq_no":17,"_primary_term":2,"found":true,
                  "_source":{"seq":3,"row":{"score":59.80,"big":12345678901,"name":"直美","none":null,"ok":true},"refs":["a","b"]}},
                 {"_id":"d:2","found":false}]}
                """;
        Map<String, ElasticsearchGateway.Doc> docs = body.decodeMget(new ByteArrayInputStream(response.getBytes(StandardCharsets.UTF_8)), "state");
        ElasticsearchGateway.Doc d1 = docs.get("d:1");
        assertThat(d1.found()).isTrue();
        assertThat(List.of(d1.seqNo(), d1.primaryTerm(), d1.version())).containsExactly(17L, 2L, 3L);
        @SuppressWarnings("unchecked")
        Map<String, Object> row = (Map<String, Object>) d1.source().get("row");
        assertThat(row.get("score")).isEqualTo(new BigDecimal("59.80"));
        assertThat(row.get("big")).isEqualTo(12345678901L);
        assertThat(row).containsEntry("name", "直美").containsEntry("none", null).containsEntry("ok", true);
        assertThat(d1.source().get("seq")).isEqualTo(3);
        assertThat(d1.source().get("refs")).isEqualTo(List.of("a", "b"));
        assertThat(docs.get("d:2").found()).isFalse();
        // what is read is written back the same way
        String ndjson = new String(body.encodeBulk(List.of(BulkAction.create("state", "d:1", d1.source()))), StandardCharsets.UTF_8);
        assertThat(ndjson).contains("{\"seq\":3,\"row\":{\"score\":59.80,\"big\":12345678901,\"name\":\"直美\",\"none\":null,\"ok\":true},\"refs\":[\"a\",\"b\"]}");
    }

    @Test
    void aRoutedItemCarriesItsRoutingInTheActionLine() throws Exception {
        String ndjson = new String(body.encodeBulk(List.of(
                BulkAction.delete("employees", "7", 4, BulkAction.VersionGuard.EXTERNAL_GTE).routed("1"),
                BulkAction.index("employees", "7", Map.of("id", 7), 5, BulkAction.VersionGuard.EXTERNAL).routed("3"))), StandardCharsets.UTF_8);
        assertThat(ndjson).isEqualTo("""
                {"delete":{"_index":"employees","_id":"7","routing":"1","version":4,"version_type":"external_gte"}}
                {"index":{"_index":"employees","_id":"7","routing":"3","version":5,"version_type":"external"}}
                {"id":7}
                """);
    }

    @Test
    void anUnreadableDocumentIsRetryable() {
        String response = "{\"docs\":[{\"_id\":\"d:1\",\"error\":{\"type\":\"no_shard_available_action_exception\",\"reason\":\"no shard\"}}]}";
        assertThatThrownBy(() -> body.decodeMget(new ByteArrayInputStream(response.getBytes(StandardCharsets.UTF_8)), "state"))
                .isInstanceOf(RetryableWriteException.class).hasMessageContaining("d:1").hasMessageContaining("no shard");
    }
}
