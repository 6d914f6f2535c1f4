package io.mosaic.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Where Mosaic keeps source offsets and schema history between runs: in Elasticsearch (the default,
 * for Kubernetes: nothing to mount) or in files of a local directory.
 */
public record StateConfig(String store, Path directory) {

    public boolean inElasticsearch() {
        return "elasticsearch".equals(store);
    }

    static final Setting<String> STORE = Setting.oneOf("store",
            "where offsets and schema history are kept: elasticsearch (survives a pod restart without a volume) or file (a local directory)",
            "elasticsearch", "file").withDefault("elasticsearch");
    static final Setting<String> DIRECTORY = Setting.string("directory",
            "the directory for the file store, relative to the config file").withDefault("state");

    static final List<Setting<?>> SETTINGS = List.of(STORE, DIRECTORY);

    static StateConfig read(YamlNode node, Path baseDir, Problems problems) {
        Setting.rejectUnknownKeys(node, SETTINGS, problems);
        return new StateConfig(STORE.read(node, problems), baseDir.resolve(DIRECTORY.read(node, problems)).normalize());
    }
}
