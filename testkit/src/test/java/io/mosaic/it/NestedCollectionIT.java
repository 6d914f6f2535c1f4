package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.cli.ExitCodes;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.MosaicHarness;

/**
 * Nested collections on real servers (issue 15): {@code customers[].contracts[].allowances[]} and
 * {@code contracts[].tags[]}, each level in another database: customers in PostgreSQL {@code admin}, contracts in
 * PostgreSQL {@code motivation}, allowances and tags in MariaDB {@code labor}, whose rows carry only the contract's
 * key. While Mosaic streams (as a process of its own): allowances inserted, updated, filtered out and deleted; a
 * contract deleted (its allowances leave the document) and inserted again (they come back); a contract moved to
 * another customer (its allowances move along); an allowance moved to another contract; allowances before their
 * contract, and a contract before its customer; a TRUNCATE of the tags. Then a random workload over the three tables
 * while Mosaic is killed with SIGKILL and restarted. The documents end equal to what SQL gives, table by table, and
 * {@code mosaic verify} finds no drift (and finds, then repairs, an edit of a nested array behind Mosaic's back).
 */
class NestedCollectionIT {

    static MosaicHarness harness;
    static ChildProcess mosaic;
    static final long SEED = Long.getLong("mosaic.nested.seed", System.nanoTime());

    @AfterAll
    static void stop() throws Exception {
        if (mosaic != null) {
            mosaic.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    static final String MAPPING = """
            document: customer
            index: { alias: nc-customers }
            root:
              source: admin
              table: public.nc_customers
              key: id
              fields:
                id: id
                name: name
            collections:
              contracts:
                source: motivation
                table: public.nc_contracts
                key: id
                parent: customer_id
                fields:
                  id: id
                  title: title
                collections:
                  allowances:
                    source: labor
                    table: labor.nc_allowances
                    key: id
                    parent: contract_id
                    fields:
                      id: id
                      kind: kind
                      amount: amount
                    filter: { kind: { not_equals: void } }
                  tags:
                    source: labor
                    table: labor.nc_contract_tags
                    key: [contract_id, tag]
                    parent: contract_id
                    value: tag
            """;

    @Test
    void nestedRowsFollowTheirElementsThroughChangesMovesAndAKill() throws Exception {
        System.out.printf("NestedCollectionIT: seed %d (replay with -Dmosaic.nested.seed=%d)%n", SEED, SEED);
        harness = new MosaicHarness();
        MosaicHarness.es("DELETE", "/nc-customers*?expand_wildcards=all&ignore_unavailable=true", null);
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS nc_customers");
            s.execute("CREATE TABLE nc_customers (id bigint PRIMARY KEY, name text NOT NULL)");
            s.execute("INSERT INTO nc_customers SELECT g, 'customer ' || g FROM generate_series(1, 30) g");
        }
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS nc_contracts");
            s.execute("CREATE TABLE nc_contracts (id bigint PRIMARY KEY, customer_id bigint, title text)");
            // the old row's parent must reach Mosaic on a delete or a move (mosaic validate checks it)
            s.execute("ALTER TABLE nc_contracts REPLICA IDENTITY FULL");
            s.execute("INSERT INTO nc_contracts SELECT g, 1 + g % 30, 'contract ' || g FROM generate_series(1, 60) g");
            s.execute("INSERT INTO nc_contracts VALUES (70, 31, 'a contract before its customer')");
        }
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS nc_allowances");
            s.execute("DROP TABLE IF EXISTS nc_contract_tags");
            s.execute("CREATE TABLE nc_allowances (id bigint PRIMARY KEY, contract_id bigint, kind varchar(20), amount bigint)");
            s.execute("CREATE TABLE nc_contract_tags (contract_id bigint NOT NULL, tag varchar(40) NOT NULL, PRIMARY KEY (contract_id, tag))");
            StringBuilder rows = new StringBuilder();
            for (int i = 1; i <= 150; i++) {
                String kind = i % 7 == 0 ? "void" : i % 2 == 0 ? "meal" : "rent";
                rows.append(rows.isEmpty() ? "" : ", ").append("(").append(i).append(", ").append(1 + i % 60).append(", '")
                        .append(kind).append("', ").append(100 * i).append(")");
            }
            // allowances of contract 80, which does not exist yet
            rows.append(", (201, 80, 'meal', 5), (202, 80, 'rent', 6)");
            s.execute("INSERT INTO nc_allowances VALUES " + rows);
            s.execute("INSERT INTO nc_contract_tags VALUES (1, 'premium'), (1, 'kids'), (2, 'kids'), (5, 'gold'), (80, 'early')");
        }
        Path dir = harness.workDir.resolve("mappings");
        Files.createDirectories(dir);
        Path mapping = dir.resolve("customers.yaml");
        Files.writeString(mapping, MAPPING);
        // mosaic validate checks the nested table against the live MariaDB: a missing column, with its file and line
        Path wrong = dir.resolve("wrong").resolve("customers.yaml");
        Files.createDirectories(wrong.getParent());
        Files.writeString(wrong, MAPPING.replace("amount: amount", "amount: amount_cents"));
        MosaicCli.Run bad = MosaicCli.run("validate", "--config",
                harness.configFile("wrong.yaml", wrong.toString(), "admin", "motivation", "labor").toString());
        assertThat(bad.exit()).as(bad.out() + bad.err()).isEqualTo(ExitCodes.CONFIG);
        assertThat(bad.out() + bad.err()).contains("customers.yaml:28:").contains("column 'amount_cents' does not exist in labor.labor.nc_allowances");

        Path config = harness.config(mapping.toString(), "admin", "motivation", "labor");
        MosaicCli.Run ok = MosaicCli.run("validate", "--config", config.toString());
        assertThat(ok.exit()).as(ok.err() + ok.out()).isZero();

        mosaic = ChildProcess.mosaic("nested", config, harness.workDir.resolve("mosaic.log"), null);
        mosaic.start();
        awaitConverged(Duration.ofSeconds(240));
        Map<String, Map<String, Object>> docs = harness.documents("nc-customers");
        assertThat(docs).hasSize(30).doesNotContainKey("31");
        assertThat(contract(docs.get("2"), 1).get("tags")).as("tags of contract 1, in key order").isEqualTo(List.of("kids", "premium"));
        assertThat(allowances(docs.get("2"), 1)).as("contract 1's allowances from MariaDB (allowance 60 and 120; no void one)")
                .extracting(a -> ((Number) a.get("id")).longValue()).containsExactly(60L, 120L);

        // scripted: every ordering case once
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO nc_allowances VALUES (300, 1, 'bonus', 1), (301, 61, 'meal', 7)"); // 61: before its contract
            s.execute("UPDATE nc_allowances SET amount = amount + 1 WHERE id IN (60, 2)");
            s.execute("UPDATE nc_allowances SET kind = 'void' WHERE id = 120"); // filtered out
            s.execute("UPDATE nc_allowances SET kind = 'meal' WHERE id = 7"); // filtered in
            s.execute("DELETE FROM nc_allowances WHERE id = 3");
            s.execute("UPDATE nc_allowances SET contract_id = 2 WHERE id = 4"); // to another contract
            s.execute("TRUNCATE TABLE nc_contract_tags");
            s.execute("INSERT INTO nc_contract_tags VALUES (2, 'after truncate')");
        }
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM nc_contracts WHERE id = 5"); // its allowances leave customer 6
            s.execute("UPDATE nc_contracts SET customer_id = 9 WHERE id = 6"); // from customer 7 to 9, with its allowances
            s.execute("INSERT INTO nc_contracts VALUES (61, 3, 'late contract'), (80, 4, 'late contract 80')");
        }
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO nc_customers VALUES (31, 'customer after its contract')");
        }
        awaitConverged(Duration.ofSeconds(180));
        docs = harness.documents("nc-customers");
        assertThat(contracts(docs.get("6"))).extracting(e -> ((Number) e.get("id")).longValue()).doesNotContain(5L);
        assertThat(contracts(docs.get("9"))).extracting(e -> ((Number) e.get("id")).longValue()).contains(6L);
        assertThat(allowances(docs.get("9"), 6)).as("contract 6's allowances moved with it").isNotEmpty();
        assertThat(allowances(docs.get("4"), 80)).as("allowances before their contract").hasSize(2);
        assertThat(contract(docs.get("4"), 80).get("tags")).as("truncated").isEqualTo(List.of());
        assertThat(contract(docs.get("3"), 2).get("tags")).isEqualTo(List.of("after truncate"));
        assertThat(docs).containsKey("31");

        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO nc_contracts VALUES (5, 6, 'contract 5 again')"); // its allowances come back
        }
        awaitConverged(Duration.ofSeconds(120));
        assertThat(allowances(harness.documents("nc-customers").get("6"), 5)).isNotEmpty();

        // a workload over the three tables, Mosaic killed with SIGKILL and restarted meanwhile
        Workload workload = new Workload(SEED);
        Thread writer = new Thread(workload, "nested-workload");
        writer.start();
        try {
            Thread.sleep(8_000);
            mosaic.kill9();
            System.out.println("NestedCollectionIT: Mosaic killed with SIGKILL after " + workload.committed.get() + " changes");
            Thread.sleep(3_000);
            mosaic.start();
            Thread.sleep(10_000);
        } finally {
            workload.running.set(false);
            writer.join();
        }
        System.out.println("NestedCollectionIT: " + workload.committed.get() + " changes committed, " + workload.failed.get()
                + " refused, by kind " + workload.kinds);
        assertThat(workload.committed.get()).isGreaterThan(100);
        assertThat(workload.kinds.keySet()).as("every kind of change ran").hasSize(Workload.KINDS);
        awaitConverged(Duration.ofSeconds(300));

        // verify computes the nested elements from the sources: no drift, then an edited nested array is drift
        MosaicCli.Run clean = CompositeKeyIT.verify(config);
        assertThat(clean.exit()).as(clean.out() + clean.err()).isEqualTo(ExitCodes.OK);
        // a customer the workload left with a contract (it deletes and moves contracts at random)
        Map.Entry<String, Map<String, Object>> target = harness.documents("nc-customers").entrySet().stream()
                .filter(e -> !((List<?>) e.getValue().get("contracts")).isEmpty()).findFirst().orElseThrow();
        Map<String, Object> edited = new LinkedHashMap<>(target.getValue());
        edited.remove("mosaic");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cs = new ArrayList<>((List<Map<String, Object>>) edited.get("contracts"));
        Map<String, Object> first = new LinkedHashMap<>(cs.get(0));
        first.put("allowances", List.of(Map.of("id", 999, "kind", "forged", "amount", 1)));
        cs.set(0, first);
        assertThat(MosaicHarness.es("POST", "/nc-customers/_update/" + target.getKey() + "?refresh=true",
                Map.of("doc", Map.of("contracts", cs))).get("_status")).isEqualTo(200);
        MosaicCli.Run drift = CompositeKeyIT.verify(config);
        assertThat(drift.exit()).as(drift.out()).isEqualTo(ExitCodes.DRIFT);
        // the array, or its elements' fields when the lengths agree
        assertThat(drift.out() + drift.err()).contains("different " + target.getKey() + " fields [contracts[0].allowances");
        MosaicCli.Run repair = MosaicCli.run("verify", "--config", config.toString(), "--settle", "3s", "--repair");
        assertThat(repair.exit()).as(repair.out() + repair.err()).isEqualTo(ExitCodes.OK);
        awaitConverged(Duration.ofSeconds(60));
        MosaicCli.Run after = CompositeKeyIT.verify(config);
        assertThat(after.exit()).as(after.out() + after.err()).isEqualTo(ExitCodes.OK);

        // a rebuild from the state alone (the nested groups included) while Mosaic streams, then a nested change
        Path v2 = harness.workDir.resolve("v2");
        Files.createDirectories(v2);
        Files.writeString(v2.resolve("customers.yaml"), MAPPING.replace("index: { alias: nc-customers }",
                "index: { alias: nc-customers, version: 2 }"));
        MosaicCli.Run rebuild = MosaicCli.run("rebuild", "--config",
                harness.configFile("v2.yaml", v2.resolve("customers.yaml").toString(), "admin", "motivation", "labor").toString(),
                "--grace", "1s");
        assertThat(rebuild.exit()).as(rebuild.err()).isZero();
        assertThat(rebuild.out() + rebuild.err()).contains("the alias now points to nc-customers-v2");
        awaitConverged(Duration.ofSeconds(120));
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("UPDATE nc_allowances SET amount = amount + 1000 WHERE contract_id = 1");
        }
        awaitConverged(Duration.ofSeconds(120));
        System.out.printf("NestedCollectionIT: seed %d: %d documents equal SQL, verify finds 0 drift%n", SEED,
                harness.documents("nc-customers").size());
    }

    /** Until the documents equal SQL's, lists in order (elements in key order, as the mapping language promises). */
    private static void awaitConverged(Duration timeout) {
        List<String> last = new ArrayList<>();
        try {
            await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).until(() -> {
                mosaic.checkAlive();
                last.clear();
                last.addAll(LibraryExampleIT.differences(expected(), harness.documents("nc-customers")));
                return last.isEmpty();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(last.size() + " difference(s) after " + timeout + ", first: "
                    + last.subList(0, Math.min(5, last.size())), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> contracts(Map<String, Object> doc) {
        assertThat(doc).isNotNull();
        return (List<Map<String, Object>>) doc.get("contracts");
    }

    private static Map<String, Object> contract(Map<String, Object> doc, long id) {
        return contracts(doc).stream().filter(c -> ((Number) c.get("id")).longValue() == id).findFirst()
                .orElseThrow(() -> new AssertionError("no contract " + id + " in " + doc));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> allowances(Map<String, Object> doc, long contract) {
        return (List<Map<String, Object>>) contract(doc, contract).get("allowances");
    }

    /**
     * What SQL gives, table by table (three databases): each customer with its contracts in key order, each contract
     * with its allowances that are not void (by id) and its tags (by tag).
     */
    static Map<String, Map<String, Object>> expected() {
        try {
            Map<Long, List<Map<String, Object>>> allowances = new TreeMap<>();
            Map<Long, TreeMap<String, String>> tags = new TreeMap<>();
            try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT id, contract_id, kind, amount FROM nc_allowances "
                        + "WHERE contract_id IS NOT NULL AND (kind IS NULL OR kind <> 'void') ORDER BY id")) {
                    while (r.next()) {
                        Map<String, Object> a = new LinkedHashMap<>();
                        a.put("id", r.getLong(1));
                        a.put("kind", r.getString(3));
                        a.put("amount", r.getObject(4) == null ? null : r.getLong(4));
                        allowances.computeIfAbsent(r.getLong(2), k -> new ArrayList<>()).add(a);
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT contract_id, tag FROM nc_contract_tags")) {
                    while (r.next()) {
                        tags.computeIfAbsent(r.getLong(1), k -> new TreeMap<>()).put(r.getString(2), r.getString(2)); // key order
                    }
                }
            }
            Map<Long, List<Map<String, Object>>> contracts = new TreeMap<>();
            try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT id, customer_id, title FROM nc_contracts WHERE customer_id IS NOT NULL ORDER BY id")) {
                while (r.next()) {
                    long id = r.getLong(1);
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("id", id);
                    e.put("title", r.getString(3));
                    e.put("allowances", allowances.getOrDefault(id, List.of()));
                    e.put("tags", new ArrayList<>(tags.getOrDefault(id, new TreeMap<>()).values()));
                    contracts.computeIfAbsent(r.getLong(2), k -> new ArrayList<>()).add(e);
                }
            }
            Map<String, Map<String, Object>> out = new TreeMap<>();
            try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT id, name FROM nc_customers")) {
                while (r.next()) {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("id", r.getLong(1));
                    d.put("name", r.getString(2));
                    d.put("contracts", contracts.getOrDefault(r.getLong(1), List.of()));
                    out.put(Long.toString(r.getLong(1)), d);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Randomized, reproducible changes to the three tables; a statement refused (a key conflict) is counted and skipped. */
    static final class Workload implements Runnable {

        static final int KINDS = 12;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger committed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final Map<String, Integer> kinds = new TreeMap<>();
        private final SplittableRandom random;
        private long nextAllowance = 1_000;
        private long nextContract = 1_000;
        private int counter;
        private static final String[] KIND = {"meal", "rent", "void", "bonus"};
        private static final String[] TAGS = {"kids", "premium", "gold", "early", "late"};

        Workload(long seed) {
            this.random = new SplittableRandom(seed);
        }

        @Override
        public void run() {
            Connection admin = null;
            Connection motivation = null;
            Connection labor = null;
            while (running.get()) {
                try {
                    if (admin == null) {
                        admin = harness.dbs.openAdmin();
                    }
                    if (motivation == null) {
                        motivation = harness.dbs.openMotivation();
                    }
                    if (labor == null) {
                        labor = harness.dbs.openLabor();
                    }
                    String kind = step(admin, motivation, labor);
                    committed.incrementAndGet();
                    synchronized (kinds) {
                        kinds.merge(kind, 1, Integer::sum);
                    }
                } catch (SQLException e) {
                    failed.incrementAndGet();
                }
                sleep(10 + random.nextInt(30));
            }
            close(admin);
            close(motivation);
            close(labor);
        }

        /** A contract: mostly a seeded one, sometimes one the workload inserted, or one not inserted yet. */
        private long contract() {
            return random.nextInt(6) == 0 ? 1_000 + random.nextLong(nextContract - 1_000 + 3) : 1 + random.nextInt(61);
        }

        private String step(Connection admin, Connection motivation, Connection labor) throws SQLException {
            long contract = contract();
            long customer = 1 + random.nextInt(32);
            long allowance = random.nextInt(4) == 0 ? 1_000 + random.nextLong(nextAllowance - 999) : 1 + random.nextInt(150);
            String kind = KIND[random.nextInt(KIND.length)];
            String tag = TAGS[random.nextInt(TAGS.length)];
            int op = random.nextInt(KINDS);
            switch (op) {
                case 0 -> exec(labor, "INSERT INTO nc_allowances VALUES (" + (nextAllowance++) + ", " + contract + ", '" + kind + "', "
                        + random.nextInt(1000) + ")");
                case 1 -> exec(labor, "UPDATE nc_allowances SET amount = " + random.nextInt(1000) + ", kind = '" + kind + "' WHERE id = "
                        + allowance);
                case 2 -> exec(labor, "DELETE FROM nc_allowances WHERE id = " + allowance);
                case 3 -> exec(labor, "UPDATE nc_allowances SET contract_id = " + contract + " WHERE id = " + allowance);
                case 4 -> exec(labor, "INSERT IGNORE INTO nc_contract_tags VALUES (" + contract + ", '" + tag + "')");
                case 5 -> exec(labor, "DELETE FROM nc_contract_tags WHERE contract_id = " + contract + " AND tag = '" + tag + "'");
                case 6 -> exec(motivation, "INSERT INTO nc_contracts VALUES (" + (nextContract++) + ", " + customer + ", 'new contract')");
                case 7 -> exec(motivation, "UPDATE nc_contracts SET title = 'title " + (++counter) + "' WHERE id = " + contract);
                case 8 -> exec(motivation, "UPDATE nc_contracts SET customer_id = " + customer + " WHERE id = " + contract); // a move
                case 9 -> exec(motivation, "DELETE FROM nc_contracts WHERE id = " + contract);
                case 10 -> exec(motivation, "INSERT INTO nc_contracts VALUES (" + contract + ", " + customer + ", 'back again') "
                        + "ON CONFLICT (id) DO NOTHING"); // a deleted contract comes back, with its allowances
                default -> exec(admin, "UPDATE nc_customers SET name = 'renamed " + (++counter) + "' WHERE id = " + customer);
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
