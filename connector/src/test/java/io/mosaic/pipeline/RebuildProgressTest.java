package io.mosaic.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A rebuild's progress as stored and shown: a rebuild that stopped reporting is not running for ever. */
class RebuildProgressTest {

    private static final long T0 = 1_800_000_000_000L;

    private static RebuildProgress at(String phase, long updatedAt) {
        return new RebuildProgress("employees", "employees-v2", phase, 250, 1000, 125.0, T0, updatedAt);
    }

    @Test
    void anUnfinishedPhaseIsRunningUntilItIsNotUpdatedForTheStaleTime() {
        long updated = T0 + 10_000;
        for (String phase : List.of(RebuildProgress.BUILDING, RebuildProgress.MOVED, RebuildProgress.CATCHING_UP)) {
            RebuildProgress p = at(phase, updated);
            assertThat(p.runningAt(updated)).as(phase).isTrue();
            assertThat(p.runningAt(updated + RebuildProgress.STALE_AFTER.toMillis())).as(phase + " at the limit").isTrue();
            assertThat(p.staleAt(updated + RebuildProgress.STALE_AFTER.toMillis())).isFalse();
            assertThat(p.runningAt(updated + RebuildProgress.STALE_AFTER.toMillis() + 1)).as(phase + " past the limit").isFalse();
            assertThat(p.staleAt(updated + RebuildProgress.STALE_AFTER.toMillis() + 1)).isTrue();
        }
        assertThat(RebuildProgress.STALE_AFTER).as("many reports fit in the stale time").isGreaterThan(RebuildProgress.EVERY.multipliedBy(5));
    }

    @Test
    void aFinishedRebuildIsNeverRunningNorStale() {
        for (String phase : List.of(RebuildProgress.DONE, RebuildProgress.FAILED)) {
            RebuildProgress p = at(phase, T0);
            assertThat(p.runningAt(T0)).isFalse();
            assertThat(p.staleAt(T0 + 86_400_000L)).as("a day later, %s is still what happened", phase).isFalse();
        }
    }

    @Test
    void theStoredDocumentReadsBackAndAForeignOneIsIgnored() {
        RebuildProgress p = at(RebuildProgress.CATCHING_UP, T0 + 5_000).with(RebuildProgress.DONE, 1000, 321.04, T0 + 9_000);
        assertThat(RebuildProgress.fromSource(p.toSource()))
                .isEqualTo(new RebuildProgress("employees", "employees-v2", "done", 1000, 1000, 321.0, T0, T0 + 9_000));
        assertThat(p.toSource()).containsEntry("started_at", "2027-01-15T08:00:00Z").containsEntry("updated_at", "2027-01-15T08:00:09Z");
        assertThat(RebuildProgress.fromSource(Map.of("phase", "building"))).isNull();
    }

    @Test
    void statusShowsEachRebuildWithRunningAndStale() throws Exception {
        long updated = T0 + 10_000;
        Map<String, Object> rebuild = Map.of("employees", RebuildWatch.entry(at(RebuildProgress.BUILDING, updated), updated + 61_000));
        JsonNode status = new ObjectMapper().readTree(StatusReport.json(true, null, List.of(), List.of(),
                new ElasticsearchHealth.Verdict(true, "cluster health green", updated), 0, null, rebuild));
        JsonNode e = status.path("rebuild").path("employees");
        assertThat(e.path("target").asText()).isEqualTo("employees-v2");
        assertThat(e.path("phase").asText()).isEqualTo("building");
        assertThat(e.path("done").asLong()).isEqualTo(250);
        assertThat(e.path("total").asLong()).isEqualTo(1000);
        assertThat(e.path("running").asBoolean()).isFalse();
        assertThat(e.path("stale").asBoolean()).isTrue();
        assertThat(new ObjectMapper().readTree(StatusReport.json(true, null, List.of(), List.of(), null, 0)).path("rebuild").isEmpty())
                .as("no rebuild reported: an empty object").isTrue();
    }
}
