package io.mosaic.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.mosaic.scenario.ScenarioDatabases;
import io.mosaic.scenario.ScenarioSeeder;

/**
 * FaultInjectionIT's workload: randomized, reproducible changes over the three databases (inserts,
 * updates and deletes of employees and their children, department and survey renames, employees
 * moving, children written before their employee exists, and multi-row transactions). Statements
 * that fail because a server is down are counted and skipped: the expected documents are computed
 * from what the databases hold.
 */
public final class FaultWorkload implements Runnable {

    /** Statements (or transactions) committed. */
    public final AtomicInteger committed = new AtomicInteger();
    /** Statements that failed, e.g. because a server was down. */
    public final AtomicInteger failed = new AtomicInteger();
    /** Cleared to stop {@link #run}. */
    public final AtomicBoolean running = new AtomicBoolean(true);
    private final ScenarioDatabases dbs;
    private final SplittableRandom random;
    private final int employees;
    private final int departments;
    private final int surveys;
    private long nextEmployee;
    private long nextChild = 5_000_000;

    public FaultWorkload(ScenarioDatabases dbs, long seed, int employees, int departments, int surveys) {
        this.dbs = dbs;
        this.random = new SplittableRandom(seed);
        this.employees = employees;
        this.departments = departments;
        this.surveys = surveys;
        this.nextEmployee = 1_000_000;
    }

    @Override
    public void run() {
        while (running.get()) {
            try {
                step();
                committed.incrementAndGet();
            } catch (SQLException e) {
                failed.incrementAndGet();
                sleep(200);
            }
            sleep(5 + random.nextInt(20));
        }
    }

    private long employee() {
        return random.nextInt(10) == 0 && nextEmployee > 1_000_000 ? 1_000_000 + random.nextLong(nextEmployee - 1_000_000 + 3)
                : 1 + random.nextInt(employees);
    }

    private void step() throws SQLException {
        int op = random.nextInt(16);
        long e = employee();
        switch (op) {
            case 0 -> admin("INSERT INTO employees (id, company_id, code, family_name, given_name, status, department_id) VALUES ("
                    + (nextEmployee++) + ", 1, 'W" + nextEmployee + "', '新', '人', 'active', " + dept() + ")");
            case 1 -> admin("UPDATE employees SET email = 'w" + random.nextInt(1_000_000) + "@example.com', status = '"
                    + new String[] {"active", "on_leave", "retired"}[random.nextInt(3)] + "' WHERE id = " + e);
            case 2 -> admin("UPDATE employees SET department_id = " + dept() + " WHERE id = " + e);
            case 3 -> admin("DELETE FROM employees WHERE id = " + e);
            case 4 -> admin("UPDATE departments SET name = '部" + random.nextInt(10_000) + "' WHERE id = " + (1 + random.nextInt(departments)));
            case 5 -> motivation("INSERT INTO survey_answers (id, survey_id, employee_id, score, condition, comment) VALUES (" + (nextChild++)
                    + ", " + (1 + random.nextInt(surveys)) + ", " + e + ", " + random.nextInt(100) + ".25, 'good', 'w SECRET-COMMENT-" + nextChild + "')");
            case 6 -> motivation("UPDATE survey_answers SET score = " + random.nextInt(100) + " WHERE employee_id = " + e);
            case 7 -> motivation("DELETE FROM survey_answers WHERE employee_id = " + e);
            case 8 -> motivation("UPDATE surveys SET title = '調査" + random.nextInt(10_000) + "' WHERE id = " + (1 + random.nextInt(surveys)));
            case 9 -> labor("INSERT INTO contracts (id, employee_id, contract_type, starts_on, weekly_hours, monthly_salary) VALUES ("
                    + (nextChild++) + ", " + e + ", 'part_time', '2024-01-01', " + random.nextInt(40) + ".5, " + ScenarioSeeder.monthlySalary(nextChild) + ")");
            case 10 -> labor("UPDATE contracts SET weekly_hours = " + random.nextInt(40) + " WHERE employee_id = " + e);
            case 11 -> labor("DELETE FROM qualifications WHERE employee_id = " + e);
            case 12 -> labor("UPDATE qualifications SET employee_id = " + employee() + " WHERE employee_id = " + e);
            case 13 -> labor("INSERT INTO qualifications (id, employee_id, name) VALUES (" + (nextChild++) + ", " + (nextEmployee + 2) + ", '先行資格')");
            case 14 -> transaction(dbs.openAdmin(), "UPDATE employees SET code = 'T" + random.nextInt(1000) + "' WHERE id = " + e,
                    "UPDATE departments SET name = 'T部" + random.nextInt(1000) + "' WHERE id = " + (1 + random.nextInt(departments)),
                    "UPDATE employees SET code = 'U" + random.nextInt(1000) + "' WHERE id = " + e);
            default -> transaction(dbs.openLabor(), "INSERT INTO contracts (id, employee_id, contract_type, starts_on) VALUES ("
                    + nextChild + ", " + e + ", 'fixed_term', '2025-04-01')", "UPDATE contracts SET weekly_hours = 7.5 WHERE id = " + nextChild,
                    "DELETE FROM contracts WHERE id = " + (nextChild++ - random.nextInt(50)));
        }
    }

    private String dept() {
        return random.nextInt(8) == 0 ? "NULL" : Long.toString(1 + random.nextInt(departments));
    }

    private void admin(String sql) throws SQLException {
        exec(dbs.openAdmin(), sql);
    }

    private void motivation(String sql) throws SQLException {
        exec(dbs.openMotivation(), sql);
    }

    private void labor(String sql) throws SQLException {
        exec(dbs.openLabor(), sql);
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void transaction(Connection c, String... sql) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String q : sql) {
                s.execute(q);
            }
            c.commit();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
