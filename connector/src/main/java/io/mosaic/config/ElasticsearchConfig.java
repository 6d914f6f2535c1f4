package io.mosaic.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Elasticsearch cluster Mosaic writes to, and how to talk to it.
 *
 * @param caCertificate the PEM file of the CA(s) trusted for https, or null for the JVM's default trust store
 * @param verifyHostname whether an https server's certificate must name the host of its URL
 */
public record ElasticsearchConfig(
        List<URI> urls,
        String username,
        String password,
        String apiKey,
        Duration connectTimeout,
        Duration requestTimeout,
        Path caCertificate,
        boolean verifyHostname) {

    /** Plain settings: no CA of its own (the JVM's trust store for https), host names verified. */
    public ElasticsearchConfig(List<URI> urls, String username, String password, String apiKey, Duration connectTimeout,
                               Duration requestTimeout) {
        this(urls, username, password, apiKey, connectTimeout, requestTimeout, null, true);
    }

    static final Setting<String> URLS = Setting.string("urls",
            "the cluster's HTTP addresses, comma-separated, such as http://127.0.0.1:9200").required();
    static final Setting<String> USERNAME = Setting.string("username", "basic-auth user (optional)");
    static final Setting<String> PASSWORD = Setting.string("password", "basic-auth password; use ${ENV_VAR} or ${file:PATH}").secret();
    static final Setting<String> API_KEY = Setting.string("api_key", "an encoded API key (optional); use ${ENV_VAR} or ${file:PATH}").secret();
    static final Setting<Duration> CONNECT_TIMEOUT = Setting.duration("connect_timeout", "how long to wait for a connection")
            .withDefault(Duration.ofSeconds(5));
    static final Setting<Duration> REQUEST_TIMEOUT = Setting.duration("request_timeout", "how long one request may take before it is retried")
            .withDefault(Duration.ofSeconds(30));

    static final Setting<String> CA_CERTIFICATE = Setting.string("ca_certificate",
            "the PEM file of the CA that signed the cluster's https certificate (such as http_ca.crt), relative to the config file; "
                    + "without it the JVM's trusted CAs are used");
    static final Setting<Boolean> TLS_VERIFY_HOSTNAME = Setting.bool("tls_verify_hostname",
            "whether the cluster's https certificate must name the host of elasticsearch.urls (turn off only for a certificate "
                    + "issued without the host's name)").withDefault(true);

    static final List<Setting<?>> SETTINGS = List.of(URLS, USERNAME, PASSWORD, API_KEY, CONNECT_TIMEOUT, REQUEST_TIMEOUT,
            CA_CERTIFICATE, TLS_VERIFY_HOSTNAME);

    static ElasticsearchConfig read(YamlNode node, Path baseDir, Problems problems) {
        if (node.isMissing()) {
            problems.add(node.location(), "missing required section 'elasticsearch' (with at least 'urls')");
            return null;
        }
        Setting.rejectUnknownKeys(node, SETTINGS, problems);
        List<URI> urls = new ArrayList<>();
        YamlNode urlNode = node.get("urls");
        List<String> texts = new ArrayList<>();
        if (urlNode.isList()) {
            urlNode.items().forEach(i -> texts.add(i.text()));
        } else {
            String joined = URLS.read(node, problems);
            if (joined != null) {
                for (String s : joined.split(",")) {
                    texts.add(s.trim());
                }
            }
        }
        for (String text : texts) {
            try {
                URI uri = URI.create(text == null ? "" : text);
                if (uri.getHost() == null || uri.getScheme() == null
                        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                    throw new IllegalArgumentException();
                }
                urls.add(uri);
            } catch (IllegalArgumentException e) {
                problems.add(urlNode.location(), "'" + urlNode.path() + "' has '" + text
                        + "', which is not an http(s) address such as http://127.0.0.1:9200");
            }
        }
        Path ca = PemCertificates.readSetting(CA_CERTIFICATE, node, baseDir, problems);
        if (ca != null && !urls.isEmpty() && urls.stream().noneMatch(u -> "https".equals(u.getScheme()))) {
            problems.add(node.get(CA_CERTIFICATE.key()).location(), "'" + node.get(CA_CERTIFICATE.key()).path()
                    + "' is set, but no address of elasticsearch.urls uses https, so it would not be used: write the urls as https://...");
        }
        String username = USERNAME.read(node, problems);
        String apiKey = API_KEY.read(node, problems);
        if (username != null && apiKey != null) {
            problems.add(node.get(API_KEY.key()).location(), "both '" + node.get(USERNAME.key()).path() + "' and '"
                    + node.get(API_KEY.key()).path() + "' are set: use one way to authenticate, the API key or the user and password");
        }
        return new ElasticsearchConfig(List.copyOf(urls), username, PASSWORD.read(node, problems),
                apiKey, CONNECT_TIMEOUT.read(node, problems), REQUEST_TIMEOUT.read(node, problems), ca,
                TLS_VERIFY_HOSTNAME.read(node, problems));
    }

    @Override
    public String toString() {
        return "ElasticsearchConfig[" + urls + (username != null ? " user " + username : "") + (apiKey != null ? " api key" : "")
                + (caCertificate != null ? " ca " + caCertificate : "") + "]";
    }
}
