package io.mosaic.es;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Error reasons without the values they quote (issue 13: a dead letter's log line quoted {@code clash@example.com}). */
class ErrorTextTest {

    /** Elasticsearch 8.19's reason for DeadLetterIT's field type conflict, as the bulk response gave it. */
    static final String MAPPER_REASON =
            "[1:233] failed to parse field [email] of type [long] in document with id '902'. Preview of field's value: 'clash@example.com'";

    @Test
    void theValuePreviewAndQuotedIdAreRemovedTheFieldAndTypeStay() {
        assertThat(ErrorText.redact(MAPPER_REASON))
                .isEqualTo("[1:233] failed to parse field [email] of type [long] in document with id '…'. (the value is not shown)");
    }

    @Test
    void aPreviewWhoseValueHoldsQuotesIsCutToTheEnd() {
        String reason = "[1:7] failed to parse field [name] of type [long] in document with id '7'. Preview of field's value: "
                + "'O'Brien, \"Pat\" ' and more'";
        assertThat(ErrorText.redact(reason)).doesNotContain("Brien", "Pat", "more").endsWith("(the value is not shown)");
    }

    @Test
    void anImmenseTermsPrefixIsQuotedAndRemoved() {
        String reason = "Document contains at least one immense term in field=\"family_name\" (whose UTF8 encoding is longer than the "
                + "max length 32766), all of which were skipped. Please correct the analyzer to not produce such terms. The prefix "
                + "of the first immense term is: '[-27, -73, -88, -27]...', original message: bytes can be at most 32766 in length; got 40000";
        assertThat(ErrorText.redact(reason)).doesNotContain("-27, -73").contains("immense term").contains("32766");
    }

    @Test
    void valuesOfTheDocumentAreRemovedHoweverTheyAreQuoted() {
        Map<String, Object> doc = Map.of("email", "clash@example.com", "code", "X-901", "children", List.of(Map.of("note", "private note")),
                "id", 902, "flag", true);
        String reason = "failed to parse date field [X-901] with format [strict_date_optional_time]: for private note and 902, "
                + "clash@example.com";
        assertThat(ErrorText.redact(reason, doc)).isEqualTo("failed to parse date field […] with format [strict_date_optional_time]: for … and …, …");
        // Mosaic's own messages keep their quotes (column names); only values go, as whole tokens
        assertThat(ErrorText.withoutValues("field 'code_number' cannot be computed: X-901 is not an integer", doc))
                .isEqualTo("field 'code_number' cannot be computed: … is not an integer");
        assertThat(ErrorText.withoutValues("the value 9020 is not 902", Map.of("id", 902))).isEqualTo("the value 9020 is not …");
    }

    @Test
    void reasonsWithoutValuesStayAndLongOnesAreCut() {
        String block = "index [employees-v1] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has "
                + "read-only-allow-delete block; for more information, see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/fix-watermark-errors.html];";
        assertThat(ErrorText.redact(block)).isEqualTo(block);
        assertThat(ErrorText.redact("x".repeat(2000))).hasSize(ErrorText.MAX_LENGTH + 1);
        assertThat(ErrorText.redact(null)).isNull();
    }
}
