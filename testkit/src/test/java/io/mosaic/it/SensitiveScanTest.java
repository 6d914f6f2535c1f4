package io.mosaic.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mosaic.scenario.ScenarioSeeder;
import io.mosaic.testkit.SensitiveScan;

/** The leak oracle on parsed documents, without a cluster: it finds every planted value and nothing else. */
class SensitiveScanTest {

    @Test
    void findsASalaryAMyNumberAndACommentWhereverTheyArePlanted() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("row", Map.of("id", 5, "monthly_salary", ScenarioSeeder.monthlySalary(5)));
        doc.put("as_text", String.valueOf(ScenarioSeeder.monthlySalary(6)));
        doc.put("as_decimal", new BigDecimal(ScenarioSeeder.monthlySalary(7) + ".0"));
        doc.put("list", List.of("a", ScenarioSeeder.myNumber(42)));
        doc.put("error", "mapper_parsing_exception: Preview of field's value: 'x " + ScenarioSeeder.secretComment(9) + "'");
        doc.put(ScenarioSeeder.myNumber(43), "as a key");

        assertThat(SensitiveScan.leaks("side/1", doc)).containsExactlyInAnyOrder(
                "side/1.row.monthly_salary holds a sensitive number",
                "side/1.as_text holds a sensitive value",
                "side/1.as_decimal holds a sensitive number",
                "side/1.list[] holds a sensitive value",
                "side/1.error holds a sensitive value",
                "side/1 has a sensitive value as a key");
    }

    /**
     * A state document whose positions and versions take every magnitude a long can have (an LSN
     * passes through all of them as the WAL grows), with epoch times, ids and counters: clean.
     */
    @Test
    void aStateDocumentWithVersionsInEveryRangeIsClean() {
        List<Object> versions = new ArrayList<>();
        for (long v = 1; v > 0; v *= 3) {
            versions.add(v);
            versions.add(v + 31_000_000L);
            versions.add(Long.toString(v));
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("root_key", "31000042");
        state.put("seq", 41_000_000L);
        state.put("src_min", Map.of("admin", 31_000_042L, "labor", 4_294_967_295L));
        state.put("root", Map.of("v", 35_000_000L, "row", Map.of("id", 31_000_043L, "hired_on", "2020-04-01", "score", 72.5)));
        state.put("versions", versions);
        state.put("offset", "{\"lsn\":800000000042,\"txId\":739,\"ts_usec\":1796128677421542}");
        state.put("ts", List.of(1_796_128_677L, 1_796_128_677_421L, 1_796_128_677_421_542L, 20_000L));
        state.put("extremes", List.of(0L, Long.MAX_VALUE, Integer.MAX_VALUE, -1L));

        assertThat(SensitiveScan.leaks("mosaic-employees-state/d:1", state)).isEmpty();
    }
}
