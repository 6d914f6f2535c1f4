package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.cli.ExitCodes;
import io.mosaic.testkit.CompositeKeyTables;
import io.mosaic.testkit.MosaicHarness;

/**
 * Composite keys on real servers, across PostgreSQL and MariaDB: members keyed by {@code (club, member_no)} in
 * PostgreSQL (clubs whose names contain the {@code _id} separator {@code |} and the escape {@code \}), their tags in
 * MariaDB keyed by {@code (club, member_no, tag)} with a two-column parent, as an array of values and as objects,
 * and levels keyed by {@code (region, code)} in MariaDB, looked up by the members (another database) and by the tags.
 * {@code mosaic validate} accepts the mapping and reports wrong key columns with file and line; while Mosaic streams,
 * inserts, updates, key-part changes (an UPDATE of a key column, in all three tables), deletes and a level rename
 * that fans out change the documents, which end equal to what SQL gives, under the documented {@code _id}s;
 * {@code mosaic verify} finds no drift, finds a document edited behind Mosaic's back, and {@code --repair} mends it, one
 * deleted and one added; {@code mosaic rebuild} builds a
 * new index version from the state alone, equal to SQL again, and a later level rename fans out into it.
 */
class CompositeKeyIT {

    static MosaicHarness harness;

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    static final String MAPPING = CompositeKeyTables.MEMBERS;

    @Test
    void documentsWithCompositeKeysFollowBothDatabases() throws Exception {
        harness = new MosaicHarness();
        MosaicHarness.es("DELETE", "/members*?expand_wildcards=all&ignore_unavailable=true", null);
        CompositeKeyTables.create(harness.dbs);
        Path dir = harness.workDir.resolve("mappings");
        Files.createDirectories(dir);
        Path mapping = dir.resolve("members.yaml");
        Files.writeString(mapping, MAPPING);
        Path config = harness.config(mapping.toString(), "admin", "labor");

        // validate: the mapping is fine; wrong key columns are reported with file and line
        MosaicCli.Run ok = MosaicCli.run("validate", "--config", config.toString());
        assertThat(ok.exit()).as(ok.err() + ok.out()).isZero();
        Path broken = harness.workDir.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("members.yaml"), MAPPING.replace("  key: [club, member_no]\n", "  key: [member_no, name]\n")
                .replace("on: [level_region, level_code]", "on: [level_region, level_no]"));
        MosaicCli.Run bad = MosaicCli.run("validate", "--config",
                harness.configFile("broken.yaml", broken.resolve("members.yaml").toString(), "admin", "labor").toString());
        assertThat(bad.exit()).as(bad.out()).isEqualTo(ExitCodes.CONFIG);
        assertThat(bad.err()).contains("members.yaml:6: key [member_no, name] of admin.public.cm_members is not its primary key [club, member_no]")
                .contains("members.yaml:36: lookup 'level': 'on' column 'level_no' does not exist in labor.labor.cm_member_tags");

        harness.start(config);
        harness.awaitConverged("members", CompositeKeyIT::expected, Duration.ofSeconds(180));
        Map<String, Map<String, Object>> docs = harness.documents("members");
        assertThat(docs).as("the documented _id: parts joined by |, with | and \\ in a part escaped")
                .containsKeys("north\\|east|1", "south\\\\west|20", "plain|7").hasSize(60);
        assertThat(docs.get("north\\|east|1")).containsEntry("club", "north|east");

        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO cm_members VALUES ('plain', 21, 'new', 'eu', 1), ('new|club', 1, 'n', 'us', 2)");
            s.execute("UPDATE cm_members SET name = name || '*' WHERE member_no % 3 = 0");
            s.execute("UPDATE cm_members SET member_no = member_no + 100 WHERE member_no IN (2, 7)"); // key-part change
            s.execute("UPDATE cm_members SET club = 'north|east|2' WHERE club = 'north|east' AND member_no = 8");
            s.execute("UPDATE cm_members SET home_code = 3 WHERE member_no = 11");
            s.execute("DELETE FROM cm_members WHERE member_no IN (4, 13)");
        }
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO cm_member_tags VALUES ('plain', 21, 'fresh', 'eu', 1), ('plain', 107, 'followed', 'us', 2), "
                    + "('new|club', 1, 'x|y', 'us', 2)");
            s.execute("UPDATE cm_member_tags SET tag = CONCAT(tag, '+') WHERE tag = 'kids' AND member_no % 2 = 1"); // key-part change
            s.execute("UPDATE cm_member_tags SET member_no = 102 WHERE member_no = 2"); // the parent's key part follows its root
            s.execute("UPDATE cm_member_tags SET level_code = 1 WHERE member_no = 5");
            s.execute("DELETE FROM cm_member_tags WHERE tag = 'c\\\\d' AND member_no % 2 = 0");
            s.execute("UPDATE cm_levels SET label = CONCAT(label, ' (renamed)') WHERE region = 'eu'"); // fans out
            s.execute("UPDATE cm_levels SET code = 9 WHERE region = 'us' AND code = 3"); // a lookup's key-part change
        }
        harness.awaitConverged("members", CompositeKeyIT::expected, Duration.ofSeconds(180));
        docs = harness.documents("members");
        assertThat(docs).containsKeys("plain|107", "new\\|club|1", "north\\|east\\|2|8").doesNotContainKeys("plain|7", "plain|4");
        assertThat(docs.get("plain|107").get("tags")).as("a tag inserted for the new key").isEqualTo(List.of("followed"));
        assertThat(docs.get("plain|1").get("home")).isEqualTo(Map.of("label", "us-2"));
        assertThat(docs.get("plain|2")).isNull();

        MosaicCli.Run clean = verify(config);
        assertThat(clean.exit()).as(clean.out() + clean.err()).isEqualTo(ExitCodes.OK);
        assertThat(MosaicHarness.es("POST", "/members/_update/plain%7C1?refresh=true",
                Map.of("doc", Map.of("tags", List.of("edited")))).get("_status")).isEqualTo(200);
        MosaicCli.Run drift = verify(config);
        assertThat(drift.exit()).as(drift.out()).isEqualTo(ExitCodes.DRIFT);
        assertThat(drift.out() + drift.err()).contains("different plain|1 fields [tags]");
        // a document deleted and one added behind Mosaic's back: verify reads the rows of each _id by its parts
        assertThat(MosaicHarness.es("DELETE", "/members/_doc/south%5C%5Cwest%7C3?refresh=true", null).get("_status")).isEqualTo(200);
        assertThat(MosaicHarness.es("PUT", "/members/_doc/ghost%7C1?refresh=true", Map.of("name", "nobody")).get("_status")).isEqualTo(201);
        MosaicCli.Run repair = MosaicCli.run("verify", "--config", config.toString(), "--settle", "3s", "--repair");
        assertThat(repair.exit()).as(repair.out() + repair.err()).isEqualTo(ExitCodes.OK);
        assertThat(repair.out() + repair.err()).contains("missing south\\\\west|3").contains("extra ghost|1").contains("different plain|1");
        harness.awaitConverged("members", CompositeKeyIT::expected, Duration.ofSeconds(60));
        MosaicCli.Run sample = MosaicCli.run("verify", "--config", config.toString(), "--settle", "3s", "--sample", "20");
        assertThat(sample.exit()).as(sample.out() + sample.err()).isEqualTo(ExitCodes.OK);

        // a rebuild from the state alone (ids, children and lookup refs by composite key) gives the same documents
        Path v2 = harness.workDir.resolve("v2");
        Files.createDirectories(v2);
        Files.writeString(v2.resolve("members.yaml"), MAPPING.replace("index: { alias: members }", "index: { alias: members, version: 2 }"));
        MosaicCli.Run rebuild = MosaicCli.run("rebuild", "--config",
                harness.configFile("v2.yaml", v2.resolve("members.yaml").toString(), "admin", "labor").toString(), "--grace", "1s");
        assertThat(rebuild.exit()).as(rebuild.err()).isZero();
        assertThat(rebuild.out() + rebuild.err()).contains("the alias now points to members-v2");
        harness.awaitConverged("members", CompositeKeyIT::expected, Duration.ofSeconds(120));
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("UPDATE cm_levels SET label = CONCAT(label, ' (v2)') WHERE region = 'us'");
        }
        harness.awaitConverged("members", CompositeKeyIT::expected, Duration.ofSeconds(120));
        assertThat(harness.documents("members").get("plain|1").get("home")).isEqualTo(Map.of("label", "us-2 (v2)"));
    }

    static MosaicCli.Run verify(Path config) {
        MosaicCli.Run run = MosaicCli.run("verify", "--config", config.toString(), "--settle", "3s");
        System.out.println("verify -> " + run.exit() + "\n" + run.out().lines().filter(l -> !l.contains(" INFO ") && !l.contains(" WARN "))
                .reduce("", (a, b) -> a + b + "\n") + run.err());
        return run;
    }

    /** The documents SQL gives (CompositeKeyTables). */
    static Map<String, Map<String, Object>> expected() {
        return CompositeKeyTables.members(harness.dbs);
    }
}
