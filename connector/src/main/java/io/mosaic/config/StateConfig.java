package io.mosaic.config;

import java.nio.file.Path;
import java.util.List;

/** Where Mosaic keeps source offsets and schema history between runs. */
public record StateConfig(String store, Path directory) {

    static final Setting<String> STORE = Setting.oneOf("store",
            "where offsets and schema history are kept: file (a local directory)", "file").withDefault("file");
    static final Setting<String> DIRECTORY = Setting.string("directory",
            "the directory for the file store, relative to the config file").withDefault("state");

    static final List<Setting<?>> SETTINGS = List.of(STORE, DIRECTORY);

    static StateConfig read(YamlNode node, Path baseDir, Problems problems) {
        Setting.rejectUnknownKeys(node, SETTINGS, problems);
        return new StateConfig(STORE.read(node, problems), baseDir.resolve(DIRECTORY.read(node, problems)).normalize());
    }
}
