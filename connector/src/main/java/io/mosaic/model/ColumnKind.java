package io.mosaic.model;

import java.util.Locale;

/** What a source column holds, across PostgreSQL and MySQL type names: enough to check conversions. */
public enum ColumnKind {
    INTEGER, DECIMAL, FLOAT, TEXT, BOOLEAN, DATE, TIMESTAMP, TIME, BINARY, JSON, OTHER;

    /** From a database's type name (information_schema data_type or udt_name). */
    public static ColumnKind of(String typeName) {
        String t = typeName.toLowerCase(Locale.ROOT);
        if (t.matches("(small|big|medium|tiny)?int(eger)?[248]?( unsigned)?|int[248]|serial|bigserial|smallserial|year")) {
            return INTEGER;
        }
        if (t.matches("numeric|decimal|money")) {
            return DECIMAL;
        }
        if (t.matches("real|double precision|double|float[48]?")) {
            return FLOAT;
        }
        if (t.matches("bool(ean)?|bit")) {
            return BOOLEAN;
        }
        if (t.equals("date")) {
            return DATE;
        }
        if (t.startsWith("timestamp") || t.equals("datetime")) {
            return TIMESTAMP;
        }
        if (t.startsWith("time")) {
            return TIME;
        }
        if (t.matches("bytea|(tiny|medium|long)?blob|(var)?binary")) {
            return BINARY;
        }
        if (t.matches("jsonb?")) {
            return JSON;
        }
        if (t.matches("text|(tiny|medium|long)text|char(acter)?( varying)?|varchar|bpchar|citext|uuid|enum|set|name|inet")) {
            return TEXT;
        }
        return OTHER;
    }
}
