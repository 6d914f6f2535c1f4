package io.mosaic.mapping;

import java.util.List;

/** A document field: where it goes (a dotted path split into segments) and how it is computed. */
public record FieldMapping(List<String> path, FieldExpr expr, String location) {

    public String name() {
        return String.join(".", path);
    }
}
