package io.mosaic.config;

/**
 * One thing wrong with a configuration or mapping file: where it is, what is wrong and how to fix it.
 * Problems are collected, never thrown one at a time, so that a user sees all of them in one run.
 *
 * @param outage whether it is a server that cannot be reached now (a database or the cluster down or
 *               restarting), which heals by waiting, rather than something the user must fix
 */
public record ConfigProblem(String location, String message, boolean outage) {

    public ConfigProblem(String location, String message) {
        this(location, message, false);
    }

    @Override
    public String toString() {
        return location == null || location.isEmpty() ? message : location + ": " + message;
    }
}
