package io.mosaic.lease;

/**
 * Where leases are kept: one record per key, read and written with optimistic concurrency, so that
 * of two processes writing on the same version only one succeeds. {@link ElasticsearchLeaseStore}
 * is the real one; the unit tests use one in memory.
 */
public interface LeaseStore {

    /**
     * A lease as stored, with the concurrency tokens of its version.
     *
     * @param holder   who holds it; null once released
     * @param epoch    the fencing token: grows by one with every new holder
     * @param seqNo    with {@code primaryTerm}, the version a conditional write must match
     */
    record Stored(String holder, long epoch, long seqNo, long primaryTerm) {

        public boolean released() {
            return holder == null;
        }

        boolean sameVersion(Stored other) {
            return other != null && seqNo == other.seqNo && primaryTerm == other.primaryTerm;
        }
    }

    /** The lease of {@code key}, or null when there is none. */
    Stored read(String key) throws Exception;

    /**
     * Writes the lease of {@code key} if it is still as {@code expected} (or, with {@code expected}
     * null, if there is none yet); returns what was written, or null when another write came first.
     *
     * @param holder null to release it
     * @param ttlMillis for people reading the store only: others decide expiry by their own clocks
     */
    Stored write(String key, Stored expected, String holder, long epoch, long ttlMillis) throws Exception;
}
