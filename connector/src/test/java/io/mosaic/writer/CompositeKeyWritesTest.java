package io.mosaic.writer;

import static io.mosaic.writer.WriterFixtures.delete;
import static io.mosaic.writer.WriterFixtures.row;
import static io.mosaic.writer.WriterFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.TableRef;

/**
 * Composite keys in the writer, against the in-memory store: a root keyed by {@code (club, member_no)} whose club may
 * contain the separator, two collections of one child table keyed by {@code (club, member_no, tag)} with a two-column
 * parent, and a lookup keyed by {@code (region, code)} from the root and from the elements. Children before their
 * root, a lookup change that fans out, key-part changes (a delete and an insert), deletes and replays, the snapshot
 * sweep and a rebuild; and a single-table type with a composite key, whose sweep splits the {@code _id} back.
 */
class CompositeKeyWritesTest {

    private static final TableRef MEMBERS = new TableRef("admin", "public.members");
    private static final TableRef TAGS = new TableRef("labor", "labor.member_tags");
    private static final TableRef LEVELS = new TableRef("labor", "labor.levels");

    static final String MAPPING = """
            document: member
            index: { alias: members }
            root:
              source: admin
              table: public.members
              key: [club, member_no]
              fields:
                club: club
                member_no: member_no
                name: name
              lookups:
                home:
                  source: labor
                  table: labor.levels
                  key: [region, code]
                  on: [home_region, home_code]
                  as: home
                  fields: { label: label }
            collections:
              tags:
                source: labor
                table: labor.member_tags
                key: [club, member_no, tag]
                parent: [club, member_no]
                value: tag
              tag_levels:
                source: labor
                table: labor.member_tags
                key: [club, member_no, tag]
                parent: [club, member_no]
                fields: { id: tag }
                lookups:
                  level:
                    table: labor.levels
                    key: [region, code]
                    on: [level_region, level_code]
                    as: level
                    fields: { label: label }
            """;

    @TempDir
    Path dir;
    private InMemoryDocumentStore store;
    private List<DeadLetter> letters;

    private DocumentWriter writer(String yaml) throws Exception {
        Files.writeString(dir.resolve("members.yaml"), yaml);
        DocumentMapping m = WriterFixtures.load(dir.resolve("members.yaml"), Set.of("admin", "labor"));
        mapping = m;
        return WriterFixtures.writer(store, new MappingSet(List.of(m)), letters::add);
    }

    private DocumentMapping mapping;

    @BeforeEach
    void store() {
        store = new InMemoryDocumentStore();
        letters = new ArrayList<>();
    }

    @Test
    void documentsFollowRowsWithCompositeKeys() throws Exception {
        DocumentWriter writer = writer(MAPPING);
        String ann = "north\\|east|1"; // club 'north|east', member 1: the '|' in the club is escaped
        writer.write(List.of(upsert(TAGS, 1, tag("north|east", 1, "premium", "eu", 1)), upsert(TAGS, 2, tag("north|east", 1, "kids", "eu", 2))));
        assertThat(store.ids("members")).as("children before their root make no document").isEmpty();

        writer.write(List.of(upsert(MEMBERS, 3, member("north|east", 1, "Ann", "eu", 1)), upsert(MEMBERS, 4, member("north", 1, "Bob", null, null))));
        assertThat(store.ids("members")).as("two keys that would be one without the escape").containsExactlyInAnyOrder(ann, "north|1");
        assertThat(tags(ann)).as("the children kept in the state, in key order").containsExactly("kids", "premium");
        assertThat(store.doc("members", ann)).containsEntry("club", "north|east").containsEntry("member_no", 1);
        assertThat(store.doc("members", "north|1").get("home")).as("a reference with a null part refers to no row").isNull();

        writer.write(List.of(upsert(LEVELS, 5, level("eu", 1, "Gold")), upsert(LEVELS, 6, level("eu", 2, "Silver")),
                upsert(LEVELS, 6, level("us", 1, "Bronze"))));
        assertThat(store.doc("members", ann).get("home")).isEqualTo(Map.of("label", "Gold"));
        assertThat(levels(ann)).containsExactly("kids=Silver", "premium=Gold");

        writer.write(List.of(upsert(LEVELS, 7, level("eu", 1, "Platinum"))));
        assertThat(store.doc("members", ann).get("home")).as("the lookup change fans out to the root").isEqualTo(Map.of("label", "Platinum"));
        assertThat(levels(ann)).as("and to the elements").containsExactly("kids=Silver", "premium=Platinum");

        // an UPDATE of a key column arrives as a delete of the old key and an insert of the new one
        writer.write(List.of(delete(TAGS, 8, tag("north|east", 1, "kids", "eu", 2)), upsert(TAGS, 8, tag("north|east", 1, "a|z", "us", 1))));
        assertThat(tags(ann)).containsExactly("a|z", "premium");
        assertThat(levels(ann)).containsExactly("a|z=Bronze", "premium=Platinum");
        writer.write(List.of(upsert(TAGS, 2, tag("north|east", 1, "kids", "eu", 2))));
        assertThat(tags(ann)).as("a replayed older change does not bring the deleted child back").containsExactly("a|z", "premium");
        writer.write(List.of(upsert(TAGS, 9, tag("north", 1, "x", null, null)), delete(TAGS, 9, tag("north|east", 1, "premium", "eu", 1))));
        assertThat(tags(ann)).containsExactly("a|z");
        assertThat(tags("north|1")).containsExactly("x");
        assertThat(levels("north|1")).as("an element whose reference has a null part").containsExactly("x=null");

        // the root's key changes: member 1 becomes member 2, its old document goes, its children stay with the old key
        writer.write(List.of(delete(MEMBERS, 10, member("north|east", 1, "Ann", "eu", 1)), upsert(MEMBERS, 10, member("north|east", 2, "Ann", "eu", 1))));
        assertThat(store.ids("members")).containsExactlyInAnyOrder("north\\|east|2", "north|1");
        assertThat(tags("north\\|east|2")).isEmpty();
        writer.write(List.of(upsert(MEMBERS, 3, member("north|east", 1, "Ann", "eu", 1))));
        assertThat(store.ids("members")).as("a replayed older change does not resurrect the old key").doesNotContain(ann);
        writer.write(List.of(upsert(TAGS, 11, tag("north|east", 2, "moved", "eu", 1))));
        assertThat(levels("north\\|east|2")).containsExactly("moved=Platinum");

        writer.write(List.of(delete(LEVELS, 12, level("eu", 1, "Platinum"))));
        assertThat(store.doc("members", "north\\|east|2").get("home")).as("a deleted lookup row leaves its fields null")
                .isEqualTo(nullLabel());
        assertThat(levels("north\\|east|2")).containsExactly("moved=null");

        // a repeated snapshot of labor at 100 saw the levels and the tag 'x' only
        writer.write(List.of(upsert(LEVELS, 100, level("eu", 2, "Silver")), upsert(LEVELS, 100, level("us", 1, "Bronze")),
                upsert(TAGS, 100, tag("north", 1, "x", null, null))));
        assertThat(writer.sweep("labor", 100)).as("'a|z' of the old key and 'moved', once per collection that keeps them").isEqualTo(4);
        assertThat(tags("north\\|east|2")).isEmpty();
        assertThat(tags("north|1")).containsExactly("x");

        writer.write(List.of(delete(MEMBERS, 13, member("north", 1, "Bob", null, null))));
        assertThat(store.ids("members")).containsExactly("north\\|east|2");
        IndexRebuild.Result r = new IndexRebuild(store).run(mapping, "members-v2", true, d -> { });
        assertThat(r.missingColumns()).isEmpty();
        assertThat(store.ids("members-v2")).containsExactly("north\\|east|2");
        assertThat(store.doc("members-v2", "north\\|east|2")).isEqualTo(store.doc("members", "north\\|east|2"));
        assertThat(letters).isEmpty();
    }

    @Test
    void aSingleTableTypeWithACompositeKeySweepsByItsId() throws Exception {
        DocumentWriter writer = writer("""
                document: member
                index: { alias: members }
                root:
                  source: admin
                  table: public.members
                  key: [club, member_no]
                  fields: { name: name }
                """);
        writer.write(List.of(upsert(MEMBERS, 1, member("a|b", 1, "gone", null, null)), upsert(MEMBERS, 2, member("a", 7, "kept", null, null))));
        assertThat(store.ids("members")).containsExactlyInAnyOrder("a\\|b|1", "a|7");
        writer.write(List.of(upsert(MEMBERS, 50, member("a", 7, "kept", null, null))));
        // a document of an earlier one-column key: no row can be made of its _id, so the sweep leaves it and goes on
        store.apply(io.mosaic.es.BulkAction.index("members", "7", Map.of("mosaic", Map.of("version", 1)), 1,
                io.mosaic.es.BulkAction.VersionGuard.EXTERNAL_GTE));
        assertThat(writer.sweep("admin", 50)).isEqualTo(1);
        store.apply(io.mosaic.es.BulkAction.delete("members", "7", 2, io.mosaic.es.BulkAction.VersionGuard.EXTERNAL_GTE));
        assertThat(store.ids("members")).containsExactly("a|7");
        writer.write(List.of(upsert(MEMBERS, 51, member("a", 8, "new", null, null)), delete(MEMBERS, 52, member("a", 7, "kept", null, null))));
        assertThat(store.ids("members")).containsExactly("a|8");
        assertThat(letters).isEmpty();
    }

    private static Map<String, Object> nullLabel() {
        return row("label", null);
    }

    @SuppressWarnings("unchecked")
    private List<Object> tags(String id) {
        return (List<Object>) store.doc("members", id).get("tags");
    }

    @SuppressWarnings("unchecked")
    private List<String> levels(String id) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) store.doc("members", id).get("tag_levels")) {
            Map<String, Object> level = (Map<String, Object>) e.get("level");
            out.add(e.get("id") + "=" + (level == null ? null : level.get("label")));
        }
        return out;
    }

    private static Map<String, Object> member(String club, long no, String name, String region, Integer code) {
        return row("club", club, "member_no", no, "name", name, "home_region", region, "home_code", code);
    }

    private static Map<String, Object> tag(String club, long no, String tag, String region, Integer code) {
        return row("club", club, "member_no", no, "tag", tag, "level_region", region, "level_code", code);
    }

    private static Map<String, Object> level(String region, int code, String label) {
        return row("region", region, "code", code, "label", label);
    }
}
