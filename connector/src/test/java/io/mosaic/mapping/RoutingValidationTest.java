package io.mosaic.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.ConfigProblem;
import io.mosaic.config.Problems;

/** {@code root.routing}: read by the loader, checked against the live root table and against the template. */
class RoutingValidationTest {

    @TempDir
    Path dir;

    private List<String> validate(String routing, String template) throws Exception {
        Path original = Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings");
        String mapping = Files.readString(original.resolve("employees.yaml"));
        if (routing != null) {
            mapping = mapping.replace("  key: id                     # the document _id\n", "  key: id                     # the document _id\n  routing: " + routing + "\n");
        }
        Files.writeString(dir.resolve("employees.yaml"), mapping);
        Files.writeString(dir.resolve("employees.index.json"), template);
        Problems problems = new Problems();
        DocumentMapping m = new MappingLoader(Set.of("admin", "motivation", "labor")).loadFile(dir.resolve("employees.yaml"), problems);
        assertThat(problems.list()).isEmpty();
        assertThat(m.routing()).isEqualTo(routing);
        MappingValidator.check(new MappingSet(List.of(m)), MappingValidatorTest.scenario(), Set.of("admin", "motivation", "labor"), problems);
        return problems.list().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void anExistingRootColumnIsAValidRouting() throws Exception {
        assertThat(validate("company_id", "{\"mappings\": {\"_routing\": {\"required\": true}}}")).isEmpty();
    }

    @Test
    void aRoutingColumnMissingFromTheRootTableIsReportedAtItsLine() throws Exception {
        assertThat(validate("tenant_id", "{}")).singleElement().satisfies(s -> assertThat(s)
                .contains("employees.yaml:").contains("routing column 'tenant_id' does not exist in admin.public.employees"));
    }

    @Test
    void aTemplateRequiringARoutingNeedsOneInTheMapping() throws Exception {
        assertThat(validate(null, "{\"mappings\": {\"_routing\": {\"required\": true}}}")).singleElement().satisfies(s -> assertThat(s)
                .contains("_routing.required").contains("root.routing"));
    }
}
