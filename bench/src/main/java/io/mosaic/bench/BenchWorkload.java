package io.mosaic.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes the changes the benchmark measures: bursts of updates as fast as the databases take them,
 * committed in chunks, each touching every row of a range once (so no change can be coalesced away).
 */
public final class BenchWorkload {

    static final int CHUNK = 5000;

    private final Databases db;
    public final long employees;
    public final long answers;
    public final long contracts;
    public final long qualifications;
    public final long departments;

    public BenchWorkload(Databases db) throws SQLException {
        this.db = db;
        try (Connection a = db.admin(); Connection m = db.motivation(); Connection l = db.labor()) {
            employees = Databases.count(a, "SELECT max(id) FROM employees");
            departments = Databases.count(a, "SELECT max(id) FROM departments");
            answers = Databases.count(m, "SELECT max(id) FROM survey_answers");
            contracts = Databases.count(l, "SELECT max(id) FROM contracts");
            qualifications = Databases.count(l, "SELECT max(id) FROM qualifications");
        }
    }

    /** Round {@code round} of the single-table burst: every employee's code becomes {@code r<round>-<id>}. Returns rows changed. */
    public long codeRound(int round, long upTo) throws SQLException {
        try (Connection c = db.admin()) {
            return chunked(c, "UPDATE employees SET code = 'r" + round + "-' || id WHERE id BETWEEN ? AND ?", Math.min(upTo, employees));
        }
    }

    /** The code prefix that marks an employee as changed by round {@code round}. */
    public static String codePrefix(int round) {
        return "r" + round + "-";
    }

    /**
     * The mixed burst over the three sources, written concurrently, one thread per database: {@code perSource}
     * updates of employees (admin), survey answers (motivation) and contracts plus qualifications (labor),
     * plus one department rename per 1,000 changes (a lookup that fans out). Returns rows changed per source.
     */
    public long[] mixedBurst(int round, long perSource) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Callable<Long>> jobs = new ArrayList<>();
            jobs.add(() -> {
                try (Connection c = db.admin()) {
                    long n = chunked(c, "UPDATE employees SET given_name_kana = 'b" + round + "-' || id WHERE id BETWEEN ? AND ?",
                            Math.min(perSource, employees));
                    long renames = Math.min(departments, Math.max(1, perSource / 1000));
                    n += chunked(c, "UPDATE departments SET name = name || '+' WHERE id BETWEEN ? AND ?", renames);
                    return n;
                }
            });
            jobs.add(() -> {
                try (Connection c = db.motivation()) {
                    return chunked(c, "UPDATE survey_answers SET score = mod(score + 1, 100) WHERE id BETWEEN ? AND ?", Math.min(perSource, answers));
                }
            });
            jobs.add(() -> {
                try (Connection c = db.labor()) {
                    long half = perSource / 2;
                    return chunked(c, "UPDATE contracts SET weekly_hours = MOD(COALESCE(weekly_hours, 0) * 10 + 1, 600) / 10 WHERE id BETWEEN ? AND ?",
                            Math.min(half, contracts))
                            + chunked(c, "UPDATE qualifications SET name = CONCAT('b" + round + "-', id) WHERE id BETWEEN ? AND ?",
                            Math.min(perSource - half, qualifications));
                }
            });
            long[] out = new long[3];
            List<Future<Long>> results = pool.invokeAll(jobs);
            for (int i = 0; i < 3; i++) {
                out[i] = results.get(i).get();
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One sentinel change per source, written after a burst: each source is applied in commit order, so
     * once a sentinel is searchable, everything its source committed before it is too.
     */
    public void sentinels(int round) throws SQLException {
        long id = 2_000_000_000L + round;
        try (Connection c = db.admin(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE employees SET code = 's" + round + "' WHERE id = 1");
        }
        try (Connection c = db.motivation(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO survey_answers (id, survey_id, employee_id, score, condition) SELECT " + id
                    + ", min(id), 1, 1, 'good' FROM surveys");
        }
        try (Connection c = db.labor(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO qualifications (id, employee_id, name) VALUES (" + id + ", 1, 's" + round + "')");
        }
    }

    private static long chunked(Connection c, String sql, long upTo) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        long changed = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (long from = 1; from <= upTo; from += CHUNK) {
                ps.setLong(1, from);
                ps.setLong(2, Math.min(upTo, from + CHUNK - 1));
                changed += ps.executeUpdate();
                c.commit();
            }
        } finally {
            c.setAutoCommit(auto);
        }
        return changed;
    }
}
