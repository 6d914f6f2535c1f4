package io.mosaic.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.mosaic.config.MosaicConfig;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.config.Problems;
import io.mosaic.pipeline.Components;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.pipeline.Preflight;
import io.mosaic.es.ElasticsearchGateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mosaic validate}: checks the configuration and mappings and reports every problem at once. */
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
            problems.throwIfAny();
        }
        for (DocumentMapping m : mappings.documents()) {
            System.out.printf("document %s: index %s (alias %s), root %s, %d field(s), %d lookup(s), %d collection(s)%n",
                    m.name(), m.indexName(), m.alias(), m.root().id(), m.fields().size(), m.allLookups().size(), m.collections().size());
        }
        System.out.println("configuration OK: " + cfg.sources().size() + " source(s), " + mappings.documents().size() + " document type(s)");
        return 0;
    }
}
