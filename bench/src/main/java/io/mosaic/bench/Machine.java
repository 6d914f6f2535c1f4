package io.mosaic.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What the numbers were measured on: the machine and the versions of everything in the run. */
final class Machine {

    private Machine() {
    }

    static ObjectNode describe(Es es, Databases db, Path root) throws Exception {
        ObjectNode n = Es.JSON.createObjectNode();
        String cpu = "unknown";
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                cpu = line.substring(line.indexOf(':') + 1).trim();
                break;
            }
        }
        n.put("cpu", cpu);
        n.put("cores", Runtime.getRuntime().availableProcessors());
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                n.put("memoryGiB", Math.round(Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0));
            }
        }
        n.put("os", firstLine(Path.of("/etc/debian_version")).map(v -> "Debian " + v).orElse(System.getProperty("os.name"))
                + ", Linux " + System.getProperty("os.version"));
        n.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        JsonNode nodes = es.http().call("GET", "/_nodes/_local?filter_path=nodes.*.version,nodes.*.jvm.version", null);
        JsonNode node = nodes.path("nodes").elements().hasNext() ? nodes.path("nodes").elements().next() : Es.JSON.nullNode();
        n.put("elasticsearch", node.path("version").asText("?") + " (JVM " + node.path("jvm").path("version").asText("?") + ")");
        try (Connection c = db.admin()) {
            n.put("postgresql", c.getMetaData().getDatabaseProductVersion());
        }
        try (Connection c = db.labor()) {
            n.put("mariadb", c.getMetaData().getDatabaseProductVersion());
        }
        n.put("debezium", jarVersion(root.resolve("bench/target/lib"), "debezium-embedded-"));
        n.put("elasticsearchJava", jarVersion(root.resolve("bench/target/lib"), "elasticsearch-java-"));
        n.put("flinkCdc", jarVersion(root.resolve("bench/flink/target/lib"), "flink-connector-postgres-cdc-"));
        n.put("flink", jarVersion(root.resolve("bench/flink/target/lib"), "flink-streaming-java-"));
        n.put("flinkElasticsearch", jarVersion(root.resolve("bench/flink/target/lib"), "flink-connector-elasticsearch7-"));
        return n;
    }

    private static java.util.Optional<String> firstLine(Path p) {
        try {
            return Files.readAllLines(p).stream().findFirst();
        } catch (Exception e) {
            return java.util.Optional.empty();
        }
    }

    static String jarVersion(Path lib, String prefix) {
        if (!Files.isDirectory(lib)) {
            return "not built";
        }
        try (Stream<Path> files = Files.list(lib)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(prefix) && f.endsWith(".jar"))
                    .map(f -> f.substring(prefix.length(), f.length() - 4)).findFirst().orElse("?");
        } catch (Exception e) {
            return "?";
        }
    }
}
