package io.mosaic.verify;

/**
 * Limits the rows verify reads from the sources to a rate, so that a check of a large index on a schedule
 * does not load the service databases: after each read, it sleeps until the rows read so far fit the rate.
 * A rate of 0 or less means no limit.
 */
final class RowRate {

    private final double rowsPerSecond;
    private final long start = System.nanoTime();
    private long rows;

    RowRate(double rowsPerSecond) {
        this.rowsPerSecond = rowsPerSecond;
    }

    /** Accounts for {@code n} rows just read, and waits as long as the rate requires. */
    void read(int n) throws InterruptedException {
        if (rowsPerSecond <= 0 || n <= 0) {
            return;
        }
        rows += n;
        long due = start + (long) (rows / rowsPerSecond * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    long rows() {
        return rows;
    }
}
