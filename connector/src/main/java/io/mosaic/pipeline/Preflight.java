package io.mosaic.pipeline;

import java.sql.Connection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

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
                esAnswered = true;
            } catch (Exception e) {
                String message = "elasticsearch: cannot reach " + es.describe() + ": " + ErrorClassifier.describe(e)
                        + ". Check elasticsearch.urls (and credentials) and that the cluster is running.";
                if (ErrorClassifier.isRetryable(e)) {
                    problems.addOutage(configFile, message);
                } else {
                    problems.add(configFile, message);
                }
            }
        }
        Map<String, TableInfo> tables = new HashMap<>();
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
                // a missing table is reported once, by the mapping check, not again as unpublished
                inspector.checkReplication(c, mappings.tables(s.name()).stream().filter(t -> found.containsKey(t.id())).toList(),
                        location, problems);
                if (es != null && positionsReadable(config.state(), esAnswered) && !resnapshot.contains(s.name())) {
                    Map<String, Object> offset;
                    try {
                        offset = new StoredPositions(config.state(), es).offset(s);
                    } catch (Exception e) {
                        offset = null; // unknown (the cluster stopped answering after its health check): not checked
                    }
                    String lost = offset == null ? null : inspector.lostPosition(c, offset);
                    if (lost != null) {
                        problems.add(location, "source '" + s.name() + "': " + lost + ": the changes since Mosaic's last position "
                                + "cannot be read any more. Run 'mosaic run --config " + config.file().getFileName() + " --resnapshot "
                                + s.name() + "' to take a new snapshot (rows deleted meanwhile are removed from the documents)");
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
        MappingValidator.check(mappings, tables, checked, problems);
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
