package io.mosaic.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioDatabasesTest {

    @Test
    void localDefaultsPointAtTheLocalServices() {
        ScenarioDatabases dbs = ScenarioDatabases.localDefaults(Map.<String, String>of()::get);
        assertThat(dbs.adminUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:15432/admin");
        assertThat(dbs.motivationUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:15432/motivation");
        assertThat(dbs.laborUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:13306/labor");
        assertThat(dbs.pgServerUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:15432/postgres");
        assertThat(dbs.mysqlServerUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:13306/");
        assertThat(dbs.pgUser()).isEqualTo("postgres");
        assertThat(dbs.pgPassword()).isEqualTo("postgres");
        assertThat(dbs.mysqlUser()).isEqualTo("mosaic");
        assertThat(dbs.mysqlPassword()).isEqualTo("mosaic");
        assertThat(dbs.pgHost()).isEqualTo("127.0.0.1");
        assertThat(dbs.pgPort()).isEqualTo(15432);
        assertThat(dbs.mysqlHost()).isEqualTo("127.0.0.1");
        assertThat(dbs.mysqlPort()).isEqualTo(13306);
    }

    @Test
    void localDefaultsTakeThePortsOfTheLocalServicesFromTheEnvironment() {
        ScenarioDatabases dbs = ScenarioDatabases.localDefaults(
                Map.of("MOSAIC_PG_PORT", "25432", "MOSAIC_MARIADB_PORT", "23306")::get);
        assertThat(dbs.adminUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:25432/admin");
        assertThat(dbs.motivationUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:25432/motivation");
        assertThat(dbs.laborUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:23306/labor");
        assertThat(dbs.pgPort()).isEqualTo(25432);
        assertThat(dbs.mysqlPort()).isEqualTo(23306);
        assertThat(ScenarioDatabases.localDefaults(Map.of("MOSAIC_PG_PORT", "", "MOSAIC_MARIADB_PORT", " ")::get).pgPort())
                .isEqualTo(15432);
        assertThatThrownBy(() -> ScenarioDatabases.localDefaults(Map.of("MOSAIC_PG_PORT", "x")::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MOSAIC_PG_PORT");
    }

    @Test
    void serverUrlsGetTheDatabaseNamesAndKeepTheirParameters() {
        ScenarioDatabases dbs = ScenarioDatabases.forServers(
                "jdbc:postgresql://db.example:5433/postgres?sslmode=disable", "u", "p",
                "jdbc:mariadb://[::1]/?useBulkStmts=true", "m", "q");
        assertThat(dbs.adminUrl()).isEqualTo("jdbc:postgresql://db.example:5433/admin?sslmode=disable");
        assertThat(dbs.motivationUrl()).isEqualTo("jdbc:postgresql://db.example:5433/motivation?sslmode=disable");
        assertThat(dbs.laborUrl()).isEqualTo("jdbc:mariadb://[::1]/labor?useBulkStmts=true");
        assertThat(dbs.pgHost()).isEqualTo("db.example");
        assertThat(dbs.pgPort()).isEqualTo(5433);
        assertThat(dbs.mysqlHost()).isEqualTo("::1");
        assertThat(dbs.mysqlPort()).isEqualTo(3306);
        assertThat(ScenarioDatabases.withDatabase("jdbc:postgresql://h:1", "admin")).isEqualTo("jdbc:postgresql://h:1/admin");
        assertThat(ScenarioDatabases.withDatabase("jdbc:mariadb://h:2?a=b", "labor")).isEqualTo("jdbc:mariadb://h:2/labor?a=b");
    }

    @Test
    void toStringHidesPasswords() {
        ScenarioDatabases dbs = ScenarioDatabases.forServers(
                "jdbc:postgresql://h/", "u", "pg-secret", "jdbc:mariadb://h/", "m", "my-secret");
        assertThat(dbs.toString()).doesNotContain("pg-secret").doesNotContain("my-secret").contains("adminUrl=");
    }
}
