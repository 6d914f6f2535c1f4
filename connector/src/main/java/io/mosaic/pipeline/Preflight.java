package io.mosaic.pipeline;

import java.sql.Connection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.mosaic.config.ElasticsearchConfig;
import io.mosaic.config.MosaicConfig;
import io.mosaic.config.Problems;
import io.mosaic.config.SourceConfig;
import io.mosaic.config.StateConfig;
import io.mosaic.mapping.MappingSet;
import io.mosaic.mapping.MappingValidator;
import io.mosaic.source.SourceInspector;
import io.mosaic.source.SourceProbe;
import io.mosaic.model.TableInfo;
import io.mosaic.offsets.StoredPositions;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.ErrorClassifier;

/**
 * Everything checked against the live sources and cluster before Mosaic starts (and by
 * {@code mosaic validate}): every source and Elasticsearch reachable, every mapped table, column and
 * key present, conversions possible, replication configured, templates consistent with the mappings.
 * All problems are collected; none stops the others from being found. A server that cannot be reached
 * is an {@linkplain Problems#addOutage outage}: {@code mosaic run} waits for it, {@code validate} reports it.
 * The gateway given should not retry, so that an unreachable cluster is reported, not waited for.
 */
public final class Preflight {

    private Preflight() {
    }

    /** @param sources the sources to check (those this process runs) */
    public static void check(MosaicConfig config, MappingSet mappings, ElasticsearchGateway es, Set<String> sources, Problems problems) {
        check(config, mappings, es, sources, Set.of(), problems);
    }

    /** @param resnapshot sources about to be snapshotted again, whose stored position does not matter */
    public static void check(MosaicConfig config, MappingSet mappings, ElasticsearchGateway es, Set<String> sources,
                             Set<String> resnapshot, Problems problems) {
        String configFile = config.file().toString();
        boolean esAnswered = false;
        if (es != null) {
            try {
                es.health();
                checkPrivileges(config, mappings, es, problems);
                esAnswered = true;
            } catch (Exception e) {
                String message = "elasticsearch: cannot reach " + es.describe() + ": " + ErrorClassifier.describe(e)
                        + ". " + clusterHint(e, config.elasticsearch());
                if (ErrorClassifier.isRetryable(e)) {
                    problems.addOutage(configFile, message);
                } else {
                    problems.add(configFile, message);
                }
            }
        }
        unusedSources(config, mappings, sources, problems);
        Map<String, TableInfo> tables = new HashMap<>();
        Map<String, java.util.List<String>> existing = new HashMap<>();
        Set<String> checked = new LinkedHashSet<>();
        for (SourceConfig s : config.sources().values()) {
            if (!sources.contains(s.name())) {
                continue;
            }
            String location = configFile + ": sources." + s.name();
            try (Connection c = SourceProbe.connect(s)) {
                SourceInspector inspector = new SourceInspector(s);
                Map<String, TableInfo> found = inspector.tables(c, mappings.tables(s.name()));
                tables.putAll(found);
                if (found.size() < mappings.tables(s.name()).size()) {
                    existing.put(s.name(), inspector.tableNames(c));
                }
                // a missing table is reported once, by the mapping check, not again as unpublished
                inspector.checkReplication(c, mappings, found, location, problems);
                if (es != null && positionsReadable(config.state(), esAnswered) && !resnapshot.contains(s.name())) {
                    Map<String, Object> offset;
                    try {
                        offset = new StoredPositions(config.state(), es).offset(s);
                    } catch (Exception e) {
                        offset = null; // unknown (the cluster stopped answering after its health check): not checked
                    }
                    String lost = offset == null ? null : inspector.lostPosition(c, offset);
                    if (lost != null) {
                        problems.add(location, "source '" + s.name() + "': " + lostPositionAdvice(config, s, lost));
                    }
                    String backfill = offset == null ? null : unreadableBackfill(config, mappings, s, es);
                    if (backfill != null) {
                        problems.add(location, backfill);
                    }
                }
                checked.add(s.name());
            } catch (Exception e) {
                if (SourceProbe.isOutage(e)) {
                    problems.addOutage(configFile, SourceProbe.unreachable(s, e));
                } else {
                    problems.add(configFile, SourceProbe.unreachable(s, e));
                }
            }
        }
        MappingValidator.check(mappings, tables, checked, existing, problems);
    }

    /**
     * A source no mapping reads from: reported with the other problems, not before them, because the
     * usual cause is a lookup or collection that lacks {@code source:} and so reads from its owner's
     * source, where its table is then reported missing (issue 15).
     */
    static void unusedSources(MosaicConfig config, MappingSet mappings, Set<String> sources, Problems problems) {
        for (String source : config.sources().keySet()) {
            if (sources.contains(source) && mappings.tables(source).isEmpty()) {
                problems.add(config.file() + ": sources." + source, "no mapping reads from source '" + source + "': a lookup or "
                        + "collection of one of its tables needs 'source: " + source + "' (without it, it reads from its owner's source); "
                        + "if no table of it is to be mapped, remove the source from the config file");
            }
        }
    }

    /**
     * Asks a secured cluster whether the configured credentials have every privilege Mosaic needs
     * ({@link RequiredPrivileges}) and reports those they lack, all together. A cluster without security
     * has no such API: nothing to check.
     */
    static void checkPrivileges(MosaicConfig config, MappingSet mappings, ElasticsearchGateway es, Problems problems) throws Exception {
        Map<String, Object> answer = es.send("POST", "/_security/user/_has_privileges",
                RequiredPrivileges.hasPrivilegesRequest(mappings, config.state().inElasticsearch()), 400, 404, 405, 500);
        if (answer.get("status") instanceof Integer status && status >= 400) {
            return; // security is off (no handler for the URI) or the API is not offered
        }
        java.util.List<String> missing = RequiredPrivileges.missing(answer);
        if (!missing.isEmpty()) {
            problems.add(config.file().toString(), "elasticsearch: the credentials of " + es.describe() + " (user '"
                    + answer.get("username") + "') lack " + String.join(", ", missing) + ". Give them the role of the README's "
                    + "'Secured Elasticsearch' section (cluster " + RequiredPrivileges.CLUSTER + ", on Mosaic's indices "
                    + RequiredPrivileges.INDICES + ", on each alias " + RequiredPrivileges.ALIASES + ").");
        }
    }

    /**
     * What to fix when the cluster's health check failed for {@code e}: the setting that a TLS
     * failure or a refused credential points to, or the general advice for anything else.
     */
    static String clusterHint(Throwable e, ElasticsearchConfig c) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof javax.net.ssl.SSLPeerUnverifiedException) {
                return "The cluster's TLS certificate does not name the host of elasticsearch.urls: use a host name it names, "
                        + "or set elasticsearch.tls_verify_hostname: false.";
            }
            if (t instanceof java.security.cert.CertPathBuilderException || t instanceof java.security.cert.CertPathValidatorException
                    || t instanceof java.security.cert.CertificateException) {
                return c.caCertificate() != null
                        ? "The cluster's TLS certificate is not signed by the CA in elasticsearch.ca_certificate (" + c.caCertificate()
                                + "): set it to the PEM file of the cluster's CA (http_ca.crt on a self-managed cluster)."
                        : "The cluster's TLS certificate is not signed by a CA this JVM trusts: set elasticsearch.ca_certificate "
                                + "to the PEM file of the cluster's CA (http_ca.crt on a self-managed cluster).";
            }
            int status = t instanceof org.elasticsearch.client.ResponseException re ? re.getResponse().getStatusLine().getStatusCode()
                    : t instanceof co.elastic.clients.elasticsearch._types.ElasticsearchException ee ? ee.status() : 0;
            if (status == 401) {
                return "The cluster refused the credentials: check elasticsearch.api_key (the encoded key), or elasticsearch.username "
                        + "and password.";
            }
            if (status == 403) {
                return "The credentials lack a privilege Mosaic needs: give its role the privileges of the README's "
                        + "'Secured Elasticsearch' section.";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return "The TLS handshake with the cluster failed: check that elasticsearch.urls uses https:// only for a cluster "
                        + "with TLS on HTTP (http:// otherwise) and elasticsearch.ca_certificate.";
            }
        }
        return "Check elasticsearch.urls (and credentials) and that the cluster is running.";
    }

    /**
     * Why a source that streams already cannot start with this mapping, or null when it can: the mapping reads
     * tables or columns not captured before ({@link io.mosaic.offsets.CapturedTables}), and without a
     * {@code signal_table} Mosaic cannot read their existing rows by an incremental snapshot. Refused rather than
     * warned about: streaming on would leave every document without the new data until its rows happen to change,
     * which is the drift Mosaic exists to prevent, and a source that loses a mapped column is refused likewise.
     */
    static String unreadableBackfill(MosaicConfig config, MappingSet mappings, SourceConfig s, ElasticsearchGateway es) {
        if (s.signalTable() != null) {
            return null;
        }
        io.mosaic.offsets.CapturedTables.Stored stored;
        try {
            stored = new io.mosaic.offsets.CapturedTables(config.state(), es).read(s);
        } catch (Exception e) {
            return null; // unknown (the cluster stopped answering after its health check): the start checks again
        }
        if (stored == null) {
            return null; // the first start with this version: the mapping is taken as captured
        }
        java.util.Map<String, Set<String>> missing = io.mosaic.offsets.CapturedTables.missing(stored.tables(),
                io.mosaic.offsets.CapturedTables.mapped(mappings, s.name()));
        return missing.isEmpty() ? null : noSignalTable(s, missing, stored.tables());
    }

    /** The refusal of a backfill without a signal table: the source, the tables and columns, and both fixes. */
    static String noSignalTable(SourceConfig s, java.util.Map<String, Set<String>> missing, java.util.Map<String, Set<String>> captured) {
        return "source '" + s.name() + "': the mapping reads what Mosaic has not captured from it before: "
                + io.mosaic.offsets.CapturedTables.describe(missing, captured) + ". Their existing rows must be read; without a full "
                + "re-snapshot that is an incremental snapshot, which needs a signal table: create it (docs/OPERATIONS.md, 'On-demand "
                + "backfill') and set sources." + s.name() + ".signal_table, and the restart backfills "
                + io.mosaic.offsets.CapturedTables.tables(missing) + " by itself; or take a new snapshot of the whole source with "
                + "'mosaic run --resnapshot " + s.name() + "'";
    }

    private static String lostPositionAdvice(MosaicConfig config, SourceConfig s, String lost) {
        return lost + ": the changes since Mosaic's last position cannot be read any more. Run 'mosaic run --config "
                + config.file().getFileName() + " --resnapshot " + s.name() + "' to take a new snapshot (rows deleted meanwhile are "
                + "removed from the documents)";
    }

    /**
     * The check before a failed source is restarted in-process, as at start-up: the server answers
     * (else this throws, and {@link SourceProbe#isOutage} or {@link io.mosaic.source.SourceFailures} says
     * whether waiting helps) and the stored position still exists. Returns why it does not, with what
     * to do, or null when the source can resume.
     */
    public static String lostPosition(MosaicConfig config, SourceConfig s, ElasticsearchGateway es) throws Exception {
        try (Connection c = SourceProbe.connect(s)) {
            Map<String, Object> offset = new StoredPositions(config.state(), es).offset(s);
            String lost = offset == null ? null : new SourceInspector(s).lostPosition(c, offset);
            return lost == null ? null : lostPositionAdvice(config, s, lost);
        }
    }

    /**
     * Whether the stored positions can be looked up: not from a cluster that did not answer its health
     * check. Behind a network partition each lookup would hang for a timeout of its own, so that every
     * start-up attempt lasted one timeout per source more (NetworkPartitionIT); the attempt after the
     * cluster answers checks them. Positions in files are always readable.
     */
    static boolean positionsReadable(StateConfig state, boolean clusterAnswered) {
        return clusterAnswered || !state.inElasticsearch();
    }
}
