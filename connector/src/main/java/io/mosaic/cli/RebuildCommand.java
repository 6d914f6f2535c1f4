package io.mosaic.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.mosaic.config.MosaicConfig;
import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.Retry;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.pipeline.Components;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.pipeline.RebuildProgress;
import io.mosaic.writer.IndexManager;
import io.mosaic.writer.IndexRebuild;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mosaic rebuild}: builds the index version a mapping names ({@code index.version}) from Mosaic's
 * state index, reading no source, while {@code mosaic run} goes on streaming; then moves the alias to it
 * in one request, catches up what changed meanwhile, and deletes the old index after a grace period.
 * The order of steps and why no change is lost is in {@link IndexRebuild}; the runbook is docs/OPERATIONS.md.
 */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = "Build the index version the mapping names from Mosaic's state (no source is read), move the alias to it, "
                + "and delete the old index after a grace period.")
public final class RebuildCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
    Path config;

    @Option(names = "--document", description = "only this document type (its alias or its name); repeatable")
    List<String> documents = new ArrayList<>();

    @Option(names = "--keep-old", description = "keep the old index (without the alias) instead of deleting it")
    boolean keepOld;

    @Option(names = "--grace", defaultValue = "60s",
            description = "how long to wait after the alias moved before the old index is deleted, so that searches and writes "
                    + "in flight finish (default ${DEFAULT-VALUE}; e.g. 0s, 90s, 10m)")
    String grace;

    @Override
    public Integer call() throws Exception {
        Duration graceTime;
        try {
            graceTime = Duration.parse("PT" + grace.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (Exception e) {
            System.err.println("error: --grace " + grace + " is not a duration such as 0s, 90s or 10m");
            return ExitCodes.CONFIG;
        }
        MosaicConfig cfg = MosaicConfig.load(ExitCodes.configPath(config));
        MappingSet mappings = Mosaic.loadMappings(cfg);
        this.cfg = cfg;
        this.mappings = mappings;
        List<DocumentMapping> chosen = new ArrayList<>();
        for (DocumentMapping m : mappings.documents()) {
            if (documents.isEmpty() || documents.contains(m.alias()) || documents.contains(m.name())) {
                chosen.add(m);
            }
        }
        List<String> unknown = documents.stream().filter(d -> mappings.documents().stream()
                .noneMatch(m -> m.alias().equals(d) || m.name().equals(d))).toList();
        if (!unknown.isEmpty()) {
            System.err.println("error: --document " + unknown + " is not a document type of " + cfg.file() + "; it has "
                    + mappings.documents().stream().map(DocumentMapping::alias).toList());
            return ExitCodes.CONFIG;
        }
        Retry retry = Components.commandRetry(cfg);
        try (ElasticsearchGateway es = Components.gateway(cfg, retry)) {
            IndexManager indices = new IndexManager(es);
            IndexRebuild rebuild = new IndexRebuild(Components.documentStore(es, retry));
            int code = ExitCodes.OK;
            for (DocumentMapping m : chosen) {
                code = Math.max(code, rebuild(m, es, indices, rebuild, graceTime));
            }
            return code;
        }
    }

    private int rebuild(DocumentMapping m, ElasticsearchGateway es, IndexManager indices, IndexRebuild rebuild, Duration graceTime)
            throws Exception {
        String target = m.indexName();
        if (m.isSingleTable()) {
            System.err.println(m.alias() + ": built from one table, so Mosaic keeps no state for it and cannot rebuild it without reading "
                    + "the source; not done yet: see docs/OPERATIONS.md (mapping change) for the steps");
            return ExitCodes.CONFIG;
        }
        List<String> current = indices.aliasIndices(m.alias());
        if (current == null) {
            System.err.println(m.alias() + ": the alias does not exist yet; `mosaic run` creates " + target + " behind it, there is nothing to rebuild");
            return ExitCodes.CONFIG;
        }
        if (current.contains(target)) {
            System.err.println(m.alias() + ": the alias already points to " + target + ", the index.version " + m.indexVersion() + " of "
                    + m.file() + "; to rebuild, raise index.version there (and restart `mosaic run` with it), then run rebuild again");
            return ExitCodes.CONFIG;
        }
        if (current.size() != 1) {
            System.err.println(m.alias() + ": the alias points to " + current + "; move it to one index by hand first");
            return ExitCodes.CONFIG;
        }
        String old = current.get(0);
        es.refresh(m.stateIndex());
        Map<String, Object> counted = es.send("POST", "/" + m.stateIndex() + "/_count", Map.of("query", IndexRebuild.statesQuery()));
        long total = ((Number) counted.get("count")).longValue();
        System.err.println(m.alias() + ": building " + target + " from " + m.stateIndex() + " (" + total + " documents); " + old
                + " keeps serving the alias meanwhile");

        Reporter report = new Reporter(es, m.alias(), target, total);
        try {
            return rebuild(m, es, indices, rebuild, graceTime, target, old, total, report);
        } finally {
            // refused before the alias moved, or thrown; a done rebuild stays done (only the old index's deletion can fail after it)
            if (report.unfinished()) {
                report.phase(RebuildProgress.FAILED, report.progress.done());
            }
        }
    }

    private int rebuild(DocumentMapping m, ElasticsearchGateway es, IndexManager indices, IndexRebuild rebuild, Duration graceTime,
                        String target, String old, long total, Reporter report) throws Exception {
        indices.ensureTemplate(m);
        indices.createEmpty(target);
        // nobody searches the new index before the alias moves: no refresh while the first pass bulk-indexes into it
        String refresh = indices.refreshInterval(target);
        indices.refreshInterval(target, "-1");
        ProgressBar bar = ProgressBar.onStderr(m.alias(), total);
        IndexRebuild.Result first = rebuild.run(m, target, false, done -> {
            bar.update(done);
            report.update(done);
        });
        bar.finish(first.states());
        if (!first.missingColumns().isEmpty()) {
            indices.deleteIndex(target);
            System.err.println(m.alias() + ": the state does not hold every column " + m.file() + " reads, so " + target
                    + " cannot be built from it (stored rows lacking each column: " + first.missingColumns() + "). The columns were not "
                    + "mapped when the rows were captured. Nothing changed: the alias still points to " + old + ".");
            for (String line : backfill(first.missingColumns(), es)) {
                System.err.println(m.alias() + ": " + line);
            }
            return ExitCodes.CONFIG;
        }
        if (first.rejectedCount() > 0) {
            indices.deleteIndex(target);
            System.err.println(m.alias() + ": " + target + " rejected " + first.rejectedCount() + " document(s), for example " + first.rejected()
                    + "; fix the index template (" + m.template() + ") or the mapping, and run rebuild again. Nothing changed: the alias "
                    + "still points to " + old + ".");
            return ExitCodes.FAILURE;
        }
        indices.refreshInterval(target, refresh); // the template's, before any search can see the index
        es.refresh(target);
        indices.moveAlias(m.alias(), old, target);
        report.phase(RebuildProgress.MOVED, first.states());
        System.err.println(m.alias() + ": the alias now points to " + target + "; catching up the changes written meanwhile");
        report.phase(RebuildProgress.CATCHING_UP, 0);
        if (first.checkpoint().isEmpty()) {
            System.err.println(m.alias() + ": the catch-up reads every state again: the role cannot read " + m.stateIndex()
                    + "'s index stats (grant it the 'monitor' privilege on that index to read only what changed)");
        }
        IndexRebuild.Result second = rebuild.run(m, target, true, report::update, first.checkpoint());
        report.phase(code(second) == ExitCodes.OK ? RebuildProgress.DONE : RebuildProgress.FAILED, second.states());
        System.err.printf(java.util.Locale.ROOT, "%s: %,d documents written, %,d deleted, %,d already newer (written by the stream)%n",
                m.alias(), first.written() + second.written(), second.deleted(), second.stale());
        int code = code(second);
        if (second.rejectedCount() > 0) {
            System.err.println(m.alias() + ": " + second.rejectedCount() + " document(s) changed meanwhile were rejected by " + target
                    + ", for example " + second.rejected() + "; the stream will write them as dead letters too: see `mosaic dead-letters list`");
            code = ExitCodes.FAILURE;
        }
        if (keepOld) {
            System.err.println(m.alias() + ": " + old + " is kept (--keep-old); delete it with DELETE /" + old + " when no longer needed");
        } else {
            if (!graceTime.isZero()) {
                System.err.println(m.alias() + ": deleting " + old + " in " + graceTime.toSeconds() + " s (--grace)");
                Thread.sleep(graceTime.toMillis());
            }
            indices.deleteIndex(old);
            System.err.println(m.alias() + ": " + old + " deleted");
        }
        return code;
    }

    private MosaicConfig cfg;
    private MappingSet mappings;

    /**
     * When the state lacks columns: what to do per source, and for a source with a {@code signal_table} the
     * fallback itself, an incremental snapshot of exactly the tables concerned (as {@code mosaic snapshot}), unless
     * the running service already backfills them (it does so by itself at its start with the new mapping: see
     * {@code pipeline.Backfill}). The rebuild does not wait for it: knowing that every row is in the state again
     * takes a pass over the whole state, and the service's log and {@code /status} say when the snapshot has ended.
     */
    private List<String> backfill(Map<String, Long> missingColumns, ElasticsearchGateway es) {
        Map<String, java.util.LinkedHashSet<String>> bySource = new java.util.LinkedHashMap<>();
        for (io.mosaic.model.TableRef t : mappings.allTables()) {
            for (String column : missingColumns.keySet()) {
                if (column.startsWith(t.id() + ".") && column.indexOf('.', t.id().length() + 1) < 0) {
                    bySource.computeIfAbsent(t.source(), k -> new java.util.LinkedHashSet<>()).add(t.table());
                }
            }
        }
        List<String> out = new ArrayList<>();
        bySource.forEach((name, tableSet) -> {
            List<String> tables = List.copyOf(tableSet);
            io.mosaic.config.SourceConfig source = cfg.sources().get(name);
            if (source.signalTable() == null) {
                out.add("source " + name + " has no signal_table, so its tables " + tables + " cannot be read again on their own: "
                        + "start `mosaic run` with this mapping and `--resnapshot " + name + "` (or set sources." + name + ".signal_table "
                        + "and restart `mosaic run` with this mapping: it then backfills them by itself), and run rebuild afterwards");
                return;
            }
            try {
                io.mosaic.offsets.CapturedTables.Stored stored = new io.mosaic.offsets.CapturedTables(cfg.state(), es).read(source);
                if (stored != null && stored.backfill().containsAll(tables)) {
                    out.add("`mosaic run` is backfilling " + stored.backfill() + " of source " + name + " (asked for at "
                            + stored.backfillRequestedAt() + "); run rebuild again when it has finished (its log says so, and /status "
                            + "shows sources[].backfill.phase done)");
                    return;
                }
                String id = io.mosaic.pipeline.SnapshotRequests.request(cfg, mappings, name, tables, null);
                out.add("requested an incremental snapshot of " + tables + " from source " + name + " (signal " + id + "): the `mosaic run` "
                        + "streaming it reads their rows again, with the new columns if it runs this mapping (if it does not yet, restart it "
                        + "with this mapping instead: it then backfills these tables by itself). Run rebuild again when its log says the "
                        + "snapshot has ended");
            } catch (Exception e) {
                out.add("could not ask source " + name + " for a snapshot of " + tables + " (" + e.getMessage() + "); run `mosaic snapshot "
                        + "--source " + name + tables.stream().map(t -> " --table " + t).collect(java.util.stream.Collectors.joining())
                        + "` once `mosaic run` streams it with this mapping, then rebuild again");
            }
        });
        return out;
    }

    private static int code(IndexRebuild.Result catchUp) {
        return catchUp.rejectedCount() > 0 ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    /**
     * Writes the rebuild's {@link RebuildProgress} for the running service's {@code /status} and metrics:
     * at every phase, and within a pass at most every {@link RebuildProgress#EVERY}. A report that cannot
     * be written is said once and does not stop the rebuild.
     */
    static final class Reporter {
        private final ElasticsearchGateway es;
        RebuildProgress progress;
        private long passStartedNanos = System.nanoTime();
        private long lastWrittenNanos;
        private boolean warned;

        Reporter(ElasticsearchGateway es, String alias, String target, long total) {
            this.es = es;
            long now = System.currentTimeMillis();
            progress = new RebuildProgress(alias, target, RebuildProgress.BUILDING, 0, total, 0, now, now);
            try {
                RebuildProgress.ensureIndex(es);
            } catch (Exception e) {
                warn(e);
            }
            write();
        }

        boolean unfinished() {
            return !progress.phase().equals(RebuildProgress.DONE) && !progress.phase().equals(RebuildProgress.FAILED);
        }

        /** {@code done} states of the current pass. */
        void update(long done) {
            progress = progress.with(progress.phase(), done, rate(done), System.currentTimeMillis());
            if (System.nanoTime() - lastWrittenNanos >= RebuildProgress.EVERY.toNanos()) {
                write();
            }
        }

        /** A new phase; a pass ({@code building}, {@code catching-up}) counts from 0 with a rate of its own. */
        void phase(String phase, long done) {
            if (phase.equals(RebuildProgress.CATCHING_UP)) {
                passStartedNanos = System.nanoTime();
            }
            // done and failed keep the rate of the pass they end
            progress = progress.with(phase, done, phase.equals(RebuildProgress.MOVED) ? progress.rate() : rate(done),
                    System.currentTimeMillis());
            write();
        }

        private double rate(long done) {
            double seconds = (System.nanoTime() - passStartedNanos) / 1e9;
            return seconds <= 0 ? 0 : done / seconds;
        }

        private void write() {
            lastWrittenNanos = System.nanoTime();
            try {
                progress.write(es);
            } catch (Exception e) {
                warn(e);
            }
        }

        private void warn(Exception e) {
            if (!warned) {
                warned = true;
                System.err.println(progress.alias() + ": cannot report progress in " + RebuildProgress.INDEX + " (" + e.getClass().getSimpleName()
                        + "), so `mosaic run`'s /status will not show it; the rebuild goes on");
            }
        }
    }
}
