package io.mosaic.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.config.Problems;
import io.mosaic.mapping.MappingLoader;
import io.mosaic.mapping.MappingSet;
import io.mosaic.pipeline.RequiredPrivileges;
import io.mosaic.testkit.LocalServices;
import io.mosaic.testkit.MosaicHarness;

/**
 * The documented least-privilege role (deploy/elasticsearch/mosaic-role.json, quoted by the README and
 * installed by SecuredClusterIT) is exactly what Mosaic asks a secured cluster for at start-up.
 */
class RoleFileTest {

    @Test
    void theRoleFileIsTheRoleMosaicChecksFor() throws Exception {
        Problems problems = new Problems();
        MappingSet scenario = new MappingSet(new MappingLoader(Set.of("admin", "motivation", "labor"))
                .load(List.of(MosaicHarness.scenarioMapping()), problems));
        problems.throwIfAny();
        ObjectMapper json = new ObjectMapper();
        Path file = LocalServices.root().resolve("deploy/elasticsearch/mosaic-role.json");
        assertThat(json.readTree(Files.readString(file))).isEqualTo(json.valueToTree(RequiredPrivileges.roleDescriptor(scenario, true)));
        String readme = Files.readString(LocalServices.root().resolve("README.md"));
        assertThat(readme).as("the README quotes the file").contains(Files.readString(file).trim());
    }

    @Test
    void noBroadPrivilegeIsAsked() {
        assertThat(RequiredPrivileges.CLUSTER).doesNotContain("monitor", "manage", "all");
        assertThat(RequiredPrivileges.INDICES).doesNotContain("manage", "delete_index", "all");
    }
}
