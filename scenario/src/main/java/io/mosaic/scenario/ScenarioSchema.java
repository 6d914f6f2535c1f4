package io.mosaic.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Creates the reference scenario's databases (if missing) and (re)creates their tables from the
 * DDL resources {@code /scenario/admin.sql}, {@code /scenario/motivation.sql} and
 * {@code /scenario/labor.sql}. Every table is dropped and created empty.
 */
public final class ScenarioSchema {

    public static final String ADMIN_DDL = "/scenario/admin.sql";
    public static final String MOTIVATION_DDL = "/scenario/motivation.sql";
    public static final String LABOR_DDL = "/scenario/labor.sql";

    /** Only simple database names are interpolated into CREATE DATABASE. */
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern STATEMENT_END = Pattern.compile(";[ \\t]*(?:\\r?\\n|$)");

    private ScenarioSchema() {
    }

    /** Creates the databases if missing, then drops and recreates all tables. */
    public static void create(ScenarioDatabases dbs) throws SQLException {
        createDatabases(dbs);
        createTables(dbs);
    }

    /** {@code CREATE DATABASE admin} / {@code motivation} if missing; {@code CREATE DATABASE IF NOT EXISTS labor}. */
    public static void createDatabases(ScenarioDatabases dbs) throws SQLException {
        try (Connection pg = dbs.openPgServer()) {
            createPgDatabaseIfMissing(pg, ScenarioDatabases.ADMIN);
            createPgDatabaseIfMissing(pg, ScenarioDatabases.MOTIVATION);
        }
        try (Connection mysql = dbs.openMysqlServer(); Statement statement = mysql.createStatement()) {
            statement.execute("CREATE DATABASE IF NOT EXISTS " + checkedName(ScenarioDatabases.LABOR)
                    + " CHARACTER SET utf8mb4");
        }
    }

    /** Drops and recreates the tables of all three databases. */
    public static void createTables(ScenarioDatabases dbs) throws SQLException {
        try (Connection admin = dbs.openAdmin()) {
            execute(admin, statements(ADMIN_DDL));
        }
        try (Connection motivation = dbs.openMotivation()) {
            execute(motivation, statements(MOTIVATION_DDL));
        }
        try (Connection labor = dbs.openLabor()) {
            execute(labor, statements(LABOR_DDL));
        }
    }

    /** Runs the statements in one transaction where the database allows (PostgreSQL; MariaDB commits DDL at once). */
    static void execute(Connection connection, List<String> statements) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                try {
                    statement.execute(sql);
                } catch (SQLException e) {
                    throw new SQLException("failed: " + sql + ": " + e.getMessage(), e.getSQLState(), e);
                }
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static void createPgDatabaseIfMissing(Connection pg, String name) throws SQLException {
        try (PreparedStatement exists = pg.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (Statement statement = pg.createStatement()) {
            statement.execute("CREATE DATABASE " + checkedName(name));
        } catch (SQLException e) {
            // 42P04 duplicate_database: created concurrently, fine
            if (!"42P04".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    private static String checkedName(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("unexpected database name: " + name);
        }
        return name;
    }

    /** The statements of a DDL resource on the classpath. */
    public static List<String> statements(String resource) {
        try (InputStream in = ScenarioSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return split(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * Splits a script into statements: a statement ends with ";" at the end of a line; lines
     * whose first non-blank characters are "--" are dropped. No other SQL syntax is understood,
     * so keep the scripts simple (no ";" at a line end inside a string or a function body).
     */
    public static List<String> split(String script) {
        StringBuilder withoutComments = new StringBuilder(script.length());
        for (String line : script.split("\\r?\\n", -1)) {
            if (!line.strip().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String part : STATEMENT_END.split(withoutComments)) {
            String sql = part.strip();
            if (!sql.isEmpty()) {
                statements.add(sql);
            }
        }
        return statements;
    }
}
