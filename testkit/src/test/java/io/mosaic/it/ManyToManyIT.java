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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.testkit.MosaicHarness;

/**
 * Many-to-many through a join table, each of the three tables in another database (issue 15): people in PostgreSQL
 * {@code admin}, the join table {@code person_skills(person_id, skill_id)} in MariaDB {@code labor}, skills in
 * PostgreSQL {@code motivation}. The mapping is a collection over the join table (keyed by both columns) whose
 * elements take their fields from a lookup without {@code as}, so a document reads {@code skills: [{id, name, since}]}.
 * While Mosaic streams, changes to each table propagate: join rows added, removed and moved to another person;
 * a skill renamed (it fans out to everyone who has it), deleted (its elements stay, with null fields, as a LEFT
 * JOIN gives) and inserted after the join rows that name it; a person renamed, deleted while their join rows stay,
 * and inserted after their join rows. The documents end equal to what SQL gives.
 */
class ManyToManyIT {

    static MosaicHarness harness;

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    static final String MAPPING = """
            document: person
            index: { alias: people }
            root:
              source: admin
              table: public.mm_people
              key: id
              fields:
                id: id
                name: name
            collections:
              skills:
                source: labor
                table: labor.mm_person_skills
                key: [person_id, skill_id]
                parent: person_id
                fields:
                  since: since
                lookups:
                  skill:
                    source: motivation
                    table: public.mm_skills
                    key: id
                    on: skill_id
                    fields:
                      id: id
                      name: name
            """;

    @Test
    void joinTableLookupAndRootChangesAllReachTheDocuments() throws Exception {
        harness = new MosaicHarness();
        MosaicHarness.es("DELETE", "/people*?expand_wildcards=all&ignore_unavailable=true", null);
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS mm_people");
            s.execute("CREATE TABLE mm_people (id bigint PRIMARY KEY, name text NOT NULL)");
            s.execute("INSERT INTO mm_people SELECT g, 'person ' || g FROM generate_series(1, 50) g");
        }
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS mm_skills");
            s.execute("CREATE TABLE mm_skills (id bigint PRIMARY KEY, name text NOT NULL)");
            s.execute("INSERT INTO mm_skills SELECT g, 'skill ' || g FROM generate_series(1, 12) g");
        }
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS mm_person_skills");
            s.execute("CREATE TABLE mm_person_skills (person_id bigint NOT NULL, skill_id bigint NOT NULL, since date, "
                    + "PRIMARY KEY (person_id, skill_id))");
            StringBuilder rows = new StringBuilder();
            for (int person = 1; person <= 50; person++) {
                for (int skill = 1; skill <= 12; skill++) {
                    if ((person * 7 + skill * 3) % 5 == 0) {
                        rows.append(rows.isEmpty() ? "" : ", ").append("(").append(person).append(", ").append(skill).append(", ")
                                .append(person % 4 == 0 ? "NULL" : "'2020-01-" + String.format("%02d", 1 + skill) + "'").append(")");
                    }
                }
            }
            s.execute("INSERT INTO mm_person_skills VALUES " + rows);
        }
        Path dir = harness.workDir.resolve("mappings");
        Files.createDirectories(dir);
        Path mapping = dir.resolve("people.yaml");
        Files.writeString(mapping, MAPPING);
        Path config = harness.config(mapping.toString(), "admin", "motivation", "labor");
        MosaicCli.Run ok = MosaicCli.run("validate", "--config", config.toString());
        assertThat(ok.exit()).as(ok.err() + ok.out()).isZero();

        harness.start(config);
        harness.awaitConverged("people", ManyToManyIT::expected, Duration.ofSeconds(180));
        Map<String, Map<String, Object>> docs = harness.documents("people");
        assertThat(docs).hasSize(50);
        assertThat(skills(docs.get("1"))).as("a person's skills, each with its name from the other PostgreSQL database").isNotEmpty();

        // the join table: a skill added, one removed, one moved to another person (a key-part change), a person's
        // skills for a person not inserted yet (children before their root)
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO mm_person_skills VALUES (1, 12, '2024-05-01') ON DUPLICATE KEY UPDATE since = '2024-05-01'");
            s.execute("DELETE FROM mm_person_skills WHERE person_id = 2 LIMIT 1");
            s.execute("UPDATE mm_person_skills SET person_id = 4 WHERE person_id = 3 AND skill_id NOT IN "
                    + "(SELECT skill_id FROM (SELECT skill_id FROM mm_person_skills WHERE person_id = 4) mine)");
            s.execute("INSERT INTO mm_person_skills VALUES (51, 1, NULL), (51, 13, '2025-01-01')");
        }
        // the lookup: a rename that fans out, a delete (the elements stay, with null fields), a skill that join rows
        // already name arriving late
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("UPDATE mm_skills SET name = 'renamed skill 1' WHERE id = 1");
            s.execute("DELETE FROM mm_skills WHERE id = 2");
            s.execute("INSERT INTO mm_skills VALUES (13, 'late skill')");
        }
        // the root: renamed, deleted while its join rows stay, and the person whose join rows came first
        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("UPDATE mm_people SET name = 'renamed person' WHERE id = 5");
            s.execute("DELETE FROM mm_people WHERE id = 6");
            s.execute("INSERT INTO mm_people VALUES (51, 'person 51')");
        }
        harness.awaitConverged("people", ManyToManyIT::expected, Duration.ofSeconds(180));
        docs = harness.documents("people");
        assertThat(docs).containsKey("51").doesNotContainKey("6");
        assertThat(skills(docs.get("51"))).extracting(e -> e.get("name")).containsExactly("renamed skill 1", "late skill");
        for (Map<String, Object> d : docs.values()) {
            for (Map<String, Object> e : skills(d)) {
                assertThat(e.get("name")).as("no element keeps the old name").isNotEqualTo("skill 1");
            }
        }

        // the fan-out again, after everything above: every person with skill 3 follows one rename
        try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement()) {
            s.execute("UPDATE mm_skills SET name = 'skill three' WHERE id = 3");
        }
        harness.awaitConverged("people", ManyToManyIT::expected, Duration.ofSeconds(120));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> skills(Map<String, Object> doc) {
        return (List<Map<String, Object>>) doc.get("skills");
    }

    /** What SQL gives, table by table (three databases): each person with the skills of their join rows, in key order. */
    static Map<String, Map<String, Object>> expected() {
        try {
            Map<Long, String> skills = new TreeMap<>();
            try (Connection c = harness.dbs.openMotivation(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT id, name FROM mm_skills")) {
                while (r.next()) {
                    skills.put(r.getLong(1), r.getString(2));
                }
            }
            Map<Long, List<Map<String, Object>>> elements = new TreeMap<>();
            try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT person_id, skill_id, since FROM mm_person_skills ORDER BY person_id, skill_id")) {
                while (r.next()) {
                    long skill = r.getLong(2);
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("since", r.getString(3));
                    // a LEFT JOIN: a skill row that does not exist gives nulls
                    e.put("id", skills.containsKey(skill) ? skill : null);
                    e.put("name", skills.get(skill));
                    elements.computeIfAbsent(r.getLong(1), k -> new ArrayList<>()).add(e);
                }
            }
            Map<String, Map<String, Object>> out = new TreeMap<>();
            try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT id, name FROM mm_people")) {
                while (r.next()) {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("id", r.getLong(1));
                    d.put("name", r.getString(2));
                    d.put("skills", elements.getOrDefault(r.getLong(1), List.of()));
                    out.put(Long.toString(r.getLong(1)), d);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
