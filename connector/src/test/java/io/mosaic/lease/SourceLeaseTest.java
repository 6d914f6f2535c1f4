package io.mosaic.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The lease's state machine against a fake clock and a store in memory: nothing sleeps. */
class SourceLeaseTest {

    private static final Duration TTL = Duration.ofSeconds(15);
    private static final Duration RENEW = Duration.ofSeconds(5);

    /** Leases in memory, with the same optimistic concurrency as Elasticsearch; can be made unreachable. */
    static final class MemoryStore implements LeaseStore {
        final Map<String, Stored> leases = new HashMap<>();
        long seqNo;
        boolean down;
        int writes;

        @Override
        public synchronized Stored read(String key) throws IOException {
            if (down) {
                throw new java.net.ConnectException("down");
            }
            return leases.get(key);
        }

        @Override
        public synchronized Stored write(String key, Stored expected, String holder, long epoch, long ttlMillis) throws IOException {
            if (down) {
                throw new java.net.ConnectException("down");
            }
            Stored current = leases.get(key);
            if (expected == null ? current != null : !expected.sameVersion(current)) {
                return null;
            }
            writes++;
            Stored written = new Stored(holder, epoch, seqNo++, 1);
            leases.put(key, written);
            return written;
        }
    }

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final MemoryStore store = new MemoryStore();

    private SourceLease lease(String holder) {
        return new SourceLease("admin@db:5432/admin/mosaic", holder, store, TTL, RENEW, clock::get);
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void theFirstToAskTakesAFreeLeaseTheOtherStandsBy() {
        SourceLease a = lease("a");
        SourceLease b = lease("b");
        assertThat(a.held()).isFalse();
        a.step();
        b.step();
        assertThat(a.held()).isTrue();
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(b.held()).isFalse();
        assertThat(b.phase()).isEqualTo(SourceLease.Phase.STANDBY);
    }

    @Test
    void aRenewingHolderKeepsItForEver() {
        SourceLease a = lease("a");
        SourceLease b = lease("b");
        a.step();
        for (int i = 0; i < 100; i++) {
            advance(RENEW);
            a.step();
            b.step();
            assertThat(a.held()).isTrue();
            assertThat(b.held()).isFalse();
        }
        assertThat(a.epoch()).isEqualTo(1);
    }

    @Test
    void aStandbyTakesOverOnlyAfterTheLeaseWentUnrenewedForTheTtlAndTheDeadHolderHadStoppedBefore() {
        SourceLease a = lease("a");
        SourceLease b = lease("b");
        a.step();
        b.step(); // b sees a's version
        // a dies (kill -9): it never steps again
        advance(TTL.minus(RENEW));
        assertThat(a.held()).as("the holder stops streaming renew_interval before the ttl").isFalse();
        b.step();
        assertThat(b.held()).isFalse();
        advance(RENEW.minusMillis(1));
        b.step();
        assertThat(b.held()).as("one millisecond before the ttl").isFalse();
        advance(Duration.ofMillis(1));
        b.step();
        assertThat(b.held()).isTrue();
        assertThat(b.epoch()).isEqualTo(2);
        assertThat(store.leases.values().iterator().next().holder()).isEqualTo("b");
    }

    @Test
    void theStandbyWaitsItsOwnTtlFromWhenItFirstSawAVersionWhateverTheHoldersClockSays() {
        SourceLease a = lease("a");
        a.step();
        advance(Duration.ofMinutes(10)); // a died long ago; b starts now
        SourceLease b = lease("b");
        Duration next = b.step();
        assertThat(b.held()).isFalse();
        assertThat(next).isEqualTo(RENEW);
        advance(TTL.minusMillis(1));
        b.step();
        assertThat(b.held()).isFalse();
        advance(Duration.ofMillis(1));
        b.step();
        assertThat(b.held()).isTrue();
    }

    @Test
    void aReleasedLeaseIsTakenAtTheNextLook() {
        SourceLease a = lease("a");
        SourceLease b = lease("b");
        a.step();
        b.step();
        a.release();
        assertThat(a.held()).isFalse();
        assertThat(a.phase()).isEqualTo(SourceLease.Phase.RELEASED);
        b.step();
        assertThat(b.held()).isTrue();
        assertThat(b.epoch()).isEqualTo(2);
    }

    @Test
    void aHolderThatCannotReachTheStoreLosesTheLeaseBeforeAStandbyCanTakeIt() {
        SourceLease a = lease("a");
        SourceLease b = lease("b");
        a.step();
        b.step();
        store.down = true;
        for (int i = 0; i < 9; i++) {
            advance(Duration.ofSeconds(1));
            a.step();
            assertThat(a.held()).as("within ttl - renew_interval of the last renewal").isTrue();
        }
        advance(Duration.ofSeconds(1));
        assertThat(a.held()).as("by the clock alone, without a step").isFalse();
        a.step();
        assertThat(a.phase()).isEqualTo(SourceLease.Phase.LOST);
        store.down = false;
        advance(Duration.ofSeconds(4));
        b.step();
        assertThat(b.held()).as("14 s after b saw the version").isFalse();
        advance(Duration.ofSeconds(1));
        b.step();
        assertThat(b.held()).isTrue();
        // lost is final: the process stops the source and, restarted, stands by again
        advance(RENEW);
        a.step();
        assertThat(a.held()).isFalse();
    }

    @Test
    void aFailedRenewalIsRetriedSoonAndKeepsTheLease() {
        SourceLease a = lease("a");
        a.step();
        store.down = true;
        advance(RENEW);
        Duration retry = a.step();
        assertThat(retry).isLessThan(RENEW);
        advance(retry);
        assertThat(a.step()).isLessThan(RENEW);
        store.down = false;
        advance(retry);
        assertThat(a.step()).isEqualTo(RENEW);
        advance(TTL.minus(RENEW).minusMillis(1));
        assertThat(a.held()).as("counted from the renewal that succeeded").isTrue();
    }

    @Test
    void aRenewalAnsweredAfterTheWindowClosedDoesNotBringTheLeaseBack() {
        LeaseStore slow = new LeaseStore() {
            @Override
            public Stored read(String key) throws Exception {
                return store.read(key);
            }

            @Override
            public Stored write(String key, Stored expected, String holder, long epoch, long ttlMillis) throws Exception {
                Stored written = store.write(key, expected, holder, epoch, ttlMillis);
                if (expected != null) {
                    advance(Duration.ofSeconds(6)); // the renewal hangs past the window (the cluster was frozen meanwhile)
                }
                return written;
            }
        };
        SourceLease a = new SourceLease("k", "a", slow, TTL, RENEW, clock::get);
        a.step();
        advance(RENEW);
        a.step();
        assertThat(a.held()).isFalse();
        assertThat(a.phase()).isEqualTo(SourceLease.Phase.LOST);
    }

    @Test
    void aRenewIntervalAboveAThirdOfTheTtlIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new SourceLease("k", "a", store, Duration.ofSeconds(9), Duration.ofMillis(3001), clock::get))
                .hasMessageContaining("a third");
    }

    @Test
    void aHolderFrozenPastItsLeaseFindsItTakenAndDoesNotWriteIt() {
        SourceLease a = lease("a");
        SourceLease b = lease("b");
        a.step();
        b.step();
        advance(TTL); // a is SIGSTOPped meanwhile
        b.step();
        assertThat(b.held()).isTrue();
        int writes = store.writes;
        // a wakes up: its clock says the lease is gone before it sends anything
        assertThat(a.held()).isFalse();
        a.step();
        assertThat(a.phase()).isEqualTo(SourceLease.Phase.LOST);
        assertThat(store.writes).isEqualTo(writes);
        assertThat(store.leases.values().iterator().next().holder()).isEqualTo("b");
    }

    @Test
    void aHolderWhoseLeaseWasWrittenByAnotherLosesItAtItsNextRenewal() {
        SourceLease a = lease("a");
        a.step();
        LeaseStore.Stored current = store.leases.values().iterator().next();
        store.leases.put("admin@db:5432/admin/mosaic", new LeaseStore.Stored("intruder", 7, current.seqNo() + 100, 1));
        advance(RENEW);
        a.step();
        assertThat(a.held()).isFalse();
        assertThat(a.phase()).isEqualTo(SourceLease.Phase.LOST);
    }

    @Test
    void twoStandbysRacingForAnExpiredLeaseGiveItToOne() {
        SourceLease a = lease("a");
        a.step();
        SourceLease b = lease("b");
        SourceLease c = lease("c");
        b.step();
        c.step();
        advance(TTL);
        b.step();
        c.step();
        assertThat(b.held() ^ c.held()).isTrue();
        assertThat(store.leases.values().iterator().next().epoch()).isEqualTo(2);
    }

    @Test
    void releaseWithoutTheLeaseWritesNothing() {
        SourceLease a = lease("a");
        SourceLease b = lease("b");
        a.step();
        b.step();
        int writes = store.writes;
        b.release();
        assertThat(store.writes).isEqualTo(writes);
        assertThat(a.held()).isTrue();
    }

    @Test
    void holderIdsDifferBetweenProcessesAndRuns() {
        assertThat(SourceLease.holderId()).contains("/" + ProcessHandle.current().pid() + "/").isNotEqualTo(SourceLease.holderId());
    }
}
