package io.mosaic.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The execute-snapshot signal Debezium reads: its data, with and without a condition. */
class SnapshotSignalTest {

    @Test
    void theSignalNamesTheTablesAndTheConditionForEach() throws Exception {
        assertThat(SnapshotSignal.data(List.of("public.employees"), null))
                .isEqualTo("{\"type\":\"incremental\",\"data-collections\":[\"public.employees\"]}");
        assertThat(SnapshotSignal.data(List.of("labor.contracts", "labor.qualifications"), "employee_id <= 100"))
                .isEqualTo("{\"type\":\"incremental\",\"data-collections\":[\"labor.contracts\",\"labor.qualifications\"],"
                        + "\"additional-conditions\":[{\"data-collection\":\"labor.contracts\",\"filter\":\"employee_id <= 100\"},"
                        + "{\"data-collection\":\"labor.qualifications\",\"filter\":\"employee_id <= 100\"}]}");
    }
}
