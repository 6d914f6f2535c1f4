package io.mosaic.scenario;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Where the reference scenario's three databases live: {@code admin} and {@code motivation} on
 * PostgreSQL, {@code labor} on MariaDB/MySQL (reached with the MariaDB driver, {@code jdbc:mariadb:}).
 *
 * @param adminUrl JDBC URL of the admin database, e.g. {@code jdbc:postgresql://127.0.0.1:15432/admin}
 * @param motivationUrl JDBC URL of the motivation database (same PostgreSQL server as admin)
 * @param pgUser PostgreSQL user for admin and motivation
 * @param pgPassword its password
 * @param laborUrl JDBC URL of the labor database, e.g. {@code jdbc:mariadb://127.0.0.1:13306/labor}
 * @param mysqlUser MariaDB/MySQL user for labor
 * @param mysqlPassword its password
 */
public record ScenarioDatabases(
        String adminUrl,
        String motivationUrl,
        String pgUser,
        String pgPassword,
        String laborUrl,
        String mysqlUser,
        String mysqlPassword) {

    public static final String ADMIN = "admin";
    public static final String MOTIVATION = "motivation";
    public static final String LABOR = "labor";

    /** The PostgreSQL database to connect to for CREATE DATABASE. */
    public static final String PG_MAINTENANCE_DATABASE = "postgres";

    /** The project's local PostgreSQL (deploy/local). */
    public static final String LOCAL_PG_URL = "jdbc:postgresql://127.0.0.1:15432/";
    public static final String LOCAL_PG_USER = "postgres";
    public static final String LOCAL_PG_PASSWORD = "postgres";
    /** The project's local MariaDB (deploy/local). */
    public static final String LOCAL_MYSQL_URL = "jdbc:mariadb://127.0.0.1:13306/";
    public static final String LOCAL_MYSQL_USER = "mosaic";
    public static final String LOCAL_MYSQL_PASSWORD = "mosaic";

    public ScenarioDatabases {
        Objects.requireNonNull(adminUrl, "adminUrl");
        Objects.requireNonNull(motivationUrl, "motivationUrl");
        Objects.requireNonNull(pgUser, "pgUser");
        Objects.requireNonNull(laborUrl, "laborUrl");
        Objects.requireNonNull(mysqlUser, "mysqlUser");
    }

    /**
     * The project's local services: PostgreSQL 127.0.0.1:15432 and MariaDB 127.0.0.1:13306, or the
     * ports in {@code MOSAIC_PG_PORT} and {@code MOSAIC_MARIADB_PORT}, as deploy/local/services.sh
     * starts them (a second copy of the servers runs on other ports).
     */
    public static ScenarioDatabases localDefaults() {
        return localDefaults(System::getenv);
    }

    /** {@link #localDefaults()} with the environment read through {@code env}. */
    static ScenarioDatabases localDefaults(UnaryOperator<String> env) {
        return forServers(
                "jdbc:postgresql://127.0.0.1:" + port(env, "MOSAIC_PG_PORT", 15432) + "/", LOCAL_PG_USER, LOCAL_PG_PASSWORD,
                "jdbc:mariadb://127.0.0.1:" + port(env, "MOSAIC_MARIADB_PORT", 13306) + "/", LOCAL_MYSQL_USER, LOCAL_MYSQL_PASSWORD);
    }

    private static int port(UnaryOperator<String> env, String variable, int fallback) {
        String value = env.apply(variable);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + " must be a port number, not '" + value + "'", e);
        }
    }

    /**
     * The scenario's databases on two servers given by server URLs: the database part of each
     * URL (if any) is replaced by admin / motivation / labor, query parameters are kept.
     */
    public static ScenarioDatabases forServers(
            String pgServerUrl, String pgUser, String pgPassword,
            String mysqlServerUrl, String mysqlUser, String mysqlPassword) {
        return new ScenarioDatabases(
                withDatabase(pgServerUrl, ADMIN),
                withDatabase(pgServerUrl, MOTIVATION),
                pgUser,
                pgPassword,
                withDatabase(mysqlServerUrl, LABOR),
                mysqlUser,
                mysqlPassword);
    }

    /** The PostgreSQL server's maintenance database ({@code postgres}), for CREATE DATABASE. */
    public String pgServerUrl() {
        return withDatabase(adminUrl, PG_MAINTENANCE_DATABASE);
    }

    /** The MariaDB/MySQL server without a default database, for CREATE DATABASE. */
    public String mysqlServerUrl() {
        return withDatabase(laborUrl, "");
    }

    public Connection openAdmin() throws SQLException {
        return DriverManager.getConnection(adminUrl, pgUser, pgPassword);
    }

    public Connection openMotivation() throws SQLException {
        return DriverManager.getConnection(motivationUrl, pgUser, pgPassword);
    }

    public Connection openLabor() throws SQLException {
        return DriverManager.getConnection(laborUrl, mysqlUser, mysqlPassword);
    }

    /** A connection to the PostgreSQL server's maintenance database. */
    public Connection openPgServer() throws SQLException {
        return DriverManager.getConnection(pgServerUrl(), pgUser, pgPassword);
    }

    /** A connection to the MariaDB/MySQL server, no database selected. */
    public Connection openMysqlServer() throws SQLException {
        return DriverManager.getConnection(mysqlServerUrl(), mysqlUser, mysqlPassword);
    }

    /** Host of the PostgreSQL server (from {@link #adminUrl()}), e.g. for a Debezium config. */
    public String pgHost() {
        return host(adminUrl);
    }

    public int pgPort() {
        return port(adminUrl, 5432);
    }

    /** Host of the MariaDB/MySQL server (from {@link #laborUrl()}). */
    public String mysqlHost() {
        return host(laborUrl);
    }

    public int mysqlPort() {
        return port(laborUrl, 3306);
    }

    /** Passwords masked. */
    @Override
    public String toString() {
        return "ScenarioDatabases[adminUrl=" + adminUrl + ", motivationUrl=" + motivationUrl
                + ", pgUser=" + pgUser + ", pgPassword=***, laborUrl=" + laborUrl
                + ", mysqlUser=" + mysqlUser + ", mysqlPassword=***]";
    }

    /**
     * The URL with its database (the path after host:port) replaced; an empty database gives
     * a URL ending in "/". Query parameters are kept: {@code withDatabase("jdbc:postgresql://h:1/x?ssl=false", "admin")}
     * is {@code jdbc:postgresql://h:1/admin?ssl=false}.
     */
    public static String withDatabase(String jdbcUrl, String database) {
        int authorityStart = authorityStart(jdbcUrl);
        int pathStart = indexOfAny(jdbcUrl, "/?", authorityStart);
        String base = pathStart < 0 ? jdbcUrl : jdbcUrl.substring(0, pathStart);
        String query = "";
        int queryStart = jdbcUrl.indexOf('?', authorityStart);
        if (queryStart >= 0) {
            query = jdbcUrl.substring(queryStart);
        }
        return base + "/" + database + query;
    }

    private static String authority(String jdbcUrl) {
        int start = authorityStart(jdbcUrl);
        int end = indexOfAny(jdbcUrl, "/?", start);
        return end < 0 ? jdbcUrl.substring(start) : jdbcUrl.substring(start, end);
    }

    static String host(String jdbcUrl) {
        String authority = firstHost(authority(jdbcUrl));
        if (authority.startsWith("[")) {
            return authority.substring(1, authority.indexOf(']'));
        }
        int colon = authority.lastIndexOf(':');
        String host = colon < 0 ? authority : authority.substring(0, colon);
        return host.isEmpty() ? "localhost" : host;
    }

    static int port(String jdbcUrl, int defaultPort) {
        String authority = firstHost(authority(jdbcUrl));
        int colon = authority.lastIndexOf(':');
        if (colon < 0 || authority.lastIndexOf(']') > colon) {
            return defaultPort;
        }
        return Integer.parseInt(authority.substring(colon + 1));
    }

    private static String firstHost(String authority) {
        int at = authority.lastIndexOf('@');
        String hosts = at < 0 ? authority : authority.substring(at + 1);
        int comma = hosts.indexOf(',');
        return comma < 0 ? hosts : hosts.substring(0, comma);
    }

    private static int authorityStart(String jdbcUrl) {
        int slashes = jdbcUrl.indexOf("//");
        if (!jdbcUrl.startsWith("jdbc:") || slashes < 0) {
            throw new IllegalArgumentException("not a JDBC URL with a host: " + jdbcUrl);
        }
        return slashes + 2;
    }

    private static int indexOfAny(String s, String chars, int from) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
