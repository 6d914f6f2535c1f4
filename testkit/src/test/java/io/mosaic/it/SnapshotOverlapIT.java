package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mosaic.pipeline.Mosaic;
import io.mosaic.pipeline.SourceRunner;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.MosaicHarness;

/**
 * Writes that overlap the initial snapshot: a transaction open before Mosaic starts and committed
 * while the snapshot runs, and a stream of random changes in all three databases until every source
 * streams. Afterwards the documents must equal the SQL projection.
 */
class SnapshotOverlapIT {

    static MosaicHarness harness;

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void changesCommittedDuringTheSnapshotAreNotLost() throws Exception {
        harness = new MosaicHarness();
        ScenarioSize size = new ScenarioSize(20, 8000);
        ScenarioSeeder.seed(harness.dbs, size, 11);

        try (Connection open = harness.dbs.openAdmin(); Statement s = open.createStatement()) {
            open.setAutoCommit(false);
            s.execute("UPDATE employees SET email = 'before-snapshot@example.com' WHERE id = 1");
            Mosaic mosaic = harness.start(harness.config(MosaicHarness.scenarioMapping().toString(), "admin", "motivation", "labor"));
            Thread.sleep(2000);
            open.commit(); // committed while Mosaic creates its slot and snapshots

            AtomicBoolean snapshotting = new AtomicBoolean(true);
            AtomicInteger changes = new AtomicInteger();
            SplittableRandom random = new SplittableRandom(99);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (snapshotting.get() && System.nanoTime() < deadline) {
                randomChange(random, size.employees(), changes.incrementAndGet());
                snapshotting.set(mosaic.runners().stream().anyMatch(r -> r.state() != SourceRunner.State.STREAMING));
            }
            System.out.printf("SnapshotOverlapIT: %d changes while the snapshot ran%n", changes.get());
            assertThat(changes.get()).as("changes made while snapshotting").isGreaterThan(20);
        }
        harness.awaitScenarioConverged(Duration.ofSeconds(180));
        assertThat(harness.documents("employees").get("1")).containsEntry("email", "before-snapshot@example.com");
    }

    private void randomChange(SplittableRandom r, int employees, int n) throws SQLException {
        long id = 1 + r.nextInt(employees);
        switch (r.nextInt(6)) {
            case 0 -> exec(harness.dbs.openAdmin(), "UPDATE employees SET email = 'c" + n + "@example.com' WHERE id = " + id);
            case 1 -> exec(harness.dbs.openAdmin(), "UPDATE departments SET name = '部署" + n + "' WHERE id = " + (1 + r.nextInt(20)));
            case 2 -> exec(harness.dbs.openMotivation(), "UPDATE survey_answers SET score = " + r.nextInt(100) + " WHERE employee_id = " + id);
            case 3 -> exec(harness.dbs.openLabor(), "UPDATE contracts SET weekly_hours = " + r.nextInt(40) + " WHERE employee_id = " + id);
            case 4 -> exec(harness.dbs.openLabor(), "INSERT INTO qualifications (id, employee_id, name) VALUES (" + (800000 + n) + ", " + id + ", '資格" + n + "')");
            default -> exec(harness.dbs.openAdmin(), "DELETE FROM employees WHERE id = " + id);
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
