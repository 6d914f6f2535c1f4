package io.mosaic.verify;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares an expected document (as the writer's {@link io.mosaic.mapping.Projector} assembles it) with
 * the one Elasticsearch holds, field by field, and names the fields that differ: never their values,
 * which may be sensitive. Pure and fast: the unit tests run it without servers.
 *
 * <p>Equality is the writer's own output read back: numbers compare by value ({@code 72.5} equals
 * {@code 72.50}, {@code 40} equals {@code 40.0}), a null field equals an absent one (the writer writes
 * nulls, a cluster returns them, a hand-edited document may drop them), arrays compare element by
 * element in order (the projector orders them by key), and Mosaic's own {@code mosaic} object at the
 * top level (its write counter or row version) is ignored.
 */
public final class DocumentDiff {

    /** The top-level field where the writer keeps its bookkeeping; not part of the mapping. */
    static final String BOOKKEEPING = "mosaic";

    private DocumentDiff() {
    }

    /**
     * The dotted paths of the fields that differ, sorted; array elements as {@code surveys[2].score}, an
     * array of another length as the array's own path. Empty when the documents are equal.
     */
    public static List<String> differingFields(Map<String, Object> expected, Map<String, Object> actual) {
        TreeSet<String> out = new TreeSet<>();
        compareObjects("", expected, actual, out, true);
        return new ArrayList<>(out);
    }

    @SuppressWarnings("unchecked")
    private static void compareObjects(String prefix, Map<String, Object> e, Map<String, Object> a, Collection<String> out, boolean top) {
        TreeSet<String> names = new TreeSet<>(e.keySet());
        names.addAll(a.keySet());
        for (String name : names) {
            if (top && BOOKKEEPING.equals(name)) {
                continue;
            }
            compare(prefix.isEmpty() ? name : prefix + "." + name, e.get(name), a.get(name), out);
        }
    }

    @SuppressWarnings("unchecked")
    private static void compare(String path, Object e, Object a, Collection<String> out) {
        if (e == null || a == null) {
            if (e != a) {
                out.add(path);
            }
            return;
        }
        if (e instanceof Map<?, ?> em && a instanceof Map<?, ?> am) {
            compareObjects(path, (Map<String, Object>) em, (Map<String, Object>) am, out, false);
        } else if (e instanceof List<?> el && a instanceof List<?> al) {
            if (el.size() != al.size()) {
                out.add(path);
                return;
            }
            for (int i = 0; i < el.size(); i++) {
                compare(path + "[" + i + "]", el.get(i), al.get(i), out);
            }
        } else if (e instanceof Number en && a instanceof Number an) {
            if (decimal(en).compareTo(decimal(an)) != 0) {
                out.add(path);
            }
        } else if (!e.equals(a)) {
            out.add(path);
        }
    }

    private static BigDecimal decimal(Number n) {
        return n instanceof BigDecimal d ? d : new BigDecimal(n.toString());
    }

    /**
     * A digest of a document's content under the same equality, so that a re-check can tell whether the
     * sources changed since the first check without keeping the document (or any value) in memory.
     * 0 for no document.
     */
    public static long fingerprint(Map<String, Object> document) {
        if (document == null) {
            return 0;
        }
        StringBuilder sb = new StringBuilder();
        canonical(document, sb, true);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xFF);
            }
            return v == 0 ? 1 : v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void canonical(Object value, StringBuilder sb, boolean top) {
        if (value instanceof Map<?, ?> m) {
            sb.append('{');
            new TreeMap<>((Map<String, Object>) m).forEach((k, v) -> {
                if (v != null && !(top && BOOKKEEPING.equals(k))) {
                    sb.append(k.length()).append(':').append(k);
                    canonical(v, sb, false);
                }
            });
            sb.append('}');
        } else if (value instanceof List<?> l) {
            sb.append('[');
            l.forEach(v -> {
                canonical(v, sb, false);
                sb.append(',');
            });
            sb.append(']');
        } else if (value instanceof Number n) {
            BigDecimal d = decimal(n).stripTrailingZeros();
            sb.append('#').append(d.signum() == 0 ? "0" : d.toPlainString());
        } else if (value == null) {
            sb.append('~');
        } else {
            String s = value.toString();
            sb.append(value.getClass().getSimpleName().charAt(0)).append(s.length()).append(':').append(s);
        }
    }
}
