package io.mosaic.config;

import java.util.List;

/** The health and metrics endpoint. */
public record HttpConfig(String host, int port) {

    static final Setting<String> HOST = Setting.string("host", "the address the health and metrics endpoint listens on")
            .withDefault("0.0.0.0");
    static final Setting<Integer> PORT = Setting.integer("port", "the port of the health and metrics endpoint (0 turns it off)")
            .withDefault(8080).validate(p -> p >= 0 && p < 65536, "a port number from 0 to 65535");

    static final List<Setting<?>> SETTINGS = List.of(HOST, PORT);

    static HttpConfig read(YamlNode node, Problems problems) {
        Setting.rejectUnknownKeys(node, SETTINGS, problems);
        return new HttpConfig(HOST.read(node, problems), PORT.read(node, problems));
    }
}
