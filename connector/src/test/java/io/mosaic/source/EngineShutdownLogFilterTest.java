package io.mosaic.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

import org.junit.jupiter.api.Test;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;

/** Only the engine's shutdown race is dropped; every other ERROR passes. */
class EngineShutdownLogFilterTest {

    private static final LoggerContext CONTEXT = new LoggerContext();

    private static LoggingEvent event(String logger, Level level, Throwable t) {
        Logger l = CONTEXT.getLogger(logger);
        return new LoggingEvent(Logger.class.getName(), l, level, "Engine has failed with ", t, null);
    }

    @Test
    void dropsTheEnginesRejectedPollOnStop() {
        EngineShutdownLogFilter filter = new EngineShutdownLogFilter();
        Throwable race = new ExecutionException(new RejectedExecutionException("rejected from java.util.concurrent.ThreadPoolExecutor"));
        assertThat(filter.decide(event("io.debezium.embedded.async.AsyncEmbeddedEngine", Level.ERROR, race))).isEqualTo(FilterReply.DENY);
    }

    @Test
    void dropsABatchRefusedBecauseTheSourceIsStopping() {
        EngineShutdownLogFilter filter = new EngineShutdownLogFilter();
        Throwable refused = new ExecutionException(new BatchRefusedWhileStopping("source admin is stopping"));
        assertThat(filter.decide(event("io.debezium.embedded.async.AsyncEmbeddedEngine", Level.ERROR, refused))).isEqualTo(FilterReply.DENY);
        Throwable interrupted = new ExecutionException(new InterruptedException("something else"));
        assertThat(filter.decide(event("io.debezium.embedded.async.AsyncEmbeddedEngine", Level.ERROR, interrupted)))
                .as("another interruption still reaches the log").isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void letsEveryOtherErrorThrough() {
        EngineShutdownLogFilter filter = new EngineShutdownLogFilter();
        Throwable real = new ExecutionException(new IllegalStateException("slot mosaic_admin does not exist"));
        assertThat(filter.decide(event("io.debezium.embedded.async.AsyncEmbeddedEngine", Level.ERROR, real))).isEqualTo(FilterReply.NEUTRAL);
        Throwable race = new RejectedExecutionException("x");
        assertThat(filter.decide(event("io.mosaic.pipeline.SourceRunner", Level.ERROR, race))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(event("io.debezium.embedded.async.AsyncEmbeddedEngine", Level.WARN, race))).isEqualTo(FilterReply.NEUTRAL);
    }
}
