package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.cli.ExitCodes;
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

    static final String MAPPING = """
            document: member
            index: { alias: members }
            root:
              source: admin
              table: public.cm_members
              key: [club, member_no]
              fields:
                club: club
                member_no: member_no
                name: name
              lookups:
                home:
                  source: labor
                  table: labor.cm_levels
                  key: [region, code]
                  on: [home_region, home_code]
                  as: home
                  fields: { label: label }
            collections:
              tags:
                source: labor
                table: labor.cm_member_tags
                key: [club, member_no, tag]
                parent: [club, member_no]
                value: tag
              tag_levels:
                source: labor
                table: labor.cm_member_tags
                key: [club, member_no, tag]
                parent: [club, member_no]
                fields: { id: tag }
                lookups:
                  level:
                    table: labor.cm_levels
                    key: [region, code]
                    on: [level_region, level_code]
                    as: level
                    fields: { label: label }
            """;

    @Test
    void documentsWithCompositeKeysFollowBothDatabases() throws Exception {
        harness = new MosaicHarness();
        MosaicHarness.es("DELETE", "/members*?expand_wildcards=all&ignore_unavailable=true", null);
        String[] clubs = {"north|east", "south\\west", "plain"};
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS cm_members");
            s.execute("CREATE TABLE cm_members (club text NOT NULL, member_no int NOT NULL, name text, home_region text, home_code int, "
                    + "PRIMARY KEY (club, member_no))");
            for (String club : clubs) {
                for (int no = 1; no <= 20; no++) {
                    s.execute("INSERT INTO cm_members VALUES (" + pg(club) + ", " + no + ", 'm" + no + "', "
                            + (no % 5 == 0 ? "NULL, NULL" : (no % 2 == 0 ? "'eu', " : "'us', ") + (no % 3 + 1)) + ")");
                }
            }
        }
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS cm_member_tags");
            s.execute("DROP TABLE IF EXISTS cm_levels");
            s.execute("CREATE TABLE cm_levels (region varchar(8) NOT NULL, code int NOT NULL, label varchar(40), PRIMARY KEY (region, code))");
            s.execute("CREATE TABLE cm_member_tags (club varchar(40) NOT NULL, member_no int NOT NULL, tag varchar(40) NOT NULL, "
                    + "level_region varchar(8), level_code int, PRIMARY KEY (club, member_no, tag))");
            for (String region : List.of("eu", "us")) {
                for (int code = 1; code <= 3; code++) {
                    s.execute("INSERT INTO cm_levels VALUES ('" + region + "', " + code + ", '" + region + "-" + code + "')");
                }
            }
            for (String club : clubs) {
                for (int no = 1; no <= 20; no++) {
                    for (String tag : List.of("kids", "premium", "a|b", "c\\d")) {
                        if ((no + tag.length()) % 3 != 0) {
                            s.execute("INSERT INTO cm_member_tags VALUES (" + my(club) + ", " + no + ", " + my(tag) + ", "
                                    + (no % 4 == 0 ? "NULL, NULL" : "'" + (no % 2 == 0 ? "us" : "eu") + "', " + (no % 3 + 1)) + ")");
                        }
                    }
                }
            }
        }
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

    private static String pg(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static String my(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** The documented _id, written out here rather than taken from Mosaic: each part with \ and | escaped, joined by |. */
    static String id(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            out.add(String.valueOf(p).replace("\\", "\\\\").replace("|", "\\|"));
        }
        return String.join("|", out);
    }

    /** The documents SQL gives: each member with its home level, its tags in key order, and each tag's level. */
    static Map<String, Map<String, Object>> expected() {
        try {
            Map<String, String> levels = new TreeMap<>();
            Map<String, List<Object[]>> tags = new TreeMap<>();
            try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT region, code, label FROM cm_levels")) {
                    while (r.next()) {
                        levels.put(r.getString(1) + "/" + r.getInt(2), r.getString(3));
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT club, member_no, tag, level_region, level_code FROM cm_member_tags")) {
                    while (r.next()) {
                        Object code = r.getObject(5);
                        String ref = r.getString(4) == null || code == null ? null : r.getString(4) + "/" + code;
                        tags.computeIfAbsent(id(r.getString(1), r.getInt(2)), k -> new ArrayList<>()).add(new Object[] {r.getString(3), ref});
                    }
                }
            }
            Map<String, Map<String, Object>> out = new TreeMap<>();
            try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT club, member_no, name, home_region, home_code FROM cm_members")) {
                while (r.next()) {
                    String id = id(r.getString(1), r.getInt(2));
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("club", r.getString(1));
                    d.put("member_no", r.getInt(2));
                    d.put("name", r.getString(3));
                    Object code = r.getObject(5);
                    d.put("home", r.getString(4) == null || code == null ? null : label(levels.get(r.getString(4) + "/" + code)));
                    List<Object[]> mine = new ArrayList<>(tags.getOrDefault(id, List.of()));
                    mine.sort(Comparator.comparing(t -> (String) t[0]));
                    d.put("tags", mine.stream().map(t -> t[0]).toList());
                    d.put("tag_levels", mine.stream().map(t -> {
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("id", t[0]);
                        e.put("level", t[1] == null ? null : label(levels.get((String) t[1])));
                        return e;
                    }).toList());
                    out.put(id, d);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> label(String label) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", label);
        return m;
    }
}
