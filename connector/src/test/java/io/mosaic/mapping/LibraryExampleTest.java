package io.mosaic.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mosaic.config.MosaicConfig;
import io.mosaic.config.Problems;

/**
 * The library example of {@code mappings/examples/library} loads without servers: its config file (with the defaults
 * of its environment variables) and both mapping files, with the features its README claims. LibraryExampleIT runs it
 * on real servers; this catches a broken file in milliseconds.
 */
class LibraryExampleTest {

    static final Path EXAMPLE = Path.of(System.getProperty("mosaic.root", "..")).resolve("mappings/examples/library");

    @Test
    void theExampleConfigAndMappingsLoadWithTheFeaturesItsReadmeNames() {
        MosaicConfig config = MosaicConfig.load(EXAMPLE.resolve("mosaic.yaml"), name -> null);
        assertThat(config.sources()).containsOnlyKeys("library", "lib_catalog");
        Problems problems = new Problems();
        List<DocumentMapping> docs = new MappingLoader(config.sources().keySet()).load(config.mappings(), problems);
        assertThat(problems.list()).isEmpty();
        Map<String, DocumentMapping> byName = Map.of(docs.get(0).name(), docs.get(0), docs.get(1).name(), docs.get(1));
        assertThat(byName).containsOnlyKeys("member", "book");

        DocumentMapping member = byName.get("member");
        assertThat(member.alias()).isEqualTo("library-members");
        assertThat(member.routing()).isEqualTo("branch_id");
        assertThat(member.rootFilter().columns()).containsExactly("deleted_at");
        assertThat(member.template()).exists();
        CollectionMapping tags = member.collections().stream().filter(c -> c.name().equals("tags")).findFirst().orElseThrow();
        assertThat(tags.scalar()).isTrue();
        assertThat(tags.key().columns()).containsExactly("member_id", "tag");
        CollectionMapping loans = member.collections().stream().filter(c -> c.name().equals("loans")).findFirst().orElseThrow();
        assertThat(loans.table().source()).isEqualTo("lib_catalog");
        assertThat(loans.key().columns()).containsExactly("member_id", "book_id", "loaned_on");
        assertThat(loans.filter().columns()).containsExactly("returned_on");
        assertThat(loans.lookups()).extracting(LookupMapping::name).containsExactly("book");
        assertThat(loans.collections()).as("a nested collection: each loan's renewals").singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("renewals");
            assertThat(r.parent().columns()).as("the loan's key, not the member's").containsExactly("member_id", "book_id", "loaned_on");
            assertThat(r.key().columns()).containsExactly("member_id", "book_id", "loaned_on", "renewed_on");
        });

        DocumentMapping book = byName.get("book");
        assertThat(book.alias()).isEqualTo("library-books");
        CollectionMapping authors = book.collections().get(0);
        assertThat(authors.key().columns()).containsExactly("book_id", "author_id");
        assertThat(authors.lookups()).singleElement().satisfies(l -> assertThat(l.as()).as("no `as`: into the element").isEmpty());
    }
}
