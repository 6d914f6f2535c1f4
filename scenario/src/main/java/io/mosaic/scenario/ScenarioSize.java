package io.mosaic.scenario;

/**
 * How big a reference scenario is: the number of companies and employees; everything else is
 * derived from them.
 *
 * <ul>
 *   <li>departments: {@link #departmentsPerCompany()} per company, about 10 (one per ten
 *       employees of an average company, between 1 and 10);
 *   <li>surveys: {@link #SURVEYS_PER_COMPANY} per company;
 *   <li>per employee: 0-4 survey answers (about 3.2), 1-2 contracts (about 1.5), 0-3
 *       qualifications (about 1.5).
 * </ul>
 *
 * <p>100,000 employees (1,000 companies) give about 735,000 rows.
 */
public record ScenarioSize(int companies, int employees) {

    /** Surveys conducted by each company. */
    public static final int SURVEYS_PER_COMPANY = 4;

    /** Most departments a company has. */
    public static final int MAX_DEPARTMENTS_PER_COMPANY = 10;

    /** Expected rows per employee: itself, answers, contracts and qualifications. */
    static final double EXPECTED_ROWS_PER_EMPLOYEE = 1.0
            + ScenarioGenerator.EXPECTED_ANSWERS_PER_EMPLOYEE
            + ScenarioGenerator.EXPECTED_CONTRACTS_PER_EMPLOYEE
            + ScenarioGenerator.EXPECTED_QUALIFICATIONS_PER_EMPLOYEE;

    public ScenarioSize {
        if (companies < 1) {
            throw new IllegalArgumentException("companies must be at least 1, was " + companies);
        }
        if (employees < 0) {
            throw new IllegalArgumentException("employees must not be negative, was " + employees);
        }
    }

    /** The default shape: one company per 100 employees (at least one). */
    public static ScenarioSize ofEmployees(int employees) {
        return new ScenarioSize(defaultCompanies(employees), employees);
    }

    /** One company per 100 employees, at least one. */
    public static int defaultCompanies(int employees) {
        return Math.max(1, employees / 100);
    }

    /** About 10: one per ten employees of an average company, between 1 and 10. */
    public int departmentsPerCompany() {
        long perCompany = (long) employees / companies;
        return (int) Math.max(1, Math.min(MAX_DEPARTMENTS_PER_COMPANY, perCompany / 10));
    }

    public int surveysPerCompany() {
        return SURVEYS_PER_COMPANY;
    }

    public long departments() {
        return (long) companies * departmentsPerCompany();
    }

    public long surveys() {
        return (long) companies * surveysPerCompany();
    }

    /** The company an employee belongs to: employees are split into contiguous, even blocks. */
    public long companyOf(long employeeId) {
        if (employeeId < 1 || employeeId > employees) {
            throw new IllegalArgumentException("no employee " + employeeId + " in " + this);
        }
        return 1 + (employeeId - 1) * companies / employees;
    }

    /** The expected total number of rows over all seven tables (the generated count is close). */
    public long estimatedRows() {
        return companies + departments() + surveys() + Math.round(employees * EXPECTED_ROWS_PER_EMPLOYEE);
    }
}
