package io.mosaic.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.mosaic.config.MosaicConfig;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.config.Problems;
import io.mosaic.config.SourceConfig;
import io.mosaic.source.SourceInspector;
import io.mosaic.source.SourceProbe;
import io.mosaic.source.SourceSetup;
import io.mosaic.pipeline.Components;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.pipeline.Preflight;
import io.mosaic.es.ElasticsearchGateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mosaic validate}: checks the configuration and mappings and reports every problem at once, and
 * prints the SQL that sets up each source (grants, replica identities, the publication's column lists).
 */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Check the configuration and mapping files against the live sources and Elasticsearch.")
public final class ValidateCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
    Path config;

    @Option(names = "--offline", description = "check the files only, without connecting to the sources and Elasticsearch")
    boolean offline;

    @Override
    public Integer call() {
        MosaicConfig cfg = MosaicConfig.load(ExitCodes.configPath(config));
        MappingSet mappings = Mosaic.loadMappings(cfg);
        if (!offline) {
            Problems problems = new Problems();
            try (ElasticsearchGateway es = Components.checkingGateway(cfg)) {
                Preflight.check(cfg, mappings, es, cfg.sources().keySet(), problems);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            printSetup(cfg, mappings); // also when there are problems: the script has their fixes
            problems.throwIfAny();
        } else {
            printSetup(cfg, mappings);
        }
        for (DocumentMapping m : mappings.documents()) {
            System.out.printf("document %s: index %s (alias %s), root %s, %d field(s), %d lookup(s), %d collection(s)%n",
                    m.name(), m.indexName(), m.alias(), m.root().id(), m.fields().size(), m.allLookups().size(), m.collections().size());
        }
        System.out.println("configuration OK: " + cfg.sources().size() + " source(s), " + mappings.documents().size() + " document type(s)");
        return 0;
    }

    /**
     * Prints, per source, the SQL a DBA runs so that Mosaic can read it: grants, replica identities and
     * the publication with its column lists, from the live catalog when the source answers, else from
     * the mappings alone (taking PostgreSQL 15 or later and the tables as the mappings describe them).
     */
    private void printSetup(MosaicConfig cfg, MappingSet mappings) {
        System.out.println("-- the SQL that sets up each source for Mosaic (Mosaic creates a missing publication itself when its user may)");
        for (SourceConfig source : cfg.sources().values()) {
            List<String> script = null;
            if (!offline) {
                try (Connection c = SourceProbe.connect(source)) {
                    script = new SourceInspector(source).setupSql(c, mappings);
                } catch (Exception e) {
                    script = null; // reported by the checks; the mapping alone still says what is needed
                }
            }
            if (script == null) {
                System.out.println("-- source '" + source.name() + "' was not read: from the mappings alone");
                script = new SourceSetup(source, mappings, Map.of(), 0).script(false);
            }
            script.forEach(System.out::println);
        }
    }
}
