package io.mosaic.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS settings: elasticsearch.ca_certificate, tls_verify_hostname, sources.*.ssl_mode and ssl_root_cert. */
class TlsConfigTest {

    @TempDir
    Path dir;

    Path write(String elasticsearch, String sourceExtra) throws IOException {
        Files.writeString(dir.resolve("m.yaml"), "document: x\nroot: {source: admin, table: public.t, key: id, fields: {id: id}}\n");
        Path file = dir.resolve("mosaic.yaml");
        Files.writeString(file, "elasticsearch:\n" + elasticsearch
                + "sources:\n  admin:\n    type: postgres\n    host: db\n    database: admin\n    user: u\n    password: p\n" + sourceExtra
                + "mappings: [m.yaml]\n");
        return file;
    }

    Path testCa() throws IOException {
        Path ca = dir.resolve("certs/ca.crt");
        Files.createDirectories(ca.getParent());
        try (var in = getClass().getResourceAsStream("/tls/test-ca.crt")) {
            Files.copy(in, ca);
        }
        return ca;
    }

    @Test
    void aCaCertificateRelativeToTheConfigFileIsReadAndChecked() throws IOException {
        Path ca = testCa();
        MosaicConfig c = MosaicConfig.load(write("  urls: https://es.internal:9200\n  ca_certificate: certs/ca.crt\n  api_key: ${KEY}\n", ""),
                Map.of("KEY", "a2V5")::get);
        assertThat(c.elasticsearch().caCertificate()).isEqualTo(ca.toAbsolutePath());
        assertThat(c.elasticsearch().verifyHostname()).isTrue();
        assertThat(c.elasticsearch().apiKey()).isEqualTo("a2V5");
        assertThat(c.elasticsearch().toString()).doesNotContain("a2V5");
        assertThat(PemCertificates.read(ca)).hasSize(1);
    }

    @Test
    void aMissingOrInvalidCaIsReportedWithFileLineKeyAndFix() throws IOException {
        Files.writeString(dir.resolve("garbage.crt"), "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Files.writeString(dir.resolve("empty.crt"), "");
        for (String[] c : new String[][] {
                {"nope.crt", "does not exist"},
                {"garbage.crt", "line 1 of", "not a valid X.509 certificate"},
                {"key.pem", "private key, not a certificate"},
                {"empty.crt", "holds no PEM certificate"}}) {
            Path file = write("  urls: https://es:9200\n  ca_certificate: " + c[0] + "\n", "");
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> MosaicConfig.load(file, k -> null));
            assertThat(e.getMessage()).as(c[0]).contains("mosaic.yaml:3", "elasticsearch.ca_certificate", dir.resolve(c[0]).toString(),
                    "Set it to the PEM file of the CA");
            for (int i = 1; i < c.length; i++) {
                assertThat(e.getMessage()).as(c[0]).contains(c[i]);
            }
        }
    }

    @Test
    void aCaWithoutHttpsAndTwoWaysToAuthenticateAreProblems() throws IOException {
        testCa();
        Path file = write("  urls: http://es:9200\n  ca_certificate: certs/ca.crt\n  username: mosaic\n  password: x\n  api_key: y\n", "");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> MosaicConfig.load(file, k -> null));
        assertThat(e.getMessage()).contains("no address of elasticsearch.urls uses https", "use one way to authenticate");
    }

    @Test
    void sourceTlsSettingsAreReadAndInconsistentOnesReported() throws IOException {
        Path ca = testCa();
        MosaicConfig c = MosaicConfig.load(write("  urls: http://es:9200\n", "    ssl_mode: verify_full\n    ssl_root_cert: certs/ca.crt\n"), k -> null);
        assertThat(c.sources().get("admin").sslMode()).isEqualTo("verify_full");
        assertThat(c.sources().get("admin").sslRootCert()).isEqualTo(ca.toAbsolutePath());

        Path unverified = write("  urls: http://es:9200\n", "    ssl_mode: require\n    ssl_root_cert: certs/ca.crt\n");
        assertThat(catchThrowableOfType(ConfigException.class, () -> MosaicConfig.load(unverified, k -> null)).getMessage())
                .contains("sources.admin.ssl_root_cert", "does not verify the certificate");
        Path wrongMode = write("  urls: http://es:9200\n", "    ssl_mode: verify-full\n");
        assertThat(catchThrowableOfType(ConfigException.class, () -> MosaicConfig.load(wrongMode, k -> null)).getMessage())
                .contains("sources.admin.ssl_mode", "verify_full");
        Path missingCa = write("  urls: http://es:9200\n", "    ssl_mode: verify_ca\n    ssl_root_cert: nope.crt\n");
        assertThat(catchThrowableOfType(ConfigException.class, () -> MosaicConfig.load(missingCa, k -> null)).getMessage())
                .contains("mosaic.yaml:", "sources.admin.ssl_root_cert", "does not exist");
    }
}
