package io.mosaic.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.es.ElasticsearchGateway;
import io.mosaic.es.ElasticsearchGateway.Doc;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.verify.VerifyReport.Drift;
import io.mosaic.verify.VerifyReport.Kind;

/**
 * {@code mosaic verify}: compares, for each document type, the documents the sources' current rows give
 * with those in Elasticsearch, and reports the missing, extra and different ones ({@link VerifyReport}).
 *
 * <p><b>As a stream, in bounded memory.</b> Root rows are read in ranges of {@code pageSize} keys in
 * primary-key order; each range's root, child and lookup rows are read in one snapshot per source
 * ({@link SourceReader}), assembled by the writer's projection ({@link ExpectedDocuments}) and compared
 * with a realtime {@code mget} of the range's documents (for a routed type, a search by id over every shard,
 * so that a copy at a former routing is found too: {@link PublishedDocuments}). Extra documents (no root row) are found by
 * scanning the alias's ids ({@link ElasticsearchGateway#scan}) and asking the root table, a page at a time.
 * With a sample, random root keys and random document ids are checked the same way.
 *
 * <p><b>Drift, not lag.</b> A document that differs is a suspect, not yet drift: the pipeline may simply
 * not have caught up. Each suspect is checked again each time {@code settle} has passed (the sources read
 * again in fresh snapshots, the document read again). It is reported only once {@link #CONFIRMATIONS}
 * re-checks in a row found the same difference with neither its expected document nor its actual one
 * changed (compared by {@link DocumentDiff#fingerprint}, so no value is kept): a document whose sources
 * or whose index copy changed meanwhile is in flux, and its count starts again; one still in flux after
 * {@link #MAX_CHECKS} checks is counted as unsettled, never as drift. A lag longer than
 * {@code CONFIRMATIONS x settle} with no change at all in between (Mosaic stopped, or far behind) is
 * reported as drift: check {@code /status} first, or raise {@code --settle}. (The sources' positions are
 * not used to tell: a PostgreSQL source's stored position does not move while its database is idle.)
 *
 * <p>With {@code repair}, each confirmed drift is rewritten ({@link Repair}) and checked once more.
 */
public final class Verifier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);

    /** Re-checks in a row that must see the same difference, neither side changed, before it is drift. */
    static final int CONFIRMATIONS = 2;
    /** Checks of a suspect at most (the first included) before it is counted as unsettled. */
    static final int MAX_CHECKS = 6;
    /** Suspects kept waiting for their re-check at most; beyond it verify waits and re-checks them first. */
    static final int MAX_PENDING = 10_000;
    /** Confirmed drifts repaired together. */
    static final int REPAIR_BATCH = 200;

    /** A document waiting to be checked again. */
    private record Suspect(String key, long expected, long actual, long seenAt, int checks, int stable) {
    }

    /** The outcome of comparing one document. */
    record Check(String key, Kind kind, List<String> fields, long expected, long actual) {
    }

    private final MappingSet mappings;
    private final SourceReader reader;
    private final ElasticsearchGateway es;
    private final Repair repair;
    private final int pageSize;
    private final long settleNanos;

    /**
     * A verifier of the documents of {@code mappings} on {@code es}, reading {@code sources}.
     *
     * @param writer the writer repairs go through (built by {@code pipeline.Components}); null to report only
     * @param rowsPerSecond the most rows read from the sources per second; 0 for no limit
     * @param pageSize root keys per range
     * @param settle how long after a document was seen to differ it is checked again
     */
    public static Verifier open(Map<String, io.mosaic.config.SourceConfig> sources, MappingSet mappings, ElasticsearchGateway es,
                                io.mosaic.writer.DocumentWriter writer, double rowsPerSecond, int pageSize, Duration settle) {
        SourceReader reader = new SourceReader(sources, mappings, new RowRate(rowsPerSecond));
        return new Verifier(mappings, reader, es, writer == null ? null : new Repair(reader, es, writer), pageSize, settle);
    }

    @Override
    public void close() {
        reader.close();
    }

    /**
     * @param repair null to report only
     */
    Verifier(MappingSet mappings, SourceReader reader, ElasticsearchGateway es, Repair repair, int pageSize, Duration settle) {
        this.mappings = mappings;
        this.reader = reader;
        this.es = es;
        this.repair = repair;
        this.pageSize = pageSize;
        this.settleNanos = settle.toNanos();
    }

    /**
     * Verifies every document type; {@code sample} of 0 checks every document, else that many random
     * root keys and that many random documents of each type.
     */
    public VerifyReport run(int sample) throws Exception {
        VerifyReport report = new VerifyReport(Instant.now(), sample > 0 ? "sample of " + sample : "full", repair != null);
        for (DocumentMapping m : mappings.documents()) {
            VerifyReport.Tally tally = report.tally(m.name(), m.alias());
            new TypeRun(m, tally).run(sample);
        }
        report.finished(Instant.now());
        return report;
    }

    /** The verification of one document type. */
    private final class TypeRun {
        private final DocumentMapping m;
        private final VerifyReport.Tally tally;
        private final Deque<Suspect> pending = new ArrayDeque<>();
        private final Map<String, Kind> toRepair = new LinkedHashMap<>();

        TypeRun(DocumentMapping m, VerifyReport.Tally tally) {
            this.m = m;
            this.tally = tally;
        }

        void run(int sample) throws Exception {
            if (sample > 0) {
                reader.begin();
                List<String> keys = reader.randomKeys(m.root(), m.rootKey(), sample);
                reader.end();
                Set<String> all = new LinkedHashSet<>(keys);
                all.addAll(randomIds(sample));
                List<String> list = new ArrayList<>(all);
                for (int from = 0; from < list.size(); from += pageSize) {
                    List<Check> checks = check(list.subList(from, Math.min(from + pageSize, list.size())));
                    tally.checked += checks.size();
                    suspect(checks, 1);
                    recheckDue(false);
                }
            } else {
                Map<String, Object> after = null;
                while (true) {
                    reader.begin();
                    List<Map<String, Object>> roots = reader.page(m.root(), m.rootKey(), after, pageSize);
                    ExpectedDocuments.Rows rows = ExpectedDocuments.read(reader, m, roots, Set.of());
                    reader.end();
                    if (roots.isEmpty()) {
                        break;
                    }
                    after = roots.get(roots.size() - 1);
                    List<Check> checks = compare(new ArrayList<>(rows.roots().keySet()), rows);
                    tally.checked += checks.size();
                    suspect(checks, 1);
                    recheckDue(false);
                    if (roots.size() < pageSize) {
                        break;
                    }
                }
                findExtras();
            }
            recheckDue(true);
            flushRepairs();
        }

        /** Ids of the alias with no root row: extra documents, a page of ids at a time. */
        private void findExtras() throws Exception {
            if (!es.indexExists(m.alias())) {
                return;
            }
            es.refresh(m.alias());
            List<String> batch = new ArrayList<>();
            List<String> extras = new ArrayList<>();
            es.scan(m.alias(), Map.of("match_all", Map.of()), false, List.of(), ElasticsearchGateway.PAGE_SIZE, d -> {
                batch.add(d.id());
                if (batch.size() >= ElasticsearchGateway.PAGE_SIZE) {
                    extras.addAll(absent(batch));
                    batch.clear();
                }
            });
            extras.addAll(absent(batch));
            for (int from = 0; from < extras.size(); from += pageSize) {
                List<Check> checks = check(extras.subList(from, Math.min(from + pageSize, extras.size())));
                tally.checked += checks.stream().filter(c -> c.kind() == Kind.EXTRA).count();
                suspect(checks, 1);
                recheckDue(false);
            }
        }

        private List<String> absent(List<String> ids) throws Exception {
            if (ids.isEmpty()) {
                return List.of();
            }
            reader.begin();
            Set<String> present = reader.existing(m.root(), m.rootKey(), ids);
            reader.end();
            return ids.stream().filter(id -> !present.contains(id)).toList();
        }

        @SuppressWarnings("unchecked")
        private List<String> randomIds(int n) throws Exception {
            if (!es.indexExists(m.alias())) {
                return List.of();
            }
            Map<String, Object> body = Map.of("size", n, "_source", false, "track_total_hits", false,
                    "query", Map.of("function_score", Map.of("query", Map.of("match_all", Map.of()),
                            "random_score", Map.of("seed", System.nanoTime(), "field", "_seq_no"))));
            Map<String, Object> r = es.send("POST", "/" + m.alias() + "/_search", body);
            List<String> out = new ArrayList<>();
            for (Map<String, Object> h : (List<Map<String, Object>>) ((Map<String, Object>) r.get("hits")).get("hits")) {
                out.add((String) h.get("_id"));
            }
            return out;
        }

        /** Checks documents by key: their rows read in fresh snapshots, their documents read realtime. */
        private List<Check> check(List<String> keys) throws Exception {
            reader.begin();
            List<Map<String, Object>> roots = reader.rowsWhere(m.root(), m.rootKey(), keys);
            Set<String> found = new LinkedHashSet<>();
            roots.forEach(r -> found.add(m.rootKey().of(r)));
            Set<String> without = new LinkedHashSet<>(keys);
            without.removeAll(found);
            ExpectedDocuments.Rows rows = ExpectedDocuments.read(reader, m, roots, without);
            reader.end();
            return compare(keys, rows);
        }

        private List<Check> compare(List<String> keys, ExpectedDocuments.Rows rows) throws Exception {
            Map<String, Doc> actual = PublishedDocuments.read(es, m, keys);
            List<Check> out = new ArrayList<>();
            for (String key : keys) {
                Map<String, Object> expected = ExpectedDocuments.document(m, rows, key);
                if (expected == ExpectedDocuments.UNPROJECTABLE) {
                    LOG.warn("{} document {}: its rows cannot be assembled (see the dead letters); not compared", m.alias(), key);
                    continue;
                }
                if (expected != null && m.routing() != null) {
                    // the routing its root row gives, compared with where the document is (PublishedDocuments)
                    expected = new java.util.LinkedHashMap<>(expected);
                    expected.put(PublishedDocuments.ROUTING, io.mosaic.mapping.Keys.of(rows.roots().get(key).get(m.routing())));
                }
                Doc doc = actual.get(key);
                Map<String, Object> a = doc != null && doc.found() ? doc.source() : null;
                out.add(Verifier.compare(key, expected, a));
            }
            return out;
        }

        private void suspect(List<Check> checks, int checksSoFar) throws Exception {
            for (Check c : checks) {
                if (c.kind() != null) {
                    if (pending.size() >= MAX_PENDING) {
                        recheckDue(true);
                    }
                    pending.add(new Suspect(c.key(), c.expected(), c.actual(), System.nanoTime(), checksSoFar, 0));
                }
            }
        }

        /** Checks again the suspects seen at least {@code settle} ago (all of them, after waiting, with {@code all}). */
        private void recheckDue(boolean all) throws Exception {
            while (!pending.isEmpty()) {
                long now = System.nanoTime();
                List<Suspect> due = new ArrayList<>();
                while (!pending.isEmpty() && (pending.peekFirst().seenAt() + settleNanos <= now) && due.size() < pageSize) {
                    due.add(pending.pollFirst());
                }
                if (due.isEmpty()) {
                    if (!all) {
                        return;
                    }
                    long wait = pending.peekFirst().seenAt() + settleNanos - now;
                    Thread.sleep(Math.max(1, wait / 1_000_000));
                    continue;
                }
                Map<String, Check> again = new LinkedHashMap<>();
                for (Check c : check(due.stream().map(Suspect::key).toList())) {
                    again.put(c.key(), c);
                }
                for (Suspect s : due) {
                    Check c = again.get(s.key());
                    if (c == null || c.kind() == null) {
                        continue; // it caught up: lag, not drift
                    }
                    boolean same = c.expected() == s.expected() && c.actual() == s.actual();
                    int stable = same ? s.stable() + 1 : 0;
                    if (stable < CONFIRMATIONS) {
                        if (s.checks() + 1 >= MAX_CHECKS) {
                            tally.unsettled++;
                        } else {
                            pending.add(new Suspect(s.key(), c.expected(), c.actual(), System.nanoTime(), s.checks() + 1, stable));
                        }
                        continue;
                    }
                    tally.add(new Drift(c.key(), c.kind(), c.fields()));
                    if (repair != null) {
                        toRepair.put(c.key(), c.kind());
                        if (toRepair.size() >= REPAIR_BATCH) {
                            flushRepairs();
                        }
                    }
                }
            }
        }

        private void flushRepairs() throws Exception {
            if (repair == null || toRepair.isEmpty()) {
                return;
            }
            List<String> keys = new ArrayList<>(toRepair.keySet());
            toRepair.clear();
            repair.repair(m, keys);
            for (Check c : check(keys)) {
                if (c.kind() == null) {
                    tally.repaired++;
                } else {
                    tally.unrepaired++;
                    LOG.warn("{} document {} still {} after its repair{}", m.alias(), c.key(), c.kind().name().toLowerCase(),
                            c.fields().isEmpty() ? "" : " (fields " + c.fields() + ")");
                }
            }
        }
    }

    /** Compares one document: null kind when they agree (or neither exists). */
    static Check compare(String key, Map<String, Object> expected, Map<String, Object> actual) {
        long e = DocumentDiff.fingerprint(expected);
        long a = DocumentDiff.fingerprint(actual);
        if (expected == null && actual == null) {
            return new Check(key, null, List.of(), e, a);
        }
        if (expected == null) {
            return new Check(key, Kind.EXTRA, List.of(), e, a);
        }
        if (actual == null) {
            return new Check(key, Kind.MISSING, List.of(), e, a);
        }
        List<String> fields = DocumentDiff.differingFields(expected, actual);
        return new Check(key, fields.isEmpty() ? null : Kind.DIFFERENT, fields, e, a);
    }
}
