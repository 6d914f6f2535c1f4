package io.mosaic.mapping;

import io.mosaic.model.TableRef;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.mosaic.config.Problems;
import io.mosaic.config.Setting;
import io.mosaic.config.YamlNode;

/**
 * Reads mapping files (see {@code mappings/README.md} for the language) into {@link DocumentMapping}s.
 * Checks everything that can be checked without the databases: structure, names, expressions,
 * sources, duplicate fields and indices. Every problem is reported with its file and line.
 */
public final class MappingLoader {

    private static final List<String> TOP = List.of("document", "index", "root", "collections");
    private static final List<String> INDEX = List.of("alias", "version", "template");
    private static final List<String> ROOT = List.of("source", "table", "key", "fields", "lookups", "filter", "routing");
    private static final List<String> LOOKUP = List.of("source", "table", "key", "on", "as", "fields");
    private static final List<String> COLLECTION = List.of("source", "table", "key", "parent", "path", "fields", "value", "lookups", "filter",
            "collections");
    private static final List<String> CONDITION = java.util.Arrays.stream(RowFilter.Op.values())
            .map(o -> o.keyword.startsWith("is:") ? "is" : o.keyword).distinct().toList();
    private static final List<String> FIELD = List.of("column", "type", "format", "constant", "map", "otherwise", "coalesce", "when");

    private final Set<String> knownSources;

    /** @param knownSources the source names of the configuration; a mapping naming another is an error */
    public MappingLoader(Set<String> knownSources) {
        this.knownSources = new java.util.TreeSet<>(knownSources);
    }

    /** Loads every {@code *.yaml}/{@code *.yml} file among {@code paths} (files, or directories of them). */
    public List<DocumentMapping> load(List<Path> paths, Problems problems) {
        List<DocumentMapping> out = new ArrayList<>();
        for (Path path : paths) {
            for (Path file : files(path, problems)) {
                DocumentMapping m = loadFile(file, problems);
                if (m != null) {
                    out.add(m);
                }
            }
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        for (DocumentMapping m : out) {
            String previous = aliases.put(m.alias(), m.file().toString());
            if (previous != null) {
                problems.add(m.file().toString(), "index alias '" + m.alias() + "' is also used by " + previous
                        + "; give each document type its own alias");
            }
        }
        if (out.isEmpty() && problems.isEmpty()) {
            problems.add(paths.toString(), "no mapping files (*.yaml) found; add one, see mappings/README.md");
        }
        return out;
    }

    private static List<Path> files(Path path, Problems problems) {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> s = Files.list(path)) {
            return s.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml$")).sorted().toList();
        } catch (IOException e) {
            problems.add(path.toString(), "cannot list the directory: " + e.getMessage());
            return List.of();
        }
    }

    public DocumentMapping loadFile(Path file, Problems problems) {
        int before = problems.list().size();
        YamlNode root = YamlNode.read(file, System::getenv, problems);
        if (problems.list().size() > before) {
            return null;
        }
        unknownKeys(root, TOP, problems);
        String name = requiredText(root, "document", problems);
        if (name != null && !name.matches("[a-z][a-z0-9_-]*")) {
            problems.add(root.get("document"), "document name '" + name + "' must be lower-case letters, digits, '-' or '_'");
        }
        YamlNode index = root.get("index");
        unknownKeys(index, INDEX, problems);
        String alias = index.has("alias") ? index.get("alias").text() : name;
        if (alias == null || !alias.matches("[a-z0-9][a-z0-9_-]*")) {
            problems.add(index.get("alias"), "index alias '" + alias + "' must be lower-case letters, digits, '-' or '_'");
        }
        int version = 1;
        if (index.has("version")) {
            try {
                version = Integer.parseInt(index.get("version").text());
                if (version < 1) {
                    throw new NumberFormatException();
                }
            } catch (RuntimeException e) {
                problems.add(index.get("version"), "index.version must be a positive whole number (the versioned index is <alias>-v<version>)");
            }
        }
        Path template = null;
        if (index.has("template")) {
            template = file.toAbsolutePath().getParent().resolve(index.get("template").text()).normalize();
            if (!Files.isRegularFile(template)) {
                problems.add(index.get("template"), "index template file '" + index.get("template").text()
                        + "' does not exist; paths are relative to the mapping file");
                template = null;
            }
        }

        YamlNode rootNode = root.get("root");
        if (rootNode.isMissing()) {
            problems.add(rootNode, "missing section 'root': the table whose rows are the documents (source, table, key, fields)");
            return null;
        }
        unknownKeys(rootNode, ROOT, problems);
        TableRef rootTable = table(rootNode, null, problems);
        KeyColumns rootKey = keyColumns(rootNode, "key", problems);
        Set<String> fieldNames = new HashSet<>();
        List<FieldMapping> fields = fields(rootNode.get("fields"), List.of(), fieldNames, problems, true);
        List<LookupMapping> lookups = lookups(rootNode.get("lookups"), rootTable, List.of(), fieldNames, problems);

        List<CollectionMapping> collections = new ArrayList<>();
        Map<String, String[]> childTables = new HashMap<>();
        root.get("collections").entries().forEach((collectionName, node) -> {
            CollectionMapping c = collection(collectionName, node, rootKey, null, fieldNames, childTables, problems);
            if (c != null) {
                collections.add(c);
            }
        });
        if (name == null || rootTable == null || rootKey == null || alias == null) {
            return null;
        }
        RowFilter rootFilter = filter(rootNode.get("filter"), problems);
        String routing = null;
        String routingLocation = null;
        if (rootNode.has("routing")) {
            routing = rootNode.get("routing").text();
            routingLocation = rootNode.get("routing").location();
            if (routing == null || routing.isBlank()) {
                problems.add(rootNode.get("routing"), "root.routing must name one column of the root table, e.g. routing: company_id");
                routing = null;
            }
        }
        return new DocumentMapping(name, file, alias, version, template, rootTable, rootKey, fields, lookups, collections,
                tableLocation(rootNode), rootFilter, routing, routingLocation);
    }


    /**
     * One collection: of the root ({@code outer} null; its parent names the root key's columns) or nested in
     * the elements of {@code outer} (its parent names the outer collection's key columns). Null when invalid
     * (reported).
     */
    private CollectionMapping collection(String localName, YamlNode node, KeyColumns ownerKey, String outer,
                                         Set<String> fieldNames, Map<String, String[]> childTables, Problems problems) {
        String collectionName = outer == null ? localName : outer + "." + localName;
        unknownKeys(node, COLLECTION, problems);
        TableRef table = table(node, null, problems);
        KeyColumns key = keyColumns(node, "key", problems);
        KeyColumns parent = keyColumns(node, "parent", problems);
        if (parent != null && ownerKey != null && parent.size() != ownerKey.size()) {
            if (outer == null) {
                problems.add(node.get("parent"), "collection '" + collectionName + "': parent " + parent + " names " + parent.size()
                        + " column(s), but the root key " + ownerKey + " has " + ownerKey.size() + "; name one column of the child row "
                        + "per root key column, in the same order");
            } else {
                problems.add(node.get("parent"), "nested collection '" + collectionName + "': parent " + parent + " names " + parent.size()
                        + " column(s), but the key " + ownerKey + " of collection '" + outer + "' has " + ownerKey.size()
                        + "; a nested collection's parent names the outer collection's key (not the root's): one column of the "
                        + "nested row per key column of '" + outer + "', in the same order");
            }
            parent = null;
        }
        List<String> path = node.has("path") ? splitPath(node.get("path"), problems) : List.of(localName);
        String pathName = String.join(".", path);
        if (!fieldNames.add(pathName)) {
            problems.add(node, "collection '" + collectionName + "' is written at '" + pathName + "', which another field also uses");
        }
        // Two collections may read one table (objects and a value: array of the same rows, say): each keeps its own
        // copy of the rows in the state. They must agree on key and parent, which identify a row and its document.
        String keyText = String.valueOf(key);
        String parentText = String.valueOf(parent);
        String[] other = table == null ? null : childTables.putIfAbsent(table.id(), new String[] {collectionName, keyText, parentText});
        if (other != null && !(other[1].equals(keyText) && other[2].equals(parentText))) {
            problems.add(node, "table " + table.id() + " is also read by collection '" + other[0] + "' of this document with key '"
                    + other[1] + "' and parent '" + other[2] + "'; collections of one table must use the same key and parent");
        }
        Set<String> elementFields = new HashSet<>();
        boolean scalar = node.has("value");
        FieldMapping value = null;
        List<FieldMapping> elementFieldList = List.of();
        List<LookupMapping> elementLookups = List.of();
        boolean elementOk = true;
        if (scalar && node.has("fields")) {
            problems.add(node.get("value"), "collection '" + collectionName + "' has both 'value' (each element one value) and "
                    + "'fields' (each element an object); keep one of them");
            elementOk = false;
        } else if (scalar) {
            if (node.has("lookups")) {
                problems.add(node.get("lookups"), "collection '" + collectionName + "' has 'value', so its elements are single "
                        + "values and cannot take lookups; use 'fields' (elements as objects) to add lookup fields");
                elementOk = false;
            }
            FieldExpr e = expression(node.get("value"), problems);
            if (e == null) {
                elementOk = false;
            } else {
                value = new FieldMapping(List.copyOf(path), e, node.get("value").location());
            }
        } else if (!node.has("fields") && node.isMap()) {
            problems.add(node, "collection '" + collectionName + "' needs 'fields' (each element an object, e.g. "
                    + "fields: { id: id, name: name }) or 'value' (each element one value, e.g. value: name)");
            elementOk = false;
        } else {
            elementFieldList = fields(node.get("fields"), List.of(), elementFields, problems, true);
            elementLookups = lookups(node.get("lookups"), table, List.of(), elementFields, problems);
        }
        RowFilter filter = filter(node.get("filter"), problems);
        List<CollectionMapping> nested = new ArrayList<>();
        if (node.has("collections")) {
            YamlNode inner = node.get("collections");
            if (outer != null) {
                problems.add(inner, "nested collection '" + collectionName + "' has 'collections': collections nest one level deep "
                        + "(a collection of the root may hold collections, a nested one may not); map the deeper table as a document "
                        + "type of its own, or give its rows the key column(s) of '" + outer + "' and make it a nested collection of '" + outer + "'");
                elementOk = false;
            } else if (scalar) {
                problems.add(inner, "collection '" + collectionName + "' has 'value', so its elements are single values and cannot "
                        + "hold nested collections; use 'fields' (elements as objects)");
                elementOk = false;
            } else if (!inner.isMap()) {
                problems.add(inner, "'" + inner.path() + "' must be a map of nested collection name to {table, key, parent, fields}");
                elementOk = false;
            } else {
                Map<String, String[]> nestedTables = new HashMap<>();
                inner.entries().forEach((n, nNode) -> {
                    if (nNode.has("lookups")) {
                        problems.add(nNode.get("lookups"), "nested collection '" + collectionName + "." + n + "' has 'lookups', which "
                                + "nested collections do not support (yet); remove them, or move the lookup to collection '"
                                + collectionName + "' or to the root");
                    }
                    CollectionMapping c = collection(n, nNode, key, collectionName, elementFields, nestedTables, problems);
                    if (c != null && !nNode.has("lookups")) {
                        nested.add(c);
                    }
                });
            }
        }
        if (table != null && key != null && parent != null && elementOk) {
            return new CollectionMapping(localName, path, table, key, parent, elementFieldList,
                    elementLookups, node.location(), tableLocation(node), filter, value, nested);
        }
        return null;
    }

    private List<LookupMapping> lookups(YamlNode node, TableRef owner, List<String> prefix, Set<String> fieldNames, Problems problems) {
        List<LookupMapping> out = new ArrayList<>();
        if (!node.isMissing() && !node.isMap()) {
            problems.add(node, "'" + node.path() + "' must be a map of lookup name to {table, key, on, as, fields}");
            return out;
        }
        node.entries().forEach((lookupName, l) -> {
            unknownKeys(l, LOOKUP, problems);
            TableRef table = table(l, owner == null ? null : owner.source(), problems);
            KeyColumns key = keyColumns(l, "key", problems);
            KeyColumns on = keyColumns(l, "on", problems);
            if (key != null && on != null && key.size() != on.size()) {
                problems.add(l.get("on"), "lookup '" + lookupName + "': on " + on + " names " + on.size() + " column(s), but its key "
                        + key + " has " + key.size() + "; name one column of the owner row per key column, in the same order");
                on = null;
            }
            List<String> as = l.has("as") ? splitPath(l.get("as"), problems) : List.of();
            if (!as.isEmpty() && !fieldNames.add(String.join(".", as))) {
                problems.add(l.get("as"), "lookup '" + lookupName + "' is written at '" + String.join(".", as)
                        + "', which another field also uses");
            }
            List<FieldMapping> fields = fields(l.get("fields"), List.of(), as.isEmpty() ? fieldNames : new HashSet<>(), problems, true);
            if (table != null && key != null && on != null) {
                out.add(new LookupMapping(lookupName, table, key, on, as, fields, l.location(), tableLocation(l)));
            }
        });
        return out;
    }

    private TableRef table(YamlNode node, String defaultSource, Problems problems) {
        String source = node.has("source") ? node.get("source").text() : defaultSource;
        if (source == null) {
            problems.add(node.get("source"), "missing key '" + node.get("source").path() + "': the name of a source in the config file ("
                    + String.join(", ", knownSources) + ")");
        } else if (!knownSources.isEmpty() && !knownSources.contains(source)) {
            problems.add(node.get("source"), "unknown source '" + source + "'; the config file defines: " + String.join(", ", knownSources));
        }
        String table = requiredText(node, "table", problems);
        if (table != null && !table.matches("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*")) {
            problems.add(node.get("table"), "table '" + table + "' must be written schema.table (PostgreSQL, e.g. public.employees) "
                    + "or database.table (MySQL/MariaDB, e.g. labor.contracts)");
            return null;
        }
        return source == null || table == null ? null : new TableRef(source, table);
    }

    private List<FieldMapping> fields(YamlNode node, List<String> prefix, Set<String> names, Problems problems, boolean required) {
        List<FieldMapping> out = new ArrayList<>();
        if (node.isMissing()) {
            if (required) {
                problems.add(node, "missing key '" + node.path() + "': map document fields to columns, e.g. fields: { id: id, name.family: family_name }");
            }
            return out;
        }
        if (!node.isMap()) {
            problems.add(node, "'" + node.path() + "' must be a map of field name to column or expression");
            return out;
        }
        node.entries().forEach((fieldName, expr) -> {
            List<String> path = new ArrayList<>(prefix);
            for (String segment : fieldName.split("\\.", -1)) {
                if (!segment.matches("[A-Za-z_][A-Za-z0-9_]*") || segment.equals("mosaic")) {
                    problems.add(expr, "field name '" + fieldName + "' must be dot-separated names of letters, digits and '_'"
                            + (segment.equals("mosaic") ? " ('mosaic' is reserved for Mosaic's own metadata)" : ""));
                    return;
                }
                path.add(segment);
            }
            String full = String.join(".", path);
            for (String other : names) {
                if (other.equals(full) || other.startsWith(full + ".") || full.startsWith(other + ".")) {
                    problems.add(expr, "field '" + full + "' collides with field '" + other + "'; every field needs its own path");
                    return;
                }
            }
            names.add(full);
            FieldExpr e = expression(expr, problems);
            if (e != null) {
                out.add(new FieldMapping(List.copyOf(path), e, expr.location()));
            }
        });
        return out;
    }

    private FieldExpr expression(YamlNode node, Problems problems) {
        if (node.isScalar()) {
            return new FieldExpr.Column(node.text(), ValueType.AUTO);
        }
        if (!node.isMap()) {
            problems.add(node, "'" + node.path() + "' must be a column name or a map with one of: column, format, constant, map");
            return null;
        }
        unknownKeys(node, FIELD, problems);
        ValueType type = ValueType.AUTO;
        if (node.has("type")) {
            try {
                type = ValueType.parse(node.get("type").text());
            } catch (RuntimeException e) {
                problems.add(node.get("type"), "unknown type '" + node.get("type").text()
                        + "'; use one of auto, string, integer, number, boolean, date, timestamp");
            }
        }
        int kinds = (node.has("format") ? 1 : 0) + (node.has("constant") ? 1 : 0) + (node.has("map") || node.has("column") ? 1 : 0)
                + (node.has("coalesce") ? 1 : 0) + (node.has("when") ? 1 : 0);
        if (kinds != 1) {
            problems.add(node, "'" + node.path() + "' must have exactly one of 'column' (optionally with 'type' or 'map'), 'format', "
                    + "'constant', 'coalesce' (a list of columns, optionally with 'type') or 'when' (conditions, as in a filter)");
            return null;
        }
        if (node.has("coalesce")) {
            YamlNode list = node.get("coalesce");
            List<String> columns = new ArrayList<>();
            list.items().forEach(i -> {
                if (i.text() != null && !i.text().isBlank()) {
                    columns.add(i.text().trim());
                }
            });
            if (!list.isList() || columns.size() < 2 || columns.size() != list.items().size()) {
                problems.add(list, "'" + list.path() + "' must be a list of at least two column names, e.g. coalesce: [nickname, given_name]");
                return null;
            }
            return new FieldExpr.Coalesce(List.copyOf(columns), type);
        }
        if (node.has("when")) {
            RowFilter condition = filter(node.get("when"), problems);
            if (condition.conditions().isEmpty()) {
                if (node.get("when").isMap() && !node.get("when").entries().isEmpty()) {
                    return null; // reported by filter()
                }
                problems.add(node.get("when"), "'" + node.get("when").path() + "' must name at least one condition, e.g. when: { status: { equals: active } }");
                return null;
            }
            return new FieldExpr.When(condition);
        }
        if (node.has("format")) {
            try {
                return FieldExpr.Format.parse(node.get("format").text());
            } catch (IllegalArgumentException e) {
                problems.add(node.get("format"), "format '" + node.get("format").text() + "': " + e.getMessage());
                return null;
            }
        }
        if (node.has("constant")) {
            return new FieldExpr.Constant(node.get("constant").toPlain());
        }
        String column = requiredText(node, "column", problems);
        if (column == null) {
            return null;
        }
        if (node.has("map")) {
            YamlNode map = node.get("map");
            if (!map.isMap()) {
                problems.add(map, "'" + map.path() + "' must be a map from column value to field value");
                return null;
            }
            Map<String, Object> values = new LinkedHashMap<>();
            map.entries().forEach((k, v) -> values.put(k, v.toPlain()));
            boolean keep = !node.has("otherwise");
            Object otherwise = keep ? null : node.get("otherwise").toPlain();
            return new FieldExpr.ValueMap(column, values, otherwise, keep);
        }
        return new FieldExpr.Column(column, type);
    }

    /**
     * {@code filter: { column: { op: value } }}: every condition must hold. Ops: {@code is: null},
     * {@code is: not_null}, {@code equals}, {@code not_equals}, {@code in}, {@code not_in} (lists), and
     * {@code gt}, {@code gte}, {@code lt}, {@code lte}.
     */
    private static RowFilter filter(YamlNode node, Problems problems) {
        if (node.isMissing()) {
            return RowFilter.NONE;
        }
        if (!node.isMap()) {
            problems.add(node, "'" + node.path() + "' must be a map of column to condition, e.g. filter: { deleted_at: { is: null } }");
            return RowFilter.NONE;
        }
        List<RowFilter.Condition> out = new ArrayList<>();
        node.entries().forEach((column, cond) -> {
            if (!cond.isMap() || cond.entries().isEmpty()) {
                problems.add(cond, "'" + cond.path() + "' must be a condition such as { is: null }, { equals: active }, "
                        + "{ not_in: [retired] } or { gte: 10 }");
                return;
            }
            Setting.rejectUnknownKeys(cond, CONDITION, problems);
            cond.entries().forEach((op, value) -> {
                if (!CONDITION.contains(op)) {
                    return;
                }
                RowFilter.Op kind;
                List<String> values = new ArrayList<>();
                if (op.equals("is")) {
                    String t = value.text();
                    if (t == null || t.isEmpty() || t.equals("null")) {
                        kind = RowFilter.Op.IS_NULL;
                    } else if (t.equals("not_null")) {
                        kind = RowFilter.Op.NOT_NULL;
                    } else {
                        problems.add(value, "'" + value.path() + "' must be null or not_null");
                        return;
                    }
                } else {
                    kind = RowFilter.Op.valueOf(op.toUpperCase(java.util.Locale.ROOT));
                    boolean list = kind == RowFilter.Op.IN || kind == RowFilter.Op.NOT_IN;
                    if (list != value.isList()) {
                        problems.add(value, "'" + value.path() + "' must be " + (list ? "a list of values, e.g. [a, b]" : "one value"));
                        return;
                    }
                    for (YamlNode v : list ? value.items() : List.of(value)) {
                        if (v.text() == null) {
                            problems.add(v, "'" + v.path() + "' must be a plain value");
                            return;
                        }
                        values.add(v.text());
                    }
                }
                out.add(new RowFilter.Condition(column, kind, List.copyOf(values), value.location()));
            });
        });
        return new RowFilter(List.copyOf(out));
    }

    /** Where a table problem is best shown: at its {@code table:} line. */
    private static String tableLocation(YamlNode node) {
        return node.has("table") ? node.get("table").location() : node.location();
    }

    private static List<String> splitPath(YamlNode node, Problems problems) {
        String text = node.text();
        if (text == null || !text.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
            problems.add(node, "'" + node.path() + "' must be a dotted field path such as department or name.full");
            return List.of("invalid");
        }
        return List.of(text.split("\\."));
    }

    /**
     * {@code key}, {@code parent} or {@code on}: one column ({@code key: id}) or a list of distinct columns
     * ({@code key: [member_id, tag]}, a composite key).
     */
    private static KeyColumns keyColumns(YamlNode parent, String key, Problems problems) {
        YamlNode node = parent.get(key);
        if (!node.isList()) {
            String column = requiredText(parent, key, problems);
            return column == null ? null : new KeyColumns(List.of(column), node.location());
        }
        List<String> columns = new ArrayList<>();
        for (YamlNode item : node.items()) {
            String text = item.text();
            if (!item.isScalar() || text == null || text.isBlank()) {
                problems.add(item, "'" + node.path() + "' must list column names, e.g. " + key + ": [member_id, tag]");
                return null;
            }
            if (columns.contains(text.trim())) {
                problems.add(item, "'" + node.path() + "' names column '" + text.trim() + "' twice; list each column of the key once");
                return null;
            }
            columns.add(text.trim());
        }
        if (columns.isEmpty()) {
            problems.add(node, "'" + node.path() + "' is an empty list; name the key's column, or its columns: " + key + ": [member_id, tag]");
            return null;
        }
        return new KeyColumns(columns, node.location());
    }

    private static String requiredText(YamlNode parent, String key, Problems problems) {
        YamlNode node = parent.get(key);
        if (node.isMissing() || node.text() == null || node.text().isBlank()) {
            problems.add(node, "missing key '" + node.path() + "'");
            return null;
        }
        return node.text().trim();
    }

    private static void unknownKeys(YamlNode node, List<String> known, Problems problems) {
        if (node.isMissing()) {
            return;
        }
        if (!node.isMap()) {
            problems.add(node, "'" + node.path() + "' must be a map with keys " + String.join(", ", known));
            return;
        }
        Setting.rejectUnknownKeys(node, known, problems);
    }
}
