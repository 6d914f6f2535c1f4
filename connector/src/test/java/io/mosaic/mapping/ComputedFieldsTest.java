package io.mosaic.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.ConfigProblem;
import io.mosaic.config.Problems;

/** coalesce and when: declared in the mapping, computed from the captured row, mistakes reported with their line. */
class ComputedFieldsTest {

    @TempDir
    Path dir;

    private DocumentMapping load(String fields, Problems problems) throws Exception {
        Files.writeString(dir.resolve("m.yaml"), """
                document: member
                root:
                  source: admin
                  table: public.members
                  key: id
                  fields:
                """ + fields);
        return new MappingLoader(Set.of("admin")).loadFile(dir.resolve("m.yaml"), problems);
    }

    @Test
    void coalesceTakesTheFirstValueAndWhenGivesABoolean() throws Exception {
        Problems problems = new Problems();
        DocumentMapping m = load("""
                    id: id
                    display_name: { coalesce: [nickname, given_name] }
                    since: { coalesce: [joined_on, created_on], type: string }
                    active: { when: { status: { equals: active }, deleted_at: { is: null } } }
                    senior: { when: { age: { gte: 60 } } }
                """, problems);
        assertThat(problems.list()).isEmpty();
        assertThat(m.rootColumns()).contains("nickname", "given_name", "joined_on", "created_on", "status", "deleted_at", "age");

        Map<String, Object> row = new HashMap<>();
        row.put("id", 1L);
        row.put("nickname", null);
        row.put("given_name", "太郎");
        row.put("joined_on", null);
        row.put("created_on", "2024-04-01");
        row.put("status", "active");
        row.put("deleted_at", null);
        row.put("age", new java.math.BigDecimal("61"));
        Map<String, Object> doc = Projector.projectRow(m.fields(), List.of(), row, (t, k) -> null, m.root());
        assertThat(doc).containsEntry("display_name", "太郎").containsEntry("since", "2024-04-01")
                .containsEntry("active", true).containsEntry("senior", true);

        row.put("nickname", "たろう");
        row.put("deleted_at", "2026-01-01T00:00:00Z");
        row.put("age", 59L);
        doc = Projector.projectRow(m.fields(), List.of(), row, (t, k) -> null, m.root());
        assertThat(doc).containsEntry("display_name", "たろう").containsEntry("active", false).containsEntry("senior", false);

        row.put("nickname", null);
        row.put("given_name", null);
        doc = Projector.projectRow(m.fields(), List.of(), row, (t, k) -> null, m.root());
        assertThat(doc).containsEntry("display_name", null);
    }

    @Test
    void mistakesAreReportedWithTheirLine() throws Exception {
        Problems problems = new Problems();
        load("""
                    id: id
                    a: { coalesce: nickname }
                    b: { coalesce: [nickname, given_name], format: "{x}" }
                    c: { when: {} }
                """, problems);
        assertThat(problems.list().stream().map(ConfigProblem::toString).toList())
                .anySatisfy(s -> assertThat(s).contains("m.yaml:8").contains("at least two column names"))
                .anySatisfy(s -> assertThat(s).contains("m.yaml:9").contains("exactly one of"))
                .anySatisfy(s -> assertThat(s).contains("m.yaml:10").contains("at least one condition"));
    }
}
