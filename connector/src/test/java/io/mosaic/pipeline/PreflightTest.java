package io.mosaic.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.mosaic.config.StateConfig;

class PreflightTest {

    private static final StateConfig IN_ELASTICSEARCH = new StateConfig("elasticsearch", Path.of("state"));
    private static final StateConfig IN_FILES = new StateConfig("file", Path.of("state"));

    @Test
    void storedPositionsAreNotLookedUpInAClusterThatDidNotAnswer() {
        assertThat(Preflight.positionsReadable(IN_ELASTICSEARCH, false)).isFalse();
        assertThat(Preflight.positionsReadable(IN_ELASTICSEARCH, true)).isTrue();
    }

    @Test
    void positionsInFilesAreCheckedWhateverTheCluster() {
        assertThat(Preflight.positionsReadable(IN_FILES, false)).isTrue();
        assertThat(Preflight.positionsReadable(IN_FILES, true)).isTrue();
    }
}
