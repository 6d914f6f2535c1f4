package io.mosaic.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mosaic.verify.VerifyReport.Kind;

/** The field-level comparison of an expected and an actual document, without servers. */
class DocumentDiffTest {

    static Map<String, Object> doc() {
        Map<String, Object> name = new LinkedHashMap<>();
        name.put("family", "山田");
        name.put("given", "太郎");
        name.put("family_kana", null);
        Map<String, Object> survey = new LinkedHashMap<>();
        survey.put("answer_id", 9);
        survey.put("score", new BigDecimal("72.50"));
        survey.put("condition", "good");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", 42L);
        d.put("name", name);
        d.put("email", "taro@example.com");
        d.put("department", null);
        d.put("surveys", new ArrayList<>(List.of(survey)));
        return d;
    }

    /** The same document as a cluster returns it: other number types, nulls dropped, Mosaic's bookkeeping added. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> asReadBack() {
        Map<String, Object> d = copy(doc());
        d.put("id", 42);
        ((Map<String, Object>) d.get("name")).remove("family_kana");
        ((Map<String, Object>) ((List<Object>) d.get("surveys")).get(0)).put("score", 72.5);
        d.put("mosaic", Map.of("seq", 7));
        return d;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> copy(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> x ? copy((Map<String, Object>) x)
                : v instanceof List<?> l ? new ArrayList<>(l.stream().map(e -> e instanceof Map<?, ?> em ? copy((Map<String, Object>) em) : e).toList())
                : v));
        return out;
    }

    @Test
    void equalUnderTheWritersOwnEquality() {
        assertThat(DocumentDiff.differingFields(doc(), asReadBack())).isEmpty();
        assertThat(DocumentDiff.fingerprint(doc())).isEqualTo(DocumentDiff.fingerprint(asReadBack()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void namesEveryDifferingFieldAndNoValue() {
        Map<String, Object> actual = asReadBack();
        actual.put("email", "SECRET-MY-NUMBER-123");
        ((Map<String, Object>) actual.get("name")).put("given", "次郎");
        ((Map<String, Object>) ((List<Object>) actual.get("surveys")).get(0)).put("score", 10);
        actual.put("department", Map.of("id", 3));
        actual.put("added", true);
        List<String> fields = DocumentDiff.differingFields(doc(), actual);
        assertThat(fields).containsExactly("added", "department", "email", "name.given", "surveys[0].score");
        assertThat(String.join(",", fields)).doesNotContain("SECRET").doesNotContain("次郎");
        assertThat(DocumentDiff.fingerprint(actual)).isNotEqualTo(DocumentDiff.fingerprint(doc()));
    }

    @Test
    void anArrayOfAnotherLengthIsOneField() {
        Map<String, Object> actual = asReadBack();
        actual.put("surveys", List.of());
        assertThat(DocumentDiff.differingFields(doc(), actual)).containsExactly("surveys");
    }

    @Test
    void aMissingFieldIsNamed() {
        Map<String, Object> actual = asReadBack();
        actual.remove("email");
        assertThat(DocumentDiff.differingFields(doc(), actual)).containsExactly("email");
    }

    @Test
    void mosaicsBookkeepingIsIgnoredOnlyAtTheTop() {
        Map<String, Object> e = new HashMap<>(Map.of("a", Map.of("mosaic", 1)));
        Map<String, Object> a = new HashMap<>(Map.of("a", Map.of("mosaic", 2), "mosaic", Map.of("seq", 3)));
        assertThat(DocumentDiff.differingFields(e, a)).containsExactly("a.mosaic");
    }

    @Test
    void fingerprintsTellTypesApartButNotNumberForms() {
        assertThat(DocumentDiff.fingerprint(Map.of("a", "1"))).isNotEqualTo(DocumentDiff.fingerprint(Map.of("a", 1)));
        assertThat(DocumentDiff.fingerprint(Map.of("a", new BigDecimal("1.0")))).isEqualTo(DocumentDiff.fingerprint(Map.of("a", 1L)));
        assertThat(DocumentDiff.fingerprint(null)).isZero();
    }

    @Test
    void comparisonKinds() {
        assertThat(Verifier.compare("1", null, null).kind()).isNull();
        assertThat(Verifier.compare("1", doc(), null).kind()).isEqualTo(Kind.MISSING);
        assertThat(Verifier.compare("1", null, asReadBack()).kind()).isEqualTo(Kind.EXTRA);
        assertThat(Verifier.compare("1", doc(), asReadBack()).kind()).isNull();
        Map<String, Object> changed = asReadBack();
        changed.put("email", "x@example.com");
        Verifier.Check c = Verifier.compare("1", doc(), changed);
        assertThat(c.kind()).isEqualTo(Kind.DIFFERENT);
        assertThat(c.fields()).containsExactly("email");
    }
}
