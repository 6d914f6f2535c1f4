package io.mosaic.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.github.shyiko.mysql.binlog.network.ServerException;

import io.debezium.DebeziumException;
import io.mosaic.config.SourceConfig;
import io.mosaic.config.SourceType;

/** Which failures of a running source no restart heals, and what the message says to do. */
class SourceFailuresTest {

    static final SourceConfig LABOR = new SourceConfig("labor", SourceType.MARIADB, "db.internal", 3306, null, "debezium", "s3cret",
            "mosaic_labor", "mosaic_labor", 5501, "initial", Duration.ofSeconds(10), Duration.ofSeconds(10), Map.of());

    static String classify(Throwable e) {
        return SourceFailures.unrecoverable(LABOR, e);
    }

    @Test
    void outagesAndUnknownFailuresMayHeal() {
        // the failure of issue 13: a MariaDB restart while the connector starts
        assertThat(classify(new DebeziumException("Unexpected error while looking at GTID_BINLOG_POS: ",
                new SQLException("(conn=12) unexpected end of stream, read 0 bytes from 4 (socket was closed by server)", "08000",
                        -1, new EOFException("unexpected end of stream"))))).isNull();
        assertThat(classify(new SQLException("Connection refused", "08001"))).isNull();
        assertThat(classify(new DebeziumException("binlog", new EOFException()))).isNull();
        assertThat(classify(new SQLException("Lock wait timeout exceeded", "HY000", 1205))).isNull();
        assertThat(classify(new IllegalStateException("something else"))).isNull();
    }

    @Test
    void refusedCredentialsAreForGood() {
        String why = classify(new DebeziumException("connect", new SQLException("Access denied for user 'debezium'", "28000", 1045)));
        assertThat(why).contains("refused the credentials").contains("SQL state 28000").contains("error 1045")
                .contains("sources.labor.user/password").doesNotContain("s3cret");
        assertThat(classify(new SQLException("password authentication failed for user", "28P01"))).contains("refused the credentials");
        assertThat(classify(new ServerException("Access denied", 1045, "28000"))).contains("refused the credentials");
    }

    @Test
    void missingPrivilegesAreForGood() {
        assertThat(classify(new SQLException("permission denied for table employees", "42501"))).contains("lacks a privilege");
        assertThat(classify(new SQLException("Access denied; you need (at least one of) the REPLICATION SLAVE privilege(s)", "42000", 1227)))
                .contains("lacks a privilege").contains("mosaic validate");
        assertThat(classify(new SQLException("Access denied for user to database 'labor'", "42000", 1044))).contains("lacks a privilege");
    }

    @Test
    void aLostPositionIsForGoodAndNamesTheResnapshot() {
        assertThat(classify(new DebeziumException("binlog", new ServerException(
                "Could not find first log file name in binary log index file", 1236, "HY000"))))
                .contains("no longer has the changes").contains("mosaic run --resnapshot labor");
        assertThat(classify(new SQLException("ERROR: requested WAL segment 000000010000000000000003 has already been removed", "58P01")))
                .contains("--resnapshot labor");
        assertThat(classify(new SQLException("ERROR: replication slot \"mosaic_labor\" does not exist", "42704"))).contains("--resnapshot");
        assertThat(classify(new SQLException("ERROR: can no longer get changes from replication slot \"mosaic_labor\"", "55000")))
                .contains("--resnapshot");
        // Debezium's own check at start (a slot created again, positions restored from an older snapshot); its message
        // names the stored offset, which the advice leaves out
        String debezium = classify(new DebeziumException("The connector is trying to read change stream starting at "
                + "PostgresOffsetContext [lsn=LSN{0/1E4F0A8}], but this is no longer available on the server. "
                + "Reconfigure the connector to use a snapshot mode when needed."));
        assertThat(debezium).contains("no longer has the changes").contains("mosaic run --resnapshot labor").doesNotContain("0/1E4F0A8");
        // a missing table is not a lost position
        assertThat(classify(new SQLException("ERROR: relation \"x\" does not exist", "42P01"))).isNull();
    }
}
