package io.mosaic.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** What a cluster's _has_privileges answer lacks, named privilege by privilege. */
class RequiredPrivilegesTest {

    @Test
    void everyMissingPrivilegeIsNamedWithItsIndex() {
        Map<String, Object> answer = Map.of("has_all_requested", false,
                "cluster", Map.of("cluster:monitor/health", true, "manage_index_templates", false),
                "index", Map.of("employees-v1", Map.of("read", true, "write", false), "mosaic-offsets", Map.of("read", true)));
        assertThat(RequiredPrivileges.missing(answer)).containsExactlyInAnyOrder("cluster privilege manage_index_templates",
                "write on employees-v1");
        assertThat(RequiredPrivileges.missing(Map.of("has_all_requested", true))).isEmpty();
    }
}
