package io.mosaic.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The text of keys, one column and composite: the documented {@code _id} form (mappings/README.md, "Composite keys"). */
class KeysTest {

    @Test
    void aOneColumnKeyIsItsValueAsBefore() {
        assertThat(Keys.of(List.of(42L))).isEqualTo("42").isEqualTo(Keys.of(42));
        assertThat(Keys.of(List.of("a|b\\c"))).as("one column is never escaped: existing ids stay as they are").isEqualTo("a|b\\c");
        assertThat(Keys.parts("a|b\\c", 1)).containsExactly("a|b\\c");
    }

    @Test
    void aCompositeKeyJoinsItsPartsWithTheSeparatorEscaped() {
        assertThat(Keys.of(List.of(42, "kids"))).isEqualTo("42|kids");
        assertThat(Keys.of(List.of(new BigDecimal("42.0"), 7L))).as("numbers of any type give the same text").isEqualTo("42|7");
        assertThat(Keys.of(List.of("a|b", "c\\d"))).isEqualTo("a\\|b|c\\\\d");
        assertThat(Keys.of(List.of("", ""))).isEqualTo("|");
        assertThat(Keys.of(Arrays.asList("x", null))).as("a null part refers to no row").isNull();
    }

    @Test
    void partsThatContainTheSeparatorStayApart() {
        // without escaping, these two keys would both be "a|b|c"
        String one = Keys.of(List.of("a|b", "c"));
        String two = Keys.of(List.of("a", "b|c"));
        assertThat(one).isNotEqualTo(two);
        assertThat(Keys.parts(one, 2)).containsExactly("a|b", "c");
        assertThat(Keys.parts(two, 2)).containsExactly("a", "b|c");
        assertThat(Keys.parts(Keys.of(List.of("\\", "|", "\\|")), 3)).containsExactly("\\", "|", "\\|");
    }

    @Test
    void everyCompositeKeyDecodesToItsParts() {
        Random random = new Random(7);
        String alphabet = "ab|\\1 ";
        Map<String, List<String>> seen = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            int n = 2 + random.nextInt(3);
            List<String> parts = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                StringBuilder s = new StringBuilder();
                for (int len = random.nextInt(4); len > 0; len--) {
                    s.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                parts.add(s.toString());
            }
            String key = Keys.of(parts);
            assertThat(Keys.parts(key, n)).isEqualTo(parts);
            List<String> before = seen.putIfAbsent(n + "#" + key, parts);
            assertThat(before == null || before.equals(parts)).as("two keys share the text %s", key).isTrue();
        }
    }

    @Test
    void aTextOfTheWrongShapeIsNoKeyOfTheColumns() {
        assertThatThrownBy(() -> Keys.parts("7", 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 part(s), not 2");
        assertThatThrownBy(() -> Keys.parts("a|b|c", 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Keys.parts("a|b\\", 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compositeKeysOrderPartByPartNumericallyWhereWhole() {
        List<String> keys = new ArrayList<>(List.of(Keys.of(List.of(10, "a")), Keys.of(List.of(9, "b")), Keys.of(List.of(9, "a|z")),
                Keys.of(List.of(9, "a"))));
        keys.sort(Keys.order(2));
        assertThat(keys).containsExactly("9|a", "9|a\\|z", "9|b", "10|a");
        assertThat(Keys.order(2).compare("7", "9|a")).as("a key of another shape is ordered, not an error").isNegative();
    }

    @Test
    void keyColumnsReadARowAndGiveItBack() {
        KeyColumns key = new KeyColumns(List.of("club", "member_no"));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("club", "north|east");
        row.put("member_no", 3L);
        row.put("name", "x");
        assertThat(key.of(row)).isEqualTo("north\\|east|3");
        assertThat(key.row("north\\|east|3")).containsExactly(Map.entry("club", "north|east"), Map.entry("member_no", "3"));
        assertThat(key.of(key.row(key.of(row)))).as("the row a key gives back has that key").isEqualTo(key.of(row));
        row.put("member_no", null);
        assertThat(key.of(row)).isNull();
        assertThat(key.of(null)).isNull();
        assertThat(key).hasToString("[club, member_no]");
        assertThat(KeyColumns.named("id")).hasToString("id");
    }
}
