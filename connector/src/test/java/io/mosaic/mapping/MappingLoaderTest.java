package io.mosaic.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.ConfigProblem;
import io.mosaic.config.Problems;

class MappingLoaderTest {

    @TempDir
    Path dir;

    List<String> problems(String yaml) throws IOException {
        Path f = dir.resolve("doc.yaml");
        Files.writeString(f, yaml);
        Problems p = new Problems();
        new MappingLoader(Set.of("admin", "labor")).loadFile(f, p);
        return p.list().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void reportsAllMistakesWithFileAndLine() throws IOException {
        List<String> p = problems("""
                document: employee
                index: {alias: employees, templat: x.json}
                root:
                  source: hr
                  table: employees
                  key: id
                  fields:
                    id: id
                    name.full: {format: "{family_name"}
                    mosaic: id
                    status: {column: status, type: money}
                collections:
                  contracts:
                    source: labor
                    table: labor.contracts
                    key: id
                    fields: {id: id}
                """);
        assertThat(p).anySatisfy(s -> assertThat(s).contains("doc.yaml:2").contains("unknown key 'index.templat'").contains("did you mean 'template'"))
                .anySatisfy(s -> assertThat(s).contains("doc.yaml:4").contains("unknown source 'hr'").contains("admin, labor"))
                .anySatisfy(s -> assertThat(s).contains("doc.yaml:5").contains("schema.table"))
                .anySatisfy(s -> assertThat(s).contains("doc.yaml:9").contains("no closing '}'"))
                .anySatisfy(s -> assertThat(s).contains("'mosaic' is reserved"))
                .anySatisfy(s -> assertThat(s).contains("doc.yaml:11").contains("unknown type 'money'"))
                .anySatisfy(s -> assertThat(s).contains("collections.contracts.parent"));
    }

    @Test
    void compositeKeysAreListsOfColumns() throws IOException {
        Path f = dir.resolve("doc.yaml");
        Files.writeString(f, """
                document: member
                root:
                  source: admin
                  table: public.members
                  key: [club, member_no]
                  fields: {name: name}
                  lookups:
                    home: {table: public.levels, key: [region, code], on: [home_region, home_code], as: home, fields: {label: label}}
                collections:
                  tags:
                    source: labor
                    table: labor.member_tags
                    key: [club, member_no, tag]
                    parent: [club, member_no]
                    value: tag
                """);
        Problems p = new Problems();
        DocumentMapping m = new MappingLoader(Set.of("admin", "labor")).loadFile(f, p);
        assertThat(p.list()).isEmpty();
        assertThat(m.rootKey().columns()).containsExactly("club", "member_no");
        assertThat(m.lookups().get(0).key().columns()).containsExactly("region", "code");
        assertThat(m.lookups().get(0).on().columns()).containsExactly("home_region", "home_code");
        assertThat(m.collections().get(0).key().columns()).containsExactly("club", "member_no", "tag");
        assertThat(m.collections().get(0).parent().columns()).containsExactly("club", "member_no");
        assertThat(m.rootColumns()).containsExactly("club", "member_no", "name", "home_region", "home_code");
        assertThat(new MappingSet(List.of(m)).columns("labor.labor.member_tags")).containsExactly("club", "member_no", "tag");
    }

    @Test
    void aCompositeKeyIsNoLongerAMissingKey() throws IOException {
        List<String> p = problems("""
                document: member
                root:
                  source: admin
                  table: public.members
                  key: id
                  fields: {id: id}
                collections:
                  tags:
                    source: admin
                    table: public.member_tags
                    key: [member_id, tag]
                    parent: member_id
                    fields: {tag: tag}
                """);
        assertThat(p).isEmpty();
    }

    @Test
    void referencesMustNameAsManyColumnsAsTheKey() throws IOException {
        List<String> p = problems("""
                document: member
                root:
                  source: admin
                  table: public.members
                  key: [club, member_no]
                  fields: {name: name}
                  lookups:
                    home: {table: public.levels, key: [region, code], on: home_region, fields: {label: label}}
                collections:
                  tags:
                    table: public.member_tags
                    source: admin
                    key: [club, member_no, tag, tag]
                    parent: member_no
                    value: tag
                  notes:
                    table: public.notes
                    source: admin
                    key: []
                    parent: [club, member_no]
                    value: text
                """);
        assertThat(p).hasSize(4)
                .anySatisfy(s -> assertThat(s).contains("doc.yaml:8").contains("on home_region names 1 column(s), but its key [region, code] has 2"))
                .anySatisfy(s -> assertThat(s).contains("doc.yaml:13").contains("names column 'tag' twice"))
                .anySatisfy(s -> assertThat(s).contains("doc.yaml:14").contains("parent member_no names 1 column(s), but the root key "
                        + "[club, member_no] has 2"))
                .anySatisfy(s -> assertThat(s).contains("doc.yaml:19").contains("collections.notes.key").contains("empty list"));
    }

    @Test
    void syntaxErrorGivesFileAndLine() throws IOException {
        List<String> p = problems("document: x\nroot:\n  fields: {id: id\n  key: id\n");
        assertThat(p).singleElement().satisfies(s -> assertThat(s).contains("doc.yaml:").contains("YAML syntax error"));
    }

    @Test
    void collidingFieldsAreRejected() throws IOException {
        List<String> p = problems("""
                document: x
                root:
                  source: admin
                  table: public.t
                  key: id
                  fields: {name: a, name.full: b}
                """);
        assertThat(p).anySatisfy(s -> assertThat(s).contains("'name.full' collides with field 'name'"));
    }
}
