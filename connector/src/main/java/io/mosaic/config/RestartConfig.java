package io.mosaic.config;

import java.time.Duration;
import java.util.List;

/**
 * How a failed source is restarted in-process: a new engine after a capped exponential backoff with
 * full jitter, from the committed position, while the other sources go on; and how long a source may
 * keep failing before the process gives up and exits 1 ({@code give_up_after}, 0 for never).
 */
public record RestartConfig(Duration initialBackoff, Duration maxBackoff, Duration giveUpAfter) {

    static final Setting<Duration> INITIAL_BACKOFF = Setting.duration("initial_backoff",
            "the longest first wait before a failed source is restarted (each wait is random up to its ceiling, which doubles)")
            .withDefault(Duration.ofSeconds(1)).validate(d -> d.toMillis() >= 1, "at least 1ms");
    static final Setting<Duration> MAX_BACKOFF = Setting.duration("max_backoff", "the ceiling of the wait between two restarts of a source")
            .withDefault(Duration.ofSeconds(60)).validate(d -> d.toMillis() >= 1, "at least 1ms");
    static final Setting<Duration> GIVE_UP_AFTER = Setting.duration("give_up_after",
            "how long a source may keep failing (no batch acknowledged, not streaming) before Mosaic exits 1; 0s restarts for ever")
            .withDefault(Duration.ofMinutes(30));

    static final List<Setting<?>> SETTINGS = List.of(INITIAL_BACKOFF, MAX_BACKOFF, GIVE_UP_AFTER);

    static RestartConfig read(YamlNode node, Problems problems) {
        Setting.rejectUnknownKeys(node, SETTINGS, problems);
        Duration initial = INITIAL_BACKOFF.read(node, problems);
        Duration max = MAX_BACKOFF.read(node, problems);
        if (max.compareTo(initial) < 0) {
            problems.add(node.get(MAX_BACKOFF.key()).location(), "'" + node.get(MAX_BACKOFF.key()).path() + "' (" + max.toMillis()
                    + " ms) must not be shorter than restart.initial_backoff (" + initial.toMillis() + " ms)");
        }
        return new RestartConfig(initial, max, GIVE_UP_AFTER.read(node, problems));
    }

    /** Whether a source that keeps failing is given up at all. */
    public boolean givesUp() {
        return !giveUpAfter.isZero();
    }

    public static RestartConfig defaults() {
        return read(YamlNode.parse("defaults", new java.io.StringReader("{}"), k -> null, new Problems()), new Problems());
    }
}
