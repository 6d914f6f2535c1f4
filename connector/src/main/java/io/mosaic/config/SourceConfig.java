package io.mosaic.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One database Mosaic tails: its connection, and the replication resources Mosaic owns in it
 * (a slot and publication on PostgreSQL, a replica server id on MySQL/MariaDB).
 *
 * @param sslMode TLS to the database: disable, prefer, require, verify_ca or verify_full; null for the
 *                default (prefer on PostgreSQL, as its driver; disable on MySQL/MariaDB)
 * @param sslRootCert the PEM file of the CA(s) that verify the database's certificate, or null
 */
public record SourceConfig(
        String name,
        SourceType type,
        String host,
        int port,
        String database,
        String user,
        String password,
        String slot,
        String publication,
        long serverId,
        String snapshotMode,
        Duration heartbeat,
        Duration connectTimeout,
        String signalTable,
        Map<String, String> debezium,
        String sslMode,
        Path sslRootCert) {

    /** Without TLS settings of its own: the default of {@link #sslMode}. */
    public SourceConfig(String name, SourceType type, String host, int port, String database, String user, String password,
                        String slot, String publication, long serverId, String snapshotMode, Duration heartbeat,
                        Duration connectTimeout, Map<String, String> debezium) {
        this(name, type, host, port, database, user, password, slot, publication, serverId, snapshotMode, heartbeat,
                connectTimeout, null, debezium, null, null);
    }

    static final Setting<String> TYPE = Setting.oneOf("type", "the kind of database", "postgres", "mysql", "mariadb").required();
    static final Setting<String> HOST = Setting.string("host", "the database host name or address").required();
    static final Setting<Integer> PORT = Setting.integer("port", "the database port (default 5432 for postgres, 3306 for mysql and mariadb)")
            .validate(p -> p > 0 && p < 65536, "a port number from 1 to 65535");
    static final Setting<String> DATABASE = Setting.string("database",
            "the database to connect to (required for postgres; for mysql and mariadb the databases come from the mapped tables)");
    static final Setting<String> USER = Setting.string("user", "the database user Mosaic connects as").required();
    static final Setting<String> PASSWORD = Setting.string("password", "the database user's password; use ${ENV_VAR} or ${file:PATH}").secret();
    static final Setting<String> SLOT = Setting.string("slot", "postgres: the logical replication slot Mosaic creates and reads (default mosaic_<source>)")
            .validate(s -> s.matches("[a-z0-9_]{1,63}"), "lower-case letters, digits and underscores, at most 63 characters");
    static final Setting<String> PUBLICATION = Setting.string("publication", "postgres: the publication of the mapped tables (default mosaic_<source>)")
            .validate(s -> s.matches("[A-Za-z0-9_]{1,63}"), "letters, digits and underscores, at most 63 characters");
    static final Setting<Integer> SERVER_ID = Setting.integer("server_id",
            "mysql/mariadb: the replica server id Mosaic uses, unique among the server's replicas (default derived from the source name)")
            .validate(i -> i > 0, "a positive number");
    static final Setting<String> SNAPSHOT = Setting.oneOf("snapshot", "when to read the tables' current rows before streaming changes",
            "initial", "never", "when_needed").withDefault("initial");
    static final Setting<Duration> HEARTBEAT = Setting.duration("heartbeat",
            "how often an idle source confirms its position, so that it does not pin the database's log").withDefault(Duration.ofSeconds(10));
    static final Setting<Duration> CONNECT_TIMEOUT = Setting.duration("connect_timeout", "how long a connection attempt may take")
            .withDefault(Duration.ofSeconds(10));

    static final Setting<String> SIGNAL_TABLE = Setting.string("signal_table",
            "the table through which `mosaic snapshot` asks for on-demand (incremental) snapshots: schema.table on postgres, "
                    + "database.table on mysql/mariadb, with columns id, type, data (docs/OPERATIONS.md shows its DDL); optional")
            .validate(s -> s.matches("[A-Za-z0-9_]+\\.[A-Za-z0-9_]+"), "a qualified table name such as public.mosaic_signal");

    static final Setting<String> SSL_MODE = Setting.oneOf("ssl_mode",
            "TLS to the database: disable, prefer (TLS if offered, unverified; postgres and mysql only), require (TLS, unverified), "
                    + "verify_ca (TLS, certificate signed by ssl_root_cert's CA) or verify_full (and naming the host); "
                    + "default prefer for postgres, disable for mysql and mariadb",
            "disable", "prefer", "require", "verify_ca", "verify_full");
    static final Setting<String> SSL_ROOT_CERT = Setting.string("ssl_root_cert",
            "the PEM file of the CA that signed the database's certificate, relative to the config file (for verify_ca and verify_full)");

    static final List<Setting<?>> SETTINGS = List.of(TYPE, HOST, PORT, DATABASE, USER, PASSWORD, SLOT, PUBLICATION, SERVER_ID,
            SNAPSHOT, HEARTBEAT, CONNECT_TIMEOUT, SIGNAL_TABLE, SSL_MODE, SSL_ROOT_CERT);

    static SourceConfig read(String name, YamlNode node, Problems problems) {
        return read(name, node, Path.of("").toAbsolutePath(), problems);
    }

    static SourceConfig read(String name, YamlNode node, Path baseDir, Problems problems) {
        if (!name.matches("[a-z][a-z0-9_]{0,40}")) {
            problems.add(node.location(), "source name '" + name + "' must start with a lower-case letter and contain only "
                    + "lower-case letters, digits and underscores (it names replication slots and offsets)");
        }
        if (!node.isMap()) {
            problems.add(node.location(), "source '" + name + "' must be a map with keys such as type, host, port, user, password");
            return null;
        }
        Setting.rejectUnknownKeys(node, SETTINGS, problems, "debezium");
        String typeText = TYPE.read(node, problems);
        SourceType type = typeText == null ? SourceType.POSTGRES : SourceType.parse(typeText);
        Integer port = PORT.read(node, problems);
        String database = DATABASE.read(node, problems);
        if (type == SourceType.POSTGRES && database == null && node.get("database").isMissing()) {
            problems.add(node.get("database").location(), "missing required key '" + node.get("database").path()
                    + "': a postgres source needs the database to connect to");
        }
        String slot = SLOT.read(node, problems);
        String publication = PUBLICATION.read(node, problems);
        Integer serverId = SERVER_ID.read(node, problems);
        Map<String, String> debezium = new LinkedHashMap<>();
        YamlNode extra = node.get("debezium");
        if (!extra.isMissing()) {
            if (!extra.isMap()) {
                problems.add(extra.location(), "'" + extra.path() + "' must be a map of Debezium connector properties");
            }
            extra.entries().forEach((k, v) -> {
                if (!v.isScalar()) {
                    problems.add(v.location(), "'" + v.path() + "' must be a plain value");
                } else {
                    debezium.put(k, v.text());
                }
            });
        }
        return new SourceConfig(
                name,
                type,
                HOST.read(node, problems),
                port != null ? port : type.defaultPort(),
                database,
                USER.read(node, problems),
                PASSWORD.read(node, problems),
                slot != null ? slot : "mosaic_" + name,
                publication != null ? publication : "mosaic_" + name,
                serverId != null ? serverId : 5400 + Math.floorMod(name.hashCode(), 100_000),
                SNAPSHOT.read(node, problems),
                HEARTBEAT.read(node, problems),
                CONNECT_TIMEOUT.read(node, problems),
                SIGNAL_TABLE.read(node, problems),
                Map.copyOf(debezium),
                sslMode(type, node, problems),
                PemCertificates.readSetting(SSL_ROOT_CERT, node, baseDir, problems));
    }

    private static String sslMode(SourceType type, YamlNode node, Problems problems) {
        String mode = SSL_MODE.read(node, problems);
        YamlNode at = node.get(SSL_MODE.key());
        if ("prefer".equals(mode) && type == SourceType.MARIADB) {
            problems.add(at.location(), "'" + at.path() + "' is prefer, which the MariaDB connector does not offer: use disable, "
                    + "require, verify_ca or verify_full");
        }
        boolean verifies = "verify_ca".equals(mode) || "verify_full".equals(mode);
        YamlNode root = node.get(SSL_ROOT_CERT.key());
        if (!root.isMissing() && mode != null && !verifies) {
            problems.add(root.location(), "'" + root.path() + "' is set, but '" + at.path() + "' is " + mode
                    + ", which does not verify the certificate: set ssl_mode to verify_full (or verify_ca)");
        }
        if (!root.isMissing() && mode == null) {
            problems.add(root.location(), "'" + root.path() + "' is set without '" + at.path()
                    + "': set ssl_mode to verify_full (or verify_ca), or the CA is not used");
        }
        return mode;
    }

    /** A description for logs and errors, without the password. */
    public String describe() {
        return type.configName() + "://" + user + "@" + host + ":" + port + (database != null ? "/" + database : "");
    }

    /** The server's {@code host:port}, for error messages that must say where (no user, no secret). */
    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return "SourceConfig[" + name + " " + describe() + "]";
    }
}
