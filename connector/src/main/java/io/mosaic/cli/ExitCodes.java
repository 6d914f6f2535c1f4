package io.mosaic.cli;

import java.nio.file.Path;

/** The {@code mosaic} command's exit codes, and what every command does with its --config option. */
public final class ExitCodes {

    /** Stopped cleanly, or the command succeeded. */
    public static final int OK = 0;
    /** A failure while running: restart, and Mosaic resumes from the last acknowledged position. */
    public static final int FAILURE = 1;
    /** Bad configuration or input: every problem was printed with its file, line and fix. */
    public static final int CONFIG = 2;
    /** {@code mosaic verify}: documents differ from the sources (and were not all repaired); see its report. */
    public static final int DRIFT = 3;

    private ExitCodes() {
    }

    /** Resolves a --config option. */
    public static Path configPath(Path option) {
        return option.toAbsolutePath().normalize();
    }
}
