package io.mosaic.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.mosaic.config.MosaicConfig;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.pipeline.SnapshotRequests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mosaic snapshot}: an on-demand backfill of some tables of one source (all their rows, or those
 * matching a condition) while streaming goes on, through Debezium's incremental snapshots. The running
 * {@code mosaic run} that streams the source does the work; this command only signals it.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Read some tables of a source again while streaming goes on (an incremental snapshot), for example after a "
                + "mapping started to read a table or column it did not read before.")
public final class SnapshotCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
    Path config;

    @Option(names = "--source", required = true, description = "the source whose tables to read")
    String source;

    @Option(names = "--table", required = true, description = "a mapped table of the source, as the mapping names it (e.g. public.employees); repeatable")
    List<String> tables = new ArrayList<>();

    @Option(names = "--where", description = "read only the rows matching this SQL condition on the tables' columns, e.g. \"id > 1000\"")
    String where;

    @Override
    public Integer call() throws Exception {
        MosaicConfig cfg = MosaicConfig.load(ExitCodes.configPath(config));
        String id;
        try {
            id = SnapshotRequests.request(cfg, Mosaic.loadMappings(cfg), source, tables, where);
        } catch (SnapshotRequests.Refused e) {
            System.err.println("error: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        System.out.println("snapshot of " + tables + (where == null ? "" : " where " + where) + " requested from source " + source
                + " (signal " + id + "); the process streaming it reads the rows in chunks while streaming goes on: "
                + "its log says when it starts and ends, and /status shows the rows read");
        return ExitCodes.OK;
    }
}
