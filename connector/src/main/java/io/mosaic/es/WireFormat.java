package io.mosaic.es;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The wire format of the two APIs on the write path's hot loop, {@code _bulk} and {@code _mget}:
 * requests written straight into one buffer, responses read as a stream keeping only what the writer
 * needs, documents written and read by {@link JsonTree}.
 *
 * <p>Why not the typed client here: profiles (docs/bench/analysis.md) showed its bulk path (a buffer
 * per line sent with chunked transfer encoding, a generator per document, the typed response with
 * every item's shard info) costing about a third of Mosaic's CPU per change, and its mget buffering
 * each source to parse it twice. Everything else still goes through the typed client.
 */
public final class WireFormat {

    /**
     * Asks Elasticsearch for only the item fields read here (also shrinks the response by about 80%).
     * Elasticsearch 8 and 9 support {@code filter_path} on every API.
     */
    public static final String FILTER_PATH = "items.*.status,items.*.error.type,items.*.error.reason,items.*._seq_no,items.*._primary_term";

    private final ObjectMapper json;

    /** @param json the mapper documents are written with (its settings decide how decimals and dates look) */
    public WireFormat(ObjectMapper json) {
        this.json = json.copy().disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
    }

    /** The request body: an action line per item and a source line for index and create. */
    public byte[] encodeBulk(List<BulkAction> actions) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * actions.size() + 64);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (BulkAction a : actions) {
                g.writeStartObject();
                g.writeObjectFieldStart(a.kind().action);
                g.writeStringField("_index", a.index());
                g.writeStringField("_id", a.id());
                if (a.routing() != null) {
                    g.writeStringField("routing", a.routing());
                }
                if (a.versionGuard() != null) {
                    g.writeNumberField("version", a.version());
                    g.writeStringField("version_type", a.versionGuard().wire);
                }
                if (a.ifSeqNo() >= 0) {
                    g.writeNumberField("if_seq_no", a.ifSeqNo());
                    g.writeNumberField("if_primary_term", a.ifPrimaryTerm());
                }
                g.writeEndObject();
                g.writeEndObject();
                g.writeRaw('\n');
                if (a.kind() != BulkAction.Kind.DELETE) {
                    JsonTree.write(g, a.document(), json);
                    g.writeRaw('\n');
                }
            }
        }
        return out.toByteArray();
    }

    /** Reads a bulk response; the outcomes are in request order. */
    public List<BulkOutcome> decodeBulk(InputStream in, int expected) throws IOException {
        List<BulkOutcome> out = new ArrayList<>(expected);
        eachObjectOf(in, "items", p -> {
            p.nextToken(); // the action name
            expect(p.nextToken(), JsonToken.START_OBJECT, "an item");
            out.add(item(p));
            p.nextToken(); // the item's end
        });
        if (out.size() != expected) {
            throw new IOException("the bulk response has " + out.size() + " item(s) for " + expected + " action(s)");
        }
        return out;
    }

    /** Asks mget for only the fields read here. */
    public static final String MGET_FILTER_PATH = "docs._id,docs.found,docs._seq_no,docs._primary_term,docs._version,docs._source,docs.error";

    /** The body of an mget by ids. */
    public byte[] encodeMget(Collection<String> ids) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * ids.size() + 16);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("ids");
            for (String id : ids) {
                g.writeString(id);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    /**
     * Reads an mget response into documents by id.
     *
     * @throws RetryableWriteException when a document could not be read (a shard not available)
     */
    @SuppressWarnings("unchecked")
    public Map<String, ElasticsearchGateway.Doc> decodeMget(InputStream in, String index) throws IOException {
        Map<String, ElasticsearchGateway.Doc> out = new LinkedHashMap<>();
        eachObjectOf(in, "docs", p -> {
            String id = null;
            boolean found = false;
            Map<String, Object> source = null;
            Object error = null;
            long seqNo = -1;
            long primaryTerm = -1;
            long version = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "_id" -> id = p.getText();
                    case "found" -> found = p.getBooleanValue();
                    case "_seq_no" -> seqNo = p.getLongValue();
                    case "_primary_term" -> primaryTerm = p.getLongValue();
                    case "_version" -> version = p.getLongValue();
                    case "_source" -> source = (Map<String, Object>) JsonTree.read(p);
                    case "error" -> error = JsonTree.read(p);
                    default -> p.skipChildren();
                }
            }
            if (error != null) {
                Object reason = error instanceof Map<?, ?> m ? m.get("reason") : error;
                throw new RetryableWriteException("mget of " + id + " in " + index + " failed: " + reason);
            }
            out.put(id, found ? new ElasticsearchGateway.Doc(id, true, source, seqNo, primaryTerm, version)
                    : new ElasticsearchGateway.Doc(id, false, null, -1, -1, -1));
        });
        return out;
    }

    private static BulkOutcome item(JsonParser p) throws IOException {
        int status = 0;
        String type = null;
        String reason = null;
        long seqNo = -1;
        long primaryTerm = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "status" -> status = p.getIntValue();
                case "_seq_no" -> seqNo = p.getLongValue();
                case "_primary_term" -> primaryTerm = p.getLongValue();
                case "error" -> {
                    if (value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            p.nextToken();
                            if ("type".equals(f)) {
                                type = p.getValueAsString();
                            } else if ("reason".equals(f)) {
                                reason = p.getValueAsString();
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        reason = p.getValueAsString();
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new BulkOutcome(status, type, reason, seqNo, primaryTerm);
    }

    /** Reads one object of a response's array. */
    @FunctionalInterface
    private interface ObjectReader {
        /** Called with the parser on the object's start; returns with it on the object's end. */
        void read(JsonParser p) throws IOException;
    }

    /** Hands each object of the top-level array {@code field} to {@code reader}, skipping every other field. */
    private void eachObjectOf(InputStream in, String field, ObjectReader reader) throws IOException {
        try (JsonParser p = json.getFactory().createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "the response");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (!field.equals(name)) {
                    p.skipChildren();
                    continue;
                }
                expect(p.currentToken(), JsonToken.START_ARRAY, field);
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    reader.read(p);
                }
            }
        }
    }

    private static void expect(JsonToken actual, JsonToken wanted, String what) throws IOException {
        if (actual != wanted) {
            throw new IOException("unexpected bulk response: " + what + " starts with " + actual + " instead of " + wanted);
        }
    }
}
