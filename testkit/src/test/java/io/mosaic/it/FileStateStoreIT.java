package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mosaic.pipeline.Mosaic;
import io.mosaic.pipeline.SourceRunner;
import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.scenario.ScenarioSize;
import io.mosaic.testkit.ExpectedDocuments;
import io.mosaic.testkit.MosaicHarness;

/**
 * {@code state.store: file} on real servers: the positions and schema history of the three sources are kept in
 * the state directory, not in Elasticsearch, and a restart resumes from them. Changes written while Mosaic was
 * stopped appear, and no source is snapshotted again. The store Debezium builds is Mosaic's own
 * ({@code FileOffsetStore}: it answers only what the file holds, see {@code FileOffsetStoreTest}).
 */
class FileStateStoreIT {

    private MosaicHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private void converged() {
        harness.awaitConverged("employees", () -> {
            try {
                return ExpectedDocuments.compute(harness.dbs);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(90));
    }

    @Test
    void positionsKeptInFilesSurviveARestartWithoutASecondSnapshot() throws Exception {
        harness = new MosaicHarness();
        ScenarioSeeder.seed(harness.dbs, new ScenarioSize(1, 30), 23);
        Path config = harness.scenarioConfig();
        String text = Files.readString(config);
        assertThat(text).contains("state:\n  directory: ");
        Files.writeString(config, text.replace("state:\n  directory: ", "state:\n  store: file\n  directory: "));
        Path state = harness.workDir.resolve("state");

        Mosaic mosaic = harness.start(config);
        converged();
        for (String source : List.of("admin", "motivation", "labor")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.size(state.resolve(source + ".offsets")) > 0);
        }
        assertThat(MosaicHarness.storedPositions()).as("nothing kept in Elasticsearch").isEmpty();
        assertThat(mosaic.runners()).allSatisfy(r -> assertThat(r.meters().snapshotRows()).isPositive());
        harness.stop();

        try (Connection c = harness.dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("UPDATE employees SET family_name = family_name || '（停止中）' WHERE id <= 5");
        }
        try (Connection c = harness.dbs.openLabor(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM qualifications WHERE employee_id <= 5");
        }
        Mosaic again = harness.start(config);
        await().atMost(Duration.ofSeconds(90)).until(() -> again.runners().stream().allMatch(r -> r.state() == SourceRunner.State.STREAMING));
        converged();
        assertThat(((java.util.Map<?, ?>) harness.documents("employees").get("1").get("name")).get("family").toString()).endsWith("（停止中）");
        assertThat(again.runners()).as("resumed from the files: no snapshot").allSatisfy(r -> assertThat(r.meters().snapshotRows()).isZero());
    }
}
