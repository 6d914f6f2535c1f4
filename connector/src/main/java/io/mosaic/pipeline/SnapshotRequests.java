package io.mosaic.pipeline;

import java.util.List;

import io.mosaic.config.MosaicConfig;
import io.mosaic.config.SourceConfig;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.TableRef;
import io.mosaic.source.SnapshotSignal;

/**
 * An on-demand incremental snapshot, as {@code mosaic snapshot} and {@code POST /snapshot} ask for it:
 * the request is checked against the configuration and the mappings, then signalled to the source
 * (see {@link SnapshotSignal}). One place, so that both say the same about a bad request.
 */
public final class SnapshotRequests {

    /** A request that cannot be sent, with what to do; nothing was signalled. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private SnapshotRequests() {
    }

    /** Checks and signals; returns the signal's id. */
    public static String request(MosaicConfig config, MappingSet mappings, String sourceName, List<String> tables, String where)
            throws Exception {
        SourceConfig s = sourceName == null ? null : config.sources().get(sourceName);
        if (s == null) {
            throw new Refused("source " + sourceName + " is not a source of " + config.file() + "; it has " + config.sources().keySet());
        }
        if (s.signalTable() == null) {
            throw new Refused("source " + sourceName + " has no signal_table in " + config.file() + ": create the table as docs/OPERATIONS.md "
                    + "shows, set sources." + sourceName + ".signal_table, and restart mosaic run with it");
        }
        List<String> mapped = mappings.tables(sourceName).stream().map(TableRef::table).toList();
        if (tables == null || tables.isEmpty()) {
            throw new Refused("name at least one table of source " + sourceName + " to read: " + mapped);
        }
        List<String> unknown = tables.stream().filter(t -> !mapped.contains(t)).toList();
        if (!unknown.isEmpty()) {
            throw new Refused("table(s) " + unknown + " are not mapped from source " + sourceName + "; its mapped tables are " + mapped);
        }
        return SnapshotSignal.send(s, tables, where);
    }
}
