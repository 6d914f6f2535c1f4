package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioDatabases;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.LocalServices;
import io.mosaic.testkit.MosaicHarness;

/**
 * The library example of {@code mappings/examples/library} on real servers, from the example's own files, so that
 * they cannot rot: its DDL and seed scripts create and fill PostgreSQL {@code library} and MariaDB {@code lib_catalog},
 * its {@code mosaic.yaml} (with the local ports through its environment variables) passes {@code mosaic validate} and
 * runs Mosaic as a child process. Both document types ({@code library-members}: soft-delete filter, routing by branch,
 * a branch lookup, tags as an array of scalars with a composite key, open loans from the other database with a
 * composite key, a collection filter, a book lookup and each loan's renewals as a nested collection;
 * {@code library-books}: authors through a join table) must
 * equal what SQL computes, element order included. Then a randomized workload (members inserted, renamed,
 * soft-deleted, undeleted, hard-deleted and moved to another branch; tags added, removed and changed in a key
 * column; loans opened, returned, reopened and changed in a key column; renewals added, changed and removed;
 * books, authors and branches renamed so that
 * the change fans out; join rows added and removed) runs while Mosaic is killed with SIGKILL and restarted, and the
 * documents end equal to SQL again, each exactly once, at its branch's routing.
 *
 * <p>Replay a run with {@code -Dmosaic.library.seed=N}.
 */
class LibraryExampleIT {

    static final Path EXAMPLE = LocalServices.root().resolve("mappings/examples/library");
    static final long SEED = Long.getLong("mosaic.library.seed", System.currentTimeMillis());
    static final String MEMBERS = "library-members";
    static final String BOOKS = "library-books";

    static MosaicHarness harness;
    static ChildProcess mosaic;

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.close(); // and the Mosaic processes it started
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theExampleFollowsBothDatabasesThroughAWorkloadAndAKill() throws Exception {
        System.out.printf("LibraryExampleIT: seed %d (replay with -Dmosaic.library.seed=%d)%n", SEED, SEED);
        harness = new MosaicHarness(); // no slots, no mosaic-* indices or templates
        MosaicHarness.es("DELETE", "/library-*?expand_wildcards=all&ignore_unavailable=true", null);
        ScenarioDatabases dbs = harness.dbs;
        try (Connection c = dbs.openPgServer(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS library WITH (FORCE)");
            s.execute("CREATE DATABASE library");
        }
        try (Connection c = dbs.openMysqlServer(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS lib_catalog");
            s.execute("CREATE DATABASE lib_catalog");
        }
        try (Connection c = library(); Statement s = c.createStatement()) {
            runScript(s, "schema-postgres.sql");
            runScript(s, "seed-postgres.sql");
        }
        try (Connection c = catalog(); Statement s = c.createStatement()) {
            runScript(s, "schema-mariadb.sql");
            runScript(s, "seed-mariadb.sql");
        }

        // the example's own config file, its ports and state directory from its environment variables
        Map<String, String> env = Map.of(
                "MOSAIC_ES_URLS", LocalServices.ES_URL,
                "LIBRARY_DB_PORT", Integer.toString(dbs.pgPort()),
                "CATALOG_DB_PORT", Integer.toString(dbs.mysqlPort()),
                "MOSAIC_STATE_DIR", harness.workDir.resolve("state").toString(),
                "MOSAIC_HTTP_PORT", "0");
        Path config = EXAMPLE.resolve("mosaic.yaml");
        ChildProcess validate = new ChildProcess("validate", mosaicCommand("validate", config), env, harness.workDir.resolve("validate.log"));
        validate.start();
        int validated = validate.waitFor(300);
        assertThat(validated).as("mosaic validate of the example: %s", Files.exists(validate.log()) ? Files.readString(validate.log()) : "")
                .isZero();

        mosaic = harness.own(new ChildProcess("library", mosaicCommand("run", config), env, harness.workDir.resolve("mosaic.log")));
        mosaic.start();
        awaitConverged(MEMBERS, LibraryExampleIT::expectedMembers, Duration.ofSeconds(240));
        awaitConverged(BOOKS, LibraryExampleIT::expectedBooks, Duration.ofSeconds(120));
        Map<String, Map<String, Object>> members = harness.documents(MEMBERS);
        assertThat(members).as("200 members, every 10th soft-deleted").hasSize(180).doesNotContainKeys("10", "200").containsKeys("1", "199");
        assertThat(members.get("12").get("tags")).as("tags as an array of values, in key order")
                .isEqualTo(List.of("kids", "premium", "student", "volunteer"));
        assertThat(members.get("12").get("branch")).isEqualTo(Map.of("name", "Central"));
        assertThat(members.values().stream().mapToInt(d -> ((List<?>) d.get("loans")).size()).sum())
                .as("the open loans: about two thirds of 300, less those of soft-deleted members").isBetween(150, 200);
        assertThat(members.values().stream().flatMap(d -> ((List<Map<String, Object>>) d.get("loans")).stream())
                .mapToInt(l -> ((List<?>) l.get("renewals")).size()).sum())
                .as("the open loans' renewals (nested in loans, from a table keyed by the loan's key)").isBetween(80, 200);
        assertThat(harness.documents(BOOKS).get("3").get("authors")).as("book 3 has two authors")
                .isEqualTo(List.of(Map.of("id", 4, "name", "Author 4"), Map.of("id", 17, "name", "Author 17")));
        assertRoutedSearches();

        Workload workload = new Workload(SEED);
        Thread writer = new Thread(workload, "library-workload");
        writer.start();
        try {
            Thread.sleep(8_000);
            mosaic.kill9();
            System.out.println("LibraryExampleIT: Mosaic killed with SIGKILL after " + workload.committed.get() + " changes");
            Thread.sleep(3_000);
            mosaic.start();
            Thread.sleep(10_000);
        } finally {
            workload.running.set(false);
            writer.join();
        }
        System.out.println("LibraryExampleIT: " + workload.committed.get() + " changes committed, " + workload.failed.get()
                + " refused (key conflicts), by kind " + workload.kinds);
        assertThat(workload.committed.get()).isGreaterThan(100);
        assertThat(workload.kinds.keySet()).as("every kind of change ran").hasSize(Workload.KINDS);

        awaitConverged(MEMBERS, LibraryExampleIT::expectedMembers, Duration.ofSeconds(300));
        awaitConverged(BOOKS, LibraryExampleIT::expectedBooks, Duration.ofSeconds(120));
        assertRoutedSearches();
        members = harness.documents(MEMBERS);
        System.out.printf("LibraryExampleIT: seed %d: %d member and %d book documents equal SQL, 0 differences%n",
                SEED, members.size(), harness.documents(BOOKS).size());
    }

    /** The document count (no copy left at an old routing), and per branch: a routed search finds exactly its members. */
    @SuppressWarnings("unchecked")
    private static void assertRoutedSearches() throws Exception {
        Map<String, Map<String, Object>> expected = expectedMembers();
        MosaicHarness.es("POST", "/" + MEMBERS + "/_refresh", null);
        Map<String, Object> count = MosaicHarness.es("GET", "/" + MEMBERS + "/_count", null);
        assertThat(((Number) count.get("count")).intValue()).as("each member exactly once").isEqualTo(expected.size());
        Map<Integer, Integer> shardOf = new TreeMap<>();
        for (int branch = 1; branch <= 3; branch++) {
            Map<String, Object> r = MosaicHarness.es("GET", "/" + MEMBERS + "/_search_shards?routing=" + branch, null);
            shardOf.put(branch, ((Number) ((List<Map<String, Object>>) ((List<Object>) r.get("shards")).get(0)).get(0).get("shard")).intValue());
        }
        assertThat(new TreeSet<>(shardOf.values())).as("the template's shards spread the branches: %s", shardOf).hasSizeGreaterThan(1);
        for (int branch = 1; branch <= 3; branch++) {
            Map<String, Object> r = MosaicHarness.es("POST", "/" + MEMBERS + "/_search?routing=" + branch + "&size=1000",
                    Map.of("query", Map.of("term", Map.of("branch_id", branch)), "_source", false));
            TreeSet<String> ids = new TreeSet<>();
            String routing = Integer.toString(branch);
            ((List<Map<String, Object>>) ((Map<String, Object>) r.get("hits")).get("hits")).forEach(h -> {
                ids.add((String) h.get("_id"));
                assertThat(h.get("_routing")).as("member %s written with its branch as routing", h.get("_id")).isEqualTo(routing);
            });
            TreeSet<String> mine = new TreeSet<>();
            int b = branch;
            expected.forEach((id, d) -> {
                if (((Number) d.get("branch_id")).intValue() == b) {
                    mine.add(id);
                }
            });
            assertThat(ids).as("branch %d's routed search", branch).isEqualTo(mine);
            String one = mine.first();
            Map<String, Object> doc = MosaicHarness.es("GET", "/" + MEMBERS + "/_doc/" + one + "?routing=" + branch, null);
            assertThat(doc.get("found")).as("member %s at routing %d", one, branch).isEqualTo(true);
            for (int other = 1; other <= 3; other++) {
                if (!shardOf.get(other).equals(shardOf.get(branch))) {
                    Map<String, Object> elsewhere = MosaicHarness.es("GET", "/" + MEMBERS + "/_doc/" + one + "?routing=" + other, null);
                    assertThat(elsewhere.get("found")).as("member %s of branch %d at routing %d (another shard)", one, branch, other)
                            .isNotEqualTo(true);
                }
            }
        }
    }

    private static List<String> mosaicCommand(String command, Path config) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx192m", "-XX:+UseParallelGC",
                "-cp", System.getProperty("java.class.path"), "io.mosaic.Main", command, "--config", config.toString());
    }

    static Connection library() throws SQLException {
        return DriverManager.getConnection(ScenarioDatabases.withDatabase(harness.dbs.adminUrl(), "library"),
                harness.dbs.pgUser(), harness.dbs.pgPassword());
    }

    static Connection catalog() throws SQLException {
        return DriverManager.getConnection(ScenarioDatabases.withDatabase(harness.dbs.laborUrl(), "lib_catalog"),
                harness.dbs.mysqlUser(), harness.dbs.mysqlPassword());
    }

    /** Runs one of the example's SQL files, statement by statement (each ends with ';' at the end of a line). */
    private static void runScript(Statement s, String file) throws Exception {
        StringBuilder sql = new StringBuilder();
        for (String line : Files.readAllLines(EXAMPLE.resolve(file))) {
            if (line.strip().startsWith("--")) {
                continue;
            }
            sql.append(line).append('\n');
            if (line.strip().endsWith(";")) {
                String statement = sql.toString().strip();
                s.execute(statement.substring(0, statement.length() - 1));
                sql.setLength(0);
            }
        }
        assertThat(sql.toString().strip()).as("%s ends with a complete statement", file).isEmpty();
    }

    /** Waits until the index equals the expected documents exactly (element order included, nulls as absent). */
    static void awaitConverged(String index, Supplier<Map<String, Map<String, Object>>> expected, Duration timeout) {
        List<String> last = new ArrayList<>();
        try {
            await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).until(() -> {
                if (mosaic != null) {
                    mosaic.checkAlive();
                }
                last.clear();
                last.addAll(differences(expected.get(), harness.documents(index)));
                return last.isEmpty();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(index + ": " + last.size() + " difference(s) after " + timeout + ", first: "
                    + last.subList(0, Math.min(5, last.size())), e);
        }
    }

    static List<String> differences(Map<String, Map<String, Object>> expected, Map<String, Map<String, Object>> actual) {
        List<String> out = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>(expected.keySet());
        ids.addAll(actual.keySet());
        for (String id : ids) {
            if (!expected.containsKey(id)) {
                out.add("document " + id + " exists but should not: " + normalize(actual.get(id)));
            } else if (!actual.containsKey(id)) {
                out.add("document " + id + " is missing: " + normalize(expected.get(id)));
            } else if (!normalize(expected.get(id)).equals(normalize(actual.get(id)))) {
                out.add("document " + id + " differs:\n  expected " + normalize(expected.get(id)) + "\n  actual   " + normalize(actual.get(id)));
            }
        }
        return out;
    }

    /** Nulls and Mosaic's own {@code mosaic} object left out, numbers by value; lists keep their order. */
    static Object normalize(Object value) {
        if (value instanceof Map<?, ?> m) {
            TreeMap<String, Object> out = new TreeMap<>();
            m.forEach((k, v) -> {
                if (v != null && !"mosaic".equals(k)) {
                    out.put((String) k, normalize(v));
                }
            });
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(LibraryExampleIT::normalize).toList();
        }
        if (value instanceof Number n) {
            return new BigDecimal(n.toString()).stripTrailingZeros();
        }
        return value;
    }

    /**
     * The member documents SQL gives: the current members (deleted_at IS NULL) with their branch and tags from
     * PostgreSQL, and their open loans (returned_on IS NULL) with each book's title from MariaDB, in key order.
     */
    static Map<String, Map<String, Object>> expectedMembers() {
        try {
            Map<Long, List<Object>> loans = new TreeMap<>();
            try (Connection c = catalog(); Statement s = c.createStatement()) {
                // each loan's renewals, by the loan's key, in renewal-day order (the last part of their key)
                Map<String, List<Object>> renewals = new LinkedHashMap<>();
                try (ResultSet r = s.executeQuery("SELECT member_id, book_id, loaned_on, renewed_on, due_on FROM loan_renewals "
                        + "ORDER BY member_id, book_id, loaned_on, renewed_on")) {
                    while (r.next()) {
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("renewed_on", r.getString(4));
                        e.put("due_on", r.getString(5));
                        renewals.computeIfAbsent(r.getLong(1) + "|" + r.getLong(2) + "|" + r.getString(3), k -> new ArrayList<>()).add(e);
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT l.member_id, l.book_id, l.loaned_on, b.title FROM loans l "
                        + "LEFT JOIN books b ON b.id = l.book_id WHERE l.returned_on IS NULL ORDER BY l.member_id, l.book_id, l.loaned_on")) {
                    while (r.next()) {
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("book_id", r.getLong(2));
                        e.put("loaned_on", r.getString(3));
                        e.put("book", r.getString(4) == null ? null : Map.of("title", r.getString(4)));
                        e.put("renewals", renewals.getOrDefault(r.getLong(1) + "|" + r.getLong(2) + "|" + r.getString(3), List.of()));
                        loans.computeIfAbsent(r.getLong(1), k -> new ArrayList<>()).add(e);
                    }
                }
            }
            Map<Long, TreeSet<String>> tags = new TreeMap<>();
            Map<String, Map<String, Object>> out = new TreeMap<>();
            try (Connection c = library(); Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT member_id, tag FROM member_tags")) {
                    while (r.next()) {
                        tags.computeIfAbsent(r.getLong(1), k -> new TreeSet<>()).add(r.getString(2)); // text order, as Mosaic's keys
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT m.id, m.branch_id, m.name, m.joined_on, b.name FROM members m "
                        + "LEFT JOIN branches b ON b.id = m.branch_id WHERE m.deleted_at IS NULL")) {
                    while (r.next()) {
                        long id = r.getLong(1);
                        Map<String, Object> d = new LinkedHashMap<>();
                        d.put("id", id);
                        d.put("branch_id", r.getInt(2));
                        d.put("name", r.getString(3));
                        d.put("joined_on", r.getString(4));
                        d.put("branch", r.getString(5) == null ? null : Map.of("name", r.getString(5)));
                        d.put("tags", new ArrayList<>(tags.getOrDefault(id, new TreeSet<>())));
                        d.put("loans", loans.getOrDefault(id, List.of()));
                        out.put(Long.toString(id), d);
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The book documents SQL gives: each book with its authors through book_authors (a LEFT JOIN), in key order. */
    static Map<String, Map<String, Object>> expectedBooks() {
        try (Connection c = catalog(); Statement s = c.createStatement()) {
            Map<Long, List<Object>> authors = new TreeMap<>();
            try (ResultSet r = s.executeQuery("SELECT ba.book_id, a.id, a.name FROM book_authors ba "
                    + "LEFT JOIN authors a ON a.id = ba.author_id ORDER BY ba.book_id, ba.author_id")) {
                while (r.next()) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("id", r.getObject(2) == null ? null : r.getLong(2));
                    e.put("name", r.getString(3));
                    authors.computeIfAbsent(r.getLong(1), k -> new ArrayList<>()).add(e);
                }
            }
            Map<String, Map<String, Object>> out = new TreeMap<>();
            try (ResultSet r = s.executeQuery("SELECT id, title, published_year FROM books")) {
                while (r.next()) {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("id", r.getLong(1));
                    d.put("title", r.getString(2));
                    d.put("published_year", r.getObject(3) == null ? null : r.getInt(3));
                    d.put("authors", authors.getOrDefault(r.getLong(1), List.of()));
                    out.put(Long.toString(r.getLong(1)), d);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Randomized, reproducible changes to both databases. A statement refused by a key conflict (a tag or a loan
     * changed onto a key that exists) is counted and skipped: the expected documents come from what the tables hold.
     */
    static final class Workload implements Runnable {

        static final int KINDS = 21;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger committed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final Map<String, Integer> kinds = new TreeMap<>();
        private final SplittableRandom random;
        private long nextMember = 1_001;
        private int counter;
        private static final String[] TAGS = {"kids", "premium", "student", "volunteer", "senior", "new"};

        Workload(long seed) {
            this.random = new SplittableRandom(seed);
        }

        @Override
        public void run() {
            Connection pg = null;
            Connection my = null;
            while (running.get()) {
                try {
                    if (pg == null) {
                        pg = library();
                    }
                    if (my == null) {
                        my = catalog();
                    }
                    String kind = step(pg, my);
                    committed.incrementAndGet();
                    synchronized (kinds) {
                        kinds.merge(kind, 1, Integer::sum);
                    }
                } catch (SQLException e) {
                    failed.incrementAndGet();
                }
                sleep(10 + random.nextInt(30));
            }
            close(pg);
            close(my);
        }

        /** A member: mostly a seeded one, sometimes one inserted by the workload or one not inserted yet. */
        private long member() {
            return random.nextInt(8) == 0 ? 1_001 + random.nextLong(nextMember - 1_001 + 3) : 1 + random.nextInt(200);
        }

        private String step(Connection pg, Connection my) throws SQLException {
            long m = member();
            long book = 1 + random.nextInt(60);
            String tag = TAGS[random.nextInt(TAGS.length)];
            String day = "2026-" + String.format("%02d-%02d", 1 + random.nextInt(11), 1 + random.nextInt(28));
            int op = random.nextInt(KINDS);
            switch (op) {
                case 0 -> exec(pg, "INSERT INTO members (id, branch_id, name, joined_on) VALUES (" + (nextMember++) + ", "
                        + (1 + random.nextInt(3)) + ", 'New member " + nextMember + "', DATE '" + day + "')");
                case 1 -> exec(pg, "UPDATE members SET name = 'Renamed " + (++counter) + "' WHERE id = " + m);
                case 2 -> exec(pg, "UPDATE members SET deleted_at = now() WHERE id = " + m);
                case 3 -> exec(pg, "UPDATE members SET deleted_at = NULL WHERE id = " + m);
                case 4 -> exec(pg, "UPDATE members SET branch_id = branch_id % 3 + 1 WHERE id = " + m); // a new routing
                case 5 -> exec(pg, "DELETE FROM members WHERE id = " + m);
                case 6 -> exec(pg, "INSERT INTO member_tags VALUES (" + m + ", '" + tag + "') ON CONFLICT DO NOTHING");
                case 7 -> exec(pg, "DELETE FROM member_tags WHERE member_id = " + m + " AND tag = '" + tag + "'");
                case 8 -> exec(pg, "UPDATE member_tags SET tag = 'tag-" + (++counter) + "' WHERE member_id = " + m + " AND tag = '" + tag + "'");
                case 9 -> exec(pg, "UPDATE branches SET name = 'Branch " + (++counter) + "' WHERE id = " + (1 + random.nextInt(3)));
                case 10 -> exec(my, "INSERT IGNORE INTO loans VALUES (" + m + ", " + book + ", '" + day + "', NULL)");
                case 11 -> exec(my, "UPDATE loans SET returned_on = '2026-12-01' WHERE member_id = " + m + " AND returned_on IS NULL LIMIT 1");
                case 12 -> exec(my, "UPDATE loans SET returned_on = NULL WHERE member_id = " + m + " AND returned_on IS NOT NULL LIMIT 1");
                case 13 -> exec(my, random.nextBoolean()
                        ? "UPDATE IGNORE loans SET loaned_on = DATE_ADD(loaned_on, INTERVAL 1 DAY) WHERE member_id = " + m + " LIMIT 1"
                        : "UPDATE IGNORE loans SET member_id = " + member() + " WHERE member_id = " + m + " LIMIT 1"); // key parts
                case 14 -> exec(my, "UPDATE books SET title = 'Book " + book + " (edition " + (++counter) + ")' WHERE id = " + book);
                case 15 -> exec(my, "UPDATE authors SET name = 'Author " + (++counter) + "' WHERE id = " + (1 + random.nextInt(20)));
                case 16 -> exec(my, "INSERT IGNORE INTO book_authors VALUES (" + book + ", " + (1 + random.nextInt(20)) + ")");
                // renewals, nested in loans: added to one of the member's loans (or to a loan that does not exist yet),
                // their due day changed, removed
                case 17 -> exec(my, random.nextInt(4) == 0
                        ? "INSERT IGNORE INTO loan_renewals VALUES (" + m + ", " + book + ", '" + day + "', '" + day + "', NULL)"
                        : "INSERT IGNORE INTO loan_renewals SELECT member_id, book_id, loaned_on, '" + day + "', DATE_ADD('" + day
                        + "', INTERVAL 21 DAY) FROM loans WHERE member_id = " + m + " LIMIT 1");
                case 18 -> exec(my, "UPDATE loan_renewals SET due_on = DATE_ADD(COALESCE(due_on, renewed_on), INTERVAL 7 DAY) "
                        + "WHERE member_id = " + m + " LIMIT 1");
                case 19 -> exec(my, "DELETE FROM loan_renewals WHERE member_id = " + m + " LIMIT 1");
                default -> exec(my, "DELETE FROM book_authors WHERE book_id = " + book + " LIMIT 1");
            }
            return Integer.toString(op);
        }

        private static void exec(Connection c, String sql) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }

        private static void close(Connection c) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException ignored) {
                // the run is over
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
