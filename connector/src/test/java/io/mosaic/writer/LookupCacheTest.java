package io.mosaic.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mosaic.es.ElasticsearchGateway.Doc;

class LookupCacheTest {

    private static Doc doc(String id, long version) {
        return new Doc(id, true, Map.of("v", version), version, 1, version);
    }

    @Test
    void keepsAtMostItsCapacityAndDropsTheLeastRecentlyUsedFirst() {
        LookupCache cache = new LookupCache(2);
        cache.put("s", Map.of("a", doc("a", 1)));
        cache.put("s", Map.of("b", doc("b", 1)));
        cache.get("s", List.of("a")); // a is now more recent than b
        cache.put("s", Map.of("c", doc("c", 1)));

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get("s", List.of("a", "b", "c")).keySet()).containsExactlyInAnyOrder("a", "c");
    }

    @Test
    void rowsAreKeptPerIndexAndForgottenWhenInvalidated() {
        LookupCache cache = new LookupCache(10);
        cache.put("one", Map.of("a", doc("a", 1)));
        cache.put("two", Map.of("a", doc("a", 7)));
        cache.invalidate("one", List.of("a"));

        assertThat(cache.get("one", List.of("a"))).isEmpty();
        assertThat(cache.get("two", List.of("a")).get("a").version()).isEqualTo(7);
    }

    @Test
    void capacityZeroKeepsNothing() {
        LookupCache cache = new LookupCache(0);
        cache.put("s", Map.of("a", doc("a", 1)));
        assertThat(cache.get("s", List.of("a"))).isEmpty();
        assertThat(cache.size()).isZero();
    }
}
