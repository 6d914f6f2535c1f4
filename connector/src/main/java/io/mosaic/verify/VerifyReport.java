package io.mosaic.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What one {@code mosaic verify} run found: per document type the number of documents checked, and of
 * those missing (a root row without its document), extra (a document without its root row) and
 * different, each with a bounded sample of document ids and, for the different ones, the names of the
 * fields that differ. It holds ids and field names only, never a value. Written as JSON with {@link #write}.
 */
public final class VerifyReport {

    /** Kinds of drift. */
    public enum Kind { MISSING, EXTRA, DIFFERENT }

    /** Ids kept per kind and document type: the report of a badly drifted index stays small. */
    public static final int SAMPLE_LIMIT = 20;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One document found drifted: its id and, when it differs, which fields. */
    public record Drift(String id, Kind kind, List<String> fields) {
    }

    /** The tally of one document type. */
    public static final class Tally {
        private final String document;
        private final String alias;
        long checked;
        long unsettled;
        long repaired;
        long unrepaired;
        private final Map<Kind, Long> counts = new LinkedHashMap<>();
        private final Map<Kind, List<Drift>> samples = new LinkedHashMap<>();

        Tally(String document, String alias) {
            this.document = document;
            this.alias = alias;
            for (Kind k : Kind.values()) {
                counts.put(k, 0L);
                samples.put(k, new ArrayList<>());
            }
        }

        public String document() {
            return document;
        }

        public long checked() {
            return checked;
        }

        public long count(Kind kind) {
            return counts.get(kind);
        }

        public List<Drift> sample(Kind kind) {
            return List.copyOf(samples.get(kind));
        }

        public long drift() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        public long unsettled() {
            return unsettled;
        }

        public long repaired() {
            return repaired;
        }

        public long unrepaired() {
            return unrepaired;
        }

        /** Counts one drifted document, keeping it in the sample while there is room. */
        public void add(Drift d) {
            counts.merge(d.kind(), 1L, Long::sum);
            List<Drift> s = samples.get(d.kind());
            if (s.size() < SAMPLE_LIMIT) {
                s.add(d);
            }
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("document", document);
            m.put("alias", alias);
            m.put("checked", checked);
            counts.forEach((k, v) -> m.put(k.name().toLowerCase(), v));
            m.put("unsettled", unsettled);
            m.put("repaired", repaired);
            m.put("unrepaired", unrepaired);
            Map<String, Object> s = new LinkedHashMap<>();
            samples.forEach((k, list) -> s.put(k.name().toLowerCase(), list.stream().map(d -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", d.id());
                if (d.kind() == Kind.DIFFERENT) {
                    e.put("fields", d.fields());
                }
                return e;
            }).toList()));
            m.put("samples", s);
            return m;
        }
    }

    private final Instant started;
    private Instant finished;
    private final String mode;
    private final boolean repair;
    private final List<Tally> tallies = new ArrayList<>();

    /** @param mode {@code full}, or {@code sample of N} */
    public VerifyReport(Instant started, String mode, boolean repair) {
        this.started = started;
        this.mode = mode;
        this.repair = repair;
    }

    public Tally tally(String document, String alias) {
        Tally t = new Tally(document, alias);
        tallies.add(t);
        return t;
    }

    public List<Tally> tallies() {
        return List.copyOf(tallies);
    }

    public void finished(Instant at) {
        this.finished = at;
    }

    /** Drifted documents found, over every document type. */
    public long drift() {
        return tallies.stream().mapToLong(Tally::drift).sum();
    }

    /** Drifted documents that remain: all of them without --repair, those repair could not fix with it. */
    public long remaining() {
        return repair ? tallies.stream().mapToLong(t -> t.unrepaired).sum() : drift();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", started.toString());
        m.put("finished", finished == null ? null : finished.toString());
        m.put("mode", mode);
        m.put("repair", repair);
        m.put("drift", drift());
        m.put("remaining", remaining());
        m.put("documents", tallies.stream().map(Tally::toJson).toList());
        return m;
    }

    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, JSON.writeValueAsString(toJson()));
    }

    /** Human-readable lines for the console: counts and the sample, ids and field names only. */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        for (Tally t : tallies) {
            out.add(String.format("%s (%s): %d checked, %d missing, %d extra, %d different, %d still changing (not counted)%s",
                    t.document, t.alias, t.checked, t.count(Kind.MISSING), t.count(Kind.EXTRA), t.count(Kind.DIFFERENT), t.unsettled,
                    repair ? String.format("; %d repaired, %d not repaired", t.repaired, t.unrepaired) : ""));
            for (Kind k : Kind.values()) {
                for (Drift d : t.samples.get(k)) {
                    out.add("  " + k.name().toLowerCase() + " " + d.id() + (d.kind() == Kind.DIFFERENT ? " fields " + d.fields() : ""));
                }
            }
        }
        return out;
    }
}
