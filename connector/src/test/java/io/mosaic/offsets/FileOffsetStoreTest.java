package io.mosaic.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.debezium.embedded.KafkaConnectUtil;

/**
 * The file offset store answers what its file holds: a position whose save failed (the file could not be written;
 * here a directory stands in its place, which stops root as well as anyone) is not read back, unlike Kafka's own
 * file store, and goes to the file with the next save that succeeds.
 */
class FileOffsetStoreTest {

    private static final ByteBuffer KEY = bytes("[\"mosaic-admin\",{\"server\":\"admin\"}]");

    @TempDir
    Path dir;

    @Test
    void aPositionWhoseSaveFailedIsNotReadBackAndIsSavedWithTheNextSave() throws Exception {
        Path file = dir.resolve("admin.offsets");
        FileOffsetStore store = started(new FileOffsetStore(), file);
        FileOffsetBackingStore kafkas = started(KafkaConnectUtil.fileOffsetBackingStore(), dir.resolve("kafka.offsets"));
        try {
            set(store, "{\"lsn\":100}");
            set(kafkas, "{\"lsn\":100}");
            assertThat(read(store)).isEqualTo("{\"lsn\":100}");

            // the file cannot be written any more
            Files.delete(file);
            Files.createDirectory(file);
            Files.delete(dir.resolve("kafka.offsets"));
            Files.createDirectory(dir.resolve("kafka.offsets"));
            assertThatThrownBy(() -> set(store, "{\"lsn\":200}")).isInstanceOf(ExecutionException.class);
            assertThatThrownBy(() -> set(kafkas, "{\"lsn\":200}")).isInstanceOf(ExecutionException.class);
            assertThat(read(kafkas)).as("Kafka's store answers the position it could not save").isEqualTo("{\"lsn\":200}");
            assertThat(read(store)).as("this one answers what the file holds").isEqualTo("{\"lsn\":100}");

            // writable again: the next save writes the newest position, and a new store reads it from the file
            Files.delete(file);
            set(store, "{\"lsn\":300}");
            assertThat(read(store)).isEqualTo("{\"lsn\":300}");
        } finally {
            store.stop();
            kafkas.stop();
        }
        FileOffsetStore again = started(new FileOffsetStore(), file);
        try {
            assertThat(read(again)).isEqualTo("{\"lsn\":300}");
        } finally {
            again.stop();
        }
    }

    private static <T extends MemoryOffsetBackingStore> T started(T store, Path file) {
        store.configure(new StandaloneConfig(Map.of("offset.storage.file.filename", file.toString(), "bootstrap.servers", "localhost:9092",
                "key.converter", "org.apache.kafka.connect.json.JsonConverter", "value.converter", "org.apache.kafka.connect.json.JsonConverter")));
        store.start();
        return store;
    }

    private static void set(MemoryOffsetBackingStore store, String value) throws Exception {
        store.set(Map.of(KEY, bytes(value)), null).get(10, TimeUnit.SECONDS);
    }

    private static String read(MemoryOffsetBackingStore store) throws Exception {
        ByteBuffer value = store.get(List.of(KEY)).get(10, TimeUnit.SECONDS).get(KEY);
        return value == null ? null : StandardCharsets.UTF_8.decode(value.duplicate()).toString();
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
