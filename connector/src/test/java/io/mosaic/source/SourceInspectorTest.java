package io.mosaic.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Which stored PostgreSQL position the slot is checked against. */
class SourceInspectorTest {

    @Test
    void aStreamingPositionIsCheckedByItsLsnProc() {
        assertThat(SourceInspector.streamedLsn(Map.of("lsn", 200L, "lsn_proc", 150L, "lsn_commit", 120L))).isEqualTo(150L);
        // the end of a snapshot is streamed from too
        assertThat(SourceInspector.streamedLsn(Map.of("snapshot", "INITIAL", "snapshot_completed", true, "lsn_proc", 150L))).isEqualTo(150L);
    }

    @Test
    void aSnapshotStillRunningOrAPositionWithoutLsnIsNotChecked() {
        // Debezium takes a snapshot that did not end again from the start, whatever the slot holds
        assertThat(SourceInspector.streamedLsn(Map.of("snapshot", "INITIAL", "snapshot_completed", false, "lsn_proc", 150L))).isNull();
        assertThat(SourceInspector.streamedLsn(Map.of("snapshot", "INITIAL", "lsn_proc", 150L))).isNull();
        assertThat(SourceInspector.streamedLsn(Map.of("txId", 4896L))).isNull();
    }

    @Test
    void rightAfterASnapshotThePositionIsItsLsn() {
        // no lsn_proc before the first streamed change: Debezium checks nothing then; Mosaic checks the lsn
        assertThat(SourceInspector.streamedLsn(Map.of("lsn", 258973816L, "txId", 4896L, "ts_usec", 1796243882700828L))).isEqualTo(258973816L);
        Map<String, Object> nullProc = new HashMap<>();
        nullProc.put("lsn", 200L);
        nullProc.put("lsn_proc", null);
        assertThat(SourceInspector.streamedLsn(nullProc)).isEqualTo(200L);
    }
}
