package io.mosaic.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.SourceConfig;
import io.mosaic.config.SourceType;

/** ssl_mode and ssl_root_cert become the same TLS for the Debezium engine and for Mosaic's JDBC checks. */
class SourceTlsTest {

    @TempDir
    Path dir;

    private SourceConfig source(SourceType type, String mode, Path ca) {
        return new SourceConfig("admin", type, "db", type.defaultPort(), type == SourceType.POSTGRES ? "admin" : null, "u", "p",
                "mosaic_admin", "mosaic_admin", 5401, "initial", Duration.ofSeconds(10), Duration.ofSeconds(10), null, Map.of(), mode, ca);
    }

    private Path ca() throws Exception {
        Path ca = dir.resolve("ca.crt");
        try (InputStream in = getClass().getResourceAsStream("/tls/test-ca.crt")) {
            Files.copy(in, ca);
        }
        return ca;
    }

    @Test
    void postgresGetsSslmodeAndTheRootCertificateInBothConnections() throws Exception {
        Path ca = ca();
        Properties engine = new Properties();
        SourceTls.debezium(source(SourceType.POSTGRES, "verify_full", ca), engine);
        assertThat(engine).containsEntry("database.sslmode", "verify-full").containsEntry("database.sslrootcert", ca.toString());
        Properties jdbc = new Properties();
        SourceTls.jdbc(source(SourceType.POSTGRES, "verify_ca", ca), jdbc);
        assertThat(jdbc).containsEntry("sslmode", "verify-ca").containsEntry("sslrootcert", ca.toString());

        Properties unset = new Properties();
        SourceTls.debezium(source(SourceType.POSTGRES, null, null), unset);
        assertThat(unset).as("the driver's default (prefer) stays").isEmpty();
    }

    @Test
    void mariadbAndMysqlGetTheirOwnModeNamesAndATrustStoreOfThePem() throws Exception {
        Path ca = ca();
        Properties engine = new Properties();
        SourceTls.debezium(source(SourceType.MARIADB, "verify_full", ca), engine);
        assertThat(engine).containsEntry("database.ssl.mode", "verify-full");
        Path store = Path.of(engine.getProperty("database.ssl.truststore"));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, engine.getProperty("database.ssl.truststore.password").toCharArray());
        }
        assertThat(ks.size()).isEqualTo(1);
        assertThat(Files.getPosixFilePermissions(store)).hasSize(2); // owner read and write only

        Properties jdbc = new Properties();
        SourceTls.jdbc(source(SourceType.MARIADB, "require", null), jdbc);
        assertThat(jdbc).containsEntry("sslMode", "trust").doesNotContainKey("serverSslCert");

        Properties mysql = new Properties();
        SourceTls.debezium(source(SourceType.MYSQL, "verify_full", null), mysql);
        assertThat(mysql).containsEntry("database.ssl.mode", "verify_identity");
        Properties mysqlJdbc = new Properties();
        SourceTls.jdbc(source(SourceType.MYSQL, "verify_ca", ca), mysqlJdbc);
        assertThat(mysqlJdbc).containsEntry("sslMode", "VERIFY_CA").containsEntry("trustCertificateKeyStoreType", "PKCS12");

        Properties off = new Properties();
        SourceTls.debezium(source(SourceType.MARIADB, null, null), off);
        assertThat(off).as("no ssl_mode: disabled, as before").containsEntry("database.ssl.mode", "disable");
    }
}
