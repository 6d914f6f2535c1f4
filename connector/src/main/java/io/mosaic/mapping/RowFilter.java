package io.mosaic.mapping;

import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which rows count: a root filter decides whether a row is a document, a collection filter whether a
 * child row is an element. Declarative, a conjunction of comparisons of one mapped column each, and
 * evaluated on the captured row by Mosaic; no SQL is run anywhere. A row that stops matching removes its
 * document or element, one that starts matching adds it: the row stays in the state either way.
 */
public record RowFilter(List<Condition> conditions) {

    /** What a condition compares. */
    public enum Op {
        IS_NULL("is: null"), NOT_NULL("is: not_null"), EQUALS("equals"), NOT_EQUALS("not_equals"), IN("in"), NOT_IN("not_in"),
        GT("gt"), GTE("gte"), LT("lt"), LTE("lte");

        public final String keyword;

        Op(String keyword) {
            this.keyword = keyword;
        }
    }

    /** One comparison: {@code values} holds one value, several for {@code in}/{@code not_in}, none for the null tests. */
    public record Condition(String column, Op op, List<String> values, String location) {

        boolean matches(java.util.Map<String, Object> row) {
            Object v = row.get(column);
            return switch (op) {
                case IS_NULL -> v == null;
                case NOT_NULL -> v != null;
                case EQUALS -> v != null && same(v, values.get(0));
                case NOT_EQUALS -> v == null || !same(v, values.get(0));
                case IN -> v != null && values.stream().anyMatch(w -> same(v, w));
                case NOT_IN -> v == null || values.stream().noneMatch(w -> same(v, w));
                case GT -> v != null && compare(v, values.get(0)) > 0;
                case GTE -> v != null && compare(v, values.get(0)) >= 0;
                case LT -> v != null && compare(v, values.get(0)) < 0;
                case LTE -> v != null && compare(v, values.get(0)) <= 0;
            };
        }
    }

    public static final RowFilter NONE = new RowFilter(List.of());

    /** Whether {@code row} (a captured row; null for an absent one) passes every condition. */
    public boolean matches(java.util.Map<String, Object> row) {
        if (row == null) {
            return false;
        }
        for (Condition c : conditions) {
            if (!c.matches(row)) {
                return false;
            }
        }
        return true;
    }

    public Set<String> columns() {
        Set<String> out = new LinkedHashSet<>();
        conditions.forEach(c -> out.add(c.column()));
        return out;
    }

    /** Equal as numbers when both read as numbers (1 = 1.0 = "1"), else as text (dates are ISO text, so text order is date order). */
    static boolean same(Object value, String wanted) {
        BigDecimal a = number(value);
        BigDecimal b = number(wanted);
        if (a != null && b != null) {
            return a.compareTo(b) == 0;
        }
        return value.toString().equals(wanted);
    }

    static int compare(Object value, String wanted) {
        BigDecimal a = number(value);
        BigDecimal b = number(wanted);
        if (a != null && b != null) {
            return a.compareTo(b);
        }
        return value.toString().compareTo(wanted);
    }

    private static BigDecimal number(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Number || v instanceof String) {
            try {
                return new BigDecimal(v.toString().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
