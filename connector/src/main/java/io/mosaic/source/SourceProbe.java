package io.mosaic.source;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import io.mosaic.config.SourceConfig;

/** Opens a plain JDBC connection to a source, to check it is reachable and to inspect it. */
public final class SourceProbe {

    private SourceProbe() {
    }

    public static String jdbcUrl(SourceConfig s) {
        return switch (s.type()) {
            case POSTGRES -> "jdbc:postgresql://" + s.host() + ":" + s.port() + "/" + s.database();
            case MYSQL -> "jdbc:mysql://" + s.host() + ":" + s.port() + "/" + (s.database() == null ? "" : s.database())
                    + "?allowPublicKeyRetrieval=true";
            case MARIADB -> "jdbc:mariadb://" + s.host() + ":" + s.port() + "/" + (s.database() == null ? "" : s.database());
        };
    }

    public static Connection connect(SourceConfig s) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", s.user());
        p.setProperty("password", s.password() == null ? "" : s.password());
        int seconds = (int) Math.max(1, s.connectTimeout().toSeconds());
        switch (s.type()) {
            case POSTGRES -> {
                p.setProperty("connectTimeout", Integer.toString(seconds));
                p.setProperty("socketTimeout", "60");
            }
            case MYSQL -> p.setProperty("connectTimeout", Integer.toString(seconds * 1000));
            case MARIADB -> p.setProperty("connectTimeout", Integer.toString(seconds * 1000));
        }
        SourceTls.jdbc(s, p); // the engine's TLS settings, so that the checks connect as the stream does
        return DriverManager.getConnection(jdbcUrl(s), p);
    }

    /**
     * Whether a failure to connect is an outage (the server is down, restarting or unreachable), as
     * opposed to something the user must fix (credentials, a missing database): SQL state class 08
     * is "connection exception" for both drivers.
     */
    public static boolean isOutage(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState().startsWith("08");
            }
            if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }

    /** One line saying why a source could not be reached and what to check. */
    public static String unreachable(SourceConfig s, Exception e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0].replaceAll("[.\\s]+$", "");
        return "source '" + s.name() + "': cannot connect to " + s.describe() + ": " + reason
                + ". Check sources." + s.name() + ".host/port/user/password and that the database is running.";
    }
}
