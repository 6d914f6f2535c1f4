package io.mosaic.mapping;

import io.mosaic.model.TableRef;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.config.Problems;
import io.mosaic.model.ColumnKind;
import io.mosaic.model.TableInfo;

/**
 * Checks mappings against what the sources really have and against their index templates: tables,
 * columns and keys exist, conversions can work, and the template maps every field with a type its values fit. Pure: the caller reads the catalogs.
 */
public final class MappingValidator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> INTEGER_TYPES = Set.of("long", "integer", "short", "byte", "unsigned_long");
    private static final Set<String> FLOAT_TYPES = Set.of("double", "float", "half_float", "scaled_float");
    private static final Set<String> TEXT_TYPES = Set.of("keyword", "text", "wildcard", "constant_keyword", "match_only_text",
            "search_as_you_type");

    private MappingValidator() {
    }

    /**
     * @param tables the catalog of every mapped table by {@link TableRef#id()}; a source missing from
     *               {@code checkedSources} (unreachable) is not checked, a table of a checked source absent from the map does not exist
     */
    public static void check(MappingSet set, Map<String, TableInfo> tables, Set<String> checkedSources, Problems problems) {
        check(set, tables, checkedSources, Map.of(), problems);
    }

    /** @param existing every table of each checked source ({@code schema.table}), suggested when a mapped one does not exist */
    public static void check(MappingSet set, Map<String, TableInfo> tables, Set<String> checkedSources, Map<String, List<String>> existing,
                             Problems problems) {
        for (DocumentMapping m : set.documents()) {
            Checker c = new Checker(m, tables, checkedSources, existing, problems);
            c.table(m.root(), m.rootKey(), m.rootLocation(), null);
            c.fields(m.root(), m.fields());
            m.rootFilter().conditions().forEach(f -> c.column(m.root(), f.column(), f.location(), "filter"));
            if (m.routing() != null) {
                c.column(m.root(), m.routing(), m.routingLocation(), "routing");
            }
            for (LookupMapping l : m.lookups()) {
                c.lookup(m.root(), l);
            }
            for (CollectionMapping col : m.collections()) {
                c.table(col.table(), col.key(), col.tableLocation(), col.parent());
                col.parent().columns().forEach(p -> c.column(col.table(), p, col.parent().locationOr(col.location()), "parent"));
                c.fields(col.table(), col.rowFields());
                col.filter().conditions().forEach(f -> c.column(col.table(), f.column(), f.location(), "filter"));
                for (LookupMapping l : col.lookups()) {
                    c.lookup(col.table(), l);
                }
                for (CollectionMapping n : col.collections()) {
                    // the parent of a nested collection names the outer collection's key columns, in the nested table
                    c.table(n.table(), n.key(), n.tableLocation(), n.parent());
                    n.parent().columns().forEach(p -> c.column(n.table(), p, n.parent().locationOr(n.location()), "parent"));
                    c.fields(n.table(), n.rowFields());
                    n.filter().conditions().forEach(f -> c.column(n.table(), f.column(), f.location(), "filter"));
                }
            }
            if (m.template() != null) {
                c.template();
            }
        }
    }

    private static final class Checker {
        final DocumentMapping m;
        final Map<String, TableInfo> tables;
        final Set<String> checkedSources;
        final Problems problems;
        final Map<String, List<String>> existing;

        Checker(DocumentMapping m, Map<String, TableInfo> tables, Set<String> checkedSources, Map<String, List<String>> existing,
                Problems problems) {
            this.m = m;
            this.tables = tables;
            this.checkedSources = checkedSources;
            this.existing = existing;
            this.problems = problems;
        }

        TableInfo info(TableRef t) {
            return checkedSources.contains(t.source()) ? tables.get(t.id()) : null;
        }

        void table(TableRef t, KeyColumns key, String location, KeyColumns parent) {
            if (!checkedSources.contains(t.source())) {
                return;
            }
            TableInfo info = tables.get(t.id());
            if (info == null) {
                problems.add(location, "table " + t.table() + " does not exist in source '" + t.source()
                        + "'; check the table name (schema.table on PostgreSQL, database.table on MySQL/MariaDB)"
                        + suggestions(t) + " (a lookup or collection without 'source:' reads from its owner's source)");
                return;
            }
            if (info.primaryKey().isEmpty()) {
                problems.add(location, "table " + t.id() + " has no primary key; Mosaic identifies rows by it: add one "
                        + "(ALTER TABLE " + t.table() + " ADD PRIMARY KEY (" + String.join(", ", key.columns()) + "))");
            } else if (!new java.util.HashSet<>(info.primaryKey()).equals(new java.util.HashSet<>(key.columns()))) {
                // the same columns in another order are the same key (the order only decides how the _id is written)
                problems.add(key.locationOr(location), "key " + key + " of " + t.id() + " is not its primary key " + info.primaryKey()
                        + "; set key: to the table's primary key, e.g. key: " + (info.primaryKey().size() == 1 ? info.primaryKey().get(0)
                        : "[" + String.join(", ", info.primaryKey()) + "]"));
            }
            for (String column : key.columns()) {
                if (!info.columns().containsKey(column)) {
                    problems.add(key.locationOr(location), "key column '" + column + "' does not exist in " + t.id() + "; it has "
                            + info.columns().keySet());
                }
            }
            // a child's replica identity is a replication setting: SourceInspector#checkReplication checks it
        }

        /** The tables of the same source Mosaic found, as a hint: those with the same table name first. */
        String suggestions(TableRef t) {
            String name = t.table().substring(t.table().indexOf('.') + 1);
            List<String> known = existing.getOrDefault(t.source(), List.of()).stream()
                    .sorted(java.util.Comparator.comparingInt((String o) -> distance(o.substring(o.indexOf('.') + 1), name))
                            .thenComparing(java.util.Comparator.naturalOrder())).limit(8).toList();
            return known.isEmpty() ? "" : "; source '" + t.source() + "' has " + String.join(", ", known);
        }

        /** Edit distance, to put the likely meant table first. */
        static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                prev[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }

        void column(TableRef t, String column, String location, String role) {
            TableInfo info = info(t);
            if (info != null && !info.columns().containsKey(column)) {
                problems.add(location, role + " column '" + column + "' does not exist in " + t.id() + "; it has " + info.columns().keySet());
            }
        }

        void fields(TableRef t, List<FieldMapping> fields) {
            TableInfo info = info(t);
            if (info == null) {
                return;
            }
            for (FieldMapping f : fields) {
                for (String col : f.expr().columns()) {
                    if (!info.columns().containsKey(col)) {
                        problems.add(f.location(), "field '" + f.name() + "': column '" + col + "' does not exist in " + t.id()
                                + "; it has " + info.columns().keySet());
                    }
                }
                if (f.expr() instanceof FieldExpr.Column c && c.type() != ValueType.AUTO && info.columns().containsKey(c.column())) {
                    ColumnKind kind = info.kind(c.column());
                    if (!converts(kind, c.type())) {
                        problems.add(f.location(), "field '" + f.name() + "': column '" + c.column() + "' is " + info.columns().get(c.column())
                                + ", which cannot convert to " + c.type().name().toLowerCase() + "; remove 'type' or map another column");
                    }
                }
            }
        }

        void lookup(TableRef owner, LookupMapping l) {
            table(l.table(), l.key(), l.tableLocation(), null);
            l.on().columns().forEach(on -> column(owner, on, l.on().locationOr(l.location()), "lookup '" + l.name() + "': 'on'"));
            fields(l.table(), l.fields());
        }

        void template() {
            JsonNode root;
            try {
                root = JSON.readTree(Files.readString(m.template()));
            } catch (IOException e) {
                problems.add(m.template().toString(), "index template is not valid JSON: " + e.getMessage());
                return;
            }
            if (root.path("mappings").path("_routing").path("required").asBoolean(false) && m.routing() == null) {
                problems.add(m.template().toString(), m.template().getFileName() + " requires a routing (_routing.required: true), but "
                        + m.file() + " has no root.routing, so Elasticsearch would reject every write; add e.g. 'routing: company_id' "
                        + "under root:, or remove _routing from the template");
            }
            JsonNode props = root.path("mappings").path("properties");
            if (props.isMissingNode()) {
                return;
            }
            checkFields(props, List.of(), m.root(), m.fields(), m.lookups());
            for (CollectionMapping c : m.collections()) {
                JsonNode node = at(props, c.path());
                if (c.scalar()) {
                    if (node != null && (!node.has("type") || Set.of("nested", "object").contains(node.get("type").asText()))) {
                        problems.add(c.location(), "collection '" + c.name() + "' is an array of single values ('value'), but "
                                + m.template().getFileName() + " maps '" + String.join(".", c.path()) + "' as "
                                + (node.has("type") ? node.get("type").asText() : "an object")
                                + "; map it as the values' type (an array needs no mapping of its own), e.g. keyword");
                    } else {
                        checkField(props, c.value(), kindOf(c.table(), c.value()));
                    }
                    continue;
                }
                if (node != null && node.has("type") && !Set.of("nested", "object").contains(node.get("type").asText())) {
                    problems.add(c.location(), "collection '" + c.name() + "' is an array of objects, but " + m.template().getFileName()
                            + " maps '" + String.join(".", c.path()) + "' as " + node.get("type").asText() + "; map it as nested");
                    continue;
                }
                if (node != null) {
                    checkFields(node.path("properties"), List.of(), c.table(), c.fields(), c.lookups());
                    for (CollectionMapping n : c.collections()) {
                        JsonNode inner = at(node.path("properties"), n.path());
                        if (n.scalar() && inner != null
                                && (!inner.has("type") || Set.of("nested", "object").contains(inner.get("type").asText()))) {
                            problems.add(n.location(), "nested collection '" + c.name() + "." + n.name() + "' is an array of single "
                                    + "values ('value'), but " + m.template().getFileName() + " maps '" + String.join(".", c.path()) + "."
                                    + String.join(".", n.path()) + "' as " + (inner.has("type") ? inner.get("type").asText() : "an object")
                                    + "; map it as the values' type (an array needs no mapping of its own), e.g. keyword");
                        } else if (n.scalar()) {
                            checkField(node.path("properties"), n.value(), kindOf(n.table(), n.value()));
                        } else if (inner != null && inner.has("type") && !Set.of("nested", "object").contains(inner.get("type").asText())) {
                            problems.add(n.location(), "nested collection '" + c.name() + "." + n.name() + "' is an array of objects, but "
                                    + m.template().getFileName() + " maps '" + String.join(".", c.path()) + "." + String.join(".", n.path())
                                    + "' as " + inner.get("type").asText() + "; map it as nested");
                        } else if (inner != null) {
                            checkFields(inner.path("properties"), List.of(), n.table(), n.fields(), List.of());
                        }
                    }
                }
            }
        }

        void checkFields(JsonNode props, List<String> prefix, TableRef table, List<FieldMapping> fields, List<LookupMapping> lookups) {
            for (FieldMapping f : fields) {
                checkField(props, f, kindOf(table, f));
            }
            for (LookupMapping l : lookups) {
                JsonNode target = props;
                if (!l.as().isEmpty()) {
                    JsonNode node = at(props, l.as());
                    if (node == null) {
                        continue;
                    }
                    if (node.has("type") && !Set.of("object", "nested").contains(node.get("type").asText())) {
                        problems.add(l.location(), "lookup '" + l.name() + "' writes an object at '" + String.join(".", l.as()) + "', but "
                                + m.template().getFileName() + " maps it as " + node.get("type").asText());
                        continue;
                    }
                    target = node.path("properties");
                }
                for (FieldMapping f : l.fields()) {
                    checkField(target, f, kindOf(l.table(), f));
                }
            }
        }

        void checkField(JsonNode props, FieldMapping f, ColumnKind kind) {
            JsonNode node = at(props, f.path());
            if (node == null || kind == null) {
                return; // not in the template: dynamic mapping decides
            }
            String type = node.has("type") ? node.get("type").asText() : "object";
            String problem = null;
            if (type.equals("object") || type.equals("nested")) {
                problem = "a single value";
            } else if (INTEGER_TYPES.contains(type) && kind != ColumnKind.INTEGER && kind != ColumnKind.TEXT && kind != ColumnKind.BOOLEAN) {
                problem = kind == ColumnKind.DECIMAL || kind == ColumnKind.FLOAT ? "a decimal (Elasticsearch would truncate it)" : kind.name().toLowerCase();
            } else if (FLOAT_TYPES.contains(type) && !Set.of(ColumnKind.INTEGER, ColumnKind.DECIMAL, ColumnKind.FLOAT, ColumnKind.TEXT).contains(kind)) {
                problem = kind.name().toLowerCase();
            } else if ((type.equals("date") || type.equals("date_nanos"))
                    && !Set.of(ColumnKind.DATE, ColumnKind.TIMESTAMP, ColumnKind.TEXT, ColumnKind.INTEGER).contains(kind)) {
                problem = kind.name().toLowerCase();
            } else if (type.equals("boolean") && !Set.of(ColumnKind.BOOLEAN, ColumnKind.TEXT).contains(kind)) {
                problem = kind.name().toLowerCase();
            } else if (!TEXT_TYPES.contains(type) && !INTEGER_TYPES.contains(type) && !FLOAT_TYPES.contains(type)
                    && !Set.of("date", "date_nanos", "boolean", "ip", "binary", "flattened").contains(type)) {
                return; // a type Mosaic does not reason about
            }
            if (problem != null) {
                problems.add(f.location(), "field '" + f.name() + "' holds " + problem + ", but " + m.template().getFileName() + " maps it as "
                        + type + "; change the template or the field's type");
            }
        }

        ColumnKind kindOf(TableRef table, FieldMapping f) {
            FieldExpr e = f.expr();
            if (e instanceof FieldExpr.Format || e instanceof FieldExpr.ValueMap) {
                return ColumnKind.TEXT;
            }
            if (e instanceof FieldExpr.When) {
                return ColumnKind.BOOLEAN;
            }
            if (e instanceof FieldExpr.Coalesce co) {
                TableInfo info = info(table);
                return co.type() != ValueType.AUTO || info == null ? null : info.kind(co.columnList().get(0));
            }
            if (e instanceof FieldExpr.Constant c) {
                return c.value() instanceof Number ? ColumnKind.DECIMAL : ColumnKind.TEXT;
            }
            FieldExpr.Column c = (FieldExpr.Column) e;
            switch (c.type()) {
                case STRING: return ColumnKind.TEXT;
                case INTEGER: return ColumnKind.INTEGER;
                case NUMBER: return ColumnKind.DECIMAL;
                case BOOLEAN: return ColumnKind.BOOLEAN;
                case DATE: return ColumnKind.DATE;
                case TIMESTAMP: return ColumnKind.TIMESTAMP;
                default: break;
            }
            TableInfo info = info(table);
            return info == null ? null : info.kind(c.column());
        }
    }

    static boolean converts(ColumnKind from, ValueType to) {
        if (from == null) {
            return true;
        }
        return switch (to) {
            case AUTO, STRING -> true;
            case INTEGER, NUMBER -> Set.of(ColumnKind.INTEGER, ColumnKind.DECIMAL, ColumnKind.FLOAT, ColumnKind.TEXT, ColumnKind.BOOLEAN).contains(from);
            case BOOLEAN -> Set.of(ColumnKind.BOOLEAN, ColumnKind.INTEGER, ColumnKind.TEXT).contains(from);
            case DATE, TIMESTAMP -> Set.of(ColumnKind.DATE, ColumnKind.TIMESTAMP, ColumnKind.TEXT).contains(from);
        };
    }

    private static JsonNode at(JsonNode props, List<String> path) {
        JsonNode node = null;
        JsonNode level = props;
        for (int i = 0; i < path.size(); i++) {
            node = level.get(path.get(i));
            if (node == null) {
                return null;
            }
            level = node.path("properties");
        }
        return node;
    }

}
