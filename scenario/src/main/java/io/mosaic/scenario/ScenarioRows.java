package io.mosaic.scenario;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/** One row of each table of the reference scenario, as {@link ScenarioGenerator} produces it. */
public final class ScenarioRows {

    private ScenarioRows() {
    }

    /** admin.companies */
    public record Company(long id, String name) {
    }

    /** admin.departments */
    public record Department(long id, long companyId, String name) {
    }

    /** admin.employees; {@code myNumber} is sensitive. */
    public record Employee(
            long id,
            long companyId,
            String code,
            String familyName,
            String givenName,
            String familyNameKana,
            String givenNameKana,
            String email,
            Long departmentId,
            String status,
            LocalDate hiredOn,
            String myNumber,
            OffsetDateTime updatedAt) {
    }

    /** motivation.surveys */
    public record Survey(long id, long companyId, String title, LocalDate conductedOn) {
    }

    /** motivation.survey_answers; {@code comment} is sensitive. Score has scale 2. */
    public record SurveyAnswer(
            long id, long surveyId, long employeeId, BigDecimal score, String condition, String comment) {
    }

    /** labor.contracts; {@code monthlySalary} is sensitive. Weekly hours have scale 1. */
    public record Contract(
            long id,
            long employeeId,
            String contractType,
            LocalDate startsOn,
            LocalDate endsOn,
            BigDecimal weeklyHours,
            Integer monthlySalary) {
    }

    /** labor.qualifications */
    public record Qualification(long id, long employeeId, String name, LocalDate acquiredOn) {
    }

    /**
     * Receives the generated rows, in this order: all companies, all departments, all surveys,
     * then for each employee in id order: the employee, its survey answers, its contracts and its
     * qualifications. Every method does nothing by default.
     */
    public interface Sink {
        default void company(Company row) {
        }

        default void department(Department row) {
        }

        default void survey(Survey row) {
        }

        default void employee(Employee row) {
        }

        default void surveyAnswer(SurveyAnswer row) {
        }

        default void contract(Contract row) {
        }

        default void qualification(Qualification row) {
        }
    }
}
