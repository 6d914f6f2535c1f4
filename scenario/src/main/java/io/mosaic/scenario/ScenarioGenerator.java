package io.mosaic.scenario;

import io.mosaic.scenario.ScenarioNames.Name;
import io.mosaic.scenario.ScenarioRows.Company;
import io.mosaic.scenario.ScenarioRows.Contract;
import io.mosaic.scenario.ScenarioRows.Department;
import io.mosaic.scenario.ScenarioRows.Employee;
import io.mosaic.scenario.ScenarioRows.Qualification;
import io.mosaic.scenario.ScenarioRows.Sink;
import io.mosaic.scenario.ScenarioRows.Survey;
import io.mosaic.scenario.ScenarioRows.SurveyAnswer;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Generates the rows of the reference scenario, without any database: the same size and seed
 * always give the same rows, in the same order (see {@link Sink} for the order). Rows are handed
 * to the sink one at a time and not kept, so memory stays flat whatever the size.
 *
 * <p>IDs are 1..n per table, in the order the rows are produced. Employees are split into
 * contiguous blocks per company ({@link ScenarioSize#companyOf(long)}); departments and surveys
 * of company c are the ids {@code (c-1)*perCompany+1 .. c*perCompany}.
 */
public final class ScenarioGenerator {

    /** Mean survey answers per employee (0-4, at most one per survey of its company). */
    static final double EXPECTED_ANSWERS_PER_EMPLOYEE = 3.2;
    /** Mean contracts per employee (1-2). */
    static final double EXPECTED_CONTRACTS_PER_EMPLOYEE = 1.5;
    /** Mean qualifications per employee (0-3). */
    static final double EXPECTED_QUALIFICATIONS_PER_EMPLOYEE = 1.5;

    /** Percent of employees with 0, 1, 2, 3, 4 survey answers: mean 3.2. */
    private static final int[] ANSWER_COUNT_PERCENT = {4, 6, 10, 26, 54};
    /** Percent of employees with 0, 1, 2, 3 qualifications: mean 1.5. */
    private static final int[] QUALIFICATION_COUNT_PERCENT = {20, 30, 30, 20};

    /** Earliest hire, contract start and qualification date. */
    public static final LocalDate EARLIEST_DATE = LocalDate.of(1990, 1, 1);
    /** Latest hire, contract start and qualification date. */
    public static final LocalDate LATEST_DATE = LocalDate.of(2025, 12, 31);

    static final ZoneOffset JST = ZoneOffset.ofHours(9);
    /** employees.updated_at lies in the year before this instant. */
    static final OffsetDateTime UPDATED_AT_LATEST = OffsetDateTime.of(2025, 12, 31, 18, 0, 0, 0, JST);

    public static final String ACTIVE = "active";
    public static final String ON_LEAVE = "on_leave";
    public static final String RETIRED = "retired";
    public static final String GOOD = "good";
    public static final String CAUTION = "caution";
    public static final String DANGER = "danger";
    public static final String FULL_TIME = "full_time";
    public static final String PART_TIME = "part_time";
    public static final String FIXED_TERM = "fixed_term";

    private static final BigDecimal HOURS_40 = new BigDecimal("40.0");
    private static final BigDecimal HOURS_37_5 = new BigDecimal("37.5");
    private static final BigDecimal HOURS_30 = new BigDecimal("30.0");

    private final ScenarioSize size;
    private final long seed;

    public ScenarioGenerator(ScenarioSize size, long seed) {
        this.size = Objects.requireNonNull(size, "size");
        this.seed = seed;
    }

    public ScenarioSize size() {
        return size;
    }

    public long seed() {
        return seed;
    }

    /** Counts the rows this size and seed generate, without any database. */
    public static ScenarioCounts count(ScenarioSize size, long seed) {
        ScenarioCounts.Counter counter = new ScenarioCounts.Counter();
        new ScenarioGenerator(size, seed).generate(counter);
        return counter.counts();
    }

    /** Hands every row to the sink, in the order documented by {@link Sink}. */
    public void generate(Sink sink) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom organisationRandom = root.split();
        SplittableRandom peopleRandom = root.split();
        companies(sink);
        departments(sink);
        surveys(organisationRandom, sink);
        employees(peopleRandom, sink);
    }

    private void companies(Sink sink) {
        for (long id = 1; id <= size.companies(); id++) {
            sink.company(new Company(id, "株式会社サンプル" + id));
        }
    }

    private void departments(Sink sink) {
        int perCompany = size.departmentsPerCompany();
        long id = 0;
        for (long company = 1; company <= size.companies(); company++) {
            for (int i = 0; i < perCompany; i++) {
                sink.department(new Department(++id, company, ScenarioNames.department(i)));
            }
        }
    }

    /**
     * Survey j (0-based) of each company covers the half-year j of: 2023下期, 2024上期, 2024下期,
     * 2025上期, ... and is conducted in June-July (上期) or November-December (下期).
     */
    private void surveys(SplittableRandom random, Sink sink) {
        int perCompany = size.surveysPerCompany();
        List<String> kinds = ScenarioNames.SURVEY_KINDS;
        long id = 0;
        for (long company = 1; company <= size.companies(); company++) {
            for (int j = 0; j < perCompany; j++) {
                int year = 2023 + (j + 1) / 2;
                boolean firstHalf = j % 2 == 1;
                String kind = kinds.get((int) ((company + j) % kinds.size()));
                String title = year + "年" + (firstHalf ? "上期" : "下期") + " " + kind;
                LocalDate conductedOn = LocalDate.of(year, firstHalf ? 6 : 11, 1).plusDays(random.nextInt(45));
                sink.survey(new Survey(++id, company, title, conductedOn));
            }
        }
    }

    private void employees(SplittableRandom r, Sink sink) {
        int departmentsPerCompany = size.departmentsPerCompany();
        int surveysPerCompany = size.surveysPerCompany();
        long answerId = 0;
        long contractId = 0;
        long qualificationId = 0;
        for (long id = 1; id <= size.employees(); id++) {
            long company = size.companyOf(id);

            // --- the employee
            Name family = pick(r, ScenarioNames.FAMILY_NAMES);
            Name given = pick(r, ScenarioNames.GIVEN_NAMES);
            boolean hasKana = r.nextInt(100) >= 5;
            boolean hasEmail = r.nextInt(100) >= 5;
            Long department = r.nextInt(100) < 10
                    ? null
                    : (company - 1) * departmentsPerCompany + 1 + r.nextInt(departmentsPerCompany);
            int statusRoll = r.nextInt(100);
            String status = statusRoll < 85 ? ACTIVE : statusRoll < 90 ? ON_LEAVE : RETIRED;
            LocalDate hiredOn = r.nextInt(100) < 3 ? null : randomDate(r, EARLIEST_DATE, LATEST_DATE);
            OffsetDateTime updatedAt = UPDATED_AT_LATEST.minusSeconds(r.nextInt(365 * 24 * 3600));
            sink.employee(new Employee(
                    id,
                    company,
                    employeeCode(id),
                    family.kanji(),
                    given.kanji(),
                    hasKana ? family.kana() : null,
                    hasKana ? given.kana() : null,
                    hasEmail ? given.romaji() + "." + family.romaji() + "." + id + "@example.com" : null,
                    department,
                    status,
                    hiredOn,
                    ScenarioSeeder.myNumber(id),
                    updatedAt));

            // --- survey answers: k distinct surveys of its own company, in survey order
            int needed = Math.min(pickIndex(r, ANSWER_COUNT_PERCENT), surveysPerCompany);
            for (int j = 0; j < surveysPerCompany && needed > 0; j++) {
                if (r.nextInt(surveysPerCompany - j) < needed) {
                    needed--;
                    long surveyId = (company - 1) * surveysPerCompany + 1 + j;
                    sink.surveyAnswer(surveyAnswer(r, ++answerId, surveyId, id));
                }
            }

            // --- contracts: one, or an earlier ended one and the current one
            LocalDate start = hiredOn != null ? hiredOn : randomDate(r, EARLIEST_DATE, LATEST_DATE.minusYears(1));
            boolean twoContracts = r.nextBoolean();
            long daysLeft = LATEST_DATE.toEpochDay() - start.toEpochDay();
            if (twoContracts && daysLeft >= 60) {
                int typeRoll = r.nextInt(100);
                String type = typeRoll < 50 ? FIXED_TERM : typeRoll < 80 ? PART_TIME : FULL_TIME;
                long length = 30 + r.nextLong(Math.min(daysLeft - 30, 3 * 365));
                LocalDate end = start.plusDays(length - 1);
                contractId++;
                sink.contract(new Contract(
                        contractId, id, type, start, end, weeklyHours(r, type), ScenarioSeeder.monthlySalary(contractId)));
                start = end.plusDays(1);
            }
            int typeRoll = r.nextInt(100);
            String type = typeRoll < 75 ? FULL_TIME : typeRoll < 92 ? PART_TIME : FIXED_TERM;
            LocalDate end = null;
            if (FIXED_TERM.equals(type)) {
                end = start.plusYears(1 + r.nextInt(3)).minusDays(1);
            }
            if (RETIRED.equals(status)) {
                LocalDate retiredOn = randomDate(r, start, start.isAfter(LATEST_DATE) ? start : LATEST_DATE);
                if (end == null || retiredOn.isBefore(end)) {
                    end = retiredOn;
                }
            }
            contractId++;
            sink.contract(new Contract(
                    contractId, id, type, start, end, weeklyHours(r, type), ScenarioSeeder.monthlySalary(contractId)));

            // --- qualifications: k distinct names
            List<String> names = ScenarioNames.QUALIFICATIONS;
            needed = pickIndex(r, QUALIFICATION_COUNT_PERCENT);
            for (int j = 0; j < names.size() && needed > 0; j++) {
                if (r.nextInt(names.size() - j) < needed) {
                    needed--;
                    LocalDate acquiredOn = r.nextInt(100) < 20 ? null : randomDate(r, EARLIEST_DATE, LATEST_DATE);
                    sink.qualification(new Qualification(++qualificationId, id, names.get(j), acquiredOn));
                }
            }
        }
    }

    private static SurveyAnswer surveyAnswer(SplittableRandom r, long answerId, long surveyId, long employeeId) {
        // roughly normal around 65 with a standard deviation of 15 (Irwin-Hall of four uniforms)
        double z = (r.nextDouble() + r.nextDouble() + r.nextDouble() + r.nextDouble() - 2.0) * Math.sqrt(3.0);
        long cents = Math.round((65.0 + 15.0 * z) * 100.0);
        cents = Math.max(0, Math.min(10_000, cents));
        String condition = condition(cents);
        String comment = null;
        if (r.nextInt(100) >= 30) {
            List<String> sentences = switch (condition) {
                case GOOD -> ScenarioNames.GOOD_COMMENTS;
                case CAUTION -> ScenarioNames.CAUTION_COMMENTS;
                default -> ScenarioNames.DANGER_COMMENTS;
            };
            comment = pick(r, sentences) + " " + ScenarioSeeder.secretComment(answerId);
        }
        return new SurveyAnswer(answerId, surveyId, employeeId, BigDecimal.valueOf(cents, 2), condition, comment);
    }

    /** good from 60.00, caution from 40.00, danger below. */
    public static String condition(BigDecimal score) {
        return condition(score.movePointRight(2).longValue());
    }

    private static String condition(long scoreCents) {
        return scoreCents >= 6000 ? GOOD : scoreCents >= 4000 ? CAUTION : DANGER;
    }

    private static BigDecimal weeklyHours(SplittableRandom r, String type) {
        if (r.nextInt(100) < 5) {
            return null;
        }
        return switch (type) {
            case FULL_TIME -> r.nextInt(5) == 0 ? HOURS_37_5 : HOURS_40;
            case PART_TIME -> BigDecimal.valueOf(100 + 5L * r.nextInt(41), 1); // 10.0 .. 30.0 by 0.5
            default -> r.nextBoolean() ? HOURS_40 : HOURS_30;
        };
    }

    /** "E" and the id, zero-padded to at least four digits: E0042, E123456. */
    public static String employeeCode(long id) {
        String digits = Long.toString(id);
        return digits.length() >= 4 ? "E" + digits : "E" + "0".repeat(4 - digits.length()) + digits;
    }

    private static <T> T pick(SplittableRandom r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    private static int pickIndex(SplittableRandom r, int[] percent) {
        int roll = r.nextInt(100);
        for (int i = 0; i < percent.length; i++) {
            roll -= percent[i];
            if (roll < 0) {
                return i;
            }
        }
        return percent.length - 1;
    }

    private static LocalDate randomDate(SplittableRandom r, LocalDate from, LocalDate to) {
        long first = from.toEpochDay();
        return LocalDate.ofEpochDay(first + r.nextLong(to.toEpochDay() - first + 1));
    }
}
