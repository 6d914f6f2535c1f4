package io.mosaic.writer;

import static io.mosaic.writer.WriterFixtures.EMPLOYEES;
import static io.mosaic.writer.WriterFixtures.QUALIFICATIONS;
import static io.mosaic.writer.WriterFixtures.delete;
import static io.mosaic.writer.WriterFixtures.row;
import static io.mosaic.writer.WriterFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.RowChange;

/**
 * A {@code value:} collection (an array of scalars) in the writer, unchanged for it: the state holds the rows, the
 * projection makes them values. The scenario's mapping plus {@code qualification_names} from the table that also
 * feeds {@code qualifications}; inserts, updates, nulls, deletes, moves, stale replays, a child before its root, and
 * a rebuild from the state.
 */
class ScalarCollectionWritesTest {

    @TempDir
    Path dir;
    private InMemoryDocumentStore store;
    private DocumentWriter writer;
    private DocumentMapping employees;

    @BeforeEach
    void writer() throws Exception {
        String scenario = Files.readString(WriterFixtures.scenarioMappingFile());
        Files.writeString(dir.resolve("employees.yaml"), scenario.replace("template: employees.index.json", "") + """
                  qualification_names:
                    source: labor
                    table: labor.qualifications
                    key: id
                    parent: employee_id
                    value: name
                """);
        employees = WriterFixtures.load(dir.resolve("employees.yaml"), WriterFixtures.SCENARIO_SOURCES);
        store = new InMemoryDocumentStore();
        writer = WriterFixtures.writer(store, new MappingSet(List.of(employees)), letter -> { });
    }

    @Test
    void theArrayFollowsTheRowsInKeyOrder() throws Exception {
        writer.write(List.of(upsert(QUALIFICATIONS, 1, qualification(9, 1, "衛生管理者"))));
        assertThat(store.doc("employees", "1")).as("a child before its root makes no document").isNull();

        writer.write(List.of(upsert(EMPLOYEES, 2, employee(1)), upsert(EMPLOYEES, 3, employee(2))));
        assertThat(names("1")).as("the child kept in the state appears with its root").containsExactly("衛生管理者");
        assertThat(names("2")).isEmpty();

        writer.write(List.of(upsert(QUALIFICATIONS, 4, qualification(10, 1, "危険物取扱者")), upsert(QUALIFICATIONS, 5, qualification(2, 1, "簿記2級"))));
        assertThat(names("1")).as("ordered by the numeric key").containsExactly("簿記2級", "衛生管理者", "危険物取扱者");

        writer.write(List.of(upsert(QUALIFICATIONS, 6, qualification(9, 1, "第一種衛生管理者"))));
        assertThat(names("1")).containsExactly("簿記2級", "第一種衛生管理者", "危険物取扱者");

        writer.write(List.of(upsert(QUALIFICATIONS, 7, qualification(10, 1, null))));
        assertThat(names("1")).as("a null value is no element").containsExactly("簿記2級", "第一種衛生管理者");
        assertThat((List<?>) store.doc("employees", "1").get("qualifications")).as("but the row is one of the objects").hasSize(3);

        writer.write(List.of(delete(QUALIFICATIONS, 8, qualification(2, 1, "簿記2級"))));
        assertThat(names("1")).containsExactly("第一種衛生管理者");

        writer.write(List.of(new RowChange(QUALIFICATIONS, RowChange.Op.UPSERT, qualification(9, 1, "第一種衛生管理者"),
                qualification(9, 2, "第一種衛生管理者"), 9, "pos 9", false)));
        assertThat(names("1")).as("moved to employee 2").isEmpty();
        assertThat(names("2")).containsExactly("第一種衛生管理者");

        writer.write(List.of(upsert(QUALIFICATIONS, 6, qualification(9, 1, "第一種衛生管理者")), delete(QUALIFICATIONS, 8, qualification(10, 1, null))));
        assertThat(names("1")).as("replayed older changes change nothing, a delete of the null row neither").isEmpty();
        assertThat(names("2")).containsExactly("第一種衛生管理者");

        IndexRebuild.Result r = new IndexRebuild(store).run(employees, "employees-v2", false, d -> { });
        assertThat(r.missingColumns()).isEmpty();
        assertThat(store.doc("employees-v2", "2")).as("the rebuild assembles the same document from the state")
                .isEqualTo(store.doc("employees", "2"));
        assertThat(store.doc("employees-v2", "1")).isEqualTo(store.doc("employees", "1"));
    }

    @SuppressWarnings("unchecked")
    private List<Object> names(String id) {
        return (List<Object>) store.doc("employees", id).get("qualification_names");
    }

    private static Map<String, Object> qualification(long id, long employee, String name) {
        return row("id", id, "employee_id", employee, "name", name, "acquired_on", "2020-04-01");
    }

    private static Map<String, Object> employee(long id) {
        return WriterFixtures.employeeRow(id, "山田", null);
    }
}
