package io.mosaic.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** How one document field's value is computed from the columns of one row. Pure and thread-safe. */
public sealed interface FieldExpr {

    /** The value for this row; never throws for a missing column (that is null) but may for a failed conversion. */
    Object evaluate(Map<String, Object> row);

    /** The columns this expression reads: they, and only they, are captured from the source. */
    Set<String> columns();

    /** A column's value, optionally converted. */
    record Column(String column, ValueType type) implements FieldExpr {
        @Override
        public Object evaluate(Map<String, Object> row) {
            return type.convert(row.get(column));
        }

        @Override
        public Set<String> columns() {
            return Set.of(column);
        }
    }

    /** A fixed value. */
    record Constant(Object value) implements FieldExpr {
        @Override
        public Object evaluate(Map<String, Object> row) {
            return value;
        }

        @Override
        public Set<String> columns() {
            return Set.of();
        }
    }

    /**
     * Text with {@code {column}} placeholders, such as {@code "{family_name} {given_name}"}. Like SQL's
     * {@code ||}, the result is null when any referenced column is null.
     */
    record Format(String template, List<String> parts) implements FieldExpr {

        /** Splits a template into alternating literal and column parts; columns are at odd indexes. */
        public static Format parse(String template) {
            List<String> parts = new ArrayList<>();
            StringBuilder literal = new StringBuilder();
            int i = 0;
            while (i < template.length()) {
                char c = template.charAt(i);
                if (c == '{') {
                    int end = template.indexOf('}', i);
                    if (end < 0) {
                        throw new IllegalArgumentException("'{' at position " + i + " has no closing '}'");
                    }
                    String column = template.substring(i + 1, end).trim();
                    if (column.isEmpty()) {
                        throw new IllegalArgumentException("empty '{}' at position " + i);
                    }
                    parts.add(literal.toString());
                    literal.setLength(0);
                    parts.add(column);
                    i = end + 1;
                } else {
                    literal.append(c);
                    i++;
                }
            }
            parts.add(literal.toString());
            if (parts.size() == 1) {
                throw new IllegalArgumentException("it names no column; write columns as {column}");
            }
            return new Format(template, List.copyOf(parts));
        }

        @Override
        public Object evaluate(Map<String, Object> row) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                if (i % 2 == 0) {
                    out.append(parts.get(i));
                } else {
                    Object v = row.get(parts.get(i));
                    if (v == null) {
                        return null;
                    }
                    out.append(v instanceof java.math.BigDecimal d ? d.toPlainString() : v);
                }
            }
            return out.toString();
        }

        @Override
        public Set<String> columns() {
            Set<String> out = new TreeSet<>();
            for (int i = 1; i < parts.size(); i += 2) {
                out.add(parts.get(i));
            }
            return out;
        }
    }

    /** A column's value translated by a table, for enumerations; values not in the table give {@code otherwise}. */
    record ValueMap(String column, Map<String, Object> values, Object otherwise, boolean keepOthers) implements FieldExpr {
        @Override
        public Object evaluate(Map<String, Object> row) {
            Object v = row.get(column);
            if (v == null) {
                return null;
            }
            String key = v.toString();
            if (values.containsKey(key)) {
                return values.get(key);
            }
            return keepOthers ? v : otherwise;
        }

        @Override
        public Set<String> columns() {
            return Set.of(column);
        }
    }

    /** The first of several columns that is not null (SQL's {@code COALESCE}), optionally converted; null when all are. */
    record Coalesce(List<String> columnList, ValueType type) implements FieldExpr {
        @Override
        public Object evaluate(Map<String, Object> row) {
            for (String c : columnList) {
                Object v = row.get(c);
                if (v != null) {
                    return type.convert(v);
                }
            }
            return null;
        }

        @Override
        public Set<String> columns() {
            return new java.util.LinkedHashSet<>(columnList);
        }
    }

    /** A boolean: whether the row passes the conditions (the language of row filters), such as {@code status equals active}. */
    record When(RowFilter condition) implements FieldExpr {
        @Override
        public Object evaluate(Map<String, Object> row) {
            return condition.matches(row);
        }

        @Override
        public Set<String> columns() {
            return condition.columns();
        }
    }
}
