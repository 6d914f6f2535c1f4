package io.mosaic.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads CA certificates from a PEM file (one or more {@code -----BEGIN CERTIFICATE-----} blocks, such
 * as Elasticsearch's {@code http_ca.crt} or a Kubernetes Secret's {@code ca.crt}) and turns them into
 * a trust store. Every way the file can be wrong is an {@link IllegalArgumentException} whose message
 * says what is wrong with it and where (the line in the PEM file), never the file's content.
 */
public final class PemCertificates {

    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String END = "-----END CERTIFICATE-----";

    private PemCertificates() {
    }

    /** The certificates of {@code file}, in order; at least one. */
    public static List<X509Certificate> read(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("the file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("the file " + file + " cannot be read (is it a readable file?)");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException("the file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
        List<X509Certificate> out = new ArrayList<>();
        StringBuilder body = null;
        int begin = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.equals(BEGIN)) {
                body = new StringBuilder();
                begin = i + 1;
            } else if (line.equals(END) && body != null) {
                try {
                    byte[] der = Base64.getMimeDecoder().decode(body.toString());
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
                } catch (IllegalArgumentException | CertificateException e) {
                    throw new IllegalArgumentException("the certificate that starts on line " + begin + " of " + file
                            + " is not a valid X.509 certificate");
                }
                body = null;
            } else if (body != null) {
                body.append(line);
            } else if (line.startsWith("-----BEGIN ") && line.contains("PRIVATE KEY")) {
                throw new IllegalArgumentException("line " + (i + 1) + " of " + file + " starts a private key, not a certificate: "
                        + "give the CA's certificate (ca.crt), never a key");
            }
        }
        if (body != null) {
            throw new IllegalArgumentException("the certificate that starts on line " + begin + " of " + file + " has no " + END + " line");
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (no " + BEGIN + " line); "
                    + "give the CA certificate in PEM format (convert a DER file with: openssl x509 -inform der -in ca.der -out ca.crt)");
        }
        return out;
    }

    /**
     * Reads the key {@code setting} of {@code section} as the path of a PEM file of CA certificates,
     * relative to {@code baseDir} (the config file's directory), and checks the file now: a missing,
     * unreadable or invalid file is a problem naming the config file, line and key, what is wrong and the fix.
     * Returns the absolute path, or null when the key is not set or the file is not usable.
     */
    static Path readSetting(Setting<String> setting, YamlNode section, Path baseDir, Problems problems) {
        String text = setting.read(section, problems);
        if (text == null) {
            return null;
        }
        Path file = baseDir.resolve(text).toAbsolutePath().normalize();
        try {
            read(file);
            return file;
        } catch (IllegalArgumentException e) {
            YamlNode node = section.get(setting.key());
            problems.add(node.location(), "'" + node.path() + "': " + e.getMessage() + ". Set it to the PEM file of the CA that "
                    + "signed the server's certificate (relative to the config file), such as a mounted Secret's ca.crt");
            return null;
        }
    }

    /** A trust store (in memory) that holds the certificates of {@code file}. */
    public static KeyStore trustStore(Path file) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            for (X509Certificate c : read(file)) {
                store.setCertificateEntry("ca-" + n++, c);
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust store from " + file, e);
        }
    }
}
