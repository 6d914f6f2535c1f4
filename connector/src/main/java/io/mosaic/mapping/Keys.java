package io.mosaic.mapping;

import java.math.BigDecimal;
import java.util.Comparator;

/** The one way a key value (a root id, a parent reference, a lookup key) becomes text. */
public final class Keys {

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
