package io.mosaic.config;

import java.time.Duration;
import java.util.List;

/**
 * Whether each source is streamed by one process only, through a lease in Elasticsearch, so that
 * several replicas can share one configuration: the holder streams, the others stand by and take
 * over once the holder released the lease or has not renewed it for {@code ttl}.
 *
 * @param renewInterval how often the holder renews, and how often a standby looks at the lease; the
 *                      holder also stops streaming this long before its lease could expire
 */
public record LeaseConfig(boolean enabled, Duration ttl, Duration renewInterval) {

    static final Setting<Boolean> ENABLED = Setting.bool("enabled",
            "stream each source in one process only; the other replicas with the same source stand by").withDefault(false);
    static final Setting<Duration> TTL = Setting.duration("ttl",
            "how long a lease that is not renewed keeps others from taking over (bounds the takeover time after a crash)")
            .withDefault(Duration.ofSeconds(15)).validate(d -> d.toMillis() >= 1000 && d.toMinutes() <= 10, "from 1s to 10m");
    static final Setting<Duration> RENEW_INTERVAL = Setting.duration("renew_interval",
            "how often the holder renews its lease and a standby looks at it (default: a third of ttl)")
            .validate(d -> d.toMillis() >= 100, "at least 100ms");

    static final List<Setting<?>> SETTINGS = List.of(ENABLED, TTL, RENEW_INTERVAL);

    static LeaseConfig read(YamlNode node, StateConfig state, Problems problems) {
        Setting.rejectUnknownKeys(node, SETTINGS, problems);
        boolean enabled = ENABLED.read(node, problems);
        Duration ttl = TTL.read(node, problems);
        Duration renew = RENEW_INTERVAL.read(node, problems);
        if (renew == null) {
            renew = ttl.dividedBy(3);
        } else if (renew.compareTo(ttl.dividedBy(3)) > 0) {
            // the holder streams until ttl - renew_interval after a renewal and renews every renew_interval:
            // at most a third leaves it at least one renew_interval to retry a failed renewal
            problems.add(node.get(RENEW_INTERVAL.key()).location(), "'" + node.get(RENEW_INTERVAL.key()).path()
                    + "' must be at most a third of lease.ttl (" + ttl.toMillis() + " ms); leave it out for a third of the ttl");
        }
        if (enabled && !state.inElasticsearch()) {
            problems.add(node.get(ENABLED.key()).location(), "'" + node.get(ENABLED.key()).path()
                    + "' needs state.store: elasticsearch: a standby that takes over must resume from the position the holder "
                    + "stored, which a local file store does not share");
        }
        return new LeaseConfig(enabled, ttl, renew);
    }

    public static LeaseConfig disabled() {
        return new LeaseConfig(false, TTL.defaultValue(), TTL.defaultValue().dividedBy(3));
    }
}
