package io.mosaic.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The whole service configuration, read from one YAML file. Every key is declared once (see the
 * {@link Setting}s of each section) and the file is validated fully before anything starts: all
 * problems are reported together, each with its file, line, key and how to fix it.
 */
public record MosaicConfig(
        Path file,
        ElasticsearchConfig elasticsearch,
        Map<String, SourceConfig> sources,
        List<Path> mappings,
        StateConfig state,
        WriterConfig writer,
        HttpConfig http,
        LeaseConfig lease,
        RestartConfig restart) {

    private static final List<String> SECTIONS = List.of("elasticsearch", "sources", "mappings", "state", "writer", "http", "lease", "restart");

    public static MosaicConfig load(Path file) {
        return load(file, System::getenv);
    }

    public static MosaicConfig load(Path file, Function<String, String> env) {
        Problems problems = new Problems();
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file.toString(), "no such config file; pass an existing file with --config");
        }
        YamlNode root = YamlNode.read(file, env, problems);
        if (root.isMissing()) {
            problems.throwIfAny(); // unreadable or not YAML: nothing more to check
        }
        Path baseDir = file.toAbsolutePath().getParent();
        for (Map.Entry<String, YamlNode> e : root.entries().entrySet()) {
            if (!SECTIONS.contains(e.getKey())) {
                String suggestion = Setting.closest(e.getKey(), SECTIONS);
                problems.add(e.getValue().location(), "unknown section '" + e.getKey() + "'"
                        + (suggestion != null ? "; did you mean '" + suggestion + "'?" : "")
                        + " Known sections: " + String.join(", ", SECTIONS));
            }
        }
        ElasticsearchConfig es = ElasticsearchConfig.read(root.get("elasticsearch"), baseDir, problems);

        Map<String, SourceConfig> sources = new LinkedHashMap<>();
        YamlNode sourcesNode = root.get("sources");
        if (sourcesNode.isMissing() || sourcesNode.entries().isEmpty()) {
            problems.add(sourcesNode.location(), "missing section 'sources': name at least one database to tail, "
                    + "e.g. sources: { admin: { type: postgres, host: ..., database: ..., user: ..., password: ... } }");
        }
        sourcesNode.entries().forEach((name, node) -> {
            SourceConfig source = SourceConfig.read(name, node, baseDir, problems);
            if (source != null) {
                sources.put(name, source);
            }
        });

        List<Path> mappings = new ArrayList<>();
        YamlNode mappingsNode = root.get("mappings");
        List<YamlNode> mappingItems = mappingsNode.isList() ? mappingsNode.items() : List.of(mappingsNode);
        if (mappingsNode.isMissing()) {
            problems.add(mappingsNode.location(), "missing key 'mappings': list the mapping files (or directories of them), "
                    + "relative to the config file, e.g. mappings: [../mappings/employees.yaml]");
        }
        for (YamlNode item : mappingItems) {
            if (item.isMissing()) {
                continue;
            }
            Path p = baseDir.resolve(item.text()).normalize();
            if (!Files.exists(p)) {
                problems.add(item.location(), "mapping path '" + item.text() + "' (" + p + ") does not exist; "
                        + "paths are relative to the config file");
            } else {
                mappings.add(p);
            }
        }
        StateConfig state = StateConfig.read(root.get("state"), baseDir, problems);
        WriterConfig writer = WriterConfig.read(root.get("writer"), problems);
        HttpConfig http = HttpConfig.read(root.get("http"), problems);
        LeaseConfig lease = LeaseConfig.read(root.get("lease"), state, problems);
        RestartConfig restart = RestartConfig.read(root.get("restart"), problems);
        problems.throwIfAny();
        return new MosaicConfig(file, es, java.util.Collections.unmodifiableMap(sources), List.copyOf(mappings), state, writer, http,
                lease, restart);
    }
}
