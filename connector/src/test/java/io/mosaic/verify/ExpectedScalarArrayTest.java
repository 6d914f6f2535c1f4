package io.mosaic.verify;

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

/** Verify's expected document of a mapping with a {@code value:} collection: the same projection as the writer's. */
class ExpectedScalarArrayTest {

    @TempDir
    Path dir;

    @Test
    void theExpectedDocumentHasTheValuesInKeyOrderAndADifferentArrayIsDrift() throws Exception {
        String scenario = Files.readString(Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml"));
        Files.writeString(dir.resolve("employees.yaml"), scenario.replace("template: employees.index.json", "") + """
                  qualification_names:
                    source: labor
                    table: labor.qualifications
                    key: id
                    parent: employee_id
                    value: name
                """);
        Problems problems = new Problems();
        DocumentMapping m = new MappingLoader(Set.of("admin", "motivation", "labor")).loadFile(dir.resolve("employees.yaml"), problems);
        assertThat(problems.list()).isEmpty();
        Map<String, Object> root = row("id", 1L, "company_id", 1L, "code", "E1", "family_name", "山田", "given_name", "太郎",
                "status", "active", "department_id", null);
        List<Map<String, Object>> rows = List.of(row("id", 10L, "employee_id", 1L, "name", "危険物取扱者", "acquired_on", null),
                row("id", 9L, "employee_id", 1L, "name", "衛生管理者", "acquired_on", null));
        ExpectedDocuments.Rows read = new ExpectedDocuments.Rows(Map.of("1", root),
                Map.of("qualifications", Map.of("1", rows), "qualification_names", Map.of("1", rows)), Map.of(), Map.of());

        Map<String, Object> expected = ExpectedDocuments.document(m, read, "1");

        assertThat(expected.get("qualification_names")).isEqualTo(List.of("衛生管理者", "危険物取扱者"));
        Map<String, Object> reordered = new LinkedHashMap<>(expected);
        reordered.put("qualification_names", List.of("危険物取扱者", "衛生管理者"));
        assertThat(DocumentDiff.differingFields(expected, reordered)).as("the order of values counts").containsExactly("qualification_names[0]", "qualification_names[1]");
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
