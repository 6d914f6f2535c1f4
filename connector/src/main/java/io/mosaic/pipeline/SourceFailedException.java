package io.mosaic.pipeline;

/**
 * A source Mosaic gave up on: it cannot recover by restarting (credentials, privileges, a lost
 * position) or kept failing for longer than {@code restart.give_up_after}. The message is complete
 * and safe to print: it names the source, its server's host:port, why and what to do, and carries
 * no secret and no row value. The process exits 1 with it.
 */
public final class SourceFailedException extends Exception {

    private final String source;

    SourceFailedException(String source, String message, Throwable cause) {
        super(message, cause);
        this.source = source;
    }

    /** The source's name in the configuration. */
    public String source() {
        return source;
    }
}
