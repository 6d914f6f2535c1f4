package io.mosaic.source;

/**
 * Thrown by a batch handler that refuses a batch, or abandons the one it writes, because its source is
 * being stopped (a SIGTERM drain, a restart, a lost lease). The batch is not committed, so the next start
 * reads it again: nothing is lost and nothing failed. Debezium's engine still logs the exception as
 * "Engine has failed with" at ERROR; {@link EngineShutdownLogFilter} drops that line for this type only.
 */
public final class BatchRefusedWhileStopping extends InterruptedException {

    public BatchRefusedWhileStopping(String why) {
        super(why);
    }
}
