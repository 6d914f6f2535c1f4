package io.mosaic.it;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import io.mosaic.Main;

/** Runs a {@code mosaic} command in this JVM and captures its exit code, standard error and output. */
final class MosaicCli {

    record Run(int exit, String err, String out) {
    }

    private MosaicCli() {
    }

    static synchronized Run run(String... args) {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new Run(exit, e.toString(StandardCharsets.UTF_8), o.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
    }
}
