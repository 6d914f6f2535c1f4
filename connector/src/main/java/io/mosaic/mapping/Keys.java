package io.mosaic.mapping;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The one way a key value (a root id, a parent reference, a lookup key) becomes text.
 *
 * <p>A key of one column is the text of its value ({@link #of(Object)}). A key of several columns
 * (a composite key) is the text of each part, in the order the mapping lists the columns, joined by
 * {@code |}, with {@code \} and {@code |} inside a part escaped by a {@code \}: {@code (42, 'kids')} is
 * {@code 42|kids}, {@code ('a|b', 'c\d')} is {@code a\|b|c\\d}. The form is unambiguous ({@link #parts}
 * splits it back), stable (the same values always give the same text, whatever their Java type), and a
 * one-column key is unchanged by it, so existing documents keep their ids.
 */
public final class Keys {

    /** Between the parts of a composite key. */
    public static final char SEPARATOR = '|';
    /** Escapes a {@link #SEPARATOR} or itself inside a part. */
    public static final char ESCAPE = '\\';

    /** Orders keys numerically when both are whole numbers, else as text. */
    public static final Comparator<String> ORDER = (a, b) -> {
        boolean na = isWholeNumber(a);
        boolean nb = isWholeNumber(b);
        if (na && nb) {
            int c = Integer.compare(a.length(), b.length());
            return c != 0 ? c : a.compareTo(b);
        }
        return na ? -1 : nb ? 1 : a.compareTo(b);
    };

    private Keys() {
    }

    /** The text of a key value; null for null. Numbers of any type give the same text: 42, 42L and 42.0 are "42". */
    public static String of(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal d) {
            return d.stripTrailingZeros().toPlainString();
        }
        if (value instanceof Double || value instanceof Float) {
            return new BigDecimal(value.toString()).stripTrailingZeros().toPlainString();
        }
        return value.toString();
    }

    /**
     * The text of a composite key: each part's {@link #of(Object)} text, escaped, joined by {@link #SEPARATOR};
     * null when any part is null (like SQL, a reference with a null part refers to no row). One part gives
     * exactly {@link #of(Object)}.
     */
    public static String of(List<?> parts) {
        if (parts.size() == 1) {
            return of(parts.get(0));
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            String text = of(parts.get(i));
            if (text == null) {
                return null;
            }
            if (i > 0) {
                out.append(SEPARATOR);
            }
            for (int j = 0; j < text.length(); j++) {
                char ch = text.charAt(j);
                if (ch == SEPARATOR || ch == ESCAPE) {
                    out.append(ESCAPE);
                }
                out.append(ch);
            }
        }
        return out.toString();
    }

    /**
     * The parts of a key of {@code count} columns, as {@link #of(List)} wrote them; a key of one column is
     * returned whole.
     *
     * @throws IllegalArgumentException when the text does not have {@code count} parts (not a key of these columns)
     */
    public static List<String> parts(String key, int count) {
        if (count == 1) {
            return List.of(key);
        }
        List<String> out = new ArrayList<>(count);
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            if (ch == ESCAPE && i + 1 < key.length()) {
                part.append(key.charAt(++i));
            } else if (ch == SEPARATOR) {
                out.add(part.toString());
                part.setLength(0);
            } else if (ch == ESCAPE) {
                throw new IllegalArgumentException("key '" + key + "' ends in an unescaped '\\'");
            } else {
                part.append(ch);
            }
        }
        out.add(part.toString());
        if (out.size() != count) {
            throw new IllegalArgumentException("key '" + key + "' has " + out.size() + " part(s), not " + count);
        }
        return out;
    }

    /** Orders composite keys of {@code count} parts part by part, each as {@link #ORDER} orders a one-column key. */
    public static Comparator<String> order(int count) {
        if (count == 1) {
            return ORDER;
        }
        return (a, b) -> {
            List<String> pa;
            List<String> pb;
            try {
                pa = parts(a, count);
                pb = parts(b, count);
            } catch (IllegalArgumentException e) {
                return ORDER.compare(a, b); // a key of another shape (a state kept from before the key changed): ordered, not failed
            }
            for (int i = 0; i < count; i++) {
                int c = ORDER.compare(pa.get(i), pb.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
    }

    private static boolean isWholeNumber(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
