package io.mosaic.scenario;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** Buffers rows and writes them with INSERT ... VALUES (...), (...) of up to {@value ScenarioSeeder#ROWS_PER_INSERT} rows. */
final class MultiRowInsert implements AutoCloseable {
    private final Connection connection;
    private final String table;
    private final List<String> columns;
    private final int[] sqlTypes;
    private final Object[] values;
    private int rows;
    private long written;
    private PreparedStatement fullStatement;

    MultiRowInsert(Connection connection, String table, List<String> columns, int[] sqlTypes) {
        this.connection = connection;
        this.table = table;
        this.columns = List.copyOf(columns);
        this.sqlTypes = sqlTypes.clone();
        this.values = new Object[ScenarioSeeder.ROWS_PER_INSERT * columns.size()];
    }

    void add(Object... row) {
        System.arraycopy(row, 0, values, rows * columns.size(), columns.size());
        rows++;
        if (rows == ScenarioSeeder.ROWS_PER_INSERT) {
            try {
                if (fullStatement == null) {
                    fullStatement = connection.prepareStatement(sql(ScenarioSeeder.ROWS_PER_INSERT));
                }
                execute(fullStatement);
            } catch (SQLException e) {
                throw new ScenarioSeeder.WrappedSqlException(e);
            }
        }
    }

    void flush() throws SQLException {
        if (rows > 0) {
            try (PreparedStatement statement = connection.prepareStatement(sql(rows))) {
                execute(statement);
            }
        }
    }

    private void execute(PreparedStatement statement) throws SQLException {
        int n = rows * columns.size();
        for (int i = 0; i < n; i++) {
            Object value = values[i];
            if (value == null) {
                statement.setNull(i + 1, sqlTypes[i % sqlTypes.length]);
            } else {
                statement.setObject(i + 1, value);
            }
        }
        written += statement.executeUpdate();
        Arrays.fill(values, 0, n, null);
        rows = 0;
    }

    /** Rows the server reported as inserted. */
    long written() {
        return written;
    }

    String sql(int rowCount) {
        String row = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table)
                .append(" (").append(String.join(", ", columns)).append(") VALUES ");
        for (int i = 0; i < rowCount; i++) {
            if (i > 0) {
                sql.append(", ");
            }
            sql.append(row);
        }
        return sql.toString();
    }

    @Override
    public void close() throws SQLException {
        if (fullStatement != null) {
            fullStatement.close();
        }
    }
}
