package io.mosaic.config;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a configuration or mapping file has one or more {@link ConfigProblem}s; carries all of them. */
public class ConfigException extends RuntimeException {

    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String location, String message) {
        this(List.of(new ConfigProblem(location, message)));
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
