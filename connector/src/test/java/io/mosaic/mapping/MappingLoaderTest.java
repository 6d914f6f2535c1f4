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
    void aCompositeKeyIsNamedAsSuchNotAsAMissingKey() throws IOException {
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
        assertThat(p).singleElement().satisfies(s -> assertThat(s).contains("doc.yaml:11").contains("collections.tags.key")
                .contains("names several columns [member_id, tag]").contains("composite keys are not supported yet")
                .doesNotContain("missing key"));
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
