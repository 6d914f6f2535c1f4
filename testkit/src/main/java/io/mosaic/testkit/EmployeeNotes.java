package io.mosaic.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mosaic.scenario.ScenarioDatabases;

/**
 * {@code public.employee_notes}: a table of the admin service that the scenario's mapping does not read, for the
 * tests that add a collection to the mapping of a running deployment (AutomaticBackfillIT, IncrementalSnapshotIT).
 */
public final class EmployeeNotes {

    /** The {@code notes} collection of the table, to append to the scenario mapping (its collections come last). */
    public static final String COLLECTION = """
              notes:
                source: admin
                table: public.employee_notes
                key: id
                parent: employee_id
                fields:
                  id: id
                  text: note
            """;

    private EmployeeNotes() {
    }

    /**
     * Creates the table afresh with 300 notes of employees 1 to 200, and the replica identity that start-up and
     * validate ask of a child table, so that a delete names its parent.
     */
    public static void create(ScenarioDatabases dbs) throws SQLException {
        try (Connection c = dbs.openAdmin(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS public.employee_notes");
            s.execute("CREATE TABLE public.employee_notes (id bigint PRIMARY KEY, employee_id bigint NOT NULL, note text NOT NULL)");
            s.execute("INSERT INTO public.employee_notes SELECT g, 1 + g % 200, 'note ' || g FROM generate_series(1, 300) g");
            s.execute("CREATE UNIQUE INDEX employee_notes_identity ON public.employee_notes (id, employee_id)");
            s.execute("ALTER TABLE public.employee_notes REPLICA IDENTITY USING INDEX employee_notes_identity");
        }
    }

    /** Adds to the expected documents {@code docs} (by {@code _id}) their {@code notes} as SQL has them now. */
    public static void addTo(ScenarioDatabases dbs, Map<String, Map<String, Object>> docs) throws SQLException {
        try (Connection c = dbs.openAdmin(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id, employee_id, note FROM public.employee_notes")) {
            while (r.next()) {
                Map<String, Object> doc = docs.get(Long.toString(r.getLong(2)));
                if (doc != null) {
                    @SuppressWarnings("unchecked")
                    List<Object> notes = (List<Object>) doc.computeIfAbsent("notes", k -> new ArrayList<>());
                    notes.add(new LinkedHashMap<>(Map.of("id", r.getLong(1), "text", r.getString(3))));
                }
            }
        }
    }
}
