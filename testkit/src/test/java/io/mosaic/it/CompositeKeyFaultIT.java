package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mosaic.cli.ExitCodes;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.pipeline.SourceRunner;
import io.mosaic.scenario.ScenarioDatabases;
import io.mosaic.testkit.ChildProcess;
import io.mosaic.testkit.CompositeKeyTables;
import io.mosaic.testkit.MosaicHarness;

/**
 * Composite keys under the operations CompositeKeyIT leaves out, on real servers, with the tables of
 * {@link CompositeKeyTables}: members (PostgreSQL) with notes and badges (PostgreSQL) and tags and levels (MariaDB),
 * and the levels and badges as single-table document types of their own. (1) {@code mosaic snapshot} of every table of
 * both sources (roots, collections, lookups) while a workload streams, after rows were deleted from the source and
 * documents were changed behind Mosaic's back: the deleted rows stay gone, the drift is mended, documents equal SQL.
 * Then {@code TRUNCATE} of the composite-keyed child, lookup and root tables in both databases (a statement in
 * MariaDB's binlog, pgoutput's truncate message; two tables in one PostgreSQL statement; a truncate and an insert in
 * one transaction): elements, referring fields and documents disappear, rows written afterwards appear; a MariaDB
 * column added, a restart, and more truncates after it. (2) A randomized workload (key-part changes of roots,
 * children and lookups, lookup renames that fan out, multi-row transactions, truncates, a column added in MariaDB)
 * while Mosaic is killed with SIGKILL and restarted, after a kill in the middle of incremental snapshots; the documents
 * end equal to SQL. (3) A re-snapshot sweeps rows deleted while Mosaic was not reading. (4) A truncate waits for the
 * incremental snapshot chunk that read its table. (5) A replay from before truncates changes no document.
 *
 * <p>Replay a run with {@code -Dmosaic.keys.seed=N}; lengthen the kills with {@code -Dmosaic.keys.seconds=S}.
 */
class CompositeKeyFaultIT {

    static final long SEED = Long.getLong("mosaic.keys.seed", System.currentTimeMillis());
    static final int SECONDS = Integer.getInteger("mosaic.keys.seconds", 60);

    /** A member the workload never touches: the truncates below write rows for it. */
    private static final String KEPT = "north\\|east|2";

    private MosaicHarness harness;
    private ChildProcess child;
    private Workload workload;
    private Thread writer;

    @AfterEach
    void stop() throws Exception {
        if (workload != null) {
            workload.running.set(false);
            writer.join();
        }
        if (child != null) {
            child.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    /**
     * Fresh tables, the three mappings in one directory and a config with signal tables for both sources, whose
     * incremental snapshots read {@code chunk} rows at a time.
     */
    private Path setUp(int chunk) throws Exception {
        harness = new MosaicHarness();
        MosaicHarness.es("DELETE", CompositeKeyTables.INDICES, null);
        CompositeKeyTables.create(harness.dbs);
        Path dir = harness.workDir.resolve("mappings");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("members.yaml"), CompositeKeyTables.MEMBERS_WITH_NOTES);
        Files.writeString(dir.resolve("levels.yaml"), CompositeKeyTables.LEVELS);
        Files.writeString(dir.resolve("badges.yaml"), CompositeKeyTables.BADGES);
        Path config = harness.withSignalTables(harness.config(dir.toString(), "admin", "labor"));
        String text = Files.readString(config);
        for (String signal : List.of("public.mosaic_signal", "labor.mosaic_signal")) {
            assertThat(text).contains("    signal_table: " + signal + "\n");
            text = text.replace("    signal_table: " + signal + "\n",
                    "    signal_table: " + signal + "\n    debezium:\n      incremental.snapshot.chunk.size: \"" + chunk + "\"\n");
        }
        Files.writeString(config, text);
        return config;
    }

    /** Waits until all three document types equal what SQL gives. */
    private void converged(Duration timeout) {
        ScenarioDatabases dbs = harness.dbs;
        harness.awaitConverged("members", () -> CompositeKeyTables.members(dbs, true), timeout);
        harness.awaitConverged("cm-levels", () -> CompositeKeyTables.levels(dbs), timeout);
        harness.awaitConverged("cm-badges", () -> CompositeKeyTables.badges(dbs), timeout);
    }

    private void startWorkload(long seed, boolean lookups) {
        workload = new Workload(harness.dbs, seed, lookups);
        writer = new Thread(workload, "workload");
        writer.start();
    }

    private int stopWorkload() throws InterruptedException {
        workload.running.set(false);
        writer.join();
        int committed = workload.committed.get();
        System.out.printf("CompositeKeyFaultIT: workload committed %d, %d failed (key collisions)%n", committed, workload.failed.get());
        workload = null;
        return committed;
    }

    private static void sql(Connection c, String... statements) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            for (String q : statements) {
                s.execute(q);
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void incrementalSnapshotsAndTruncatesOfCompositeKeyedTablesInBothDatabases() throws Exception {
        // chunks of 7 rows, so that the snapshots page through composite keys (and keys holding | and \) many times
        Path config = setUp(7);
        Mosaic mosaic = harness.start(config);
        converged(Duration.ofSeconds(180));
        assertThat(harness.documents("members")).hasSize(60);
        assertThat(harness.documents("cm-badges")).containsKeys("x\\|y|1", "gold|2");

        // rows deleted from the sources while Mosaic streams, before the snapshot: it must not bring them back
        sql(harness.dbs.openAdmin(), "DELETE FROM cm_members WHERE club = 'south\\west' AND member_no = 3",
                "DELETE FROM cm_member_notes WHERE club = 'north|east' AND member_no = 5 AND note_no = 2",
                "DELETE FROM cm_badges WHERE kind = 'silver' AND grade = 2");
        sql(harness.dbs.openLabor(), "DELETE FROM cm_member_tags WHERE club = 'north|east' AND member_no = 1 AND tag = 'premium'",
                "DELETE FROM cm_levels WHERE region = 'eu' AND code = 2");
        converged(Duration.ofSeconds(90));
        // drift behind Mosaic's back, in documents the workload leaves alone: each comes from a table of the snapshots
        drift("members", "north\\|east|1", d -> d.put("name", "drift"));              // the root (PostgreSQL)
        drift("members", "north\\|east|5", d -> d.put("notes", List.of()));           // a collection (PostgreSQL)
        drift("members", "south\\\\west|2", d -> d.put("tags", List.of("drift")));     // a collection (MariaDB)
        drift("members", "south\\\\west|7", d -> d.put("home", Map.of("label", "drift"))); // a lookup (MariaDB)
        drift("cm-levels", "us|1", d -> d.put("label", "drift"));                     // single-table (MariaDB)
        drift("cm-badges", "gold|1", d -> d.put("label", "drift"));                   // single-table (PostgreSQL)

        startWorkload(SEED, false);
        Thread.sleep(2_000);
        // the workload leaves the drift alone: only the snapshots below can mend it
        assertThat(harness.documents("members").get("north\\|east|1")).containsEntry("name", "drift");
        assertThat(harness.documents("cm-levels").get("us|1")).containsEntry("label", "drift");
        assertThat(harness.documents("cm-badges").get("gold|1")).containsEntry("label", "drift");
        MosaicCli.Run admin = MosaicCli.run("snapshot", "--config", config.toString(), "--source", "admin",
                "--table", "public.cm_members", "--table", "public.cm_member_notes", "--table", "public.cm_badges");
        assertThat(admin.exit()).as(admin.err()).isEqualTo(ExitCodes.OK);
        MosaicCli.Run labor = MosaicCli.run("snapshot", "--config", config.toString(), "--source", "labor", "--table", "labor.cm_levels");
        assertThat(labor.exit()).as(labor.err()).isEqualTo(ExitCodes.OK);
        // a condition on a key part: the drifted document of 'south\west' is among the rows it reads
        MosaicCli.Run tags = MosaicCli.run("snapshot", "--config", config.toString(), "--source", "labor", "--table", "labor.cm_member_tags",
                "--where", "member_no <= 10");
        assertThat(tags.exit()).as(tags.err()).isEqualTo(ExitCodes.OK);
        Thread.sleep(8_000);
        assertThat(stopWorkload()).isGreaterThan(20);
        converged(Duration.ofSeconds(180));
        Map<String, Map<String, Object>> members = harness.documents("members");
        assertThat(members).doesNotContainKey("south\\\\west|3");
        assertThat(members.get("north\\|east|1")).containsEntry("name", "m1");
        assertThat((List<Object>) members.get("north\\|east|1").get("tags")).doesNotContain("premium");
        assertThat(harness.documents("cm-levels")).doesNotContainKey("eu|2").containsKey("us|1");
        assertThat(harness.documents("cm-badges")).doesNotContainKey("silver|2");

        // TRUNCATE of a child table in MariaDB (a statement in the binlog), and a tag written after it
        sql(harness.dbs.openLabor(), "TRUNCATE TABLE cm_member_tags");
        converged(Duration.ofSeconds(90));
        assertThat(harness.documents("members").values()).allSatisfy(d -> assertThat((List<?>) d.get("tags")).isNullOrEmpty());
        sql(harness.dbs.openLabor(), "INSERT INTO cm_member_tags VALUES ('north|east', 2, 'after|truncate', 'us', 1)");
        converged(Duration.ofSeconds(90));
        assertThat(harness.documents("members").get(KEPT).get("tags")).isEqualTo(List.of("after|truncate"));

        // a lookup table in MariaDB, also a single-table document type: the referring fields become null, the documents go
        sql(harness.dbs.openLabor(), "TRUNCATE TABLE cm_levels");
        converged(Duration.ofSeconds(90));
        assertThat(harness.documents("cm-levels")).isEmpty();
        sql(harness.dbs.openLabor(), "INSERT INTO cm_levels VALUES ('us', 1, 'us-1 again')");
        converged(Duration.ofSeconds(90));
        assertThat(harness.documents("members").get(KEPT).get("tag_levels"))
                .isEqualTo(List.of(Map.of("id", "after|truncate", "level", Map.of("label", "us-1 again"))));

        // PostgreSQL: a child table truncated and a note inserted in the same transaction
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("TRUNCATE cm_member_notes");
            s.execute("INSERT INTO cm_member_notes VALUES ('north|east', 2, 7, 'after', 'gold', 1)");
            c.commit();
        }
        converged(Duration.ofSeconds(90));
        assertThat((List<?>) harness.documents("members").get(KEPT).get("notes")).hasSize(1);
        assertThat(harness.documents("members").values().stream().mapToInt(d -> d.get("notes") instanceof List<?> l ? l.size() : 0).sum())
                .isEqualTo(1);

        // two tables in one statement (one pgoutput message naming both): the lookup's fields become null
        sql(harness.dbs.openAdmin(), "TRUNCATE cm_badges, cm_member_notes");
        converged(Duration.ofSeconds(90));
        assertThat(harness.documents("cm-badges")).isEmpty();
        sql(harness.dbs.openAdmin(), "INSERT INTO cm_badges VALUES ('x|y', 2, 'x|y again')",
                "INSERT INTO cm_member_notes VALUES ('north|east', 2, 8, 'again', 'x|y', 2), ('north|east', 3, 1, 'another', 'gold', 1)");
        converged(Duration.ofSeconds(90));
        assertThat(harness.documents("members").get(KEPT).get("notes"))
                .isEqualTo(List.of(Map.of("id", 8, "text", "again", "badge", Map.of("label", "x|y again"))));

        // the root: every member goes; one inserted afterwards comes back with the tag and note it already has
        sql(harness.dbs.openAdmin(), "TRUNCATE cm_members");
        await().atMost(Duration.ofSeconds(90)).until(() -> harness.documents("members").isEmpty());
        sql(harness.dbs.openAdmin(), "INSERT INTO cm_members VALUES ('north|east', 2, 'back', 'us', 1)");
        converged(Duration.ofSeconds(90));
        assertThat(harness.documents("members")).containsOnlyKeys(KEPT);

        // a column added to a MariaDB table (the schema history records it), values written with it, then a restart:
        // the binlog after the stored position is read with the schema history kept in Elasticsearch
        sql(harness.dbs.openLabor(), "ALTER TABLE cm_member_tags ADD COLUMN extra varchar(20) NULL",
                "INSERT INTO cm_member_tags (club, member_no, tag, level_region, level_code, extra) VALUES ('north|east', 2, 'wide', 'us', 1, 'x')");
        converged(Duration.ofSeconds(90));
        harness.stop();
        sql(harness.dbs.openLabor(), "INSERT INTO cm_member_tags (club, member_no, tag, level_region, level_code, extra) "
                + "VALUES ('north|east', 2, 'while|stopped', 'us', 1, 'y')", "TRUNCATE TABLE cm_levels");
        sql(harness.dbs.openAdmin(), "TRUNCATE cm_members", "INSERT INTO cm_members VALUES ('new|club', 1, 'n', 'us', 1)");
        mosaic = harness.start(config);
        Mosaic running = mosaic;
        await().atMost(Duration.ofSeconds(120)).until(() -> running.runners().stream().allMatch(r -> r.state() == SourceRunner.State.STREAMING));
        sql(harness.dbs.openLabor(), "INSERT INTO cm_levels VALUES ('us', 1, 'us-1 third')",
                "INSERT INTO cm_member_tags (club, member_no, tag, level_region, level_code, extra) VALUES ('new|club', 1, 'n|1', 'us', 1, 'z')");
        sql(harness.dbs.openAdmin(), "INSERT INTO cm_members VALUES ('north|east', 2, 'back again', 'us', 1)");
        converged(Duration.ofSeconds(120));
        assertThat(harness.documents("members")).containsOnlyKeys(KEPT, "new\\|club|1");
        assertThat(harness.documents("members").get(KEPT).get("tags")).isEqualTo(List.of("after|truncate", "while|stopped", "wide"));
        assertThat(running.runners()).allSatisfy(r -> assertThat(r.state()).isEqualTo(SourceRunner.State.STREAMING));
        MosaicHarness.es("POST", "/mosaic-schema-history/_refresh", null);
        assertThat(MosaicHarness.es("GET", "/mosaic-schema-history/_search?size=1000", null).toString())
                .as("the column added is in the schema history kept in Elasticsearch").contains("ADD COLUMN extra");
    }

    /**
     * What keeps a {@code TRUNCATE} out of an incremental snapshot's window. Debezium takes out of a chunk the rows whose
     * keys a change streamed inside the chunk's window names, but a truncate names none: had it committed between the
     * chunk's read and its close watermark, the rows read before it would be emitted after it, at the watermark's
     * higher version, and come back. It cannot commit there: Debezium reads the chunk and writes the close watermark in
     * one transaction, which holds the table's lock (PostgreSQL's ACCESS SHARE, MariaDB's metadata lock) until then, so
     * a truncate waits for the window to close. A trigger on each signal table holds the close watermark for 5 s; a
     * truncate with a 1 s lock timeout fails meanwhile; one without waits, and the documents end with no element of the
     * truncated tables.
     */
    @Test
    void aTruncateWaitsForTheIncrementalSnapshotChunkThatReadItsTable() throws Exception {
        Path config = setUp(7);
        harness.start(config);
        converged(Duration.ofSeconds(180));
        sql(harness.dbs.openAdmin(), "CREATE OR REPLACE FUNCTION cm_slow_close() RETURNS trigger AS $$ BEGIN "
                        + "IF NEW.id LIKE '%-close' THEN PERFORM pg_sleep(5); END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
                "DROP TRIGGER IF EXISTS cm_slow_close ON public.mosaic_signal",
                "CREATE TRIGGER cm_slow_close BEFORE INSERT ON public.mosaic_signal FOR EACH ROW EXECUTE FUNCTION cm_slow_close()");
        sql(harness.dbs.openLabor(), "DROP TRIGGER IF EXISTS cm_slow_close",
                "CREATE TRIGGER cm_slow_close BEFORE INSERT ON mosaic_signal FOR EACH ROW BEGIN "
                        + "IF NEW.id LIKE '%-close' THEN SET @slept = SLEEP(5); END IF; END");
        try {
            truncateDuringAChunk(config, "admin", "public.cm_member_notes", harness.dbs::openAdmin,
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'", "SET lock_timeout = '1s'", "SET lock_timeout = 0",
                    "TRUNCATE cm_member_notes", "DROP TRIGGER cm_slow_close ON public.mosaic_signal");
            truncateDuringAChunk(config, "labor", "labor.cm_member_tags", harness.dbs::openLabor,
                    "SELECT count(*) FROM information_schema.processlist WHERE state = 'User sleep'", "SET SESSION lock_wait_timeout = 1",
                    "SET SESSION lock_wait_timeout = 31536000", "TRUNCATE TABLE cm_member_tags", "DROP TRIGGER cm_slow_close");
        } finally {
            sql(harness.dbs.openAdmin(), "DROP TRIGGER IF EXISTS cm_slow_close ON public.mosaic_signal", "DROP FUNCTION IF EXISTS cm_slow_close()");
            sql(harness.dbs.openLabor(), "DROP TRIGGER IF EXISTS cm_slow_close");
        }
        converged(Duration.ofSeconds(180));
        assertThat(harness.documents("members").values()).hasSize(60).allSatisfy(d -> {
            assertThat(d.get("notes") instanceof List<?> l ? l : List.of()).as("notes of %s", d.get("club")).isEmpty();
            assertThat(d.get("tags") instanceof List<?> l ? l : List.of()).as("tags of %s", d.get("club")).isEmpty();
        });
    }

    /**
     * The tombstones a truncate leaves keep their order under a replay: MariaDB's stored position is rewound to before
     * changes of composite-keyed rows (inserts, key-part changes, deletes), truncates of a child and a lookup table
     * and the rows inserted after them, so that all of it is read and written again; at no point of the replay does a
     * document differ from its final state (no truncated row comes back, no row inserted after a truncate goes).
     */
    @Test
    void aReplayFromBeforeTruncatesChangesNoDocument() throws Exception {
        Path config = setUp(1024);
        Mosaic mosaic = harness.start(config);
        converged(Duration.ofSeconds(180));
        // a streamed change, so that the stored position is one in the binlog, not the end of the snapshot
        sql(harness.dbs.openLabor(), "UPDATE cm_levels SET label = CONCAT(label, '.') WHERE region = 'eu' AND code = 1");
        converged(Duration.ofSeconds(60));
        String offsets = "/mosaic-offsets/_doc/" + java.net.URLEncoder.encode("labor@" + harness.dbs.mysqlHost() + ":"
                + harness.dbs.mysqlPort() + "/server-5501", java.nio.charset.StandardCharsets.UTF_8);
        MosaicHarness.awaitStreamingPositions(Duration.ofSeconds(60), "labor");
        Object oldPosition = MosaicHarness.es("GET", offsets, null).get("_source");
        System.out.println("CompositeKeyFaultIT[replay]: rewinding to " + oldPosition);

        sql(harness.dbs.openLabor(), "INSERT INTO cm_member_tags VALUES ('plain', 1, 'x|1', 'eu', 1), ('plain', 2, 'x\\\\2', 'us', 1)",
                "UPDATE cm_member_tags SET tag = CONCAT(tag, '!') WHERE club = 'north|east' AND tag = 'kids'",
                "UPDATE cm_member_tags SET member_no = member_no + 50 WHERE club = 'south\\\\west' AND tag = 'premium'",
                "DELETE FROM cm_member_tags WHERE tag = 'a|b' AND member_no < 10",
                "UPDATE cm_levels SET label = CONCAT(label, ' before') WHERE region = 'us'",
                "TRUNCATE TABLE cm_member_tags",
                "INSERT INTO cm_member_tags VALUES ('plain', 1, 'after', 'us', 2), ('north|east', 3, 'a|b', 'eu', 2)",
                "UPDATE cm_member_tags SET tag = 'after!' WHERE club = 'plain' AND member_no = 1 AND tag = 'after'",
                "TRUNCATE TABLE cm_levels",
                "INSERT INTO cm_levels VALUES ('us', 2, 'us-2 after'), ('eu', 2, 'eu|2 after')");
        converged(Duration.ofSeconds(120));
        Map<String, Map<String, Object>> members = harness.documents("members");
        Map<String, Map<String, Object>> levels = harness.documents("cm-levels");
        assertThat(levels).containsOnlyKeys("us|2", "eu|2");
        harness.stop();

        MosaicHarness.es("PUT", offsets + "?refresh=true", oldPosition);
        mosaic = harness.start(config);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int polls = 0;
        while (System.nanoTime() < deadline) {
            assertThat(io.mosaic.testkit.ContractComparison.differences(members, harness.documents("members"))).as("members during the replay")
                    .isEmpty();
            assertThat(io.mosaic.testkit.ContractComparison.differences(levels, harness.documents("cm-levels"))).as("levels during the replay")
                    .isEmpty();
            polls++;
        }
        double replayed = mosaic.registry().find("mosaic.source.changes").tag("source", "labor").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
        System.out.printf("CompositeKeyFaultIT[replay]: %.0f labor changes replayed, %d comparisons during the replay%n", replayed, polls);
        assertThat(replayed).as("changes read again from the rewound position").isGreaterThanOrEqualTo(10);
        converged(Duration.ofSeconds(60));
    }

    private interface Open {
        Connection open() throws SQLException;
    }

    /** A snapshot of {@code table}; once its close watermark sleeps, a truncate that may wait 1 s fails, and one that may wait on succeeds. */
    private static void truncateDuringAChunk(Path config, String source, String table, Open open, String sleeping, String shortWait,
            String longWait, String truncate, String dropTrigger) throws Exception {
        MosaicCli.Run run = MosaicCli.run("snapshot", "--config", config.toString(), "--source", source, "--table", table);
        assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
        try (Connection c = open.open(); Statement s = c.createStatement()) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                try (java.sql.ResultSet r = s.executeQuery(sleeping)) {
                    return r.next() && r.getInt(1) > 0;
                }
            });
            s.execute(shortWait);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.execute(truncate))
                    .as("%s while the chunk's close watermark of %s is being written", truncate, table).isInstanceOf(SQLException.class)
                    .hasMessageContaining("ock");
            s.execute(longWait);
            s.execute(truncate);
            s.execute(dropTrigger);
        }
    }

    /**
     * The snapshot sweep by composite key: rows deleted, and keys changed in a part, while Mosaic was not reading (its
     * slot dropped, its positions and schema history gone) disappear when the source is snapshotted again, in the
     * state-kept type (root, children and lookups of both databases) and in the single-table types, whose sweep splits
     * each escaped {@code _id} back into its columns.
     */
    @Test
    void aRepeatedSnapshotSweepsCompositeKeyedRowsDeletedWhileMosaicWasNotReading() throws Exception {
        Path config = setUp(1024);
        harness.start(config);
        converged(Duration.ofSeconds(180));
        harness.stop();

        sql(harness.dbs.openAdmin(), "DELETE FROM cm_members WHERE club = 'north|east' AND member_no IN (1, 2)",
                "UPDATE cm_members SET member_no = 500 WHERE club = 'plain' AND member_no = 9",
                "DELETE FROM cm_member_notes WHERE club = 'south\\west' AND note_no = 1",
                "UPDATE cm_member_notes SET note_no = 50 WHERE club = 'plain' AND member_no = 5 AND note_no = 2",
                "DELETE FROM cm_badges WHERE kind = 'x|y' AND grade = 1");
        sql(harness.dbs.openLabor(), "DELETE FROM cm_member_tags WHERE tag = 'a|b'",
                "UPDATE cm_member_tags SET tag = 'kids!' WHERE club = 'plain' AND tag = 'kids'",
                "DELETE FROM cm_levels WHERE region = 'eu' AND code = 3");
        try (Connection c = harness.dbs.openPgServer(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'mosaic%'");
        }
        MosaicHarness.es("DELETE", "/mosaic-offsets,mosaic-schema-history", null);

        harness.start(config);
        converged(Duration.ofSeconds(180));
        Map<String, Map<String, Object>> members = harness.documents("members");
        assertThat(members).doesNotContainKeys("north\\|east|1", "north\\|east|2", "plain|9").containsKey("plain|500");
        assertThat(members.values()).allSatisfy(d -> assertThat((List<Object>) d.get("tags")).doesNotContain("a|b"))
                .anySatisfy(d -> assertThat((List<Object>) d.get("tags")).contains("kids"));
        assertThat(members.values().stream().filter(d -> "plain".equals(d.get("club"))))
                .allSatisfy(d -> assertThat((List<Object>) d.get("tags")).doesNotContain("kids"))
                .anySatisfy(d -> assertThat((List<Object>) d.get("tags")).contains("kids!"));
        assertThat(harness.documents("cm-badges")).doesNotContainKey("x\\|y|1").containsKey("x\\|y|2");
        assertThat(harness.documents("cm-levels")).doesNotContainKey("eu|3").hasSize(5);
    }

    @Test
    void killNineDuringACompositeKeyWorkloadConverges() throws Exception {
        long seed = SEED + 1;
        System.out.printf("CompositeKeyFaultIT: seed %d (replay with -Dmosaic.keys.seed=%d), %d s of kills%n", seed, SEED, SECONDS);
        Path config = setUp(2); // an incremental snapshot of 60 members takes 30 chunks
        child = ChildProcess.mosaic("keys", config, harness.workDir.resolve("mosaic.log"), null);
        child.start();
        converged(Duration.ofSeconds(240));
        SplittableRandom random = new SplittableRandom(seed);
        int kills = 0;

        // a kill during incremental snapshots: Debezium keeps their progress (the last composite key read) in the
        // offsets in Elasticsearch; the members of 'south\west', last in key order, and every level are drifted, and only
        // the snapshots, resumed after the restart, can mend them
        for (int no = 1; no <= 20; no++) {
            drift("members", CompositeKeyTables.id("south\\west", no), d -> d.put("name", "drift"));
        }
        for (String level : CompositeKeyTables.levels(harness.dbs).keySet()) {
            drift("cm-levels", level, d -> d.put("label", "drift"));
        }
        assertThat(MosaicCli.run("snapshot", "--config", config.toString(), "--source", "admin", "--table", "public.cm_members").exit())
                .isEqualTo(ExitCodes.OK);
        assertThat(MosaicCli.run("snapshot", "--config", config.toString(), "--source", "labor", "--table", "labor.cm_levels").exit())
                .isEqualTo(ExitCodes.OK);
        Thread.sleep(1_500 + random.nextInt(1_500));
        child.kill9();
        kills++;
        child.start();
        converged(Duration.ofSeconds(240));
        assertThat(harness.documents("members").values()).noneSatisfy(d -> assertThat(d).containsEntry("name", "drift"));

        startWorkload(seed, true);
        int selfExits = 0;
        boolean altered = false;
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(SECONDS).toNanos();
        try {
            while (System.nanoTime() < end) {
                Thread.sleep(3_000 + random.nextInt(6_000));
                if (!altered && System.nanoTime() > start + (end - start) / 3) {
                    // a column added mid-stream: every later kill restarts from a position the schema history must describe
                    sql(harness.dbs.openLabor(), "ALTER TABLE cm_member_tags ADD COLUMN extra varchar(20) NULL",
                            "UPDATE cm_member_tags SET extra = 'e' WHERE member_no % 2 = 0");
                    altered = true;
                }
                if (!child.alive()) { // exited by itself (a source gave up): restarted, as Kubernetes would
                    selfExits++;
                    child.start();
                    continue;
                }
                child.kill9();
                kills++;
                Thread.sleep(random.nextInt(3_000));
                child.start();
            }
        } finally {
            stopWorkload();
        }
        if (!child.alive()) {
            selfExits++;
            child.start();
        }
        converged(Duration.ofSeconds(300));
        System.out.printf("CompositeKeyFaultIT[kill]: seed %d: %d kills, %d process restarts after an exit, %d members, 0 differences%n",
                seed, kills, selfExits, harness.documents("members").size());
        assertThat(altered).isTrue();
        assertThat(kills).isGreaterThanOrEqualTo(3);
        child.checkAlive();
    }

    /** Changes a document behind Mosaic's back, keeping its version, so that only a new write of Mosaic's mends it. */
    @SuppressWarnings("unchecked")
    private static void drift(String alias, String id, java.util.function.Consumer<Map<String, Object>> edit) throws Exception {
        String path = "/" + alias + "/_doc/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
        Map<String, Object> got = MosaicHarness.es("GET", path, null);
        assertThat(got.get("found")).as("document %s of %s", id, alias).isEqualTo(true);
        Map<String, Object> doc = new LinkedHashMap<>((Map<String, Object>) got.get("_source"));
        edit.accept(doc);
        Map<String, Object> put = MosaicHarness.es("PUT", "/" + got.get("_index") + "/_doc/"
                + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8) + "?version=" + got.get("_version")
                + "&version_type=external_gte&refresh=true", doc);
        assertThat(put.get("_status")).as("planting drift in %s", id).isEqualTo(200);
    }

    /**
     * Inserts, updates, key-part changes and deletes of members, notes and tags of the club {@code plain} and of new
     * clubs (so that the other clubs keep the drift the snapshot test plants), several in one PostgreSQL transaction;
     * with {@code lookups} also renames and key-part changes of levels and badges, and now and then a truncate of a
     * child table in either database followed by new rows. A statement that collides with a key is counted as failed.
     */
    static final class Workload implements Runnable {

        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger committed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        private final ScenarioDatabases dbs;
        private final SplittableRandom random;
        private final boolean lookups;
        private int next = 100;

        Workload(ScenarioDatabases dbs, long seed, boolean lookups) {
            this.dbs = dbs;
            this.random = new SplittableRandom(seed);
            this.lookups = lookups;
        }

        private String club() {
            return random.nextInt(4) == 0 ? "new|club" : "plain";
        }

        private int member() {
            return random.nextInt(3) == 0 ? 100 + random.nextInt(Math.max(1, next - 100)) : 1 + random.nextInt(20);
        }

        private String level() {
            return random.nextInt(5) == 0 ? "NULL, NULL" : "'" + (random.nextBoolean() ? "eu" : "us") + "', " + (1 + random.nextInt(3));
        }

        private String badge() {
            return random.nextInt(5) == 0 ? "NULL, NULL"
                    : CompositeKeyTables.pg(List.of("gold", "silver", "x|y").get(random.nextInt(3))) + ", " + (1 + random.nextInt(2));
        }

        @Override
        public void run() {
            try (Connection pg = dbs.openAdmin(); Connection my = dbs.openLabor(); Statement p = pg.createStatement();
                 Statement m = my.createStatement()) {
                while (running.get()) {
                    try {
                        step(pg, p, m);
                        committed.incrementAndGet();
                    } catch (SQLException e) {
                        failed.incrementAndGet();
                        if (!pg.getAutoCommit()) {
                            pg.rollback();
                            pg.setAutoCommit(true);
                        }
                    }
                    Thread.sleep(20 + random.nextInt(40));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private void step(Connection pg, Statement p, Statement m) throws SQLException {
            String club = CompositeKeyTables.pg(club());
            String myClub = CompositeKeyTables.my(club.substring(1, club.length() - 1));
            int no = member();
            switch (random.nextInt(lookups ? 13 : 11)) {
                case 0 -> { // a member with a note, in one transaction
                    int n = next++;
                    pg.setAutoCommit(false);
                    p.execute("INSERT INTO cm_members VALUES (" + club + ", " + n + ", 'w" + n + "', " + level() + ")");
                    p.execute("INSERT INTO cm_member_notes VALUES (" + club + ", " + n + ", 1, 'first', " + badge() + ")");
                    pg.commit();
                    pg.setAutoCommit(true);
                }
                case 1 -> p.execute("UPDATE cm_members SET name = name || '*' WHERE club = " + club + " AND member_no = " + no);
                case 2 -> p.execute("UPDATE cm_members SET member_no = " + (next++) + " WHERE club = " + club + " AND member_no = " + no);
                case 3 -> p.execute("UPDATE cm_members SET club = CASE club WHEN 'plain' THEN 'new|club' ELSE 'plain' END WHERE club = "
                        + club + " AND member_no = " + no);
                case 4 -> p.execute("DELETE FROM cm_members WHERE club = " + club + " AND member_no = " + no);
                case 5 -> { // notes: an insert, a key-part change of the parent and of the note, in one transaction
                    pg.setAutoCommit(false);
                    p.execute("INSERT INTO cm_member_notes VALUES (" + club + ", " + no + ", " + (10 + random.nextInt(90)) + ", 'n', "
                            + badge() + ")");
                    p.execute("UPDATE cm_member_notes SET note_no = note_no + 100 WHERE club = " + club + " AND member_no = " + member()
                            + " AND note_no < 100");
                    p.execute("UPDATE cm_member_notes SET member_no = " + member() + " WHERE club = " + club + " AND member_no = " + no
                            + " AND note_no = 1");
                    pg.commit();
                    pg.setAutoCommit(true);
                }
                case 6 -> p.execute("DELETE FROM cm_member_notes WHERE club = " + club + " AND member_no = " + no);
                case 7 -> m.execute("INSERT INTO cm_member_tags (club, member_no, tag, level_region, level_code) VALUES (" + myClub + ", "
                        + no + ", 't|" + random.nextInt(50) + "', " + level() + ")");
                case 8 -> m.execute("UPDATE cm_member_tags SET tag = CONCAT(tag, '+') WHERE club = " + myClub + " AND member_no = " + no
                        + " LIMIT 1");
                case 9 -> m.execute("UPDATE cm_member_tags SET member_no = " + member() + ", level_code = " + (1 + random.nextInt(3))
                        + " WHERE club = " + myClub + " AND member_no = " + no + " LIMIT 1");
                case 10 -> m.execute("DELETE FROM cm_member_tags WHERE club = " + myClub + " AND member_no = " + no);
                case 11 -> { // lookup renames that fan out, and key-part changes of lookups
                    if (random.nextBoolean()) {
                        m.execute("UPDATE cm_levels SET label = CONCAT(region, '-', code, '#', " + random.nextInt(1000) + ") WHERE region = '"
                                + (random.nextBoolean() ? "eu" : "us") + "' AND code = " + (1 + random.nextInt(3)));
                        p.execute("UPDATE cm_badges SET label = kind || ' #" + random.nextInt(1000) + "' WHERE grade = " + (1 + random.nextInt(2)));
                    } else {
                        int code = 1 + random.nextInt(3);
                        m.execute("UPDATE cm_levels SET code = IF(code > 10, code - 10, code + 10) WHERE region = 'eu' AND code IN ("
                                + code + ", " + (code + 10) + ")");
                        p.execute("UPDATE cm_badges SET grade = CASE WHEN grade > 10 THEN grade - 10 ELSE grade + 10 END WHERE kind = 'x|y' "
                                + "AND grade IN (1, 11)");
                    }
                }
                default -> { // now and then, a truncate of a child table followed by new rows
                    if (random.nextInt(12) != 0) {
                        return;
                    }
                    if (random.nextBoolean()) {
                        m.execute("TRUNCATE TABLE cm_member_tags");
                        m.execute("INSERT INTO cm_member_tags (club, member_no, tag, level_region, level_code) VALUES ('plain', " + no
                                + ", 'after', " + level() + ")");
                    } else {
                        pg.setAutoCommit(false);
                        p.execute("TRUNCATE cm_member_notes");
                        p.execute("INSERT INTO cm_member_notes VALUES ('plain', " + no + ", 1, 'after', " + badge() + ")");
                        pg.commit();
                        pg.setAutoCommit(true);
                    }
                }
            }
        }
    }
}
