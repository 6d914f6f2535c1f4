package io.mosaic.es;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Elasticsearch's error reasons made fit for a log line or a dead letter: what a reason quotes from
 * the document is removed, the rest (the error's kind, the field, its type) kept, because it says what
 * to fix. A reason such as {@code failed to parse field [email] of type [long] in document with id '902'.
 * Preview of field's value: 'clash@example.com'} becomes {@code failed to parse field [email] of type
 * [long] in document with id '…'. (the value is not shown)}.
 *
 * <p>Three rules, each enough for the reasons Elasticsearch 8.19 gives today: the value preview is cut
 * with all that follows it (the value can hold quotes of its own, so it ends only with the reason);
 * every single- or double-quoted text is replaced by {@code '…'} (ids, term prefixes, values quoted
 * by other exceptions); and every string of the document sent (three characters or more) that still
 * appears as a token is replaced by {@code …}, for a reason that quotes a value in some other way. Field names
 * in brackets are not values and stay.
 */
public final class ErrorText {

    /** A reason longer than this is cut: the start says what happened. */
    static final int MAX_LENGTH = 500;

    private static final Pattern PREVIEW = Pattern.compile("(?i)\\s*preview of field's value\\s*:.*", Pattern.DOTALL);
    private static final Pattern QUOTED = Pattern.compile("'[^']*'|\"[^\"]*\"");
    private static final int MIN_VALUE_LENGTH = 3;

    private ErrorText() {
    }

    /** {@code reason} without its value preview and quoted texts; null for null. */
    public static String redact(String reason) {
        return redact(reason, null);
    }

    /**
     * {@code reason} without its value preview, quoted texts and any string of {@code document} (the
     * document or row that was sent: maps, lists and values, or null); null for null.
     */
    public static String redact(String reason, Object document) {
        if (reason == null) {
            return null;
        }
        String out = withoutPreview(reason);
        out = QUOTED.matcher(out).replaceAll(m -> m.group().charAt(0) == '\'' ? "'…'" : "\"…\"");
        out = withoutValues(out, document);
        if (out.length() > MAX_LENGTH) {
            out = out.substring(0, MAX_LENGTH) + "…";
        }
        return out;
    }

    /**
     * {@code text} cut where Elasticsearch's value preview starts ({@code Preview of field's value: …}),
     * with all that follows: for a whole error response in an exception's message, whose JSON quotes
     * must stay readable (a {@code caused_by} after it, which quotes the value again, goes too). Null for null.
     */
    public static String withoutPreview(String text) {
        if (text == null || !PREVIEW.matcher(text).find()) {
            return text;
        }
        return PREVIEW.matcher(text).replaceFirst(" (the value is not shown)");
    }

    /**
     * {@code text} with every string of {@code document} (three characters or more, and numbers of three
     * digits or more) replaced by {@code …} where it stands as a token of its own: for Mosaic's own
     * messages, whose quotes name columns and fields and stay. Null for null.
     */
    public static String withoutValues(String text, Object document) {
        if (text == null || document == null) {
            return text;
        }
        List<String> values = new ArrayList<>();
        strings(document, values);
        values.sort(Comparator.comparingInt(String::length).reversed()); // a value inside a longer one goes after it
        String out = text;
        for (String v : values) {
            if (out.contains(v)) {
                // whole tokens only: a value "able" leaves "cannot be parsed: unable" alone
                out = Pattern.compile("(?<![\\p{L}\\p{N}_])" + Pattern.quote(v) + "(?![\\p{L}\\p{N}_])").matcher(out)
                        .replaceAll("…");
            }
        }
        return out;
    }

    /** Collects every string (and every text form of a non-string value) of a document, three characters or more. */
    private static void strings(Object value, Collection<String> out) {
        if (value instanceof Map<?, ?> m) {
            m.values().forEach(v -> strings(v, out));
        } else if (value instanceof Collection<?> c) {
            c.forEach(v -> strings(v, out));
        } else if (value instanceof String s) {
            if (s.length() >= MIN_VALUE_LENGTH) {
                out.add(s);
                String trimmed = s.strip();
                if (!trimmed.equals(s) && trimmed.length() >= MIN_VALUE_LENGTH) {
                    out.add(trimmed);
                }
            }
        } else if (value != null && !(value instanceof Boolean)) {
            // numbers of three digits or more: short ones would clobber the reason's line and column ([1:11])
            String s = value.toString();
            if (s.length() >= MIN_VALUE_LENGTH && !s.toLowerCase(Locale.ROOT).equals("null")) {
                out.add(s);
            }
        }
    }
}
