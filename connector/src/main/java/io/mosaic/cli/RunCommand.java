package io.mosaic.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.config.MosaicConfig;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.es.ErrorClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mosaic run}: runs the service until it is stopped (SIGTERM) or a source fails. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the service: snapshot, then stream changes into Elasticsearch.")
public final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
    Path config;

    @Option(names = "--sources", split = ",", paramLabel = "NAME",
            description = "run only these sources of the config file (several processes can share one configuration)")
    java.util.Set<String> sources;

    @Option(names = "--resnapshot", split = ",", paramLabel = "NAME",
            description = "take a new snapshot of these sources (after their slot or log was lost); rows deleted meanwhile are removed")
    java.util.Set<String> resnapshot = java.util.Set.of();

    @Override
    public Integer call() throws Exception {
        MosaicConfig cfg = MosaicConfig.load(ExitCodes.configPath(config));
        Mosaic mosaic = new Mosaic(cfg, sources).resnapshot(resnapshot);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping");
            mosaic.close();
        }, "mosaic-shutdown"));
        mosaic.start();
        Throwable failure = mosaic.awaitTermination();
        if (failure != null) {
            System.err.println("error: " + ErrorClassifier.describe(failure));
            mosaic.close();
            return ExitCodes.FAILURE;
        }
        return 0;
    }
}
