package io.mosaic.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.ConfigProblem;
import io.mosaic.config.Problems;
import io.mosaic.model.TableInfo;

/** The live checks of composite keys over fixed catalogs: every key column against the primary key, every reference column. */
class CompositeKeyValidationTest {

    @TempDir
    Path dir;

    private List<String> check(String rootKey, String on, List<String> levelsKey, List<String> tagsKey) throws Exception {
        Files.writeString(dir.resolve("members.yaml"), """
                document: member
                root:
                  source: admin
                  table: public.members
                  key: %s
                  fields: { name: name }
                collections:
                  tags:
                    source: labor
                    table: labor.member_tags
                    key: [club, member_no, tag]
                    parent: [club, member_no]
                    fields: { id: tag }
                    lookups:
                      level: { table: labor.levels, key: [region, code], on: %s, as: level, fields: { label: label } }
                """.formatted(rootKey, on));
        Problems problems = new Problems();
        DocumentMapping m = new MappingLoader(Set.of("admin", "labor")).loadFile(dir.resolve("members.yaml"), problems);
        assertThat(problems.list()).isEmpty();
        Map<String, TableInfo> t = new HashMap<>();
        t.put("admin.public.members", table(List.of("club", "member_no"), "club", "member_no", "name"));
        t.put("labor.labor.member_tags", table(tagsKey, "club", "member_no", "tag", "level_region", "level_code"));
        t.put("labor.labor.levels", table(levelsKey, "region", "code", "label"));
        Problems p = new Problems();
        MappingValidator.check(new MappingSet(List.of(m)), t, Set.of("admin", "labor"), p);
        return p.list().stream().map(ConfigProblem::toString).toList();
    }

    private static TableInfo table(List<String> primaryKey, String... columns) {
        Map<String, String> cols = new LinkedHashMap<>();
        for (String c : columns) {
            cols.put(c, "text");
        }
        return new TableInfo(cols, primaryKey, null);
    }

    @Test
    void aCompositeKeyIsThePrimaryKeyInAnyOrder() throws Exception {
        assertThat(check("[club, member_no]", "[level_region, level_code]", List.of("region", "code"), List.of("club", "member_no", "tag")))
                .isEmpty();
        assertThat(check("[member_no, club]", "[level_region, level_code]", List.of("code", "region"), List.of("tag", "club", "member_no")))
                .as("the order only decides how the _id is written").isEmpty();
    }

    @Test
    void wrongKeyAndReferenceColumnsAreReportedWithTheirLines() throws Exception {
        assertThat(check("[club, name]", "[level_region, level_no]", List.of("region"), List.of("club", "member_no", "tag")))
                .hasSize(3)
                .anySatisfy(s -> assertThat(s).contains("members.yaml:5: key [club, name] of admin.public.members is not its primary key "
                        + "[club, member_no]; set key: to the table's primary key, e.g. key: [club, member_no]"))
                .anySatisfy(s -> assertThat(s).contains("members.yaml:15").contains("key [region, code] of labor.labor.levels is not its "
                        + "primary key [region]").contains("e.g. key: region"))
                .anySatisfy(s -> assertThat(s).contains("members.yaml:15").contains("lookup 'level': 'on' column 'level_no' does not exist"));
    }
}
