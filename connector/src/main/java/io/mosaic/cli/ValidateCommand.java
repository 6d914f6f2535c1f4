package io.mosaic.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.mosaic.Main;
import io.mosaic.config.MosaicConfig;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.pipeline.Mosaic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mosaic validate}: checks the configuration and mappings and reports every problem at once. */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Check the configuration and the mapping files.")
public final class ValidateCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
    Path config;

    @Override
    public Integer call() {
        MosaicConfig cfg = MosaicConfig.load(Main.configPath(config));
        MappingSet mappings = Mosaic.loadMappings(cfg);
        for (DocumentMapping m : mappings.documents()) {
            System.out.printf("document %s: index %s (alias %s), root %s, %d field(s), %d lookup(s), %d collection(s)%n",
                    m.name(), m.indexName(), m.alias(), m.root().id(), m.fields().size(), m.allLookups().size(), m.collections().size());
        }
        System.out.println("configuration OK: " + cfg.sources().size() + " source(s), " + mappings.documents().size() + " document type(s)");
        return 0;
    }
}
