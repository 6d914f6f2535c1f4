package io.mosaic.mapping;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The JSON type a mapped field is written as. {@code auto} keeps what the source column's type gives
 * (dates as YYYY-MM-DD, decimals as numbers, timestamps as ISO-8601 with offset); the others convert.
 */
public enum ValueType {
    AUTO, STRING, INTEGER, NUMBER, BOOLEAN, DATE, TIMESTAMP;

    public static ValueType parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /**
     * Converts a column value; throws {@link IllegalArgumentException} naming the type it is not, never
     * the value (the message goes to the log and the dead-letter index).
     */
    public Object convert(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return convertValue(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the value is not " + (this == INTEGER ? "an " : "a ") + name().toLowerCase(Locale.ROOT)
                    + (this == BOOLEAN ? " (true/false, t/f or 1/0)" : this == DATE ? " (YYYY-MM-DD)" : this == TIMESTAMP ? " (ISO-8601)" : "")
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Object convertValue(Object value) {
        return switch (this) {
            case AUTO -> value;
            case STRING -> value instanceof BigDecimal d ? d.toPlainString() : value.toString();
            case INTEGER -> {
                if (value instanceof Number n && !(value instanceof BigDecimal)) {
                    yield n.longValue();
                }
                BigDecimal d = new BigDecimal(value.toString().trim());
                yield d.longValueExact();
            }
            case NUMBER -> value instanceof Number ? value : new BigDecimal(value.toString().trim());
            case BOOLEAN -> {
                if (value instanceof Boolean) {
                    yield value;
                }
                if (value instanceof Number n) {
                    yield n.intValue() != 0;
                }
                String t = value.toString().trim().toLowerCase(Locale.ROOT);
                if (t.equals("true") || t.equals("t") || t.equals("1")) {
                    yield true;
                }
                if (t.equals("false") || t.equals("f") || t.equals("0")) {
                    yield false;
                }
                throw new IllegalArgumentException("not a boolean");
            }
            case DATE -> {
                String t = value.toString();
                yield LocalDate.parse(t.length() > 10 ? t.substring(0, 10) : t).toString();
            }
            case TIMESTAMP -> {
                if (value instanceof Number n) {
                    yield OffsetDateTime.ofInstant(Instant.ofEpochMilli(n.longValue()), ZoneOffset.UTC).toString();
                }
                String t = value.toString();
                try {
                    yield OffsetDateTime.parse(t).toString();
                } catch (RuntimeException e) {
                    yield Instant.parse(t).atOffset(ZoneOffset.UTC).toString();
                }
            }
        };
    }
}
