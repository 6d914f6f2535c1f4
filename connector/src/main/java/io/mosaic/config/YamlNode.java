package io.mosaic.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A read-only YAML tree that remembers the file and line of every node, so that configuration and
 * mapping errors can point at the exact place to fix. Scalars have {@code ${VAR}} and
 * {@code ${VAR:-default}} substituted from the environment, and {@code ${file:PATH}} from a file (a
 * mounted Kubernetes Secret), when the tree is read; such values are never logged.
 */
public final class YamlNode {

    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
    /** {@code ${file:PATH}}: the content of a file, as Kubernetes mounts a Secret (relative to the YAML file). */
    private static final Pattern FILE = Pattern.compile("\\$\\{file:([^}]+)}");

    private final String file;
    private final int line;
    private final String path;
    private final Object value; // String, Map<String, YamlNode>, List<YamlNode> or null
    private final boolean secretSubstituted;

    private YamlNode(String file, int line, String path, Object value, boolean secretSubstituted) {
        this.file = file;
        this.line = line;
        this.path = path;
        this.value = value;
        this.secretSubstituted = secretSubstituted;
    }

    /** Reads a YAML file; syntax errors and unset environment variables are reported as problems. */
    public static YamlNode read(Path file, Function<String, String> env, Problems problems) {
        String name = file.toString();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(name, reader, env, problems);
        } catch (IOException e) {
            problems.add(name, "cannot read the file (" + e.getMessage() + "); check the path and its permissions");
            return missing(name, "");
        }
    }

    public static YamlNode parse(String name, Reader reader, Function<String, String> env, Problems problems) {
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            Node root = new Yaml(options).compose(reader);
            if (root == null) {
                return new YamlNode(name, 1, "", new LinkedHashMap<String, YamlNode>(), false);
            }
            return convert(name, root, "", env, problems);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            problems.add(name + ":" + line, "YAML syntax error: " + e.getProblem()
                    + (e.getContext() == null ? "" : " " + e.getContext())
                    + "; fix the indentation or quoting at that line");
            return missing(name, "");
        } catch (RuntimeException e) {
            problems.add(name, "YAML syntax error: " + e.getMessage());
            return missing(name, "");
        }
    }

    private static YamlNode convert(String file, Node node, String path, Function<String, String> env, Problems problems) {
        int line = node.getStartMark().getLine() + 1;
        if (node instanceof MappingNode mapping) {
            Map<String, YamlNode> map = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(tuple.getKeyNode());
                String childPath = path.isEmpty() ? key : path + "." + key;
                map.put(key, convert(file, tuple.getValueNode(), childPath, env, problems));
            }
            return new YamlNode(file, line, path, map, false);
        }
        if (node instanceof SequenceNode sequence) {
            List<YamlNode> list = new ArrayList<>();
            int i = 0;
            for (Node item : sequence.getValue()) {
                list.add(convert(file, item, path + "[" + i++ + "]", env, problems));
            }
            return new YamlNode(file, line, path, list, false);
        }
        ScalarNode scalar = (ScalarNode) node;
        String raw = scalar.getValue();
        if ("tag:yaml.org,2002:null".equals(scalar.getTag().getValue()) && !scalar.getScalarStyle().toString().contains("QUOTED")) {
            if (raw.isEmpty() || raw.equals("~") || raw.equalsIgnoreCase("null")) {
                return new YamlNode(file, line, path, null, false);
            }
        }
        boolean substituted = false;
        Matcher f = FILE.matcher(raw);
        StringBuilder fromFiles = new StringBuilder();
        while (f.find()) {
            substituted = true;
            f.appendReplacement(fromFiles, Matcher.quoteReplacement(readSecretFile(file, line, path, f.group(1).trim(), problems)));
        }
        f.appendTail(fromFiles);
        raw = fromFiles.toString();
        Matcher m = ENV.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            substituted = true;
            String variable = m.group(1);
            String found = env.apply(variable);
            if (found == null) {
                if (m.group(2) != null) {
                    found = m.group(3);
                } else {
                    problems.add(file + ":" + line, path + " refers to the environment variable " + variable
                            + ", which is not set; set it, or write ${" + variable + ":-default} to give a default");
                    found = "";
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(found));
        }
        m.appendTail(out);
        return new YamlNode(file, line, path, out.toString(), substituted);
    }

    /**
     * The content of a secret file, without its final line break (as {@code kubectl create secret
     * --from-file} and most editors leave one). Never logged; a file that cannot be read is a problem
     * that names the file, not its content.
     */
    private static String readSecretFile(String yamlFile, int line, String path, String name, Problems problems) {
        java.nio.file.Path p = java.nio.file.Path.of(name);
        if (!p.isAbsolute() && yamlFile != null) {
            java.nio.file.Path dir = java.nio.file.Path.of(yamlFile).toAbsolutePath().getParent();
            p = dir == null ? p : dir.resolve(p);
        }
        try {
            String content = java.nio.file.Files.readString(p);
            if (content.endsWith("\r\n")) {
                return content.substring(0, content.length() - 2);
            }
            return content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        } catch (java.io.IOException | RuntimeException e) {
            problems.add(yamlFile + ":" + line, path + " refers to the file " + p + ", which cannot be read ("
                    + e.getClass().getSimpleName() + "); mount the secret there, or fix the path");
            return "";
        }
    }

    private static YamlNode missing(String file, String path) {
        return new YamlNode(file, 0, path, null, false);
    }

    /** {@code file:line} of this node, for error messages. */
    public String location() {
        return line > 0 ? file + ":" + line : file;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    /** The dotted key path of this node from the root of its file, such as {@code sources.admin.port}. */
    public String path() {
        return path;
    }

    public boolean isMissing() {
        return value == null;
    }

    public boolean isMap() {
        return value instanceof Map;
    }

    public boolean isList() {
        return value instanceof List;
    }

    public boolean isScalar() {
        return value instanceof String;
    }

    /** Whether an environment variable was substituted into this scalar: its value is then never logged. */
    public boolean fromEnvironment() {
        return secretSubstituted;
    }

    public String text() {
        return value instanceof String s ? s : null;
    }

    @SuppressWarnings("unchecked")
    public Map<String, YamlNode> entries() {
        return value instanceof Map ? Collections.unmodifiableMap((Map<String, YamlNode>) value) : Map.of();
    }

    @SuppressWarnings("unchecked")
    public List<YamlNode> items() {
        return value instanceof List ? Collections.unmodifiableList((List<YamlNode>) value) : List.of();
    }

    /** The child under {@code key}, or a missing node located at this node when there is none. */
    public YamlNode get(String key) {
        YamlNode child = entries().get(key);
        return child != null ? child : new YamlNode(file, line, path.isEmpty() ? key : path + "." + key, null, false);
    }

    public boolean has(String key) {
        return entries().containsKey(key);
    }

    /** Plain Java value of this subtree (String, Map, List or null), for pass-through sections. */
    public Object toPlain() {
        if (isMap()) {
            Map<String, Object> out = new LinkedHashMap<>();
            entries().forEach((k, v) -> out.put(k, v.toPlain()));
            return out;
        }
        if (isList()) {
            List<Object> out = new ArrayList<>();
            items().forEach(i -> out.add(i.toPlain()));
            return out;
        }
        return value;
    }
}
