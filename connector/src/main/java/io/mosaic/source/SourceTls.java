package io.mosaic.source;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import io.mosaic.config.PemCertificates;
import io.mosaic.config.SourceConfig;

/**
 * TLS to a source database, from {@code sources.<name>.ssl_mode} and {@code ssl_root_cert}: the same
 * settings become the Debezium engine's properties and Mosaic's own JDBC connection properties, so that
 * the stream and the checks connect alike. PostgreSQL's driver reads the PEM CA itself; the MySQL and
 * MariaDB binlog clients read only a key store, so the PEM's certificates are copied into a PKCS12
 * trust store of the process's own (a temporary file readable by this user only, with a random password,
 * deleted at exit).
 */
public final class SourceTls {

    /** A trust store file written from a PEM file, and its password. */
    record TrustStore(Path file, String password) {
    }

    private static final Map<Path, TrustStore> TRUST_STORES = new ConcurrentHashMap<>();

    private SourceTls() {
    }

    /** The Debezium connector properties of the source's TLS settings (none when ssl_mode is not set). */
    static void debezium(SourceConfig s, Properties p) {
        String mode = s.sslMode();
        switch (s.type()) {
            case POSTGRES -> {
                if (mode != null) {
                    p.setProperty("database.sslmode", mode.replace('_', '-'));
                }
                if (s.sslRootCert() != null) {
                    p.setProperty("database.sslrootcert", s.sslRootCert().toString());
                }
            }
            case MYSQL, MARIADB -> {
                p.setProperty("database.ssl.mode", binlogMode(s));
                if (s.sslRootCert() != null) {
                    TrustStore t = trustStore(s.sslRootCert());
                    p.setProperty("database.ssl.truststore", t.file().toString());
                    p.setProperty("database.ssl.truststore.password", t.password());
                }
            }
        }
    }

    /** Debezium's name of the mode for a MySQL or MariaDB source. */
    static String binlogMode(SourceConfig s) {
        String mode = s.sslMode() == null ? "disable" : s.sslMode();
        if (s.type() == io.mosaic.config.SourceType.MYSQL) {
            return switch (mode) {
                case "disable" -> "disabled";
                case "prefer" -> "preferred";
                case "require" -> "required";
                case "verify_ca" -> "verify_ca";
                default -> "verify_identity";
            };
        }
        return switch (mode) {
            case "require" -> "trust";
            case "verify_ca" -> "verify-ca";
            case "verify_full" -> "verify-full";
            default -> "disable";
        };
    }

    /** The JDBC driver properties of the source's TLS settings, for {@link SourceProbe}. */
    static void jdbc(SourceConfig s, Properties p) {
        String mode = s.sslMode();
        switch (s.type()) {
            case POSTGRES -> {
                if (mode != null) {
                    p.setProperty("sslmode", mode.replace('_', '-'));
                }
                if (s.sslRootCert() != null) {
                    p.setProperty("sslrootcert", s.sslRootCert().toString());
                }
            }
            case MARIADB -> {
                p.setProperty("sslMode", binlogMode(s));
                if (s.sslRootCert() != null) {
                    p.setProperty("serverSslCert", s.sslRootCert().toString());
                }
            }
            case MYSQL -> {
                p.setProperty("sslMode", binlogMode(s).toUpperCase(java.util.Locale.ROOT));
                if (s.sslRootCert() != null) {
                    TrustStore t = trustStore(s.sslRootCert());
                    p.setProperty("trustCertificateKeyStoreUrl", t.file().toUri().toString());
                    p.setProperty("trustCertificateKeyStoreType", "PKCS12");
                    p.setProperty("trustCertificateKeyStorePassword", t.password());
                }
            }
        }
    }

    /** The trust store of a PEM file's certificates, written once per process. */
    static TrustStore trustStore(Path pem) {
        return TRUST_STORES.computeIfAbsent(pem, SourceTls::writeTrustStore);
    }

    private static TrustStore writeTrustStore(Path pem) {
        KeyStore store = PemCertificates.trustStore(pem);
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        try {
            Path file;
            try {
                file = Files.createTempFile("mosaic-truststore-", ".p12", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                file = Files.createTempFile("mosaic-truststore-", ".p12");
            }
            file.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return new TrustStore(file, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write a trust store for the CA of " + pem + " in the temporary directory ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }
}
