package io.mosaic.scenario;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scenario}: the reference scenario's databases (admin and motivation on PostgreSQL,
 * labor on MariaDB/MySQL). Run by {@link ScenarioMain}, the {@code mosaic-scenario} launcher.
 */
@Command(
        name = "scenario",
        description = "Reference scenario databases: admin, motivation (PostgreSQL) and labor (MariaDB/MySQL).",
        mixinStandardHelpOptions = true,
        subcommands = ScenarioCommand.Setup.class)
public class ScenarioCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Without a subcommand: prints the usage. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code scenario setup}: creates the databases and tables, and seeds them. */
    @Command(
            name = "setup",
            description = {
                "Creates the databases if missing, drops and recreates the tables, and fills them"
                        + " with deterministic data (the same options give the same rows).",
                "Prints the rows per table and the time taken."},
            mixinStandardHelpOptions = true,
            sortOptions = false)
    public static class Setup implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--employees", paramLabel = "N", defaultValue = "1000",
                description = "Employees (default: ${DEFAULT-VALUE}); 100000 give about 735,000 rows.")
        int employees;

        @Option(names = "--companies", paramLabel = "N",
                description = "Companies (default: one per 100 employees, at least 1).")
        Integer companies;

        @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
                description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--pg-url", paramLabel = "JDBC_URL", defaultValue = ScenarioDatabases.LOCAL_PG_URL,
                description = "PostgreSQL server; its database part is replaced by admin / motivation"
                        + " (default: ${DEFAULT-VALUE}).")
        String pgUrl;

        @Option(names = "--pg-user", paramLabel = "USER", defaultValue = ScenarioDatabases.LOCAL_PG_USER,
                description = "PostgreSQL user (default: ${DEFAULT-VALUE}).")
        String pgUser;

        @Option(names = "--pg-password", paramLabel = "PASSWORD", defaultValue = ScenarioDatabases.LOCAL_PG_PASSWORD,
                description = "PostgreSQL password (default: the local services' one).")
        String pgPassword;

        @Option(names = "--mysql-url", paramLabel = "JDBC_URL", defaultValue = ScenarioDatabases.LOCAL_MYSQL_URL,
                description = "MariaDB/MySQL server (jdbc:mariadb://...); its database part is replaced by labor"
                        + " (default: ${DEFAULT-VALUE}).")
        String mysqlUrl;

        @Option(names = "--mysql-user", paramLabel = "USER", defaultValue = ScenarioDatabases.LOCAL_MYSQL_USER,
                description = "MariaDB/MySQL user (default: ${DEFAULT-VALUE}).")
        String mysqlUser;

        @Option(names = "--mysql-password", paramLabel = "PASSWORD",
                defaultValue = ScenarioDatabases.LOCAL_MYSQL_PASSWORD,
                description = "MariaDB/MySQL password (default: the local services' one).")
        String mysqlPassword;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            if (employees < 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--employees must not be negative");
            }
            if (companies != null && companies < 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--companies must be at least 1");
            }
            ScenarioSize size = new ScenarioSize(
                    companies != null ? companies : ScenarioSize.defaultCompanies(employees), employees);
            ScenarioDatabases dbs = ScenarioDatabases.forServers(
                    pgUrl, pgUser, pgPassword, mysqlUrl, mysqlUser, mysqlPassword);

            out.printf(Locale.ROOT, "scenario: %d companies, %d employees, seed %d%n",
                    size.companies(), size.employees(), seed);
            out.printf(Locale.ROOT, "  %s%n  %s%n  %s%n", dbs.adminUrl(), dbs.motivationUrl(), dbs.laborUrl());
            out.flush();

            long start = System.nanoTime();
            ScenarioSchema.create(dbs);
            long schemaDone = System.nanoTime();
            ScenarioCounts counts = ScenarioSeeder.seed(dbs, size, seed);
            long seedDone = System.nanoTime();

            for (Map.Entry<String, Long> table : counts.asMap().entrySet()) {
                out.printf(Locale.ROOT, "%-28s %,12d%n", table.getKey(), table.getValue());
            }
            out.printf(Locale.ROOT, "%-28s %,12d%n", "total", counts.total());
            out.printf(Locale.ROOT, "elapsed %.1f s (schema %.1f s, seed %.1f s)%n",
                    seconds(seedDone - start), seconds(schemaDone - start), seconds(seedDone - schemaDone));
            out.flush();
            return 0;
        }

        private static double seconds(long nanos) {
            return nanos / 1e9;
        }
    }
}
