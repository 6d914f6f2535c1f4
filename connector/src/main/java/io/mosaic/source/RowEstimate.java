package io.mosaic.source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import io.mosaic.config.SourceConfig;
import io.mosaic.model.TableRef;

/**
 * The database's own estimate of how many rows some tables hold, for snapshot progress: PostgreSQL's
 * {@code pg_class.reltuples} (what the last ANALYZE or VACUUM counted), MySQL's and MariaDB's
 * {@code information_schema.TABLES.TABLE_ROWS} (InnoDB's estimate). One cheap catalog read per
 * table, no table is scanned. Not exact: it is a denominator for a progress bar, nothing more.
 */
public final class RowEstimate {

    private RowEstimate() {
    }

    /** The estimated rows of {@code tables}, or -1 when the database does not know one of them (a table never analyzed). */
    public static long rows(SourceConfig source, List<TableRef> tables) throws SQLException {
        try (Connection c = SourceProbe.connect(source)) {
            return rows(c, source.type().isBinlog(), tables);
        }
    }

    static long rows(Connection c, boolean binlog, List<TableRef> tables) throws SQLException {
        String sql = binlog
                ? "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?"
                : "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?";
        long total = 0;
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (TableRef t : tables) {
                s.setString(1, t.schema());
                s.setString(2, t.name());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return -1;
                    }
                    double rows = r.getDouble(1);
                    if (r.wasNull() || rows < 0) {
                        return -1; // PostgreSQL: -1 until the table is first analyzed
                    }
                    total += (long) rows;
                }
            }
        }
        return total;
    }
}
