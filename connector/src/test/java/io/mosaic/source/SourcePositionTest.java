package io.mosaic.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class SourcePositionTest {

    @Test
    void anLsnIsWrittenAsPostgresqlWritesIt() {
        assertThat(SourcePosition.formatLsn(0x1E4F0A8L)).isEqualTo("0/1E4F0A8");
        assertThat(SourcePosition.formatLsn((0x1AL << 32) | 0x2B3C4DL)).isEqualTo("1A/2B3C4D");
    }

    @Test
    void postgresChangeOfAnInterleavedTransactionSortsAfterThePreviousCommit() {
        // Transaction B began first (its change at LSN 100) but committed after A (commit at 150).
        long aChange = SourcePosition.postgres(120, "[\"90\",\"120\"]", false);
        long bChange = SourcePosition.postgres(100, "[\"150\",\"100\"]", false);
        assertThat(bChange).isGreaterThan(aChange);
        assertThat(bChange).isEqualTo(151);
    }

    @Test
    void postgresChangesWithinOneTransactionKeepTheirLsnOrder() {
        long first = SourcePosition.postgres(200, "[\"150\",\"200\"]", false);
        long second = SourcePosition.postgres(260, "[\"150\",\"260\"]", false);
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void postgresTransactionCommittedAfterSnapshotWinsOverTheSnapshotRead() {
        long snapshotLsn = 500;
        long snapshotRead = SourcePosition.postgres(snapshotLsn, null, true);
        // began before the snapshot (change at 450), committed after it; the previous commit is the snapshot point
        long lateCommit = SourcePosition.postgres(450, "[\"500\",\"450\"]", false);
        assertThat(lateCommit).isGreaterThan(snapshotRead);
    }

    @Test
    void postgresWithoutLastCommitFallsBackToTheChangeLsn() {
        assertThat(SourcePosition.postgres(777, "[null,\"777\"]", false)).isEqualTo(777);
        assertThat(SourcePosition.postgres(777, null, false)).isEqualTo(777);
    }

    @Test
    void binlogVersionsIncreaseAcrossFileRotationPositionsAndRows() {
        long a = SourcePosition.binlog("mysql-bin.000001", 4_000_000_000L, 3);
        long b = SourcePosition.binlog("mysql-bin.000002", 4, 0);
        long c = SourcePosition.binlog("mysql-bin.000002", 4, 1);
        long d = SourcePosition.binlog("mysql-bin.000002", 900, 0);
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(c);
        assertThat(c).isLessThan(d);
        assertThat(SourcePosition.binlog("mysql-bin.999999", 0xFFFF_FFFFL, 511)).isPositive();
    }

    @Test
    void aPostgresPositionIsDescribedInPostgresOwnLsnForm() {
        Schema schema = SchemaBuilder.struct().field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
                .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).build();
        Struct streamed = new Struct(schema).put("lsn", 0x1AL << 32 | 0x0B3C_4D5EL);
        Struct snapshot = new Struct(schema).put("lsn", 0x16B3748L).put("snapshot", "true");

        assertThat(SourcePosition.describe(streamed, false)).isEqualTo("1A/B3C4D5E");
        assertThat(SourcePosition.describe(snapshot, false)).isEqualTo("0/16B3748 (snapshot)");
        assertThat(SourcePosition.describe(new Struct(schema).put("lsn", -1L), false)).isEqualTo("FFFFFFFF/FFFFFFFF");
    }
}
