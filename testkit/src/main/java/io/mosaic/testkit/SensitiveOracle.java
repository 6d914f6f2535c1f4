package io.mosaic.testkit;

import static io.mosaic.scenario.ScenarioSeeder.MAX_SALARY_CONTRACT_ID;
import static io.mosaic.scenario.ScenarioSeeder.MONTHLY_SALARY_OFFSET;
import static io.mosaic.scenario.ScenarioSeeder.MY_NUMBER_PREFIX;
import static io.mosaic.scenario.ScenarioSeeder.SECRET_COMMENT_PREFIX;

import java.util.regex.Pattern;

import io.mosaic.scenario.ScenarioSeeder;

/**
 * Recognises the reference scenario's seeded sensitive values ({@link ScenarioSeeder#myNumber},
 * {@link ScenarioSeeder#secretComment}, {@link ScenarioSeeder#monthlySalary}), so that a test can prove
 * they never leak ({@link SensitiveScan}).
 *
 * <p>The oracle can neither raise a false alarm nor miss a leak:
 * <ul>
 * <li>no false alarm: the text values carry a marker ("SECRET-MY-NUMBER-", "SECRET-COMMENT-") that
 *   nothing but a seeded sensitive column holds, and the salaries are negative numbers in
 *   [-1,999,999,999, -1,000,000,001], a range no position, version, counter, id, date or epoch time
 *   can reach (they are never negative) and no other seeded column uses;
 * <li>no missed leak: every seeded value has this form by construction (ScenarioSeeder's generators
 *   throw rather than produce another), and a leak keeps the value whole (it is copied, not computed
 *   on), so a scan that applies these predicates to every key, string and number of every document finds it.
 * </ul>
 */
public final class SensitiveOracle {

    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]{1,18}(?:\\.0*)?");

    private SensitiveOracle() {
    }

    /**
     * Whether a whole value (a field of a document, a number rendered as text) is or carries a
     * seeded sensitive value: anything with a my_number or comment marker, or a whole number in the
     * salary range (also as "-1000000042.0").
     */
    public static boolean isSensitiveValue(String value) {
        if (value == null) {
            return false;
        }
        if (containsSensitiveText(value)) {
            return true;
        }
        if (WHOLE_NUMBER.matcher(value).matches()) {
            int dot = value.indexOf('.');
            return isSensitiveNumber(Long.parseLong(dot < 0 ? value : value.substring(0, dot)));
        }
        return false;
    }

    /** Whether a number is a seeded monthly salary: in [-1,999,999,999, -1,000,000,001]. */
    public static boolean isSensitiveNumber(long value) {
        return value <= -(MONTHLY_SALARY_OFFSET + 1) && value >= -(MONTHLY_SALARY_OFFSET + MAX_SALARY_CONTRACT_ID);
    }

    /**
     * Whether a text (e.g. a whole JSON document, or an error message that quotes a value) contains a
     * my_number or a comment marker anywhere.
     */
    public static boolean containsSensitiveText(String text) {
        return text != null && (text.contains(SECRET_COMMENT_PREFIX) || text.contains(MY_NUMBER_PREFIX));
    }
}
