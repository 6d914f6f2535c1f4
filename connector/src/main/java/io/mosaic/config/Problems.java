package io.mosaic.config;

import java.util.ArrayList;
import java.util.List;

/** Collects {@link ConfigProblem}s while a file is read, and fails once at the end with all of them. */
public final class Problems {

    private final List<ConfigProblem> list = new ArrayList<>();

    public void add(String location, String message) {
        list.add(new ConfigProblem(location, message));
    }

    /** A server that cannot be reached now: {@link ConfigProblem#outage()}. */
    public void addOutage(String location, String message) {
        list.add(new ConfigProblem(location, message, true));
    }

    /** Whether there are problems and every one of them is an outage, which waiting may heal. */
    public boolean onlyOutages() {
        return !list.isEmpty() && list.stream().allMatch(ConfigProblem::outage);
    }

    public void add(YamlNode node, String message) {
        add(node.location(), message);
    }

    public void addAll(List<ConfigProblem> problems) {
        list.addAll(problems);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<ConfigProblem> list() {
        return List.copyOf(list);
    }

    /** Throws a {@link ConfigException} with every problem collected so far, if there is any. */
    public void throwIfAny() {
        if (!list.isEmpty()) {
            throw new ConfigException(list);
        }
    }
}
