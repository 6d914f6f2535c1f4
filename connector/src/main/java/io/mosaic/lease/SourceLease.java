package io.mosaic.lease;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.es.ErrorClassifier;

/**
 * The lease that lets one process, of several configured with the same source, stream it. A state
 * machine driven by {@link #step()} (its caller runs it again after the delay it returns) and read by
 * {@link #held()} from any thread:
 * <ul>
 * <li><b>standby</b>: looks at the stored lease every {@code renewInterval}. It takes the lease when
 * there is none, when its holder released it, or when the same version of it has been seen unchanged
 * for {@code ttl} by this process's own monotonic clock (so clock skew between hosts does not matter);
 * every takeover is a conditional write that fails if anyone wrote the lease meanwhile, and raises
 * the epoch, the fencing token.</li>
 * <li><b>holding</b>: renews the lease every {@code renewInterval}, conditionally on the version it
 * last wrote. The lease counts as held until {@code ttl - renewInterval} after the last successful
 * renewal was <em>sent</em>; a standby cannot take it over before {@code ttl} after that renewal was
 * written, which is later. So a holder that cannot renew (Elasticsearch unreachable, the process
 * frozen) sees {@link #held()} turn false at least {@code renewInterval} before anyone else can hold
 * it, and stops streaming in that margin.</li>
 * <li><b>lost</b>: a renewal found the lease written by someone else, or the deadline passed. Final:
 * the process stops the source (and, restarted, stands by again).</li>
 * <li><b>released</b>: {@link #release()} after a clean stop wrote the lease as free, so a standby
 * takes over at its next look instead of after the ttl. Final.</li>
 * </ul>
 */
public final class SourceLease {

    /** Where the lease is in its life. */
    public enum Phase { STANDBY, HOLDING, LOST, RELEASED }

    private static final Logger LOG = LoggerFactory.getLogger(SourceLease.class);

    private final String key;
    private final String holder;
    private final LeaseStore store;
    private final long ttl;
    private final long renew;
    private final LongSupplier nanoClock;

    private volatile Phase phase = Phase.STANDBY;
    private volatile long validUntil;
    private volatile long epoch;
    /** The version last written by this process (holding) or last seen (standby). */
    private LeaseStore.Stored last;
    /** When {@link #last} was first seen, by {@link #nanoClock} (standby). */
    private long seenAt;
    private boolean failing;

    /**
     * @param key       what the lease is for: one replication stream
     * @param holder    this process, unique among all processes that ever run (see {@link #holderId})
     * @param nanoClock a monotonic clock ({@code System::nanoTime}; a fake one in tests)
     */
    public SourceLease(String key, String holder, LeaseStore store, Duration ttl, Duration renewInterval, LongSupplier nanoClock) {
        if (renewInterval.compareTo(ttl.dividedBy(3)) > 0) {
            throw new IllegalArgumentException("the renew interval must be at most a third of the ttl");
        }
        this.key = key;
        this.holder = holder;
        this.store = store;
        this.ttl = ttl.toNanos();
        this.renew = renewInterval.toNanos();
        this.nanoClock = nanoClock;
    }

    /** A holder id for this process: host name, pid and a random part, so that a restarted process is another holder. */
    public static String holderId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "unknown-host";
            }
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + Long.toHexString(new java.util.Random().nextLong() >>> 16);
    }

    public String key() {
        return key;
    }

    public String holder() {
        return holder;
    }

    public Phase phase() {
        Phase p = phase;
        return p == Phase.HOLDING && !held() ? Phase.LOST : p;
    }

    /**
     * Whether this process may stream the source and commit its position now: the lease was taken and
     * its last renewal is recent enough that nobody else can hold it. Turns false by the clock alone,
     * even while {@link #step()} is stuck in a request.
     */
    public boolean held() {
        return phase == Phase.HOLDING && nanoClock.getAsLong() - validUntil < 0;
    }

    /** The fencing token of this process's tenure (0 before it ever held the lease): position writes carry it. */
    public long epoch() {
        return epoch;
    }

    /** One step of the state machine; returns how long to wait before the next one. */
    public synchronized Duration step() {
        try {
            switch (phase) {
                case STANDBY -> standBy();
                case HOLDING -> renewOrLose();
                default -> {
                    return Duration.ofNanos(renew);
                }
            }
            if (failing) {
                LOG.info("lease of {}: Elasticsearch answers again", key);
                failing = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!failing) {
                LOG.warn("lease of {}: cannot reach Elasticsearch ({}); {}", key, ErrorClassifier.describe(e),
                        phase == Phase.HOLDING ? "this process stops the source unless a renewal succeeds in time" : "still standing by");
                failing = true;
            }
            if (phase == Phase.HOLDING && !expireIfDue()) {
                // try again well before the deadline, not one renew_interval later
                return Duration.ofNanos(Math.max(Duration.ofMillis(100).toNanos(), renew / 4));
            }
        }
        if (phase == Phase.STANDBY && last != null && !last.released()) {
            long due = seenAt + ttl - nanoClock.getAsLong();
            return Duration.ofNanos(Math.max(0, Math.min(renew, due)));
        }
        return Duration.ofNanos(renew);
    }

    private void standBy() throws Exception {
        LeaseStore.Stored s = store.read(key);
        long now = nanoClock.getAsLong();
        if (s == null) {
            take(null, 1);
        } else if (s.released()) {
            take(s, s.epoch() + 1);
        } else if (!s.sameVersion(last)) {
            if (last == null || !s.holder().equals(last.holder())) {
                LOG.info("lease of {}: held by {}; standing by", key, s.holder());
            }
            last = s;
            seenAt = now;
        } else if (now - seenAt >= ttl) {
            LOG.info("lease of {}: not renewed by {} for {} ms; taking over", key, s.holder(), Duration.ofNanos(now - seenAt).toMillis());
            take(s, s.epoch() + 1);
        }
    }

    private void take(LeaseStore.Stored expected, long newEpoch) throws Exception {
        long sent = nanoClock.getAsLong();
        LeaseStore.Stored written = store.write(key, expected, holder, newEpoch, Duration.ofNanos(ttl).toMillis());
        if (written == null) {
            last = null; // someone else was faster: look again
            return;
        }
        last = written;
        epoch = written.epoch();
        validUntil = sent + ttl - renew;
        phase = Phase.HOLDING;
        LOG.info("lease of {}: taken by this process ({}), epoch {}", key, holder, epoch);
    }

    private void renewOrLose() throws Exception {
        if (expireIfDue()) {
            return;
        }
        long sent = nanoClock.getAsLong();
        LeaseStore.Stored written = store.write(key, last, holder, epoch, Duration.ofNanos(ttl).toMillis());
        if (written == null) {
            phase = Phase.LOST;
            LOG.warn("lease of {}: written by another process meanwhile; this process stops the source", key);
            return;
        }
        last = written;
        if (expireIfDue()) {
            // the window closed while the renewal was under way: held() said false, and that stays so
            return;
        }
        validUntil = sent + ttl - renew;
    }

    private boolean expireIfDue() {
        if (phase == Phase.HOLDING && nanoClock.getAsLong() - validUntil >= 0) {
            phase = Phase.LOST;
            LOG.warn("lease of {}: not renewed in time; this process stops the source so that another can take over", key);
            return true;
        }
        return false;
    }

    /**
     * Frees the lease after the source stopped cleanly, so a standby takes over at once. Does nothing
     * unless the lease is held; a failure to write is logged: the lease then expires after the ttl.
     */
    public synchronized void release() {
        if (!held()) {
            return;
        }
        try {
            LeaseStore.Stored written = store.write(key, last, null, epoch, 0);
            LOG.info("lease of {}: {}", key, written != null ? "released" : "already written by another process");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("lease of {}: cannot release it ({}); another process takes over once it expires", key, ErrorClassifier.describe(e));
        }
        phase = Phase.RELEASED;
    }
}
