package io.mosaic.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code mosaic snapshot --wait} finds its own snapshot in {@code /status}, and its progress line. */
class SnapshotCommandTest {

    private static JsonNode status(String signal, String phase) throws Exception {
        return new ObjectMapper().readTree("""
                {"sources": [{"name": "labor", "incremental_snapshot": null},
                             {"name": "admin", "incremental_snapshot": {"signal": "%s", "signals": ["%1$s", "late"], "phase": "%s", "rows_written": 5,
                              "tables": [{"table": "public.employees", "state": "done", "rows_written": 3},
                                         {"table": "public.departments", "state": "running", "rows_written": 2}]}}]}
                """.formatted(signal, phase));
    }

    @Test
    void itFollowsTheSnapshotOfItsSignalOnlyOrAfterAWhileOneUnderWayThatReadsItsTables() throws Exception {
        assertThat(SnapshotCommand.find(status("a", "running"), "admin", "a", List.of("public.employees"), false).path("rows_written").asLong())
                .isEqualTo(5L);
        assertThat(SnapshotCommand.find(status("b", "running"), "admin", "a", List.of("public.employees"), false)).isNull();
        assertThat(SnapshotCommand.find(status("b", "running"), "admin", "late", List.of("public.employees"), false)).isNotNull();
        assertThat(SnapshotCommand.find(status("b", "running"), "admin", "a", List.of("public.employees"), true)).isNotNull();
        assertThat(SnapshotCommand.find(status("b", "done"), "admin", "a", List.of("public.employees"), true)).isNull();
        assertThat(SnapshotCommand.find(status("b", "running"), "admin", "a", List.of("public.surveys"), true)).isNull();
        assertThat(SnapshotCommand.find(status("a", "running"), "labor", "a", List.of("labor.contracts"), true)).isNull();
        assertThat(SnapshotCommand.describe(status("a", "done").path("sources").get(1).path("incremental_snapshot")))
                .isEqualTo("public.employees done 3 rows, public.departments running 2 rows");
    }

    @Test
    void theProgressLineShowsRowsAndWithoutATotalNoBar() {
        long[] now = {0};
        ProgressBar known = new ProgressBar(System.err, "admin", 100, "rows", false, () -> now[0]);
        ProgressBar unknown = new ProgressBar(System.err, "admin", 0, "rows", false, () -> now[0]);
        now[0] = 2_000_000_000L;
        assertThat(known.line(50, now[0])).contains("50/100 rows").contains("25/s").contains("ETA 2s");
        assertThat(unknown.line(50, now[0])).isEqualTo("admin 50 rows  25/s");
    }
}
