package io.mosaic.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mosaic.config.MosaicConfig;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.Retry;
import io.mosaic.mapping.MappingSet;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.pipeline.Components;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.verify.Verifier;
import io.mosaic.verify.VerifyReport;
import io.mosaic.writer.DocumentWriter;
import io.mosaic.writer.ElasticsearchDeadLetters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mosaic verify [--repair] [--sample N] [--report FILE.json] [--rate ROWS_PER_S]}: compares the
 * documents with the sources' current rows ({@link Verifier}), prints what drifted (ids and field names,
 * never values), and exits {@link ExitCodes#DRIFT} when drift remains. With {@code --repair} the drifted
 * documents are rewritten through the normal ordered write path, which no newer change can lose to.
 * It runs beside a streaming Mosaic and blocks nothing.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Compare the documents with the sources' current rows; exit 3 on drift. --repair rewrites what differs.")
public final class VerifyCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
    Path config;

    @Option(names = "--repair", description = "rewrite the drifted documents through the normal write path, then check them again")
    boolean repair;

    @Option(names = "--sample", description = "check N random documents of each type (and N random root rows) instead of all")
    int sample;

    @Option(names = "--report", description = "write the report as JSON to this file (ids and field names only)")
    Path report;

    @Option(names = "--rate", description = "read at most this many rows per second from the sources (default: no limit)")
    double rate;

    @Option(names = "--settle", description = "how long to wait before checking again a document that differs (default: ${DEFAULT-VALUE})",
            defaultValue = "10s", converter = DurationConverter.class)
    Duration settle;

    @Option(names = "--page-size", description = "root rows per range and snapshot (default: ${DEFAULT-VALUE})", defaultValue = "500")
    int pageSize;

    @Override
    public Integer call() throws Exception {
        if (sample < 0 || rate < 0 || pageSize < 1) {
            System.err.println("error: --sample and --rate must not be negative, --page-size must be at least 1");
            return ExitCodes.CONFIG;
        }
        MosaicConfig cfg = MosaicConfig.load(ExitCodes.configPath(config));
        MappingSet mappings = Mosaic.loadMappings(cfg);
        Retry retry = Components.commandRetry(cfg);
        try (ElasticsearchGateway es = Components.gateway(cfg, retry)) {
            DocumentWriter writer = null;
            if (repair) {
                MosaicMetrics metrics = new MosaicMetrics();
                metrics.bindTo(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                writer = Components.writer(cfg, mappings, es, retry, metrics, new ElasticsearchDeadLetters(es));
            }
            VerifyReport result;
            try (Verifier verifier = Verifier.open(cfg.sources(), mappings, es, writer, rate, pageSize, settle)) {
                result = verifier.run(sample);
            }
            result.summary().forEach(System.out::println);
            if (report != null) {
                result.write(report);
                System.out.println("report written to " + report);
            }
            System.out.println(result.drift() == 0 ? "no drift"
                    : result.drift() + " drifted document(s)" + (repair ? ", " + result.remaining() + " not repaired" : ""));
            return result.remaining() == 0 ? ExitCodes.OK : ExitCodes.DRIFT;
        }
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, or an ISO-8601 duration. */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase();
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.parse(value);
        }
    }
}
