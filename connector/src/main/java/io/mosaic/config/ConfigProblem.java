package io.mosaic.config;

/**
 * One thing wrong with a configuration or mapping file: where it is, what is wrong and how to fix it.
 * Problems are collected, never thrown one at a time, so that a user sees all of them in one run.
 */
public record ConfigProblem(String location, String message) {

    @Override
    public String toString() {
        return location == null || location.isEmpty() ? message : location + ": " + message;
    }
}
