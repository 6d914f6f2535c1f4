package io.mosaic.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mosaic.config.MosaicConfig;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.pipeline.Components;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.writer.DocumentWriter;
import io.mosaic.writer.ElasticsearchDeadLetters;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.Retry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mosaic dead-letters list|replay}: shows the changes Mosaic could not write, and writes them
 * again once the mapping, the template or the data is fixed. A replayed change keeps its version, so
 * a newer change of the same row already written is never overwritten by it.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true, description = "List or replay the changes that could not be written.",
        subcommands = {DeadLettersCommand.List.class, DeadLettersCommand.Replay.class})
public final class DeadLettersCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        new picocli.CommandLine(this).usage(System.out);
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters, oldest first.")
    static final class List implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
        Path config;

        @Override
        public Integer call() throws Exception {
            MosaicConfig cfg = MosaicConfig.load(ExitCodes.configPath(config));
            try (ElasticsearchGateway es = Components.gateway(cfg, Components.commandRetry(cfg))) {
                java.util.List<ElasticsearchGateway.Doc> letters = new ElasticsearchDeadLetters(es).all();
                for (ElasticsearchGateway.Doc d : letters) {
                    Map<String, Object> s = d.source();
                    System.out.printf("%s  %s %s key %s at %s (%s): %s%n", s.get("at"), s.get("source"), s.get("table"), s.get("key"),
                            s.get("position"), s.get("op"), s.get("error"));
                }
                System.out.println(letters.size() + " dead letter(s)");
            }
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Write dead letters again with the current mapping; those that succeed are removed.")
    static final class Replay implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
        Path config;

        @Option(names = "--source", description = "only the dead letters of this source")
        String source;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() throws Exception {
            MosaicConfig cfg = MosaicConfig.load(ExitCodes.configPath(config));
            MappingSet mappings = Mosaic.loadMappings(cfg);
            MosaicMetrics metrics = new MosaicMetrics();
            metrics.bindTo(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            Retry retry = Components.commandRetry(cfg);
            try (ElasticsearchGateway es = Components.gateway(cfg, retry)) {
                ElasticsearchDeadLetters store = new ElasticsearchDeadLetters(es);
                java.util.List<String> failedAgain = new ArrayList<>();
                DocumentWriter writer = Components.writer(cfg, mappings, es, retry, metrics, letter -> failedAgain.add(letter.id()));
                int replayed = 0;
                int kept = 0;
                for (ElasticsearchGateway.Doc d : store.all()) {
                    Map<String, Object> s = d.source();
                    if (source != null && !source.equals(s.get("source")) || s.get("op") == null) {
                        continue;
                    }
                    String tableId = (String) s.get("table");
                    TableRef table = mappings.allTables().stream().filter(t -> t.id().equals(tableId)).findFirst().orElse(null);
                    if (table == null) {
                        System.err.println("skipped " + d.id() + ": table " + tableId + " is no longer mapped");
                        kept++;
                        continue;
                    }
                    RowChange change = new RowChange(table, RowChange.Op.valueOf((String) s.get("op")), (Map<String, Object>) s.get("before"),
                            (Map<String, Object>) s.get("after"), ((Number) s.get("version")).longValue(), (String) s.get("position"), false);
                    failedAgain.clear();
                    writer.write(java.util.List.of(change));
                    if (failedAgain.isEmpty()) {
                        store.delete(d.id());
                        replayed++;
                    } else {
                        kept++;
                    }
                }
                System.out.println(replayed + " dead letter(s) replayed, " + kept + " still failing");
                return kept == 0 ? 0 : ExitCodes.FAILURE;
            }
        }
    }
}
