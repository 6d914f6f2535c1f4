package io.mosaic.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mosaic.scenario.ScenarioCounts;
import io.mosaic.scenario.ScenarioSchema;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ReplicationSlots;

/**
 * The whole benchmark, in one run on one data set: Mosaic (full scenario and single table) beside
 * the source limit, the sink limit, the naive baseline and Flink CDC. Writes
 * {@code docs/bench/results.json}, then {@code docs/BENCHMARKS.md} and the latency plot from it.
 * Run through {@code bench/run.sh}, which builds everything and starts the local services.
 */
public final class Bench {

    private static final Logger LOG = LoggerFactory.getLogger(Bench.class);

    final Path root;
    final Path work;
    final Es es = new Es(System.getenv().getOrDefault("MOSAIC_ES_URLS", "http://127.0.0.1:19200"));
    final Databases db = new Databases();
    final Options o;
    final ObjectNode results = Es.JSON.createObjectNode();
    int round;
    BenchWorkload w;
    long sourceRows;

    /**
     * Command-line options (see bench/run.sh --help), parsed by picocli; {@link #reference} says whether
     * they are the ones docs/BENCHMARKS.md is made of.
     */
    @picocli.CommandLine.Command(name = "bench/run.sh")
    static final class Options {
        private static final int EMPLOYEES = 140_000;
        private static final int BURST = 100_000;
        private static final int NAIVE_EVENTS = 20_000;
        private static final int SECONDS = 20;
        private static final List<Integer> RATES = List.of(100, 1000);
        private static final List<Integer> SCALE = List.of(35_000, 280_000);

        @picocli.CommandLine.Option(names = "--employees", paramLabel = "N") int employees = EMPLOYEES;
        @picocli.CommandLine.Option(names = "--burst", paramLabel = "N") int burst = BURST;
        @picocli.CommandLine.Option(names = "--naive-events", paramLabel = "N") int naiveEvents = NAIVE_EVENTS;
        @picocli.CommandLine.Option(names = "--seconds", paramLabel = "S") int seconds = SECONDS;
        @picocli.CommandLine.Option(names = "--rates", split = ",", paramLabel = "R") List<Integer> rates = RATES;
        @picocli.CommandLine.Option(names = "--out", paramLabel = "DIR") Path out;
        @picocli.CommandLine.Option(names = "--scale", split = ",", paramLabel = "N") List<Integer> scale = SCALE;
        @picocli.CommandLine.Option(names = "--no-scaling", negatable = false) boolean noScaling;
        @picocli.CommandLine.Option(names = "--no-flink", negatable = false) boolean noFlink;
        @picocli.CommandLine.Option(names = "--report-only") boolean reportOnly;
        @picocli.CommandLine.Option(names = "--profile") boolean profile;
        @picocli.CommandLine.Option(names = "--root", paramLabel = "DIR") Path root = Path.of(".");

        static Options parse(String[] args) {
            Options o = new Options();
            try {
                new picocli.CommandLine(o).parseArgs(args);
            } catch (picocli.CommandLine.ParameterException e) {
                throw new IllegalArgumentException(e.getMessage() + "; see bench/run.sh --help");
            }
            positive("--employees", o.employees);
            positive("--burst", o.burst);
            positive("--naive-events", o.naiveEvents);
            positive("--seconds", o.seconds);
            o.rates.forEach(r -> positive("--rates", r));
            o.scale.forEach(n -> positive("--scale", n));
            o.root = o.root.toAbsolutePath().normalize();
            o.out = o.out == null ? null : o.out.toAbsolutePath().normalize();
            return o;
        }

        private static void positive(String option, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(option + " takes a positive whole number, not '" + value + "'");
            }
        }

        int employees() {
            return employees;
        }

        int burst() {
            return burst;
        }

        int naiveEvents() {
            return naiveEvents;
        }

        int seconds() {
            return seconds;
        }

        List<Integer> rates() {
            return rates;
        }

        Path out() {
            return out;
        }

        boolean flink() {
            return !noFlink;
        }

        /** The further scenario sizes the scaling step measures (the run's own size is its first point); empty with --no-scaling. */
        List<Integer> scale() {
            return noScaling ? List.of() : scale;
        }

        boolean reportOnly() {
            return reportOnly;
        }

        boolean profile() {
            return profile;
        }

        /** Whether these are the measurements docs/BENCHMARKS.md is made of (the defaults, Flink included). */
        boolean reference() {
            return employees == EMPLOYEES && burst == BURST && naiveEvents == NAIVE_EVENTS && seconds == SECONDS
                    && rates.equals(RATES) && flink() && scale().equals(SCALE);
        }
    }

    Bench(Path root, Options o) {
        this.root = root;
        this.o = o;
        this.work = Path.of(System.getenv().getOrDefault("MOSAIC_BENCH_WORK", "/var/tmp/mosaic-bench"));
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path root = options.root;
        Bench bench = new Bench(root, options);
        // Only the reference run replaces the committed document; any other run is a smoke test.
        Path out = options.out() != null ? options.out() : options.reference() ? root.resolve("docs") : bench.work.resolve("report");
        Path json = out.resolve("bench/results.json");
        if (!bench.o.reportOnly()) {
            bench.run();
            Files.createDirectories(json.getParent());
            Es.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), bench.results);
        }
        // the limits and targets are derived from the measured numbers, so a re-render recomputes them too
        ObjectNode results = (ObjectNode) Es.JSON.readTree(json.toFile());
        results.set("limits", Targets.limits(results));
        results.set("targets", Targets.json(Targets.compute(results)));
        Es.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), results);
        Path markdown = out.resolve("BENCHMARKS.md");
        String summary = Report.write(results, markdown, out.resolve("bench/latency.png"));
        System.out.println();
        System.out.println(summary);
        LOG.info("wrote {}, {} and {}", markdown, out.resolve("bench/latency.png"), json);
    }

    void run() throws Exception {
        Files.createDirectories(work);
        results.set("machine", Machine.describe(es, db, root));
        results.put("command", "bench/run.sh " + String.join(" ", argsForReport()));
        results.put("reference", o.reference());
        results.put("started", java.time.Instant.now().toString());
        seed();
        fullScenario();
        checkpoint();
        singleTable();
        checkpoint();
        scaling();
        results.put("finished", java.time.Instant.now().toString());
    }

    /**
     * What is measured so far, in work/results-partial.json: a step that fails later (the scaling step runs
     * for minutes at the end) leaves the earlier ones' numbers to read.
     */
    void checkpoint() throws java.io.IOException {
        Es.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(work.resolve("results-partial.json").toFile(), results);
    }

    /**
     * Mosaic's JVM options: the launcher's defaults, plus a JFR recording per run with --profile
     * (work/&lt;name&gt;.jfr; see docs/bench/analysis.md for how the profiles were read).
     */
    String mosaicJavaOpts(String name) {
        return o.profile() ? "-Xms64m -Xmx192m -XX:+UseParallelGC -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -XX:+ExitOnOutOfMemoryError -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000 -XX:StartFlightRecording=filename="
                + work.resolve(name + ".jfr") + ",settings=profile" : null;
    }

    private List<String> argsForReport() {
        List<String> a = new ArrayList<>(List.of("--employees", Integer.toString(o.employees()), "--burst", Integer.toString(o.burst()),
                "--naive-events", Integer.toString(o.naiveEvents()), "--seconds", Integer.toString(o.seconds()),
                "--rates", o.rates().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","))));
        if (!o.flink()) {
            a.add("--no-flink");
        }
        if (o.profile()) {
            a.add("--profile");
        }
        if (o.scale().isEmpty()) {
            a.add("--no-scaling");
        } else if (!o.scale().equals(Options.SCALE)) {
            a.add("--scale");
            a.add(o.scale().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
        }
        return a;
    }

    // ------------------------------------------------------------------ data

    void seed() throws Exception {
        long start = System.nanoTime();
        ScenarioCounts counts = reseed(o.employees());
        ObjectNode data = results.putObject("data");
        data.put("employees", o.employees());
        data.set("rows", Es.JSON.valueToTree(counts.asMap()));
        data.put("seedSeconds", seconds(start));
        data.put("mappedRows", sourceRows);
        LOG.info("seeded {} rows ({} mapped) in {} s", counts.total(), sourceRows, data.get("seedSeconds"));
    }

    /** Drops the benchmark's slots and indices, seeds {@code employees} employees from nothing, and points the workload at them. */
    ScenarioCounts reseed(int employees) throws Exception {
        LOG.info("resetting the scenario databases and seeding {} employees", employees);
        cleanSlots();
        es.deleteIndices("employees*");
        es.deleteIndices("mosaic-*");
        es.deleteIndices("bench-*");
        ScenarioSchema.create(db.dbs);
        ScenarioCounts counts = ScenarioSeeder.seed(db.dbs, ScenarioSize.ofEmployees(employees), 42);
        w = new BenchWorkload(db);
        sourceRows = mappedRows();
        return counts;
    }

    /** Rows of every table the full mapping reads: what an initial load has to read. */
    long mappedRows() throws Exception {
        try (Connection a = db.admin(); Connection m = db.motivation(); Connection l = db.labor()) {
            return Databases.count(a, "SELECT (SELECT count(*) FROM employees) + (SELECT count(*) FROM departments)")
                    + Databases.count(m, "SELECT (SELECT count(*) FROM survey_answers) + (SELECT count(*) FROM surveys)")
                    + Databases.count(l, "SELECT (SELECT count(*) FROM contracts) + (SELECT count(*) FROM qualifications)");
        }
    }

    void cleanSlots() throws Exception {
        ReplicationSlots.drop(db.dbs, "bench_", Databases.SLOT_READERS_GONE);
        ReplicationSlots.drop(db.dbs, FlinkPeerRun.SLOT, Databases.SLOT_READERS_GONE);
        for (String name : List.of("admin", "motivation")) {
            try (Connection c = name.equals("admin") ? db.admin() : db.motivation(); Statement s = c.createStatement()) {
                List<String> pubs = new ArrayList<>();
                try (ResultSet r = s.executeQuery("SELECT pubname FROM pg_publication WHERE pubname LIKE 'bench%' OR pubname LIKE 'flink%'")) {
                    while (r.next()) {
                        pubs.add(r.getString(1));
                    }
                }
                for (String p : pubs) {
                    s.execute("DROP PUBLICATION " + p);
                }
            } catch (java.sql.SQLException e) {
                LOG.debug("no {} database yet: {}", name, e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ the full scenario

    void fullScenario() throws Exception {
        ObjectNode full = results.putObject("full");
        Path config = root.resolve("bench/config/full.yaml");
        List<Map.Entry<String, JsonNode>> finalDocs;
        try (MosaicUnderTest mosaic = new MosaicUnderTest(root, config, work, 18080, mosaicJavaOpts("mosaic-full"))) {
            mosaic.memory().phase("initial");
            long start = System.nanoTime();
            awaitMosaic(mosaic, "employees", o.employees(), 1800);
            double s = seconds(start);
            full.set("mosaicInitial", load(s, sourceRows, o.employees()));
            LOG.info("full scenario initial load: {} rows, {} documents in {} s", sourceRows, o.employees(), s);

            mosaic.memory().phase("burst");
            full.set("mosaicStream", mixedBurst(o.burst(), mosaic));
            LOG.info("full scenario stream: {}", full.get("mosaicStream"));

            com.fasterxml.jackson.databind.node.ArrayNode fresh = full.putArray("freshness");
            Freshness freshness = new Freshness(db, es, "employees", w);
            double max = full.get("mosaicStream").get("eventsPerSecond").asDouble();
            for (int rate : rates(max)) {
                mosaic.memory().phase("rate-" + rate);
                String metricsBefore = mosaic.metrics();
                long[] refreshBefore = es.refreshStats("employees");
                Freshness.Result r = freshness.run(rate, 5, o.seconds());
                long[] refreshAfter = es.refreshStats("employees");
                String metricsAfter = mosaic.metrics();
                LOG.info("freshness at {} changes/s: {}", rate, r);
                ObjectNode n = Es.JSON.valueToTree(r);
                // where the pipeline's part of the latency goes (the rest is the refresh and the probe polling)
                ObjectNode parts = n.putObject("pipelineMs");
                FreshnessRun.percentiles(metricsBefore, metricsAfter).forEach((name, p) -> {
                    ObjectNode q = parts.putObject(name);
                    q.put("p50", p[0]);
                    q.put("p99", p[1]);
                });
                // both counters from the same two scrapes, so the ratio holds whatever was still in flight
                n.put("documentsPerChange", (PromText.documentsWritten(metricsAfter) - PromText.documentsWritten(metricsBefore))
                        / Math.max(1, PromText.changesReceived(metricsAfter) - PromText.changesReceived(metricsBefore)));
                // a probe waits for the refresh that makes it visible to finish, on top of the interval (docs/bench/analysis.md)
                n.put("refreshes", refreshAfter[0] - refreshBefore[0]);
                n.put("refreshMeanMs", (refreshAfter[1] - refreshBefore[1]) / (double) Math.max(1, refreshAfter[0] - refreshBefore[0]));
                n.put("sustainable", r.sustainable());
                n.put("rssBytes", mosaic.memory().medianRss("rate-" + rate));
                n.put("heapBytes", mosaic.memory().medianHeap("rate-" + rate));
                fresh.add(n);
                if (!r.sustainable() && rate > 1000) {
                    break;
                }
            }
            ObjectNode mem = full.putObject("mosaicMemory");
            mem.put("peakRssBytes", mosaic.memory().peakRss());
            mem.put("peakHeapBytes", mosaic.memory().peakHeap());
            mem.put("initialPeakRssBytes", mosaic.memory().maxRss("initial"));
            mem.put("steadyRssBytes", mosaic.memory().medianRss("rate-1000"));
            mem.put("steadyHeapBytes", mosaic.memory().medianHeap("rate-1000"));
            finalDocs = exportAll("employees", o.employees());
        }
        full.set("sink", sinkLimit(finalDocs, "bench-sink-full", template("mappings/employees.index.json")));
        finalDocs = null;
        full.set("source", sourceLimit(config, "noopfull", true));
    }

    /**
     * Offered rates: those of --rates (100 and 1,000), then 30%, 40%, … 90% of the measured burst throughput
     * (rounded to 100 changes/s), so that the half-burst rate and the highest sustainable share are measured
     * whatever the machine's speed (issue 16's freshness targets are shares of the run's own burst).
     */
    List<Integer> rates(double max) {
        List<Integer> out = new ArrayList<>(o.rates());
        for (int share = 3; share <= 9; share++) {
            int r = (int) Math.round(max * share / 10 / 100) * 100;
            if (r > 0 && !out.contains(r)) {
                out.add(r);
            }
        }
        out.sort(null);
        return out;
    }

    interface Check {
        boolean done() throws Exception;
    }

    /**
     * The mixed burst of {@code perSource} changes per source against a running Mosaic, timed until each
     * source's sentinel is searchable; also how many public documents it wrote per change, which says how
     * much of the burst was coalesced (several rows of one employee in one batch make one document write).
     */
    ObjectNode mixedBurst(long perSource, MosaicUnderTest mosaic) throws Exception {
        int r = ++round;
        long pid = mosaic.process().pid();
        double docsBefore = PromText.documentsWritten(mosaic.metrics());
        Cpu.Mark cpu = Cpu.Mark.of(pid, es);
        long start = System.nanoTime();
        long[] changed = w.mixedBurst(r, perSource);
        w.sentinels(r);
        double written = seconds(start);
        await("the mixed burst", () -> sentinelsSeen("employees"), 1800);
        double s = seconds(start);
        long events = changed[0] + changed[1] + changed[2] + 3;
        ObjectNode n = burst(events, written, s, cpu, pid);
        double docs = PromText.documentsWritten(mosaic.metrics()) - docsBefore;
        n.put("documentsWritten", docs);
        n.put("documentsPerChange", docs / events);
        return n;
    }

    /** A burst's outcome: its changes, how long writing them and seeing them took, and the CPU each change cost. */
    private ObjectNode burst(long events, double writeSeconds, double seconds, Cpu.Mark cpu, long pid) {
        ObjectNode n = Es.JSON.createObjectNode();
        n.put("events", events);
        n.put("writeSeconds", writeSeconds);
        n.put("seconds", seconds);
        n.put("eventsPerSecond", events / seconds);
        cpu.putPerChange(n, pid, es, events);
        return n;
    }

    boolean sentinelsSeen(String index) throws Exception {
        int r = round;
        long id = 2_000_000_000L + r;
        JsonNode doc = es.searchByIds(index, List.of("1"), List.of("code", "surveys.answer_id", "qualifications.id")).get("1");
        if (doc == null || !("s" + r).equals(doc.path("code").asText())) {
            return false;
        }
        boolean answer = false;
        for (JsonNode a : doc.path("surveys")) {
            answer |= a.path("answer_id").asLong() == id;
        }
        boolean qualification = false;
        for (JsonNode q : doc.path("qualifications")) {
            qualification |= q.path("id").asLong() == id;
        }
        return answer && qualification;
    }

    // ------------------------------------------------------------------ scaling

    /** Department renames that reach this many employees are measured at the largest size (scaled down below 110,000). */
    static final List<Integer> FAN_OUTS = List.of(10_000, 100_000);

    /**
     * The full scenario again at each size of --scale (35,000 and 280,000 employees by default; the run's own
     * size, measured above, is the reference point): the initial load in documents/s and a mixed burst in
     * changes/s, the burst proportional to the size ({@code --burst × size / --employees} per source), so that
     * every size sees the same mix of changes per employee. At the largest size, two departments are given
     * 10,000 and 100,000 employees before the load, and each is renamed after the burst: a fan-out, timed until
     * every employee's document shows the new name.
     */
    void scaling() throws Exception {
        if (o.scale().isEmpty()) {
            return;
        }
        ObjectNode scaling = results.putObject("scaling");
        com.fasterxml.jackson.databind.node.ArrayNode points = scaling.putArray("points");
        ObjectNode full = (ObjectNode) results.path("full");
        ObjectNode reference = points.addObject();
        reference.put("employees", o.employees());
        reference.put("burstPerSource", o.burst());
        reference.set("initial", full.path("mosaicInitial"));
        reference.set("stream", full.path("mosaicStream"));
        reference.put("initialPeakRssBytes", full.path("mosaicMemory").path("initialPeakRssBytes").asLong(-1));
        int largest = o.scale().stream().max(Integer::compare).orElseThrow();
        for (int n : o.scale()) {
            if (n == o.employees()) {
                continue;
            }
            reseed(n);
            List<Integer> fanOuts = n == largest ? fanOutSizes(n) : List.of();
            long[] departments = fanOuts.isEmpty() ? new long[0] : concentrate(fanOuts);
            long perSource = Math.max(1, Math.round((double) o.burst() * n / o.employees()));
            ObjectNode point = points.addObject();
            point.put("employees", n);
            point.put("burstPerSource", perSource);
            point.put("mappedRows", sourceRows);
            try (MosaicUnderTest mosaic = new MosaicUnderTest(root, root.resolve("bench/config/full.yaml"), work, 18080,
                    mosaicJavaOpts("mosaic-scale-" + n))) {
                mosaic.memory().phase("initial");
                long start = System.nanoTime();
                awaitMosaic(mosaic, "employees", n, 3600);
                point.set("initial", load(seconds(start), sourceRows, n));
                point.put("initialPeakRssBytes", mosaic.memory().maxRss("initial"));
                mosaic.memory().phase("burst");
                point.set("stream", mixedBurst(perSource, mosaic));
                point.put("burstRssBytes", mosaic.memory().medianRss("burst"));
                LOG.info("scaling, {} employees: {}", n, point);
                com.fasterxml.jackson.databind.node.ArrayNode renames = point.putArray("fanOut");
                for (int i = 0; i < fanOuts.size(); i++) {
                    renames.add(fanOut(mosaic, departments[i], fanOuts.get(i)));
                }
                point.put("peakRssBytes", mosaic.memory().peakRss());
                point.put("peakHeapBytes", mosaic.memory().peakHeap());
            }
        }
    }

    /** The fan-out sizes at {@code employees}: 10,000 and 100,000, or the same shares of a smaller scenario. */
    static List<Integer> fanOutSizes(int employees) {
        if (employees >= 110_000) {
            return FAN_OUTS;
        }
        return List.of(Math.max(1, employees / 11), Math.max(1, employees * 10 / 11));
    }

    /**
     * Moves the first employees into the last departments, {@code sizes[i]} of them into the i-th from the end,
     * before Mosaic starts (so nothing streams). The burst renames only the first departments, so these two are
     * renamed by nothing but {@link #fanOut}. Returns their ids.
     */
    long[] concentrate(List<Integer> sizes) throws Exception {
        long[] ids = new long[sizes.size()];
        for (int i = 0; i < sizes.size(); i++) {
            ids[i] = w.departments - i;
        }
        String in = java.util.Arrays.stream(ids).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(","));
        try (Connection c = db.admin(); Statement s = c.createStatement()) {
            long total = sizes.stream().mapToLong(Integer::longValue).sum();
            // the departments' own employees beyond the moved ones go to the department before them, so that each holds exactly its size
            s.executeUpdate("UPDATE employees SET department_id = " + (w.departments - sizes.size()) + " WHERE department_id IN (" + in
                    + ") AND id > " + total);
            long from = 1;
            for (int i = 0; i < sizes.size(); i++) {
                long to = from + sizes.get(i) - 1;
                s.executeUpdate("UPDATE employees SET department_id = " + ids[i] + " WHERE id BETWEEN " + from + " AND " + to);
                from = to + 1;
            }
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM employees WHERE department_id IN (" + in + ")")) {
                r.next();
                if (r.getLong(1) != total) {
                    throw new IllegalStateException("the fan-out departments hold " + r.getLong(1) + " employees, expected " + total);
                }
            }
        }
        return ids;
    }

    /** Renames department {@code id} and times the fan-out until all {@code employees} documents carry the new name. */
    ObjectNode fanOut(MosaicUnderTest mosaic, long id, int employees) throws Exception {
        String name = "fan-out-" + employees;
        String phase = "fanout-" + employees;
        long pid = mosaic.process().pid();
        mosaic.memory().phase(phase);
        double docsBefore = PromText.documentsWritten(mosaic.metrics());
        Cpu.Mark cpu = Cpu.Mark.of(pid, es);
        long start = System.nanoTime();
        try (Connection c = db.admin(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE departments SET name = '" + name + "' WHERE id = " + id);
        }
        awaitCount(es, "employees", Map.of("term", Map.of("department.name.keyword", name)), employees, 1800);
        double seconds = seconds(start);
        ObjectNode n = Es.JSON.createObjectNode();
        n.put("employees", employees);
        n.put("seconds", seconds);
        n.put("docsPerSecond", employees / seconds);
        n.put("documentsWritten", PromText.documentsWritten(mosaic.metrics()) - docsBefore);
        cpu.putPerChange(n, pid, es, employees);
        n.put("peakRssBytes", mosaic.memory().maxRss(phase));
        n.put("peakHeapBytes", mosaic.memory().maxHeap(phase));
        LOG.info("fan-out of a department of {}: {}", employees, n);
        mosaic.memory().phase("after-" + phase);
        return n;
    }

    // ------------------------------------------------------------------ the single table

    void singleTable() throws Exception {
        ObjectNode single = results.putObject("single");
        Path config = root.resolve("bench/config/single.yaml");
        long e = o.employees();
        List<Map.Entry<String, JsonNode>> finalDocs;
        try (MosaicUnderTest mosaic = new MosaicUnderTest(root, config, work, 18080, mosaicJavaOpts("mosaic-single"))) {
            mosaic.memory().phase("initial");
            long start = System.nanoTime();
            awaitMosaic(mosaic, "bench-flat", e, 1800);
            single.set("mosaicInitial", load(seconds(start), e, e));
            mosaic.memory().phase("burst");
            single.set("mosaicStream", codeBurst("bench-flat", 2, e, mosaic.process().pid()));
            ObjectNode mem = single.putObject("mosaicMemory");
            mem.put("peakRssBytes", mosaic.memory().peakRss());
            mem.put("peakHeapBytes", mosaic.memory().peakHeap());
            mem.put("burstRssBytes", mosaic.memory().medianRss("burst"));
            LOG.info("single table: {}", single);
            finalDocs = exportAll("bench-flat", e);
        }
        single.set("sink", sinkLimit(finalDocs, "bench-sink-flat", template("bench/mappings/employees-flat.index.json")));
        finalDocs = null;
        single.set("source", sourceLimit(config, "noopflat", false));
        single.set("naive", naive(config));
        if (o.flink()) {
            single.set("flink", FlinkPeerRun.runAll(this));
        }
    }

    /** {@code rounds} rounds of code updates over {@code rows} employees, timed until the last round is searchable in {@code index}. */
    ObjectNode codeBurst(String index, int rounds, long rows, long pid) throws Exception {
        Cpu.Mark cpu = Cpu.Mark.of(pid, es);
        long start = System.nanoTime();
        long events = 0;
        for (int i = 0; i < rounds; i++) {
            events += w.codeRound(++round, rows);
        }
        double written = seconds(start);
        final int last = round;
        awaitCount(es, index, Map.of("prefix", Map.of("code", BenchWorkload.codePrefix(last))), rows, 1800);
        double s = seconds(start);
        return burst(events, written, s, cpu, pid);
    }

    ObjectNode naive(Path config) throws Exception {
        String index = "bench-naive";
        es.deleteIndices(index);
        es.createIndex(index, template("bench/mappings/employees-flat.index.json"));
        try (DebeziumReference ref = new DebeziumReference(DebeziumReference.Kind.NAIVE, config, "naive", "no_data", es, index, work)) {
            ref.start();
            awaitSlotActive("bench_naive_admin");
            ObjectNode n = codeBurst(index, 1, o.naiveEvents(), -1);
            LOG.info("naive: {}", n);
            return n;
        } finally {
            ReplicationSlots.drop(db.dbs, "bench_naive", Databases.SLOT_READERS_GONE);
            es.deleteIndices(index);
        }
    }

    // ------------------------------------------------------------------ references

    ObjectNode sinkLimit(List<Map.Entry<String, JsonNode>> docs, String index, JsonNode template) throws Exception {
        SinkLimit.Result best = null;
        com.fasterxml.jackson.databind.node.ArrayNode tries = Es.JSON.createArrayNode();
        for (int[] setting : new int[][]{{1000, 1}, {1000, 2}, {5000, 2}}) {
            SinkLimit.Result r = SinkLimit.run(es, docs, index, template, setting[0], setting[1]);
            LOG.info("sink limit {}: {}", index, r);
            tries.add(Es.JSON.valueToTree(r));
            if (best == null || r.docsPerSecond() > best.docsPerSecond()) {
                best = r;
            }
        }
        ObjectNode n = Es.JSON.valueToTree(best);
        n.set("tries", tries);
        return n;
    }

    ObjectNode sourceLimit(Path config, String tag, boolean full) throws Exception {
        ObjectNode n = Es.JSON.createObjectNode();
        long rows = full ? mappedRows() : o.employees();
        try (DebeziumReference ref = new DebeziumReference(DebeziumReference.Kind.NOOP, config, tag, "initial", es, null, work)) {
            long start = System.nanoTime();
            ref.start();
            await("the no-op snapshot", () -> ref.changes() >= rows, 1800);
            double s = (ref.lastChangeNanos() - start) / 1e9;
            n.set("initial", load(s, rows, -1));
            Thread.sleep(3000); // the engine switches from the snapshot to the stream
            long before = ref.changes();
            // the engine runs in this JVM: its CPU (with the load generator's, which is small) is Debezium's
            long self = ProcessHandle.current().pid();
            Cpu.Mark cpu = Cpu.Mark.of(self, es);
            long t0 = System.nanoTime();
            long events;
            if (full) {
                long[] changed = w.mixedBurst(++round, o.burst());
                events = changed[0] + changed[1] + changed[2];
            } else {
                events = w.codeRound(++round, o.employees()) + w.codeRound(++round, o.employees());
            }
            final long expected = before + events;
            await("the no-op stream", () -> ref.changes() >= expected, 1800);
            double st = (ref.lastChangeNanos() - t0) / 1e9;
            ObjectNode stream = n.putObject("stream");
            stream.put("events", events);
            stream.put("seconds", st);
            stream.put("eventsPerSecond", events / st);
            cpu.putPerChange(stream, self, es, events);
            LOG.info("source limit {}: {}", tag, n);
        } finally {
            ReplicationSlots.drop(db.dbs, "bench_" + tag, Databases.SLOT_READERS_GONE);
        }
        return n;
    }

    // ------------------------------------------------------------------ helpers

    /** The final documents, for the sink limit; all of them, or the comparison would not be on the same rows. */
    List<Map.Entry<String, JsonNode>> exportAll(String index, long expected) throws Exception {
        List<Map.Entry<String, JsonNode>> docs = es.export(index);
        if (docs.size() != expected) {
            throw new IllegalStateException("exported " + docs.size() + " documents from " + index + ", expected " + expected);
        }
        return docs;
    }

    void awaitMosaic(MosaicUnderTest mosaic, String index, long docs, int timeoutSeconds) throws Exception {
        await("Mosaic's initial load of " + index, () -> mosaic.ready() && es.count(index, null) >= docs, timeoutSeconds);
    }

    void awaitSlotActive(String slot) throws Exception {
        await("slot " + slot, () -> {
            try (Connection c = db.dbs.openPgServer(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active")) {
                r.next();
                return r.getLong(1) > 0;
            }
        }, 120);
        Thread.sleep(2000);
    }

    static void awaitCount(Es es, String index, Object query, long expected, int timeoutSeconds) throws Exception {
        await(index + " to hold " + expected + " documents", () -> es.count(index, query) >= expected, timeoutSeconds);
    }

    static void await(String what, Check check, int timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (!check.done()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    ObjectNode load(double seconds, long rows, long docs) {
        ObjectNode n = Es.JSON.createObjectNode();
        n.put("seconds", seconds);
        n.put("rows", rows);
        n.put("rowsPerSecond", rows / seconds);
        if (docs >= 0) {
            n.put("docs", docs);
            n.put("docsPerSecond", docs / seconds);
        }
        return n;
    }

    JsonNode template(String path) throws Exception {
        return Es.JSON.readTree(root.resolve(path).toFile());
    }

    static double seconds(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0;
    }
}
