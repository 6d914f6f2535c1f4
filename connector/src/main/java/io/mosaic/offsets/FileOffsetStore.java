package io.mosaic.offsets;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;

import org.apache.kafka.connect.storage.FileOffsetBackingStore;

import io.debezium.embedded.KafkaConnectUtil;

/**
 * Debezium's source offsets in a local file ({@code state.store: file}): Kafka's {@link FileOffsetBackingStore},
 * except that reads answer what the file holds, never a position whose save failed. Kafka's store puts a position
 * in memory, then writes the whole map to the file; when the write fails (a full disk) its reads still answer the
 * unsaved position. The PostgreSQL task confirms to the server whatever it reads back here (after every flush, and
 * once more when it stops), so the replication slot could move past the position on disk, and the next start would
 * fail with "last recorded offset is no longer available" (the same flaw {@link ElasticsearchOffsetStore} closes).
 * The unsaved positions stay in memory and go to the file with the next save that succeeds.
 *
 * <p>Debezium creates a store it does not know by its no-argument constructor; Kafka's own file store it builds
 * with the converter this one passes too.
 */
public final class FileOffsetStore extends FileOffsetBackingStore {

    /** What the file holds: the map as last loaded or written. Replaced at start and after each save (on the store's one executor thread, which also answers the reads). */
    private volatile Map<ByteBuffer, ByteBuffer> saved = Map.of();

    public FileOffsetStore() {
        super(KafkaConnectUtil.converterForOffsetStore());
    }

    @Override
    public synchronized void start() {
        super.start(); // loads the file into data
        saved = new HashMap<>(data);
    }

    @Override
    protected void save() {
        super.save(); // throws when the file could not be written: saved stays what the file holds
        saved = new HashMap<>(data);
    }

    @Override
    public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        return executor.submit(() -> {
            Map<ByteBuffer, ByteBuffer> result = new HashMap<>();
            for (ByteBuffer key : keys) {
                result.put(key, saved.get(key));
            }
            return result;
        });
    }
}
