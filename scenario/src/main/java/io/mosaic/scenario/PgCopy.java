package io.mosaic.scenario;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Streams rows to PostgreSQL with COPY ... FROM STDIN in text format, one table at a time
 * (a new table ends the COPY of the previous one).
 */
final class PgCopy {
    private static final int FLUSH_CHARS = 1 << 16;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssxxx");

    private final CopyManager copyManager;
    private final StringBuilder buffer = new StringBuilder(FLUSH_CHARS + 1024);
    private final Map<String, Long> copied = new HashMap<>();
    private CopyIn copy;
    private String table;
    private boolean firstField = true;

    PgCopy(CopyManager copyManager) {
        this.copyManager = copyManager;
    }

    /** Continues the COPY of this table, or ends the current one and starts it. */
    PgCopy table(String name, String columns) {
        if (!name.equals(table)) {
            finish();
            try {
                copy = copyManager.copyIn("COPY " + name + " (" + columns + ") FROM STDIN");
            } catch (SQLException e) {
                throw new ScenarioSeeder.WrappedSqlException(e);
            }
            table = name;
        }
        return this;
    }

    PgCopy text(String value) {
        separator();
        if (value == null) {
            buffer.append("\\N");
        } else {
            appendEscaped(buffer, value);
        }
        return this;
    }

    PgCopy number(long value) {
        separator();
        buffer.append(value);
        return this;
    }

    PgCopy number(Long value) {
        return value == null ? text(null) : number(value.longValue());
    }

    PgCopy decimal(BigDecimal value) {
        return text(value == null ? null : value.toPlainString());
    }

    PgCopy date(LocalDate value) {
        return text(value == null ? null : value.toString());
    }

    PgCopy timestamp(OffsetDateTime value) {
        return text(value == null ? null : TIMESTAMP.format(value));
    }

    void endRow() {
        buffer.append('\n');
        firstField = true;
        if (buffer.length() >= FLUSH_CHARS) {
            flush();
        }
    }

    /** Ends the current COPY, if any. */
    void finish() {
        if (copy == null) {
            return;
        }
        flush();
        try {
            copied.merge(table, copy.endCopy(), Long::sum);
        } catch (SQLException e) {
            throw new ScenarioSeeder.WrappedSqlException(e);
        }
        copy = null;
        table = null;
    }

    /** Rows the server reported for the finished COPYs into this table. */
    long copied(String name) {
        return copied.getOrDefault(name, 0L);
    }

    void abort() {
        buffer.setLength(0);
        if (copy != null && copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException ignored) {
                // the transaction is rolled back anyway
            }
        }
        copy = null;
        table = null;
    }

    private void flush() {
        if (buffer.length() == 0) {
            return;
        }
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        buffer.setLength(0);
        try {
            copy.writeToCopy(bytes, 0, bytes.length);
        } catch (SQLException e) {
            throw new ScenarioSeeder.WrappedSqlException(e);
        }
    }

    private void separator() {
        if (!firstField) {
            buffer.append('\t');
        }
        firstField = false;
    }

    /** COPY text format: backslash, tab, newline and carriage return are escaped. */
    static void appendEscaped(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }
}
