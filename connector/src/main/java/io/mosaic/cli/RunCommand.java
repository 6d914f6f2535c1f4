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

/** {@code mosaic run}: runs the service until it is stopped (SIGTERM) or a source fails for good (exit 1). */
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
        // SIGTERM (Kubernetes) and SIGINT stop the service cleanly and the command exits 0: the engines stop
        // and commit the positions Elasticsearch acknowledged; a batch Debezium interrupts on its way is not
        // committed and is written again at the next start (harmlessly: writes are versioned). A JVM
        // shutdown hook would do the same work but end the process with 143.
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                LOG.info("stopping (SIG{}): the engines stop and commit the positions Elasticsearch acknowledged", signal.getName());
                Thread stopper = new Thread(mosaic::close, "mosaic-stop");
                stopper.start();
            });
        }
        mosaic.start();
        Throwable failure = mosaic.awaitTermination();
        mosaic.close(); // waits for a close in progress (a signal's) to finish
        if (failure != null) {
            // a source that gave up says which, where, why and what to do (a schema change: the mapping line and the fix)
            System.err.println("error: " + (failure instanceof io.mosaic.pipeline.SourceFailedException
                    || failure instanceof io.mosaic.source.SchemaChangeException ? failure.getMessage() : ErrorClassifier.describe(failure)));
            mosaic.close();
            return ExitCodes.FAILURE;
        }
        return 0;
    }
}
