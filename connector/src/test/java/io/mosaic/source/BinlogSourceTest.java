package io.mosaic.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import io.mosaic.config.Problems;
import io.mosaic.config.SourceConfig;
import io.mosaic.config.SourceType;
import io.mosaic.config.WriterConfig;
import io.mosaic.mapping.MappingLoader;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.RowChange;

/**
 * MySQL-specific code without a MySQL server (none can be installed on the build machines): the
 * connector properties for {@code type: mysql} and the conversion of a binlog change event as the
 * MySQL connector emits it. MariaDB runs the same code against a real server in the ITs.
 */
class BinlogSourceTest {

    static MappingSet scenario() {
        Problems p = new Problems();
        Path file = Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml");
        return new MappingSet(List.of(new MappingLoader(Set.of("admin", "motivation", "labor")).loadFile(file, p)));
    }

    static SourceConfig labor(SourceType type) {
        return new SourceConfig("labor", type, "db.example", 3306, null, "debezium", "pw", "mosaic_labor", "mosaic_labor",
                5401, "initial", Duration.ofSeconds(10), Duration.ofSeconds(10), null, Map.of("binlog.buffer.size", "0"), null, null);
    }

    @Test
    void mysqlPropertiesCaptureOnlyMappedTablesAndColumns() {
        Properties p = DebeziumProperties.of(labor(SourceType.MYSQL), scenario(), WriterConfig.defaults(), Path.of("/state"), null);
        assertThat(p.getProperty("connector.class")).isEqualTo("io.debezium.connector.mysql.MySqlConnector");
        assertThat(p.getProperty("database.server.id")).isEqualTo("5401");
        assertThat(p.getProperty("database.include.list")).isEqualTo("\\Qlabor\\E");
        assertThat(p.getProperty("table.include.list")).isEqualTo("\\Qlabor.contracts\\E,\\Qlabor.qualifications\\E");
        assertThat(p.getProperty("column.include.list")).contains("\\Qlabor.contracts.weekly_hours\\E")
                .doesNotContain("monthly_salary");
        assertThat(p.getProperty("schema.history.internal.file.filename")).isEqualTo("/state/labor.schema-history");
        assertThat(p.getProperty("binlog.buffer.size")).isEqualTo("0");
        assertThat(DebeziumProperties.of(labor(SourceType.MARIADB), scenario(), WriterConfig.defaults(), Path.of("/s"), null)
                .getProperty("connector.class")).isEqualTo("io.debezium.connector.mariadb.MariaDbConnector");
    }

    @Test
    void aSignalTableIsCapturedWhollyBesideTheMappedTablesAndItsEventsNeverBecomeRowChanges() {
        SourceConfig plain = labor(SourceType.MARIADB);
        SourceConfig signalled = new SourceConfig(plain.name(), plain.type(), plain.host(), plain.port(), null, plain.user(), plain.password(),
                plain.slot(), plain.publication(), plain.serverId(), plain.snapshotMode(), plain.heartbeat(), plain.connectTimeout(),
                "ops.mosaic_signal", Map.of(), null, null);
        Properties p = DebeziumProperties.of(signalled, scenario(), WriterConfig.defaults(), Path.of("/state"), null);
        assertThat(p.getProperty("signal.data.collection")).isEqualTo("ops.mosaic_signal");
        assertThat(p.getProperty("signal.enabled.channels")).isEqualTo("source");
        assertThat(p.getProperty("database.include.list")).isEqualTo("\\Qlabor\\E,\\Qops\\E");
        assertThat(p.getProperty("table.include.list")).endsWith(",\\Qops.mosaic_signal\\E");
        assertThat(p.getProperty("column.include.list")).endsWith(",\\Qops.mosaic_signal\\E\\..*")
                .doesNotContain("monthly_salary");
        assertThat(DebeziumProperties.of(plain, scenario(), WriterConfig.defaults(), Path.of("/state"), null)
                .getProperty("signal.data.collection")).isNull();

        Schema source = SchemaBuilder.struct().field("db", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
                .field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA).field("row", Schema.INT32_SCHEMA).build();
        Schema row = SchemaBuilder.struct().optional().field("id", Schema.STRING_SCHEMA).build();
        Schema envelope = SchemaBuilder.struct().field("before", row).field("after", row).field("source", source)
                .field("op", Schema.STRING_SCHEMA).build();
        Struct value = new Struct(envelope).put("after", new Struct(row).put("id", "w1")).put("op", "c").put("source", new Struct(source)
                .put("db", "ops").put("table", "mosaic_signal").put("file", "mysql-bin.000001").put("pos", 4L).put("row", 0));
        assertThat(new ChangeEventConverter(signalled).convert(new SourceRecord(Map.of(), Map.of(), "labor.ops.mosaic_signal", envelope, value)))
                .as("a watermark written by Debezium").isNull();
    }

    @Test
    void mysqlChangeEventBecomesARowChangeWithABinlogVersion() {
        Schema source = SchemaBuilder.struct().name("io.debezium.connector.mysql.Source")
                .field("db", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
                .field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA).field("row", Schema.INT32_SCHEMA)
                .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA).build();
        Schema row = SchemaBuilder.struct().optional()
                .field("id", Schema.INT64_SCHEMA).field("employee_id", Schema.INT64_SCHEMA)
                .field("starts_on", SchemaBuilder.int32().name("io.debezium.time.Date").build())
                .field("weekly_hours", Decimal.builder(1).optional().build()).build();
        Schema envelope = SchemaBuilder.struct().field("before", row).field("after", row).field("source", source)
                .field("op", Schema.STRING_SCHEMA).build();
        Struct after = new Struct(row).put("id", 5L).put("employee_id", 42L).put("starts_on", 18353).put("weekly_hours", new BigDecimal("40.0"));
        Struct value = new Struct(envelope).put("after", after).put("op", "u").put("source", new Struct(source)
                .put("db", "labor").put("table", "contracts").put("file", "mysql-bin.000007").put("pos", 1234L).put("row", 2)
                .put("snapshot", "false").put("ts_ms", 1L));
        RowChange change = new ChangeEventConverter(labor(SourceType.MYSQL))
                .convert(new SourceRecord(Map.of(), Map.of(), "labor.labor.contracts", envelope, value));

        assertThat(change.table().id()).isEqualTo("labor.labor.contracts");
        assertThat(change.op()).isEqualTo(RowChange.Op.UPSERT);
        assertThat(change.after()).containsEntry("starts_on", "2020-04-01").containsEntry("weekly_hours", new BigDecimal("40.0"));
        assertThat(change.version()).isEqualTo(SourcePosition.binlog("mysql-bin.000007", 1234, 2));
        assertThat(change.position()).isEqualTo("mysql-bin.000007:1234#2");
    }
}
