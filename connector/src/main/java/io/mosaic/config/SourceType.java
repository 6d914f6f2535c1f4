package io.mosaic.config;

import java.util.Locale;

/** The kinds of database Mosaic can tail, each with the Debezium connector that reads it. */
public enum SourceType {
    POSTGRES("io.debezium.connector.postgresql.PostgresConnector", 5432),
    MYSQL("io.debezium.connector.mysql.MySqlConnector", 3306),
    MARIADB("io.debezium.connector.mariadb.MariaDbConnector", 3306);

    private final String connectorClass;
    private final int defaultPort;

    SourceType(String connectorClass, int defaultPort) {
        this.connectorClass = connectorClass;
        this.defaultPort = defaultPort;
    }

    public String connectorClass() {
        return connectorClass;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** MySQL and MariaDB both read a binlog; positions and table names work alike for them. */
    public boolean isBinlog() {
        return this != POSTGRES;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SourceType parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
