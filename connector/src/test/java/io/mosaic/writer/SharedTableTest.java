package io.mosaic.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.Problems;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingLoader;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;

/** Two document types read one source table: each change reaches both, each with its own mapping. */
class SharedTableTest {

    @TempDir
    Path dir;

    @Test
    void oneTableFeedsTwoDocumentTypes() throws Exception {
        Path scenario = Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml");
        Files.writeString(dir.resolve("people.yaml"), """
                document: person
                index: { alias: people-directory }
                root:
                  source: admin
                  table: public.employees
                  key: id
                  fields:
                    id: id
                    display: { format: "{family_name} {given_name} ({code})" }
                """);
        Problems problems = new Problems();
        MappingLoader loader = new MappingLoader(Set.of("admin", "motivation", "labor"));
        DocumentMapping employees = loader.loadFile(scenario, problems);
        DocumentMapping people = loader.loadFile(dir.resolve("people.yaml"), problems);
        assertThat(problems.list()).isEmpty();
        MappingSet set = new MappingSet(List.of(employees, people));
        assertThat(set.columns("admin.public.employees")).as("the union of both mappings' columns is captured")
                .contains("email", "code", "family_name");

        InMemoryDocumentStore store = new InMemoryDocumentStore();
        DocumentWriter writer = WriterFixtures.writer(store, set, letter -> { });
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 7L);
        row.put("company_id", 1L);
        row.put("code", "E7");
        row.put("family_name", "山田");
        row.put("given_name", "太郎");
        row.put("status", "active");
        row.put("department_id", null);
        TableRef table = new TableRef("admin", "public.employees");
        writer.write(List.of(new RowChange(table, RowChange.Op.UPSERT, null, row, 10, "p", false)));

        assertThat(store.doc("people-directory", "7")).containsEntry("display", "山田 太郎 (E7)").doesNotContainKey("email");
        assertThat(((Map<?, ?>) store.doc("employees", "7").get("name")).get("full")).isEqualTo("山田 太郎");

        writer.write(List.of(new RowChange(table, RowChange.Op.DELETE, row, null, 11, "p", false)));
        assertThat(store.doc("people-directory", "7")).isNull();
        assertThat(store.doc("employees", "7")).isNull();
    }
}
