package io.mosaic.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One declared configuration key, in the manner of Debezium's {@code Field}: its name, meaning,
 * default, whether it is required or secret, how its text converts to a value and what values are valid.
 * Each key is declared exactly once; reading it reports every problem with its file, line and key.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {

    private final String key;
    private final String description;
    private final T defaultValue;
    private final boolean required;
    private final boolean secret;
    private final Function<String, T> parser;
    private final String expected;
    private final Predicate<T> validator;
    private final String validRange;

    private Setting(String key, String description, T defaultValue, boolean required, boolean secret,
                    Function<String, T> parser, String expected, Predicate<T> validator, String validRange) {
        this.key = key;
        this.description = description;
        this.defaultValue = defaultValue;
        this.required = required;
        this.secret = secret;
        this.parser = parser;
        this.expected = expected;
        this.validator = validator;
        this.validRange = validRange;
    }

    public static Setting<String> string(String key, String description) {
        return new Setting<>(key, description, null, false, false, s -> s, "a string", v -> true, null);
    }

    public static Setting<Integer> integer(String key, String description) {
        return new Setting<>(key, description, null, false, false, Integer::valueOf, "a whole number", v -> true, null);
    }

    public static Setting<Boolean> bool(String key, String description) {
        return new Setting<>(key, description, null, false, false, Setting::parseBoolean, "true or false", v -> true, null);
    }

    public static Setting<Duration> duration(String key, String description) {
        return new Setting<>(key, description, null, false, false, Setting::parseDuration,
                "a duration such as 500ms, 30s, 5m or 1h", v -> true, null);
    }

    /** A key whose value is one of a fixed set of words. */
    public static Setting<String> oneOf(String key, String description, String... allowed) {
        Set<String> set = Set.of(allowed);
        return new Setting<>(key, description, null, false, false, s -> s.toLowerCase(Locale.ROOT),
                "one of " + String.join(", ", allowed), set::contains, "one of " + String.join(", ", allowed));
    }

    public Setting<T> withDefault(T value) {
        return new Setting<>(key, description, value, required, secret, parser, expected, validator, validRange);
    }

    public Setting<T> required() {
        return new Setting<>(key, description, defaultValue, true, secret, parser, expected, validator, validRange);
    }

    /** A secret's value is never logged nor printed; only whether it is set. */
    public Setting<T> secret() {
        return new Setting<>(key, description, defaultValue, required, true, parser, expected, validator, validRange);
    }

    public Setting<T> validate(Predicate<T> check, String range) {
        return new Setting<>(key, description, defaultValue, required, secret, parser, expected, validator.and(check), range);
    }

    public String key() {
        return key;
    }

    public String description() {
        return description;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public boolean isSecret() {
        return secret;
    }

    /** Reads this key from {@code section}; a problem yields the default (or null) and is recorded. */
    public T read(YamlNode section, Problems problems) {
        YamlNode node = section.get(key);
        if (node.isMissing()) {
            if (required) {
                problems.add(node.location(), "missing required key '" + node.path() + "': " + description);
            }
            return defaultValue;
        }
        if (!node.isScalar()) {
            problems.add(node.location(), "'" + node.path() + "' must be " + expected + ", not a "
                    + (node.isMap() ? "map" : "list"));
            return defaultValue;
        }
        String text = node.text().trim();
        if (text.isEmpty()) {
            if (required) {
                problems.add(node.location(), "'" + node.path() + "' is empty: " + description
                        + (node.fromEnvironment() ? " (the environment variable it refers to is empty)" : ""));
            }
            return defaultValue;
        }
        T value;
        try {
            value = parser.apply(text);
        } catch (RuntimeException e) {
            problems.add(node.location(), "'" + node.path() + "' must be " + expected + ", but is "
                    + (secret ? "(secret, not shown)" : "'" + text + "'"));
            return defaultValue;
        }
        if (!validator.test(value)) {
            problems.add(node.location(), "'" + node.path() + "' must be " + (validRange != null ? validRange : expected)
                    + ", but is " + (secret ? "(secret, not shown)" : "'" + text + "'"));
            return defaultValue;
        }
        return value;
    }

    /**
     * Reports every key of {@code section} that none of {@code settings} declares (or {@code extraKeys}
     * allows), suggesting the closest declared key.
     */
    public static void rejectUnknownKeys(YamlNode section, Collection<Setting<?>> settings, Problems problems, String... extraKeys) {
        List<String> known = new ArrayList<>();
        settings.forEach(s -> known.add(s.key()));
        known.addAll(Arrays.asList(extraKeys));
        rejectUnknownKeys(section, known, problems);
    }

    /**
     * Reports every key of {@code section} that is not among {@code known}, suggesting the closest one;
     * the one wording for unknown keys of the configuration and of the mapping files alike.
     */
    public static void rejectUnknownKeys(YamlNode section, List<String> known, Problems problems) {
        for (Map.Entry<String, YamlNode> e : section.entries().entrySet()) {
            if (!known.contains(e.getKey())) {
                String suggestion = closest(e.getKey(), known);
                problems.add(e.getValue().location(), "unknown key '" + e.getValue().path() + "'"
                        + (suggestion != null ? "; did you mean '" + suggestion + "'?" : "")
                        + " Known keys here: " + String.join(", ", known));
            }
        }
    }

    static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= Math.max(2, word.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Boolean parseBoolean(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException(s);
        };
    }

    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long factor;
        String number;
        if (t.endsWith("ms")) {
            factor = 1;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            factor = 1000;
            number = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            factor = 60_000;
            number = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            factor = 3_600_000;
            number = t.substring(0, t.length() - 1);
        } else {
            throw new IllegalArgumentException(s);
        }
        long n = Long.parseLong(number.trim());
        if (n < 0) {
            throw new IllegalArgumentException(s);
        }
        return Duration.ofMillis(n * factor);
    }

    @Override
    public String toString() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Setting<?> s && s.key.equals(key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key);
    }
}
