package io.mosaic.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.mosaic.scenario.ScenarioDatabases;

/**
 * The composite-key tables the integration tests share, their mappings and the documents SQL gives for them
 * (computed here, independently of Mosaic). PostgreSQL {@code admin}: members keyed by {@code (club, member_no)}
 * (clubs whose names hold the {@code _id} separator {@code |} and the escape {@code \}), their notes keyed by
 * {@code (club, member_no, note_no)} and badges keyed by {@code (kind, grade)}, looked up by the notes. MariaDB
 * {@code labor}: the members' tags keyed by {@code (club, member_no, tag)} and levels keyed by {@code (region, code)},
 * looked up by the members (from another database) and by the tags. {@link #MEMBERS} maps members with tags and
 * levels; {@link #MEMBERS_WITH_NOTES} adds the notes and their badges, and {@link #LEVELS} and {@link #BADGES} map the
 * two lookup tables as document types of their own (one table each, so written without state).
 */
public final class CompositeKeyTables {

    /** Clubs whose names need escaping in an {@code _id}. */
    public static final List<String> CLUBS = List.of("north|east", "south\\west", "plain");

    /** Members (PostgreSQL) with their home level, tags as values and as objects with a level (MariaDB). */
    public static final String MEMBERS = """
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

    /** {@link #MEMBERS} and the members' notes (PostgreSQL, the root's database) with each note's badge. */
    public static final String MEMBERS_WITH_NOTES = MEMBERS + """
              notes:
                source: admin
                table: public.cm_member_notes
                key: [club, member_no, note_no]
                parent: [club, member_no]
                fields: { id: note_no, text: body }
                lookups:
                  badge:
                    table: public.cm_badges
                    key: [kind, grade]
                    on: [badge_kind, badge_grade]
                    as: badge
                    fields: { label: label }
            """;

    /** The levels (MariaDB) as documents of their own, under the composite {@code _id} {@code region|code}. */
    public static final String LEVELS = """
            document: level
            index: { alias: cm-levels }
            root:
              source: labor
              table: labor.cm_levels
              key: [region, code]
              fields: { region: region, code: code, label: label }
            """;

    /** The badges (PostgreSQL) as documents of their own, under the composite {@code _id} {@code kind|grade}. */
    public static final String BADGES = """
            document: badge
            index: { alias: cm-badges }
            root:
              source: admin
              table: public.cm_badges
              key: [kind, grade]
              fields: { kind: kind, grade: grade, label: label }
            """;

    /** The indices of the mappings above, for a test to delete before it starts. */
    public static final String INDICES = "/members*,cm-levels*,cm-badges*?expand_wildcards=all&ignore_unavailable=true";

    private CompositeKeyTables() {
    }

    /** Drops and creates every table above and fills it: 60 members, their tags and notes, 6 levels and 6 badges. */
    public static void create(ScenarioDatabases dbs) throws SQLException {
        try (Connection c = dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS cm_members, cm_member_notes, cm_badges");
            s.execute("CREATE TABLE cm_members (club text NOT NULL, member_no int NOT NULL, name text, home_region text, home_code int, "
                    + "PRIMARY KEY (club, member_no))");
            s.execute("CREATE TABLE cm_member_notes (club text NOT NULL, member_no int NOT NULL, note_no int NOT NULL, body text, "
                    + "badge_kind text, badge_grade int, PRIMARY KEY (club, member_no, note_no))");
            s.execute("CREATE TABLE cm_badges (kind text NOT NULL, grade int NOT NULL, label text, PRIMARY KEY (kind, grade))");
            for (String kind : List.of("gold", "silver", "x|y")) {
                for (int grade = 1; grade <= 2; grade++) {
                    s.execute("INSERT INTO cm_badges VALUES (" + pg(kind) + ", " + grade + ", " + pg(kind + " " + grade) + ")");
                }
            }
            for (String club : CLUBS) {
                for (int no = 1; no <= 20; no++) {
                    s.execute("INSERT INTO cm_members VALUES (" + pg(club) + ", " + no + ", 'm" + no + "', "
                            + (no % 5 == 0 ? "NULL, NULL" : (no % 2 == 0 ? "'eu', " : "'us', ") + (no % 3 + 1)) + ")");
                    for (int note = 1; note <= no % 3 + 1; note++) {
                        String badge = (no + note) % 4 == 0 ? "NULL, NULL" : pg(List.of("gold", "silver", "x|y").get((no + note) % 3)) + ", "
                                + (note % 2 + 1);
                        s.execute("INSERT INTO cm_member_notes VALUES (" + pg(club) + ", " + no + ", " + note + ", 'note " + note + "', "
                                + badge + ")");
                    }
                }
            }
        }
        try (Connection c = dbs.openLabor(); Statement s = c.createStatement()) {
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
            for (String club : CLUBS) {
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
    }

    /** A PostgreSQL string literal. */
    public static String pg(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** A MariaDB string literal (a backslash escapes there). */
    public static String my(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** The documented _id, written out here rather than taken from Mosaic: each part with \ and | escaped, joined by |. */
    public static String id(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            out.add(String.valueOf(p).replace("\\", "\\\\").replace("|", "\\|"));
        }
        return String.join("|", out);
    }

    /** The documents of {@link #MEMBERS} that SQL gives: each member with its home level, its tags in key order, and each tag's level. */
    public static Map<String, Map<String, Object>> members(ScenarioDatabases dbs) {
        return members(dbs, false);
    }

    /**
     * The documents SQL gives for {@link #MEMBERS}, or with {@code notes} for {@link #MEMBERS_WITH_NOTES}. A lookup
     * row that is gone gives its fields as null (the lookup rule), a reference with a null part no object.
     */
    public static Map<String, Map<String, Object>> members(ScenarioDatabases dbs, boolean notes) {
        try {
            Map<String, String> levels = new TreeMap<>();
            Map<String, List<Object[]>> tags = new TreeMap<>();
            try (Connection c = dbs.openLabor(); Statement s = c.createStatement()) {
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
            Map<String, String> badges = new TreeMap<>();
            Map<String, List<Map<String, Object>>> notesOf = new TreeMap<>();
            Map<String, Map<String, Object>> out = new TreeMap<>();
            try (Connection c = dbs.openAdmin(); Statement s = c.createStatement()) {
                if (notes) {
                    try (ResultSet r = s.executeQuery("SELECT kind, grade, label FROM cm_badges")) {
                        while (r.next()) {
                            badges.put(r.getString(1) + "/" + r.getInt(2), r.getString(3));
                        }
                    }
                    try (ResultSet r = s.executeQuery("SELECT club, member_no, note_no, body, badge_kind, badge_grade FROM cm_member_notes")) {
                        while (r.next()) {
                            Map<String, Object> e = new LinkedHashMap<>();
                            e.put("id", r.getInt(3));
                            e.put("text", r.getString(4));
                            Object grade = r.getObject(6);
                            e.put("badge", r.getString(5) == null || grade == null ? null : label(badges.get(r.getString(5) + "/" + grade)));
                            notesOf.computeIfAbsent(id(r.getString(1), r.getInt(2)), k -> new ArrayList<>()).add(e);
                        }
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT club, member_no, name, home_region, home_code FROM cm_members")) {
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
                        if (notes) {
                            d.put("notes", notesOf.getOrDefault(id, List.of()));
                        }
                        out.put(id, d);
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The documents of {@link #LEVELS} that SQL gives. */
    public static Map<String, Map<String, Object>> levels(ScenarioDatabases dbs) {
        return single(() -> dbs.openLabor(), "SELECT region, code, label FROM cm_levels", "region", "code");
    }

    /** The documents of {@link #BADGES} that SQL gives. */
    public static Map<String, Map<String, Object>> badges(ScenarioDatabases dbs) {
        return single(() -> dbs.openAdmin(), "SELECT kind, grade, label FROM cm_badges", "kind", "grade");
    }

    private interface Open {
        Connection open() throws SQLException;
    }

    private static Map<String, Map<String, Object>> single(Open open, String query, String first, String second) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        try (Connection c = open.open(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            while (r.next()) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put(first, r.getString(1));
                d.put(second, r.getInt(2));
                d.put("label", r.getString(3));
                out.put(id(r.getString(1), r.getInt(2)), d);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static Map<String, Object> label(String label) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", label);
        return m;
    }
}
