package io.mosaic.testkit;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares documents the way the scenario contract defines equality: arrays are sets keyed by their
 * id ({@code answer_id} for surveys), arrays of scalars are compared in order, an absent array equals an empty one, a null field equals an
 * absent one, numbers compare by value, and the {@code mosaic} object is ignored.
 */
public final class ContractComparison {

    private ContractComparison() {
    }

    /** Human-readable differences between expected and actual documents by id; empty when they agree. */
    public static List<String> differences(Map<String, Map<String, Object>> expected, Map<String, Map<String, Object>> actual) {
        List<String> out = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>(expected.keySet());
        ids.addAll(actual.keySet());
        for (String id : ids) {
            Map<String, Object> e = expected.get(id);
            Map<String, Object> a = actual.get(id);
            if (e == null) {
                out.add("document " + id + " exists but should not");
            } else if (a == null) {
                out.add("document " + id + " is missing");
            } else {
                Object ne = normalize(e);
                Object na = normalize(a);
                if (!ne.equals(na)) {
                    out.add("document " + id + " differs:\n  expected " + ne + "\n  actual   " + na);
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Object normalize(Object value) {
        if (value instanceof Map<?, ?> m) {
            TreeMap<String, Object> out = new TreeMap<>();
            m.forEach((k, v) -> {
                if ("mosaic".equals(k) || v == null) {
                    return;
                }
                Object n = normalize(v);
                if (n instanceof Map<?, ?> nm && nm.isEmpty() && v instanceof List) {
                    return; // an absent array equals an empty one
                }
                out.put((String) k, n);
            });
            return out;
        }
        if (value instanceof List<?> list && list.stream().anyMatch(i -> !(i instanceof Map))) {
            return list.stream().map(ContractComparison::normalize).toList(); // an array of scalars: its order counts
        }
        if (value instanceof List<?> list) {
            TreeMap<String, Object> byId = new TreeMap<>();
            for (Object item : list) {
                Map<String, Object> element = (Map<String, Object>) item;
                Object id = element.containsKey("answer_id") ? element.get("answer_id") : element.get("id");
                byId.put(String.valueOf(normalize(id)), normalize(element));
            }
            return byId;
        }
        if (value instanceof Number n) {
            BigDecimal d = new BigDecimal(n.toString()).stripTrailingZeros();
            return d.signum() == 0 ? BigDecimal.ZERO : d;
        }
        return value;
    }
}
