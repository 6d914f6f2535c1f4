package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.mosaic.pipeline.Mosaic;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ContractComparison;
import io.mosaic.testkit.ExpectedDocuments;
import io.mosaic.testkit.MosaicHarness;

/**
 * A replay from an older position leaves every document as it is: Mosaic's stored binlog position is
 * rewound to before a series of changes (inserts, updates, deletes, a child moving), so that they are
 * read and written again; at no point during the replay does any document differ from its final state.
 * (PostgreSQL cannot be rewound this way: a slot never hands out WAL before the position it confirmed.)
 */
class ReplayIT {

    static MosaicHarness harness;

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    static Map<String, Map<String, Object>> expected() {
        try {
            return ExpectedDocuments.compute(harness.dbs);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void replayingOldChangesChangesNothing() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 80), 4);
        var config = harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor");
        harness.start(config);
        harness.awaitConverged("employees", ReplayIT::expected, Duration.ofSeconds(60));
        String laborOffsets = "/mosaic-offsets/_doc/" + java.net.URLEncoder.encode("labor@" + harness.dbs.mysqlHost() + ":"
                + harness.dbs.mysqlPort() + "/server-5501", java.nio.charset.StandardCharsets.UTF_8);
        Object oldPosition = MosaicHarness.es("GET", laborOffsets, null).get("_source");
        assertThat(oldPosition).isNotNull();

        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            for (int i = 1; i <= 20; i++) {
                s.execute("UPDATE contracts SET weekly_hours = " + i + " WHERE employee_id = " + i);
                s.execute("INSERT INTO qualifications (id, employee_id, name) VALUES (" + (700000 + i) + ", " + i + ", '再生" + i + "')");
                s.execute("UPDATE qualifications SET name = '再生改" + i + "' WHERE id = " + (700000 + i));
            }
            s.execute("DELETE FROM qualifications WHERE id BETWEEN 700001 AND 700005");
            s.execute("UPDATE qualifications SET employee_id = 30 WHERE id BETWEEN 700006 AND 700010");
            s.execute("DELETE FROM contracts WHERE employee_id = 21");
        }
        harness.awaitConverged("employees", ReplayIT::expected, Duration.ofSeconds(60));
        Map<String, Map<String, Object>> before = harness.documents("employees");
        harness.stop();

        MosaicHarness.es("PUT", laborOffsets + "?refresh=true", oldPosition);
        Mosaic mosaic = harness.start(config);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int polls = 0;
        while (System.nanoTime() < deadline) {
            assertThat(ContractComparison.differences(before, harness.documents("employees"))).as("differences during the replay").isEmpty();
            polls++;
        }
        double replayed = mosaic.registry().find("mosaic.source.changes").tag("source", "labor").counters().stream()
                .mapToDouble(Counter::count).sum();
        System.out.printf("ReplayIT: %.0f labor changes replayed, %d comparisons during the replay%n", replayed, polls);
        assertThat(replayed).as("changes read again from the rewound position").isGreaterThanOrEqualTo(60);
        assertThat(ContractComparison.differences(expected(), harness.documents("employees"))).isEmpty();
    }
}
