package io.mosaic.bench.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Turns Debezium change records of the {@code employees} table straight into {@link EsAction}s,
 * reading the Kafka Connect {@link Struct} directly (no intermediate JSON round trip).
 *
 * <p>Document shape (must match Mosaic's output exactly):
 *
 * <pre>
 * {"id":1,"company_id":2,"code":"c1",
 *  "name":{"family":..,"given":..,"family_kana":..,"given_kana":..,"full":"family given"},
 *  "email":..,"status":..,"hired_on":"YYYY-MM-DD","department_id":..}
 * </pre>
 *
 * {@code my_number} and {@code updated_at} are not indexed.
 */
public class EmployeeDeserializer implements DebeziumDeserializationSchema<EsAction> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(SourceRecord record, Collector<EsAction> out) {
        Object v = record.value();
        if (!(v instanceof Struct)) {
            return; // tombstone or non-data record
        }
        Struct value = (Struct) v;
        if (value.schema().field("op") == null) {
            return; // heartbeat / schema / watermark events
        }
        String op = value.getString("op");
        switch (op) {
            case "r": // snapshot read
            case "c": // insert
            case "u": // update
                Struct after = value.getStruct("after");
                if (after != null) {
                    out.collect(new EsAction(String.valueOf(after.get("id")), toJson(after)));
                }
                break;
            case "d":
                String id = deleteId(record, value);
                if (id != null) {
                    out.collect(new EsAction(id, null));
                }
                break;
            default:
                // "t" (truncate) and "m" (message) are not mapped to documents
                break;
        }
    }

    private static String deleteId(SourceRecord record, Struct value) {
        Struct before = value.getStruct("before");
        if (before != null && before.get("id") != null) {
            return String.valueOf(before.get("id"));
        }
        if (record.key() instanceof Struct) {
            Struct key = (Struct) record.key();
            if (key.schema().field("id") != null && key.get("id") != null) {
                return String.valueOf(key.get("id"));
            }
        }
        return null;
    }

    static String toJson(Struct row) {
        String family = str(row, "family_name");
        String given = str(row, "given_name");
        StringBuilder sb = new StringBuilder(320);
        sb.append("{\"id\":").append(num(row, "id"));
        sb.append(",\"company_id\":").append(num(row, "company_id"));
        sb.append(",\"code\":");
        quote(sb, str(row, "code"));
        sb.append(",\"name\":{\"family\":");
        quote(sb, family);
        sb.append(",\"given\":");
        quote(sb, given);
        sb.append(",\"family_kana\":");
        quote(sb, str(row, "family_name_kana"));
        sb.append(",\"given_kana\":");
        quote(sb, str(row, "given_name_kana"));
        sb.append(",\"full\":");
        quote(sb, family + " " + given);
        sb.append("},\"email\":");
        quote(sb, str(row, "email"));
        sb.append(",\"status\":");
        quote(sb, str(row, "status"));
        sb.append(",\"hired_on\":");
        quote(sb, date(row, "hired_on"));
        sb.append(",\"department_id\":").append(num(row, "department_id"));
        sb.append('}');
        return sb.toString();
    }

    private static Object field(Struct row, String name) {
        Field f = row.schema().field(name);
        return f == null ? null : row.get(f);
    }

    private static String str(Struct row, String name) {
        Object o = field(row, name);
        return o == null ? null : o.toString();
    }

    /** JSON number literal, or {@code null}. */
    private static String num(Struct row, String name) {
        Object o = field(row, name);
        return o == null ? "null" : o.toString();
    }

    /** PostgreSQL {@code date}: Debezium emits int days since epoch (io.debezium.time.Date). */
    private static String date(Struct row, String name) {
        Object o = field(row, name);
        if (o == null) {
            return null;
        }
        if (o instanceof Number) {
            return LocalDate.ofEpochDay(((Number) o).longValue()).toString();
        }
        if (o instanceof java.util.Date) { // Kafka Connect logical Date
            return ((java.util.Date) o).toInstant().atOffset(ZoneOffset.UTC).toLocalDate().toString();
        }
        return o.toString();
    }

    private static void quote(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    @Override
    public TypeInformation<EsAction> getProducedType() {
        return TypeInformation.of(EsAction.class);
    }
}
