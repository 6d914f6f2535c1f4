package io.mosaic.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.Problems;
import io.mosaic.config.SourceConfig;
import io.mosaic.config.SourceType;
import io.mosaic.config.StateConfig;
import io.mosaic.mapping.MappingLoader;
import io.mosaic.mapping.MappingSet;

/** What a mapping needs read again, compared with what was captured; and the record's round trip in the file store. */
class CapturedTablesTest {

    private static Map<String, Set<String>> tables(Object... tableThenColumns) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < tableThenColumns.length; i += 2) {
            out.put((String) tableThenColumns[i], new TreeSet<>(List.of(((String) tableThenColumns[i + 1]).split(","))));
        }
        return out;
    }

    @Test
    void aNewTableIsMissingWithAllItsColumnsAndANewColumnAlone() {
        Map<String, Set<String>> captured = tables("public.employees", "id,name");
        Map<String, Set<String>> mapped = tables("public.departments", "id,name", "public.employees", "department_id,id,name");
        Map<String, Set<String>> missing = CapturedTables.missing(captured, mapped);
        assertThat(missing).containsExactly(Map.entry("public.departments", Set.of("id", "name")),
                Map.entry("public.employees", Set.of("department_id")));
        assertThat(CapturedTables.tables(missing)).containsExactly("public.departments", "public.employees");
        assertThat(CapturedTables.describe(missing, captured))
                .isEqualTo("public.departments (a new table), public.employees (new column department_id)");
    }

    @Test
    void whatTheMappingNoLongerReadsOrAlreadyCapturedNeedsNothing() {
        Map<String, Set<String>> captured = tables("public.employees", "id,name,email", "public.departments", "id,name");
        assertThat(CapturedTables.missing(captured, tables("public.employees", "id,name"))).isEmpty();
        assertThat(CapturedTables.missing(captured, captured)).isEmpty();
        assertThat(CapturedTables.missing(Map.of(), Map.of())).isEmpty();
    }

    @Test
    void theScenarioMappingReadsItsLookupsFirstWithTheirKeysAndOnColumns() {
        Problems problems = new Problems();
        Path file = Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml");
        MappingSet set = new MappingSet(List.of(new MappingLoader(Set.of("admin", "motivation", "labor")).loadFile(file, problems)));
        assertThat(problems.list()).isEmpty();
        Map<String, Set<String>> admin = CapturedTables.mapped(set, "admin");
        assertThat(admin.keySet()).containsExactly("public.departments", "public.employees");
        assertThat(admin.get("public.employees")).contains("id", "department_id").doesNotContain("my_number");
        assertThat(admin.get("public.departments")).contains("id", "name");
    }

    @Test
    void theRecordRoundTripsInTheFileStoreAndIsForgotten(@TempDir Path dir) throws Exception {
        CapturedTables store = new CapturedTables(new StateConfig("file", dir), null);
        SourceConfig admin = new SourceConfig("admin", SourceType.POSTGRES, "db", 5432, "admin", "mosaic", "pw", "mosaic_admin",
                "mosaic_admin", 1, "initial", Duration.ofSeconds(10), Duration.ofSeconds(10), Map.of());
        assertThat(store.read(admin)).isNull();
        store.write(admin, tables("public.employees", "id,name"), List.of("public.departments"));
        CapturedTables.Stored stored = store.read(admin);
        assertThat(stored.tables()).isEqualTo(tables("public.employees", "id,name"));
        assertThat(stored.backfill()).containsExactly("public.departments");
        assertThat(stored.backfillRequestedAt()).isNotNull();
        store.write(admin, tables("public.employees", "id,name", "public.departments", "id"), List.of());
        assertThat(store.read(admin).backfill()).isEmpty();
        assertThat(store.read(admin).tables()).containsOnlyKeys("public.employees", "public.departments");
        store.forget(admin);
        assertThat(store.read(admin)).isNull();
    }
}
