package io.mosaic.testkit;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads every document of every index in the cluster, internal and hidden ones included, and reports
 * any seeded sensitive value (a my_number, a survey comment marker, a monthly salary) found in it: in a
 * key, a string, or a number. Why this can neither raise a false alarm nor miss a leak is said at
 * {@link SensitiveOracle}; {@code SensitiveScanTest} and {@code ScenarioIT.noSensitiveValueAnywhereInTheCluster}
 * prove both.
 */
public final class SensitiveScan {

    public record Result(List<String> indices, long documents, List<String> leaks) {
    }

    private SensitiveScan() {
    }

    public static Result scan(MosaicHarness harness) throws Exception {
        List<String> indices = harness.allIndexNames();
        List<String> leaks = new ArrayList<>();
        long documents = 0;
        for (String index : indices) {
            for (Map.Entry<String, Map<String, Object>> doc : harness.documents(index).entrySet()) {
                documents++;
                leaks.addAll(leaks(index + "/" + doc.getKey(), doc.getValue()));
            }
        }
        return new Result(indices, documents, leaks);
    }

    /** The places in one document's source (parsed JSON) that hold a seeded sensitive value. */
    public static List<String> leaks(String where, Object source) {
        List<String> leaks = new ArrayList<>();
        walk(source, where, leaks);
        return leaks;
    }

    private static void walk(Object value, String where, List<String> leaks) {
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (k instanceof String key && SensitiveOracle.isSensitiveValue(key)) {
                    leaks.add(where + " has a sensitive value as a key");
                }
                walk(v, where + "." + k, leaks);
            });
        } else if (value instanceof List<?> l) {
            l.forEach(v -> walk(v, where + "[]", leaks));
        } else if (value instanceof String s) {
            if (SensitiveOracle.isSensitiveValue(s) || SensitiveOracle.containsSensitiveText(s)) {
                leaks.add(where + " holds a sensitive value");
            }
        } else if (value instanceof Number n) {
            BigDecimal d = new BigDecimal(n.toString());
            if (d.stripTrailingZeros().scale() <= 0 && SensitiveOracle.isSensitiveNumber(d.longValue())) {
                leaks.add(where + " holds a sensitive number");
            }
        }
    }
}
