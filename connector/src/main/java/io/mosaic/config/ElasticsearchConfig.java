package io.mosaic.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The Elasticsearch cluster Mosaic writes to, and how to talk to it. */
public record ElasticsearchConfig(
        List<URI> urls,
        String username,
        String password,
        String apiKey,
        Duration connectTimeout,
        Duration requestTimeout) {

    static final Setting<String> URLS = Setting.string("urls",
            "the cluster's HTTP addresses, comma-separated, such as http://127.0.0.1:9200").required();
    static final Setting<String> USERNAME = Setting.string("username", "basic-auth user (optional)");
    static final Setting<String> PASSWORD = Setting.string("password", "basic-auth password; use ${ENV_VAR} or ${file:PATH}").secret();
    static final Setting<String> API_KEY = Setting.string("api_key", "an encoded API key (optional); use ${ENV_VAR} or ${file:PATH}").secret();
    static final Setting<Duration> CONNECT_TIMEOUT = Setting.duration("connect_timeout", "how long to wait for a connection")
            .withDefault(Duration.ofSeconds(5));
    static final Setting<Duration> REQUEST_TIMEOUT = Setting.duration("request_timeout", "how long one request may take before it is retried")
            .withDefault(Duration.ofSeconds(30));

    static final List<Setting<?>> SETTINGS = List.of(URLS, USERNAME, PASSWORD, API_KEY, CONNECT_TIMEOUT, REQUEST_TIMEOUT);

    static ElasticsearchConfig read(YamlNode node, Problems problems) {
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
        return new ElasticsearchConfig(List.copyOf(urls), USERNAME.read(node, problems), PASSWORD.read(node, problems),
                API_KEY.read(node, problems), CONNECT_TIMEOUT.read(node, problems), REQUEST_TIMEOUT.read(node, problems));
    }

    @Override
    public String toString() {
        return "ElasticsearchConfig[" + urls + (username != null ? " user " + username : "") + "]";
    }
}
