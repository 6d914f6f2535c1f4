package io.mosaic.scenario;

import io.mosaic.scenario.ScenarioRows.Company;
import io.mosaic.scenario.ScenarioRows.Contract;
import io.mosaic.scenario.ScenarioRows.Department;
import io.mosaic.scenario.ScenarioRows.Employee;
import io.mosaic.scenario.ScenarioRows.Qualification;
import io.mosaic.scenario.ScenarioRows.Survey;
import io.mosaic.scenario.ScenarioRows.SurveyAnswer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.postgresql.PGConnection;

/**
 * Fills the reference scenario's tables with the rows of {@link ScenarioGenerator}: PostgreSQL
 * through COPY, MariaDB/MySQL through multi-row INSERTs of {@value #ROWS_PER_INSERT} rows, each
 * database in one transaction, the three databases in parallel. Tables must exist
 * ({@link ScenarioSchema#create}); their rows are removed (TRUNCATE) first.
 *
 * <p>Also makes and lists the seeded sensitive values: {@link #myNumber}, {@link #secretComment},
 * {@link #monthlySalary} and {@link #sensitiveValues}. The test kit's {@code SensitiveOracle} recognises
 * them, so that a test can prove they never leak; the values' forms below are what it relies on.
 */
public final class ScenarioSeeder {

    /**
     * Every seeded survey_answers.comment ends with this and the answer id. No text Mosaic writes
     * (positions, ids, names, error messages) contains the word {@code SECRET-}.
     */
    public static final String SECRET_COMMENT_PREFIX = "SECRET-COMMENT-";
    /** Every seeded employees.my_number is this and a 12-digit number ("8" and the zero-padded id). */
    public static final String MY_NUMBER_PREFIX = "SECRET-MY-NUMBER-";
    /**
     * contracts.monthly_salary is minus this minus the contract id. Salaries are negative on purpose:
     * every number Mosaic writes (source positions such as PostgreSQL LSNs or binlog offsets, versions,
     * write counters, ids, dates, epoch times) and every other seeded number is zero or positive, so
     * no number can be mistaken for a salary, whatever range a position has reached.
     */
    public static final long MONTHLY_SALARY_OFFSET = 1_000_000_000L;
    /** Largest contract id a salary can be derived for: the salary must fit contracts.monthly_salary INT. */
    public static final long MAX_SALARY_CONTRACT_ID = 999_999_999L;
    /** Rows per INSERT statement on MariaDB/MySQL. */
    public static final int ROWS_PER_INSERT = 1000;

    private static final long MAX_MY_NUMBER_ID = 99_999_999_999L;

    private ScenarioSeeder() {
    }

    // ------------------------------------------------------------------ sensitive values
    //
    // Every seeded sensitive value has one of the forms below by construction: the generators throw
    // rather than produce another (SensitiveOracle, in the test kit, explains why that makes its
    // predicates exact).

    /** employees.my_number of an employee: the marker, "8" and the id zero-padded to 11 digits. */
    public static String myNumber(long employeeId) {
        if (employeeId < 1 || employeeId > MAX_MY_NUMBER_ID) {
            throw new IllegalArgumentException("employee id out of range: " + employeeId);
        }
        String digits = Long.toString(employeeId);
        return MY_NUMBER_PREFIX + "8" + "0".repeat(11 - digits.length()) + digits;
    }

    /**
     * The marker in survey_answers.comment of an answer: {@code SECRET-COMMENT-<id>}. A seeded
     * comment is a short Japanese sentence, a space and this marker (or NULL for about 30% of
     * answers).
     */
    public static String secretComment(long answerId) {
        return SECRET_COMMENT_PREFIX + answerId;
    }

    /** contracts.monthly_salary of a contract: -(1,000,000,000 + id), always negative (see above). */
    public static int monthlySalary(long contractId) {
        if (contractId < 1 || contractId > MAX_SALARY_CONTRACT_ID) {
            throw new IllegalArgumentException("contract id out of range: " + contractId);
        }
        return (int) -(MONTHLY_SALARY_OFFSET + contractId);
    }

    /** Every sensitive value seeded for this size and seed, as stored in the databases. */
    public record SensitiveValues(List<String> myNumbers, List<String> comments, List<Integer> monthlySalaries) {

        public SensitiveValues {
            myNumbers = List.copyOf(myNumbers);
            comments = List.copyOf(comments);
            monthlySalaries = List.copyOf(monthlySalaries);
        }

        public int size() {
            return myNumbers.size() + comments.size() + monthlySalaries.size();
        }

        /** All values as strings (salaries in decimal). */
        public Stream<String> strings() {
            return Stream.of(myNumbers.stream(), comments.stream(), monthlySalaries.stream().map(String::valueOf))
                    .flatMap(s -> s);
        }
    }

    /** Generates (without a database) and lists every non-null sensitive value of this scenario. */
    public static SensitiveValues sensitiveValues(ScenarioSize size, long randomSeed) {
        List<String> myNumbers = new ArrayList<>(size.employees());
        List<String> comments = new ArrayList<>();
        List<Integer> salaries = new ArrayList<>();
        new ScenarioGenerator(size, randomSeed).generate(new ScenarioRows.Sink() {
            @Override
            public void employee(Employee row) {
                if (row.myNumber() != null) {
                    myNumbers.add(row.myNumber());
                }
            }

            @Override
            public void surveyAnswer(SurveyAnswer row) {
                if (row.comment() != null) {
                    comments.add(row.comment());
                }
            }

            @Override
            public void contract(Contract row) {
                if (row.monthlySalary() != null) {
                    salaries.add(row.monthlySalary());
                }
            }
        });
        return new SensitiveValues(myNumbers, comments, salaries);
    }

    // ------------------------------------------------------------------ seeding

    /**
     * Empties the seven tables and fills them with the rows of this size and seed. The three
     * databases are loaded in parallel, each in one transaction.
     *
     * @return the rows written per table
     */
    public static ScenarioCounts seed(ScenarioDatabases dbs, ScenarioSize size, long randomSeed) throws SQLException {
        ExecutorService pool = Executors.newFixedThreadPool(3, runnable -> {
            Thread thread = new Thread(runnable, "scenario-seeder");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<ScenarioCounts>> loads = List.of(
                    pool.submit(() -> loadAdmin(dbs, size, randomSeed)),
                    pool.submit(() -> loadMotivation(dbs, size, randomSeed)),
                    pool.submit(() -> loadLabor(dbs, size, randomSeed)));
            ScenarioCounts total = new ScenarioCounts(0, 0, 0, 0, 0, 0, 0);
            for (Future<ScenarioCounts> load : loads) {
                total = total.plus(await(load, loads));
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    private static ScenarioCounts await(Future<ScenarioCounts> load, List<Future<ScenarioCounts>> all)
            throws SQLException {
        try {
            return load.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            all.forEach(f -> f.cancel(true));
            throw new SQLException("interrupted while seeding", e);
        } catch (ExecutionException e) {
            all.forEach(f -> f.cancel(true));
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("seeding failed", cause);
        }
    }

    static ScenarioCounts loadAdmin(ScenarioDatabases dbs, ScenarioSize size, long randomSeed) throws SQLException {
        try (Connection connection = dbs.openAdmin()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("TRUNCATE employees, departments, companies");
            }
            PgCopy copy = new PgCopy(connection.unwrap(PGConnection.class).getCopyAPI());
            ScenarioCounts.Counter counter = new ScenarioCounts.Counter() {
                @Override
                public void company(Company row) {
                    super.company(row);
                    copy.table("companies", "id, name")
                            .number(row.id()).text(row.name()).endRow();
                }

                @Override
                public void department(Department row) {
                    super.department(row);
                    copy.table("departments", "id, company_id, name")
                            .number(row.id()).number(row.companyId()).text(row.name()).endRow();
                }

                @Override
                public void employee(Employee row) {
                    super.employee(row);
                    copy.table("employees", "id, company_id, code, family_name, given_name, family_name_kana,"
                                    + " given_name_kana, email, department_id, status, hired_on, my_number, updated_at")
                            .number(row.id())
                            .number(row.companyId())
                            .text(row.code())
                            .text(row.familyName())
                            .text(row.givenName())
                            .text(row.familyNameKana())
                            .text(row.givenNameKana())
                            .text(row.email())
                            .number(row.departmentId())
                            .text(row.status())
                            .date(row.hiredOn())
                            .text(row.myNumber())
                            .timestamp(row.updatedAt())
                            .endRow();
                }
            };
            load(connection, copy, counter, size, randomSeed, "employees", "departments", "companies");
            return checked(counter.counts(), new ScenarioCounts(copy.copied("companies"), copy.copied("departments"),
                    copy.copied("employees"), 0, 0, 0, 0),
                    "admin.companies", "admin.departments", "admin.employees");
        }
    }

    static ScenarioCounts loadMotivation(ScenarioDatabases dbs, ScenarioSize size, long randomSeed)
            throws SQLException {
        try (Connection connection = dbs.openMotivation()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("TRUNCATE survey_answers, surveys");
            }
            PgCopy copy = new PgCopy(connection.unwrap(PGConnection.class).getCopyAPI());
            ScenarioCounts.Counter counter = new ScenarioCounts.Counter() {
                @Override
                public void survey(Survey row) {
                    super.survey(row);
                    copy.table("surveys", "id, company_id, title, conducted_on")
                            .number(row.id()).number(row.companyId()).text(row.title()).date(row.conductedOn())
                            .endRow();
                }

                @Override
                public void surveyAnswer(SurveyAnswer row) {
                    super.surveyAnswer(row);
                    copy.table("survey_answers", "id, survey_id, employee_id, score, condition, comment")
                            .number(row.id())
                            .number(row.surveyId())
                            .number(row.employeeId())
                            .decimal(row.score())
                            .text(row.condition())
                            .text(row.comment())
                            .endRow();
                }
            };
            load(connection, copy, counter, size, randomSeed, "survey_answers", "surveys");
            return checked(counter.counts(), new ScenarioCounts(0, 0, 0, copy.copied("surveys"),
                    copy.copied("survey_answers"), 0, 0),
                    "motivation.surveys", "motivation.survey_answers");
        }
    }

    private static void load(
            Connection connection, PgCopy copy, ScenarioCounts.Counter counter,
            ScenarioSize size, long randomSeed, String... tables) throws SQLException {
        try {
            new ScenarioGenerator(size, randomSeed).generate(counter);
            copy.finish();
            connection.commit();
        } catch (WrappedSqlException e) {
            copy.abort();
            connection.rollback();
            throw e.getCause();
        } catch (SQLException | RuntimeException e) {
            copy.abort();
            connection.rollback();
            throw e;
        }
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            statement.execute("ANALYZE " + String.join(", ", tables));
        }
    }

    /**
     * The counts the database reported, after checking them against the generated ones (only
     * the tables of that database: the generator produces the rows of all tables).
     */
    private static ScenarioCounts checked(ScenarioCounts generated, ScenarioCounts written, String... tables) {
        Map<String, Long> expected = generated.asMap();
        Map<String, Long> actual = written.asMap();
        for (String table : tables) {
            if (!actual.get(table).equals(expected.get(table))) {
                throw new IllegalStateException(
                        table + ": wrote " + actual.get(table) + " rows, generated " + expected.get(table));
            }
        }
        return written;
    }

    static ScenarioCounts loadLabor(ScenarioDatabases dbs, ScenarioSize size, long randomSeed) throws SQLException {
        try (Connection connection = dbs.openLabor()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("TRUNCATE TABLE qualifications");
                statement.execute("TRUNCATE TABLE contracts");
            }
            connection.setAutoCommit(false);
            MultiRowInsert contractRows = new MultiRowInsert(connection, "contracts",
                    List.of("id", "employee_id", "contract_type", "starts_on", "ends_on", "weekly_hours", "monthly_salary"),
                    new int[] {Types.BIGINT, Types.BIGINT, Types.VARCHAR, Types.DATE, Types.DATE, Types.DECIMAL,
                        Types.INTEGER});
            MultiRowInsert qualificationRows = new MultiRowInsert(connection, "qualifications",
                    List.of("id", "employee_id", "name", "acquired_on"),
                    new int[] {Types.BIGINT, Types.BIGINT, Types.VARCHAR, Types.DATE});
            ScenarioCounts.Counter counter = new ScenarioCounts.Counter() {
                @Override
                public void contract(Contract row) {
                    super.contract(row);
                    contractRows.add(row.id(), row.employeeId(), row.contractType(), row.startsOn(), row.endsOn(),
                            row.weeklyHours(), row.monthlySalary());
                }

                @Override
                public void qualification(Qualification row) {
                    super.qualification(row);
                    qualificationRows.add(row.id(), row.employeeId(), row.name(), row.acquiredOn());
                }
            };
            try {
                new ScenarioGenerator(size, randomSeed).generate(counter);
                contractRows.flush();
                qualificationRows.flush();
                connection.commit();
            } catch (WrappedSqlException e) {
                connection.rollback();
                throw e.getCause();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                contractRows.close();
                qualificationRows.close();
            }
            return checked(counter.counts(), new ScenarioCounts(
                    0, 0, 0, 0, 0, contractRows.written(), qualificationRows.written()),
                    "labor.contracts", "labor.qualifications");
        }
    }

    /** Carries an SQLException out of a {@link ScenarioRows.Sink} method. */
    static final class WrappedSqlException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WrappedSqlException(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }
}
