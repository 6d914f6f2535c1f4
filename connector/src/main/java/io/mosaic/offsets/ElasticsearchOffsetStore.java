package io.mosaic.offsets;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.apache.kafka.connect.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.lease.SourceLease;

/**
 * Debezium's source offsets kept in Elasticsearch ({@code mosaic-offsets}, one document per
 * replication stream), so that a pod restarted without a volume resumes where it was. Offsets are
 * written only when the engine commits them, which Mosaic lets it do only for changes Elasticsearch
 * has acknowledged; each save is retried until it succeeds. With leases on ({@code lease.enabled}),
 * a save is written only while this process holds the source's lease and never over a position of a
 * newer lease epoch (see {@link #saveConditional}).
 *
 * <p>Reads answer what is saved, never a position still waiting for its save. The PostgreSQL task confirms
 * to the server (and so moves the replication slot past) whatever this store reads back, after every flush
 * and once more, unconditionally, when it stops; a read that answered a position not yet saved let a
 * stop behind an Elasticsearch partition put the slot ahead of the stored position, and the next start
 * failed with "last recorded offset is no longer available" (NetworkPartitionIT, ShutdownIT). Reads are
 * answered from memory at once, never queued behind a save: behind a network partition a save retries for
 * as long as the cluster is silent, and the engine's stop reads the offsets (NetworkPartitionIT: a SIGTERM
 * then waited for Debezium's 40 s task timeout and more). {@link #stop} gives a save in flight 2 s, then
 * interrupts it: the engine's last commit has waited for it already ({@code offset.flush.timeout.ms}), and
 * an unsaved position is only replayed, harmlessly, at the next start.
 */
public final class ElasticsearchOffsetStore extends MemoryOffsetBackingStore {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchOffsetStore.class);

    private ElasticsearchGateway es;
    private String stream;
    /** Null unless leases are on: then positions are written only while it is held. */
    private SourceLease lease;
    /** The version of the stored document this process last read or wrote ({seq_no, primary_term}), or null. */
    private long[] known;
    /**
     * The offsets as last read from or written to Elasticsearch: what {@link #get} answers. {@code data}
     * runs ahead of it by the positions handed to {@link #set} whose save has not succeeded yet.
     */
    private final Map<ByteBuffer, ByteBuffer> saved = new HashMap<>();

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, String> props = config.originalsStrings();
        es = OffsetStores.gateway(props.get(OffsetStores.GATEWAY_ID));
        stream = props.get(OffsetStores.STREAM);
        lease = OffsetStores.lease(props.get(OffsetStores.GATEWAY_ID), stream);
    }

    @Override
    public synchronized void start() {
        super.start();
        try {
            // offsets are opaque to Elasticsearch: never let their keys become dynamically mapped fields
            es.createIndex(OffsetStores.OFFSETS_INDEX, Map.of("dynamic", false, "properties", Map.of(
                    "stream", Map.of("type", "keyword"), "offsets", Map.of("type", "object", "enabled", false))));
            Map<String, Object> doc = es.send("GET", "/" + OffsetStores.OFFSETS_INDEX + "/_doc/" + encodeId(stream), null, 404);
            known = version(doc);
            if (doc.get("_source") instanceof Map<?, ?> source && source.get("offsets") instanceof Map<?, ?> offsets) {
                Base64.Decoder b64 = Base64.getDecoder();
                offsets.forEach((k, v) -> data.put(ByteBuffer.wrap(b64.decode((String) k)),
                        v == null ? null : ByteBuffer.wrap(b64.decode((String) v))));
                LOG.info("offsets of {} loaded from Elasticsearch ({} entr{})", stream, data.size(), data.size() == 1 ? "y" : "ies");
            }
            synchronized (saved) {
                saved.putAll(data);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read offsets of " + stream + " from Elasticsearch: " + e.getMessage(), e);
        }
    }

    @Override
    public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        Map<ByteBuffer, ByteBuffer> result = new HashMap<>();
        synchronized (saved) {
            for (ByteBuffer key : keys) {
                result.put(key, saved.get(key));
            }
        }
        return CompletableFuture.completedFuture(result);
    }

    @Override
    public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        synchronized (data) {
            data.putAll(values);
        }
        return executor.submit(() -> {
            Map<ByteBuffer, ByteBuffer> written = write();
            if (written != null) {
                // before the flush completes: the commit that follows it reads this back
                synchronized (saved) {
                    saved.putAll(written);
                }
            }
            if (callback != null) {
                callback.onCompletion(null, null);
            }
            return null;
        });
    }

    @Override
    public void stop() {
        if (executor != null) {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                    LOG.info("offsets of {}: a save still waits for Elasticsearch at shutdown; it is given up (the position is replayed at the next start)",
                            stream);
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        super.stop();
    }

    /**
     * Writes every offset handed to {@link #set} so far; returns what was written, or null when the write was
     * refused because another process holds the source (nothing of it is then saved by this one). It takes the
     * place of {@code save()}, which only the superclass's {@code set} called.
     */
    private Map<ByteBuffer, ByteBuffer> write() {
        Map<String, Object> offsets = new LinkedHashMap<>();
        Base64.Encoder b64 = Base64.getEncoder();
        Map<ByteBuffer, ByteBuffer> copy;
        synchronized (data) {
            copy = new HashMap<>(data);
        }
        copy.forEach((k, v) -> offsets.put(b64.encodeToString(bytes(k)), v == null ? null : b64.encodeToString(bytes(v))));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stream", stream);
        body.put("offsets", offsets);
        body.put("updated_at", java.time.Instant.now().toString());
        try {
            return saveConditional(body) ? copy : null;
        } catch (Exception e) {
            throw new IllegalStateException("cannot save offsets of " + stream + " to Elasticsearch: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the position over the version this process last read or wrote ({@code if_seq_no}), never blindly:
     * a save that timed out is not necessarily lost, and the kernel may deliver it long after, when a cut link
     * returns (NetworkPartitionIT saw a request arrive 51 s late). A blind PUT arriving then would move the stored
     * position back behind what the slot has already confirmed, and a PostgreSQL source could no longer start
     * ("last recorded offset is no longer available"). Conditional, it is refused. A refusal means the document
     * changed since this process last saw it (its own earlier save landed after a retry, or a forget): it is read
     * again and the save repeated over the new version.
     *
     * <p>With a lease, the write also happens only while the lease is held and carries its epoch, and it is given
     * up when the document read again carries a newer epoch. A holder frozen past its lease (SIGSTOP) that wakes
     * up after a takeover therefore cannot move the stored position back, even if its clock check passed just
     * before it froze.
     */
    private boolean saveConditional(Map<String, Object> body) throws Exception {
        String path = "/" + OffsetStores.OFFSETS_INDEX + "/_doc/" + encodeId(stream);
        long epoch = lease == null ? 0 : lease.epoch();
        if (lease != null) {
            body.put("lease_epoch", epoch);
        }
        for (int attempt = 1; attempt <= 5; attempt++) {
            if (lease != null && !lease.held()) {
                refuse("this process no longer holds the lease of the source (epoch " + epoch + ")");
                return false;
            }
            String condition = known == null ? "?op_type=create" : "?if_seq_no=" + known[0] + "&if_primary_term=" + known[1];
            Map<String, Object> written = es.send("PUT", path + condition, body, 409);
            if (!Integer.valueOf(409).equals(written.get("status"))) {
                known = version(written);
                return true;
            }
            Map<String, Object> current = es.send("GET", path, null, 404);
            known = version(current);
            long theirs = current.get("_source") instanceof Map<?, ?> src && src.get("lease_epoch") instanceof Number n ? n.longValue() : 0;
            if (lease != null && theirs > epoch) {
                refuse("a process with a newer lease (epoch " + theirs + ", this one " + epoch + ") wrote it");
                return false;
            }
        }
        throw new IllegalStateException("the offsets document kept changing under this process");
    }

    private void refuse(String why) {
        LOG.warn("offsets of {} not saved: {}; its holder keeps them", stream, why);
    }

    private static long[] version(Map<String, Object> answer) {
        return answer.get("_seq_no") instanceof Number s && answer.get("_primary_term") instanceof Number t
                ? new long[] {s.longValue(), t.longValue()} : null;
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static String encodeId(String stream) {
        return java.net.URLEncoder.encode(stream, java.nio.charset.StandardCharsets.UTF_8);
    }
}
