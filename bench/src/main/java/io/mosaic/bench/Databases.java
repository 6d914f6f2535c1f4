package io.mosaic.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.mosaic.scenario.ScenarioDatabases;

/** The benchmark's access to the scenario's three databases on the local services. */
public final class Databases {

    public final ScenarioDatabases dbs = ScenarioDatabases.localDefaults();

    public Connection admin() throws SQLException {
        return dbs.openAdmin();
    }

    public Connection motivation() throws SQLException {
        return dbs.openMotivation();
    }

    public Connection labor() throws SQLException {
        return dbs.openLabor();
    }

    /** Drops the replication slots whose names start with {@code prefix} (terminating their readers first). */
    public void dropSlots(String prefix) throws SQLException, InterruptedException {
        try (Connection c = dbs.openPgServer(); Statement s = c.createStatement()) {
            for (int i = 0; i < 50; i++) {
                s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name LIKE '" + prefix
                        + "%' AND active_pid IS NOT NULL");
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '" + prefix + "%' AND active")) {
                    r.next();
                    if (r.getLong(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(200);
            }
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '" + prefix + "%'");
        }
    }

    public static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    public static long[] column(Connection c, String sql, int size) throws SQLException {
        long[] out = new long[size];
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                int i = (int) r.getLong(1);
                if (i < size) {
                    out[i] = r.getLong(2);
                }
            }
        }
        return out;
    }
}
