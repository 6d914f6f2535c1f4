package io.mosaic.source;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Converts Kafka Connect values, as Debezium produces them, into plain JSON-ready Java values:
 * dates become {@code YYYY-MM-DD}, timestamps ISO-8601 (with offset when the column has a zone),
 * decimals {@link BigDecimal}, bytes base64. The one place where source types meet document types.
 */
public final class ConnectValues {

    private ConnectValues() {
    }

    /** The fields of a row struct as a map; null for a null struct. */
    public static Map<String, Object> row(Struct struct) {
        if (struct == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field f : struct.schema().fields()) {
            out.put(f.name(), value(f.schema(), struct.get(f)));
        }
        return out;
    }

    public static Object value(Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        String name = schema.name();
        if (name != null) {
            switch (name) {
                case "io.debezium.time.Date":
                    return LocalDate.ofEpochDay(((Number) value).longValue()).toString();
                case "org.apache.kafka.connect.data.Date":
                    return ((java.util.Date) value).toInstant().atZone(ZoneOffset.UTC).toLocalDate().toString();
                case "io.debezium.time.Timestamp":
                    return LocalDateTime.ofInstant(Instant.ofEpochMilli(((Number) value).longValue()), ZoneOffset.UTC).toString();
                case "org.apache.kafka.connect.data.Timestamp":
                    return LocalDateTime.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC).toString();
                case "io.debezium.time.MicroTimestamp": {
                    long micros = ((Number) value).longValue();
                    return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                            (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC).toString();
                }
                case "io.debezium.time.NanoTimestamp": {
                    long nanos = ((Number) value).longValue();
                    return LocalDateTime.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                            (int) Math.floorMod(nanos, 1_000_000_000L), ZoneOffset.UTC).toString();
                }
                case "io.debezium.time.ZonedTimestamp":
                case "io.debezium.time.ZonedTime":
                    return value.toString();
                case "io.debezium.time.Time":
                    return LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000_000L).toString();
                case "io.debezium.time.MicroTime":
                    return LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000L).toString();
                case "io.debezium.time.NanoTime":
                    return LocalTime.ofNanoOfDay(((Number) value).longValue()).toString();
                case "org.apache.kafka.connect.data.Decimal":
                    return value;
                case "io.debezium.data.VariableScaleDecimal": {
                    Struct s = (Struct) value;
                    return new BigDecimal(new BigInteger(s.getBytes("value")), s.getInt32("scale"));
                }
                default:
                    break;
            }
        }
        switch (schema.type()) {
            case BYTES:
                byte[] bytes = value instanceof ByteBuffer b ? toArray(b) : (byte[]) value;
                return Base64.getEncoder().encodeToString(bytes);
            case STRUCT:
                return row((Struct) value);
            case ARRAY: {
                List<Object> out = new ArrayList<>();
                for (Object item : (List<?>) value) {
                    out.add(value(schema.valueSchema(), item));
                }
                return out;
            }
            default:
                return value;
        }
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
