package io.mosaic.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Commit-to-searchable latency at a fixed offered rate. Three writer threads (one per database) commit
 * a small transaction every tick; some of the changes are probes, whose commit time is taken when the
 * commit returns and whose arrival is seen by searching (not by a realtime GET) for the probe's value.
 * A probe's latency therefore includes the index's refresh interval, as a user's search would.
 */
public final class Freshness {

    /**
     * The outcome of one offered rate. {@code p50Early} and {@code p50Late} are the medians of the probes
     * committed in the first and the second half of the measured period: a growing latency means a
     * growing backlog, which a short period would not yet show in p99.
     */
    public record Result(int offered, double achieved, int probes, int lost, double p50, double p95, double p99, double max,
                         double p50Early, double p50Late) {
        boolean sustainable() {
            return lost == 0 && achieved >= offered * 0.95 && p99 < 10_000 && p50Late <= p50Early * 1.5 + 500;
        }
    }

    private record Probe(String docId, Predicate<JsonNode> seen, long committedNanos) {
    }

    private static final int TICKS_PER_SECOND = 50;
    private static final int PROBES_PER_SOURCE_PER_SECOND = 20;
    /**
     * Probes change rows of their own, in turn (a row comes round again after 50 s), and the other
     * changes never touch them: a probe overwritten before it was seen would otherwise count as lost.
     */
    private static final int PROBE_ROWS = 1000;

    private final Databases db;
    private final Es es;
    private final String alias;
    private final long[] answerEmployee;
    private final long[] qualificationEmployee;
    private final BenchWorkload w;
    /**
     * Part of every value written, different for each instance: a second measurement on the same rows (bench/ab.sh
     * measures two builds one after the other on one seeding) would otherwise write the very values the first left
     * in the probe rows, and a probe would be "seen" before its change arrived.
     */
    private final int tag = new java.util.Random().nextInt(1, 99_999);

    public Freshness(Databases db, Es es, String alias, BenchWorkload w) throws SQLException {
        this.db = db;
        this.es = es;
        this.alias = alias;
        this.w = w;
        try (Connection m = db.motivation(); Connection l = db.labor()) {
            answerEmployee = Databases.column(m, "SELECT id, employee_id FROM survey_answers WHERE id <= " + w.answers, (int) w.answers + 1);
            qualificationEmployee = Databases.column(l, "SELECT id, employee_id FROM qualifications WHERE id <= " + w.qualifications,
                    (int) w.qualifications + 1);
        }
    }

    public Result run(int rate, int warmupSeconds, int seconds) throws Exception {
        ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
        AtomicLong committed = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + warmupSeconds * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int s = 0; s < 3; s++) {
            final int source = s;
            Thread t = new Thread(() -> {
                try {
                    write(source, rate / 3.0, start, measureFrom, end, probes, committed);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "load-" + s);
            t.start();
            writers.add(t);
        }
        List<double[]> latencies = new ArrayList<>(); // {commit nanos, latency ms}
        List<Probe> outstanding = new ArrayList<>();
        long drainUntil = end + 20_000_000_000L;
        while (true) {
            Probe p;
            while ((p = probes.poll()) != null) {
                outstanding.add(p);
            }
            boolean writing = writers.stream().anyMatch(Thread::isAlive);
            if (!writing && (outstanding.isEmpty() || System.nanoTime() > drainUntil)) {
                break;
            }
            if (!outstanding.isEmpty()) {
                List<Probe> batch = outstanding.subList(0, Math.min(outstanding.size(), 500));
                Map<String, JsonNode> docs = es.searchByIds(alias, batch.stream().map(Probe::docId).distinct().toList(),
                        List.of("name.given_kana", "surveys.answer_id", "surveys.score", "qualifications.id", "qualifications.name"));
                long now = System.nanoTime();
                List<Probe> done = new ArrayList<>();
                for (Probe probe : batch) {
                    JsonNode doc = docs.get(probe.docId());
                    if (doc != null && probe.seen().test(doc)) {
                        latencies.add(new double[]{probe.committedNanos(), (now - probe.committedNanos()) / 1e6});
                        done.add(probe);
                    }
                }
                outstanding.removeAll(done);
            }
            Thread.sleep(100);
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("the load generator failed", failures.get(0));
        }
        double[] sorted = latencies.stream().mapToDouble(l -> l[1]).sorted().toArray();
        double achieved = committed.get() / (double) seconds;
        long half = measureFrom + seconds * 500_000_000L;
        double[] early = latencies.stream().filter(l -> l[0] < half).mapToDouble(l -> l[1]).sorted().toArray();
        double[] late = latencies.stream().filter(l -> l[0] >= half).mapToDouble(l -> l[1]).sorted().toArray();
        return new Result(rate, achieved, sorted.length + outstanding.size(), outstanding.size(),
                pct(sorted, 50), pct(sorted, 95), pct(sorted, 99), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1],
                pct(early, 50), pct(late, 50));
    }

    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** One source's share of the load: a transaction per tick, probes spread evenly over time. */
    private void write(int source, double perSecond, long start, long measureFrom, long end, ConcurrentLinkedQueue<Probe> probes,
                       AtomicLong committed) throws Exception {
        SplittableRandom random = new SplittableRandom(source * 7919L + (long) perSecond);
        long tickNanos = 1_000_000_000L / TICKS_PER_SECOND;
        double due = 0;
        long sequence = 0;
        int probeEvery = Math.max(1, (int) Math.round(perSecond / PROBES_PER_SOURCE_PER_SECOND));
        try (Connection c = source == 0 ? db.admin() : source == 1 ? db.motivation() : db.labor()) {
            c.setAutoCommit(false);
            PreparedStatement[] statements = switch (source) {
                case 0 -> new PreparedStatement[]{c.prepareStatement("UPDATE employees SET given_name_kana = ? WHERE id = ?")};
                case 1 -> new PreparedStatement[]{c.prepareStatement("UPDATE survey_answers SET score = ? WHERE id = ?")};
                default -> new PreparedStatement[]{c.prepareStatement("UPDATE qualifications SET name = ? WHERE id = ?"),
                        c.prepareStatement("UPDATE contracts SET weekly_hours = ? WHERE id = ?")};
            };
            for (long tick = 0; ; tick++) {
                long at = start + tick * tickNanos;
                long now = System.nanoTime();
                if (at >= end) {
                    return;
                }
                if (at > now) {
                    Thread.sleep((at - now) / 1_000_000, (int) ((at - now) % 1_000_000));
                }
                due += perSecond / TICKS_PER_SECOND;
                int n = (int) due;
                due -= n;
                if (n == 0) {
                    continue;
                }
                List<Probe> tickProbes = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    sequence++;
                    boolean probe = sequence % probeEvery == 0;
                    String value = (probe ? "p" : "f") + source + "-" + tag + "-" + perSecond + "-" + sequence;
                    switch (source) {
                        case 0 -> {
                            long id = probe ? probeRow(sequence / probeEvery, w.employees) : fillerRow(random, w.employees);
                            statements[0].setString(1, value);
                            statements[0].setLong(2, id);
                            statements[0].addBatch();
                            if (probe) {
                                tickProbes.add(new Probe(Long.toString(id), d -> value.equals(d.path("name").path("given_kana").asText()), 0));
                            }
                        }
                        case 1 -> {
                            long id = probe ? probeRow(sequence / probeEvery, w.answers) : fillerRow(random, w.answers);
                            long hundredths = (sequence + tag) % 99_999;
                            double score = hundredths / 100.0;
                            statements[0].setBigDecimal(1, java.math.BigDecimal.valueOf(hundredths, 2));
                            statements[0].setLong(2, id);
                            statements[0].addBatch();
                            if (probe) {
                                tickProbes.add(new Probe(Long.toString(answerEmployee[(int) id]), d -> contains(d.path("surveys"), "answer_id", id,
                                        e -> Math.abs(e.path("score").asDouble() - score) < 0.001), 0));
                            }
                        }
                        default -> {
                            if (probe || random.nextBoolean()) {
                                long id = probe ? probeRow(sequence / probeEvery, w.qualifications) : fillerRow(random, w.qualifications);
                                statements[0].setString(1, value);
                                statements[0].setLong(2, id);
                                statements[0].addBatch();
                                if (probe) {
                                    tickProbes.add(new Probe(Long.toString(qualificationEmployee[(int) id]), d -> contains(d.path("qualifications"), "id", id,
                                            e -> value.equals(e.path("name").asText())), 0));
                                }
                            } else {
                                statements[1].setBigDecimal(2 - 1, java.math.BigDecimal.valueOf(1 + random.nextInt(599), 1));
                                statements[1].setLong(2, 1 + random.nextLong(w.contracts));
                                statements[1].addBatch();
                            }
                        }
                    }
                }
                for (PreparedStatement ps : statements) {
                    ps.executeBatch();
                }
                c.commit();
                long committedAt = System.nanoTime();
                if (committedAt >= measureFrom) {
                    committed.addAndGet(n);
                    for (Probe p : tickProbes) {
                        probes.add(new Probe(p.docId(), p.seen(), committedAt));
                    }
                }
            }
        }
    }

    /** The n-th probe's row: ids 1..PROBE_ROWS in turn (fewer when the table is small). */
    static long probeRow(long n, long rows) {
        return 1 + n % probeRows(rows);
    }

    /** Any row that is not a probe row. */
    static long fillerRow(SplittableRandom random, long rows) {
        long p = probeRows(rows);
        return p + 1 + random.nextLong(rows - p);
    }

    private static long probeRows(long rows) {
        return Math.min(PROBE_ROWS, rows / 10);
    }

    private static boolean contains(JsonNode array, String key, long id, Predicate<JsonNode> matches) {
        for (JsonNode e : array) {
            if (e.path(key).asLong() == id) {
                return matches.test(e);
            }
        }
        return false;
    }
}
