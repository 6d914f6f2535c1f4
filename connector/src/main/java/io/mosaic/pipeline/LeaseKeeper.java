package io.mosaic.pipeline;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mosaic.lease.SourceLease;

/**
 * Runs one source only while this process holds its {@link SourceLease}: drives the lease on a
 * thread of its own, starts the {@link SourceRunner} once the lease is taken, and stops it as soon as
 * {@link SourceLease#held()} turns false (checked every 100 ms, whatever the lease's requests are
 * doing), telling the service, which exits so that the restarted process stands by again. After a
 * clean stop of the runner, {@link #close} releases the lease, so a standby takes over at once.
 */
final class LeaseKeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);
    private static final long WATCH_MILLIS = 100;

    private final SourceLease lease;
    private final SourceRunner runner;
    private final ExecutorService engines;
    private final BiConsumer<SourceRunner, String> onLost;
    private final ScheduledExecutorService timer;
    private boolean started;
    private boolean lost;
    private volatile boolean closed;

    /** @param onLost told once, from the keeper's thread, when the lease was lost while the runner ran */
    LeaseKeeper(SourceLease lease, SourceRunner runner, ExecutorService engines, BiConsumer<SourceRunner, String> onLost) {
        this.lease = lease;
        this.runner = runner;
        this.engines = engines;
        this.onLost = onLost;
        this.timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "mosaic-lease-" + runner.name());
            t.setDaemon(true);
            return t;
        });
    }

    LeaseKeeper start() {
        runner.standBy();
        timer.execute(this::step);
        timer.scheduleWithFixedDelay(this::watch, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    SourceLease lease() {
        return lease;
    }

    private void step() {
        if (closed) {
            return;
        }
        long next = lease.step().toMillis();
        watch();
        if (!closed) {
            timer.schedule(this::step, next, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void watch() {
        if (closed || lost) {
            return;
        }
        boolean held = lease.held();
        if (!started && held) {
            started = true;
            LOG.info("source {}: this process holds its lease (epoch {}) and starts streaming it", runner.name(), lease.epoch());
            runner.start(engines);
        } else if (started && !held) {
            lost = true;
            String why = "source " + runner.name() + ": this process lost the source's lease (not renewed within lease.ttl, "
                    + "or taken over); it stopped streaming the source and exits, to stand by when restarted";
            LOG.warn(why);
            runner.leaseLost(why);
            Thread stop = new Thread(() -> {
                try {
                    runner.close();
                } catch (Exception e) {
                    LOG.debug("stopping source {} after losing its lease", runner.name(), e);
                }
            }, "mosaic-lease-stop-" + runner.name());
            stop.setDaemon(true);
            stop.start();
            onLost.accept(runner, why);
        }
    }

    /** Stops driving the lease and releases it if held: call it after the runner stopped. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lease.release();
    }
}
