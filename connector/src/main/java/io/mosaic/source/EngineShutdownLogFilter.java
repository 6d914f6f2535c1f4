package io.mosaic.source;

import java.util.concurrent.RejectedExecutionException;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops one ERROR that Debezium's asynchronous engine logs on a normal stop: when the engine is
 * closed while its poll thread hands a batch to the record-processing executor, which is already shut
 * down, the poll fails with a {@link RejectedExecutionException} and the engine logs "Engine has failed
 * with" (seen in one of seven runs of ShutdownIT, which stops under load). Nothing fails: the batch is not
 * committed and is read again at the next start. The executor rejects work only once it is shut down,
 * so this drops nothing else; a real engine failure still reaches the log, and Mosaic's completion
 * callback ({@code SourceRunner}) logs it again with the source's name.
 *
 * <p>Also dropped: the same line for a {@link BatchRefusedWhileStopping}, which Mosaic's batch handler throws
 * only while the source is being stopped (ShutdownIT caught it once, a batch refused during the drain).
 */
public final class EngineShutdownLogFilter extends Filter<ILoggingEvent> {

    private static final String ENGINE = "io.debezium.embedded.async.AsyncEmbeddedEngine";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (event.getLevel() == Level.ERROR && ENGINE.equals(event.getLoggerName()) && rejected(event.getThrowableProxy())) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    private static boolean rejected(IThrowableProxy t) {
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (RejectedExecutionException.class.getName().equals(t.getClassName())
                    || BatchRefusedWhileStopping.class.getName().equals(t.getClassName())) {
                return true;
            }
        }
        return false;
    }
}
