package io.mosaic.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Map;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import io.mosaic.config.SourceType;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;

/** The check of a change's row schema against the columns the mappings read, and truncate events. */
class SchemaCheckTest {

    private static final MappingSet MAPPINGS = BinlogSourceTest.scenario();
    private static final TableRef CONTRACTS = new TableRef("labor", "labor.contracts");

    private static Schema contracts(boolean withType, Schema hours) {
        SchemaBuilder b = SchemaBuilder.struct().optional().field("id", Schema.INT64_SCHEMA).field("employee_id", Schema.INT64_SCHEMA);
        if (withType) {
            b.field("contract_type", Schema.STRING_SCHEMA);
        }
        return b.field("starts_on", SchemaBuilder.int32().name("io.debezium.time.Date").build())
                .field("ends_on", SchemaBuilder.int32().name("io.debezium.time.Date").optional().build())
                .field("weekly_hours", hours).build();
    }

    @Test
    void aMissingMappedColumnIsRefusedWithTheMappingLineAndWhatToDo() {
        SchemaCheck check = new SchemaCheck("labor", MAPPINGS);
        check.check(CONTRACTS, contracts(true, Decimal.builder(1).optional().build()), "mysql-bin.000001:10#0");
        assertThatThrownBy(() -> check.check(CONTRACTS, contracts(false, Decimal.builder(1).optional().build()), "mysql-bin.000001:99#0"))
                .isInstanceOf(SchemaChangeException.class)
                .hasMessageContaining("table labor.contracts no longer has column 'contract_type'")
                .hasMessageContaining("mysql-bin.000001:99#0")
                .hasMessageMatching("(?s).*field 'type' of document 'employee' \\(.*employees\\.yaml:\\d+\\).*")
                .hasMessageContaining("rename the column back, or change the mapping")
                .hasMessageContaining("mosaic run --resnapshot labor");
    }

    @Test
    void aWiderTypeIsAcceptedAndEachSchemaObjectIsCheckedOnce() {
        SchemaCheck check = new SchemaCheck("labor", MAPPINGS);
        Schema narrow = contracts(true, Decimal.builder(1).optional().build());
        check.check(CONTRACTS, narrow, "p1");
        check.check(CONTRACTS, contracts(true, Decimal.builder(2).optional().build()), "p2");
        check.check(CONTRACTS, narrow, "p3");
        // a key column is mapped too: its loss is refused as well
        Schema withoutKey = SchemaBuilder.struct().optional().field("id", Schema.INT64_SCHEMA).field("contract_type", Schema.STRING_SCHEMA)
                .field("starts_on", Schema.INT32_SCHEMA).field("ends_on", Schema.OPTIONAL_INT32_SCHEMA)
                .field("weekly_hours", Schema.OPTIONAL_FLOAT64_SCHEMA).build();
        assertThatThrownBy(() -> check.check(CONTRACTS, withoutKey, "p4")).hasMessageContaining("'employee_id'")
                .hasMessageContaining("the parent column of collection 'contracts'");
    }

    @Test
    void theConverterChecksTheSchemaAndTurnsATruncateIntoATruncateOfItsTable() {
        Schema source = SchemaBuilder.struct().name("io.debezium.connector.mysql.Source")
                .field("db", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
                .field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA).field("row", Schema.INT32_SCHEMA)
                .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA).build();
        Schema row = contracts(false, Decimal.builder(1).optional().build());
        Schema envelope = SchemaBuilder.struct().field("before", row).field("after", row).field("source", source)
                .field("op", Schema.STRING_SCHEMA).build();
        Struct block = new Struct(source).put("db", "labor").put("table", "contracts").put("file", "mysql-bin.000007")
                .put("pos", 1234L).put("row", 0).put("snapshot", "false").put("ts_ms", 1L);
        Struct after = new Struct(row).put("id", 5L).put("employee_id", 42L).put("starts_on", 18353).put("weekly_hours", new BigDecimal("40.0"));
        ChangeEventConverter converter = new ChangeEventConverter(BinlogSourceTest.labor(SourceType.MARIADB), MAPPINGS);
        SourceRecord update = new SourceRecord(Map.of(), Map.of(), "t", envelope, new Struct(envelope).put("after", after).put("op", "u").put("source", block));
        assertThatThrownBy(() -> converter.convert(update)).isInstanceOf(SchemaChangeException.class);
        assertThat(new ChangeEventConverter(BinlogSourceTest.labor(SourceType.MARIADB)).convert(update).after())
                .as("without mappings, nothing is checked").doesNotContainKey("contract_type");

        RowChange truncate = converter.convert(new SourceRecord(Map.of(), Map.of(), "t", envelope,
                new Struct(envelope).put("op", "t").put("source", block)));
        assertThat(truncate.op()).isEqualTo(RowChange.Op.TRUNCATE);
        assertThat(truncate.table()).isEqualTo(CONTRACTS);
        assertThat(truncate.version()).isEqualTo(SourcePosition.binlog("mysql-bin.000007", 1234, 0));
        assertThat(truncate.before()).isNull();
        assertThat(truncate.after()).isNull();
    }

    @Test
    void theDropOfAMappedTableIsRefusedAndOtherSchemaChangesPass() {
        SchemaCheck check = new SchemaCheck("labor", MAPPINGS);
        check.checkSchemaChange(Map.of("labor.contracts", "ALTER", "labor.other", "DROP"), "p1");
        assertThatThrownBy(() -> check.checkSchemaChange(Map.of("labor.qualifications", "DROP"), "mysql-bin.000002:4#0"))
                .isInstanceOf(SchemaChangeException.class)
                .hasMessageContaining("the mapped table labor.qualifications was dropped (at mysql-bin.000002:4#0)")
                .hasMessageContaining("employees.yaml").hasMessageContaining("mosaic run --resnapshot labor");
    }

    @Test
    void aSchemaChangeRecordIsNotARowChangeAndDoesNotEndTheSnapshot() {
        Schema source = SchemaBuilder.struct().field("db", Schema.STRING_SCHEMA).field("file", Schema.STRING_SCHEMA)
                .field("pos", Schema.INT64_SCHEMA).field("row", Schema.INT32_SCHEMA).field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema tableChange = SchemaBuilder.struct().field("type", Schema.STRING_SCHEMA).field("id", Schema.STRING_SCHEMA).build();
        Schema envelope = SchemaBuilder.struct().field("source", source).field("ddl", Schema.STRING_SCHEMA)
                .field("tableChanges", SchemaBuilder.array(tableChange).build()).build();
        Struct value = new Struct(envelope).put("source", new Struct(source).put("db", "labor").put("file", "mysql-bin.000003")
                .put("pos", 77L).put("row", 0).put("snapshot", "false")).put("ddl", "DROP TABLE `qualifications`")
                .put("tableChanges", java.util.List.of(new Struct(tableChange).put("type", "DROP").put("id", "\"labor\".\"qualifications\"")));
        SourceRecord record = new SourceRecord(Map.of(), Map.of(), "labor", envelope, value);
        assertThat(ChangeEventConverter.endsSnapshot(record)).isFalse();
        assertThat(new ChangeEventConverter(BinlogSourceTest.labor(SourceType.MARIADB)).convert(record)).isNull();
        assertThatThrownBy(() -> new ChangeEventConverter(BinlogSourceTest.labor(SourceType.MARIADB), MAPPINGS).convert(record))
                .hasMessageContaining("labor.qualifications was dropped (at mysql-bin.000003:77");
        value.getStruct("source").put("snapshot", "true");
        assertThat(new ChangeEventConverter(BinlogSourceTest.labor(SourceType.MARIADB), MAPPINGS).convert(record))
                .as("a snapshot's DROP TABLE IF EXISTS describes the table, it drops nothing").isNull();
    }
}
