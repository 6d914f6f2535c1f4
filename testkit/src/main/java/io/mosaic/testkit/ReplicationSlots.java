package io.mosaic.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.mosaic.scenario.ScenarioDatabases;

/** PostgreSQL replication slots left by an earlier run (Mosaic's, a benchmark reference's), dropped. */
public final class ReplicationSlots {

    private ReplicationSlots() {
    }

    /**
     * Drops every replication slot whose name starts with {@code prefix} (a LIKE pattern, as
     * {@code mosaic} or {@code bench_}), on the scenario's PostgreSQL server. A slot in use cannot be
     * dropped: its readers are terminated until none is active (up to {@code timeout}; a reader that
     * reconnects is terminated again), then the slots are dropped; that fails if one is still active.
     */
    public static void drop(ScenarioDatabases dbs, String prefix, Duration timeout) throws SQLException, InterruptedException {
        String like = "slot_name LIKE '" + prefix.replace("'", "''") + "%'";
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = dbs.openPgServer(); Statement s = c.createStatement()) {
            while (true) {
                s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE " + like + " AND active_pid IS NOT NULL");
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE " + like + " AND active")) {
                    r.next();
                    if (r.getLong(1) == 0 || System.nanoTime() > deadline) {
                        break;
                    }
                }
                Thread.sleep(200);
            }
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE " + like);
        }
    }
}
