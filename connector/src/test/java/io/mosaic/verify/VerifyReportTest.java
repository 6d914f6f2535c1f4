package io.mosaic.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mosaic.verify.VerifyReport.Drift;
import io.mosaic.verify.VerifyReport.Kind;

/** The report: counts, bounded samples, JSON, and the drift that decides the exit code. */
class VerifyReportTest {

    @Test
    void countsEveryDriftAndSamplesABoundedFew(@TempDir Path dir) throws Exception {
        VerifyReport report = new VerifyReport(Instant.parse("2026-01-01T00:00:00Z"), "full", false);
        VerifyReport.Tally t = report.tally("employee", "employees");
        t.checked = 1000;
        for (int i = 0; i < VerifyReport.SAMPLE_LIMIT + 5; i++) {
            t.add(new Drift(Integer.toString(i), Kind.MISSING, List.of()));
        }
        t.add(new Drift("7", Kind.DIFFERENT, List.of("email", "name.full")));
        t.add(new Drift("9", Kind.EXTRA, List.of()));
        report.finished(Instant.parse("2026-01-01T00:01:00Z"));

        assertThat(report.drift()).isEqualTo(VerifyReport.SAMPLE_LIMIT + 7);
        assertThat(report.remaining()).isEqualTo(report.drift());
        assertThat(t.sample(Kind.MISSING)).hasSize(VerifyReport.SAMPLE_LIMIT);

        Path file = dir.resolve("out/report.json");
        report.write(file);
        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertThat(json.get("drift").asLong()).isEqualTo(report.drift());
        JsonNode doc = json.get("documents").get(0);
        assertThat(doc.get("checked").asLong()).isEqualTo(1000);
        assertThat(doc.get("missing").asLong()).isEqualTo(VerifyReport.SAMPLE_LIMIT + 5);
        assertThat(doc.get("different").asLong()).isEqualTo(1);
        assertThat(doc.get("extra").asLong()).isEqualTo(1);
        assertThat(doc.get("samples").get("different").get(0).get("id").asText()).isEqualTo("7");
        assertThat(doc.get("samples").get("different").get(0).get("fields").toString()).isEqualTo("[\"email\",\"name.full\"]");
        assertThat(doc.get("samples").get("extra").get(0).has("fields")).isFalse();
        assertThat(report.summary()).anyMatch(l -> l.contains("different 7 fields [email, name.full]"));
    }

    @Test
    void withRepairOnlyWhatWasNotRepairedRemains() {
        VerifyReport report = new VerifyReport(Instant.now(), "sample of 10", true);
        VerifyReport.Tally t = report.tally("employee", "employees");
        t.add(new Drift("1", Kind.MISSING, List.of()));
        t.add(new Drift("2", Kind.EXTRA, List.of()));
        t.repaired = 2;
        assertThat(report.drift()).isEqualTo(2);
        assertThat(report.remaining()).isZero();
        t.unrepaired = 1;
        assertThat(report.remaining()).isEqualTo(1);
        assertThat(report.toJson()).containsEntry("mode", "sample of 10").containsEntry("repair", true);
        assertThat(((Map<?, ?>) ((List<?>) report.toJson().get("documents")).get(0)).get("unrepaired")).isEqualTo(1L);
    }
}
