package io.mosaic.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void aFreshnessRowShowsItsMeanRefreshAndADashForRunsThatDidNotMeasureIt() {
        assertEquals("143", Report.num(DoubleNode.valueOf(142.6)));
        assertEquals("–", Report.num(MissingNode.getInstance()));
        assertEquals("–", Report.num((JsonNode) null));
    }
}
