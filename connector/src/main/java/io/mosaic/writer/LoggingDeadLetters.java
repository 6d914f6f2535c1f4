package io.mosaic.writer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs dead letters: where they come from and why, never their field values. */
public final class LoggingDeadLetters implements DeadLetterSink {

    private static final Logger LOG = LoggerFactory.getLogger("io.mosaic.deadletters");

    @Override
    public void accept(DeadLetter letter) {
        LOG.error("dead letter: document {} source {} table {} key {} at {}: {}", letter.document(), letter.source(),
                letter.table(), letter.key(), letter.position(), letter.error());
    }
}
