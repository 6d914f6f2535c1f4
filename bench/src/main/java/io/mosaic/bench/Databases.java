package io.mosaic.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.mosaic.scenario.ScenarioDatabases;
import io.mosaic.testkit.ReplicationSlots;

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

    /** How long dropping replication slots waits for their readers to be gone ({@link ReplicationSlots#drop}). */
    public static final Duration SLOT_READERS_GONE = Duration.ofSeconds(10);

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
