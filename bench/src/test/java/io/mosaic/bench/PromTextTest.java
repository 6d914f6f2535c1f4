package io.mosaic.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PromTextTest {

    static final String METRICS = """
            # HELP mosaic_writer_documents_written_total items written
            # TYPE mosaic_writer_documents_written_total counter
            mosaic_writer_documents_written_total{index="employees",kind="document"} 1200.0
            mosaic_writer_documents_written_total{index="employees",kind="state"} 3400.0
            mosaic_writer_documents_written_total{index="people",kind="document"} 5.0
            mosaic_writer_documents_written_total_other{kind="document"} 99.0
            process_uptime_seconds 12.5
            """;

    @Test
    void sumsTheSamplesWithEveryLabel() {
        assertEquals(1205.0, PromText.documentsWritten(METRICS));
        assertEquals(3400.0, PromText.sum(METRICS, "mosaic_writer_documents_written_total", "kind=\"state\"", "index=\"employees\""));
        assertEquals(12.5, PromText.sum(METRICS, "process_uptime_seconds"));
        assertEquals(0.0, PromText.sum(METRICS, "absent_total"));
    }
}
