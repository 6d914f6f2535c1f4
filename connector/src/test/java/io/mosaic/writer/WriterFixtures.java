package io.mosaic.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaic.config.Problems;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingLoader;
import io.mosaic.mapping.MappingSet;
import io.mosaic.metrics.MosaicMetrics;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;

/**
 * The set-up the writer's unit tests share: the reference scenario's tables, mapping file and rows, the
 * {@link RowChange} builders (a streamed change is at position {@code "pos <version>"}, a snapshot read at
 * {@code "snapshot <version>"}), a writer on a store with its metrics bound, and readers of an assembled
 * document. A test's own mapping and rows stay in the test; only what two tests would otherwise repeat is here.
 */
final class WriterFixtures {

    static final TableRef EMPLOYEES = new TableRef("admin", "public.employees");
    static final TableRef DEPARTMENTS = new TableRef("admin", "public.departments");
    static final TableRef CONTRACTS = new TableRef("labor", "labor.contracts");
    static final TableRef QUALIFICATIONS = new TableRef("labor", "labor.qualifications");
    static final TableRef SURVEYS = new TableRef("motivation", "public.surveys");
    static final TableRef ANSWERS = new TableRef("motivation", "public.survey_answers");

    /** The reference scenario's sources. */
    static final Set<String> SCENARIO_SOURCES = Set.of("admin", "motivation", "labor");

    private WriterFixtures() {
    }

    // ------------------------------------------------------------------ mappings and the writer

    /** The reference scenario's {@code mappings/employees.yaml} (the repository root is {@code mosaic.root}, else {@code ..}). */
    static Path scenarioMappingFile() {
        return Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/employees.yaml");
    }

    /** The reference scenario's employee mapping, loaded without problems. */
    static DocumentMapping scenarioMapping() {
        return load(scenarioMappingFile(), SCENARIO_SOURCES);
    }

    /** One mapping file, asserting that it loads without problems. */
    static DocumentMapping load(Path file, Set<String> sources) {
        Problems problems = new Problems();
        DocumentMapping mapping = new MappingLoader(sources).loadFile(file, problems);
        assertThat(problems.list()).isEmpty();
        return mapping;
    }

    /** Lookup rows the tests' writers keep between batches: every writer test runs with the cache, as the service does. */
    static final int LOOKUP_CACHE_ROWS = 1000;

    /** A writer on {@code store} whose metrics are bound to {@code registry}, with no row size limit to speak of. */
    static DocumentWriter writer(DocumentStore store, MappingSet mappings, DeadLetterSink letters, MeterRegistry registry) {
        MosaicMetrics metrics = new MosaicMetrics();
        metrics.bindTo(registry);
        return new DocumentWriter(store, mappings, metrics, letters, 100_000, LOOKUP_CACHE_ROWS);
    }

    /** A writer on {@code store} whose metrics no test reads. */
    static DocumentWriter writer(DocumentStore store, MappingSet mappings, DeadLetterSink letters) {
        return writer(store, mappings, letters, new SimpleMeterRegistry());
    }

    /** The sum of the counters {@code name} with {@code tags} (name, value, ...) in {@code registry}. */
    static double count(MeterRegistry registry, String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    // ------------------------------------------------------------------ changes

    /** A row from alternating column names and values, in that order. */
    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static RowChange upsert(TableRef t, long version, Map<String, Object> after) {
        return new RowChange(t, RowChange.Op.UPSERT, null, after, version, "pos " + version, false);
    }

    /** A snapshot read. */
    static RowChange read(TableRef t, long version, Map<String, Object> after) {
        return new RowChange(t, RowChange.Op.UPSERT, null, after, version, "snapshot " + version, true);
    }

    /** An update that carries the row's old image, as one that changes a key or parent column does. */
    static RowChange move(TableRef t, long version, Map<String, Object> before, Map<String, Object> after) {
        return new RowChange(t, RowChange.Op.UPSERT, before, after, version, "pos " + version, false);
    }

    static RowChange delete(TableRef t, long version, Map<String, Object> before) {
        return new RowChange(t, RowChange.Op.DELETE, before, null, version, "pos " + version, false);
    }

    static RowChange truncate(TableRef t, long version) {
        return new RowChange(t, RowChange.Op.TRUNCATE, null, null, version, "pos " + version, false);
    }

    // ------------------------------------------------------------------ the scenario's rows

    static Map<String, Object> employeeRow(long id, String family, Long department) {
        return row("id", id, "company_id", 1L, "code", "E" + id, "family_name", family, "given_name", "太郎",
                "family_name_kana", null, "given_name_kana", null, "email", null, "status", "active", "hired_on", null,
                "department_id", department);
    }

    /** A contract whose {@code weekly_hours} is a {@link Double}. */
    static Map<String, Object> contract(long id, long employee, double hours) {
        return contractRow(id, employee, hours);
    }

    /** A contract whose {@code weekly_hours} is a {@link BigDecimal}, as a numeric column arrives from the source. */
    static Map<String, Object> contract(long id, long employee, BigDecimal hours) {
        return contractRow(id, employee, hours);
    }

    private static Map<String, Object> contractRow(long id, long employee, Object hours) {
        return row("id", id, "employee_id", employee, "contract_type", "full_time", "starts_on", "2020-04-01", "ends_on", null,
                "weekly_hours", hours);
    }

    // ------------------------------------------------------------------ reading a document

    @SuppressWarnings("unchecked")
    static Map<String, Object> name(Map<String, Object> doc) {
        return (Map<String, Object>) doc.get("name");
    }

    /** A collection field's elements; none when the document has no such field. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> doc, String field) {
        Object v = doc.get(field);
        return v == null ? List.of() : (List<Map<String, Object>>) v;
    }

    /**
     * Writes {@code change} with a writer that dies at its first write to {@code alias} (the public index), after
     * the state writes before it: a process killed between the two bulks. The store takes writes again afterwards.
     */
    static void crashAtThePublicWrite(InMemoryDocumentStore store, DocumentWriter writer, String alias, RowChange change) {
        crashAtThePublicWrite(store, alias, () -> writer.write(List.of(change)));
    }

    /** As above, for any {@code work} of a writer (a snapshot's sweep). */
    static void crashAtThePublicWrite(InMemoryDocumentStore store, String alias, org.assertj.core.api.ThrowableAssert.ThrowingCallable work) {
        AtomicBoolean armed = new AtomicBoolean(true);
        store.beforeWrite = a -> {
            if (a.index().equals(alias) && armed.getAndSet(false)) {
                throw new IllegalStateException("killed");
            }
        };
        try {
            assertThatThrownBy(work).hasMessage("killed");
            assertThat(armed).as("the change reached a public write").isFalse();
        } finally {
            store.beforeWrite = a -> { };
        }
    }
}
