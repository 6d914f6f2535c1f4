package io.mosaic.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MosaicConfigTest {

    @TempDir
    Path dir;

    Path write(String yaml) throws IOException {
        Files.writeString(dir.resolve("m.yaml"), "document: x\nroot: {source: admin, table: public.t, key: id, fields: {id: id}}\n");
        Path file = dir.resolve("mosaic.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    static final String VALID = """
            elasticsearch:
              urls: http://127.0.0.1:19200, http://127.0.0.2:19200
            sources:
              admin:
                type: postgres
                host: ${DB_HOST}
                database: admin
                user: postgres
                password: ${DB_PASSWORD}
              labor:
                type: mariadb
                host: 127.0.0.1
                port: 13306
                user: debezium
                password: ${LABOR_PASSWORD:-debezium}
            mappings: [m.yaml]
            writer:
              linger: 50ms
            """;

    @Test
    void readsAValidFileWithEnvironmentSubstitutionAndDefaults() throws IOException {
        MosaicConfig c = MosaicConfig.load(write(VALID), Map.of("DB_HOST", "db.internal", "DB_PASSWORD", "s3cret")::get);
        assertThat(c.elasticsearch().urls()).hasSize(2);
        SourceConfig admin = c.sources().get("admin");
        assertThat(admin.host()).isEqualTo("db.internal");
        assertThat(admin.port()).isEqualTo(5432);
        assertThat(admin.password()).isEqualTo("s3cret");
        assertThat(admin.slot()).isEqualTo("mosaic_admin");
        assertThat(c.sources().get("labor").password()).isEqualTo("debezium");
        assertThat(c.sources().get("labor").type()).isEqualTo(SourceType.MARIADB);
        assertThat(c.writer().linger()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.writer().batchSize()).isEqualTo(1024);
        assertThat(c.sources().keySet()).containsExactly("admin", "labor");
        assertThat(admin.toString()).doesNotContain("s3cret");
    }

    @Test
    void reportsEveryProblemAtOnceWithFileLineAndKey() throws IOException {
        Path file = write("""
                elasticsearch:
                  urls: localhost:9200
                sources:
                  admin:
                    type: oracle
                    host: 127.0.0.1
                    port: 99999
                    database: admin
                    usr: postgres
                mappings: [m.yaml]
                writter: {}
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> MosaicConfig.load(file, k -> null));
        assertThat(e.problems()).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
                        .contains("mosaic.yaml:2").contains("elasticsearch.urls").contains("http"))
                .anySatisfy(p -> assertThat(p).contains("mosaic.yaml:5").contains("sources.admin.type").contains("postgres, mysql, mariadb"))
                .anySatisfy(p -> assertThat(p).contains("sources.admin.port").contains("1 to 65535"))
                .anySatisfy(p -> assertThat(p).contains("unknown key 'sources.admin.usr'").contains("did you mean 'user'"))
                .anySatisfy(p -> assertThat(p).contains("missing required key 'sources.admin.user'"))
                .anySatisfy(p -> assertThat(p).contains("unknown section 'writter'").contains("did you mean 'writer'"));
    }

    @Test
    void restartSettingsHaveDefaultsAndAreValidatedWithTheRest() throws IOException {
        Map<String, String> env = Map.of("DB_HOST", "h", "DB_PASSWORD", "p");
        RestartConfig defaults = MosaicConfig.load(write(VALID), env::get).restart();
        assertThat(defaults).isEqualTo(new RestartConfig(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(30)));
        assertThat(defaults.givesUp()).isTrue();

        RestartConfig set = MosaicConfig.load(write(VALID + "restart:\n  initial_backoff: 200ms\n  max_backoff: 5s\n  give_up_after: 0s\n"),
                env::get).restart();
        assertThat(set.maxBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.givesUp()).isFalse();

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> MosaicConfig.load(write(VALID
                + "restart:\n  initial_backoff: 10s\n  max_backoff: 1s\n  give_up_afer: 5m\n  give_up_after: soon\n"), env::get));
        assertThat(e.problems()).hasSize(3);
        assertThat(e.getMessage()).contains("restart.max_backoff").contains("must not be shorter than restart.initial_backoff")
                .contains("unknown key 'restart.give_up_afer'").contains("did you mean 'give_up_after'")
                .contains("'restart.give_up_after' must be a duration");
    }

    @Test
    void unsetEnvironmentVariableIsNamedAndSecretsAreNotShown() throws IOException {
        Path file = write(VALID.replace("port: 13306", "port: ${LABOR_PORT}"));
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> MosaicConfig.load(file, Map.of("DB_HOST", "h", "DB_PASSWORD", "topsecret", "LABOR_PORT", "abc")::get));
        assertThat(e.getMessage()).contains("sources.labor.port").contains("'abc'").doesNotContain("topsecret");
        ConfigException missing = catchThrowableOfType(ConfigException.class, () -> MosaicConfig.load(file, k -> null));
        assertThat(missing.getMessage()).contains("DB_HOST").contains("DB_PASSWORD").contains("not set");
    }

    @Test
    void secretsComeFromMountedFilesWithoutTheirLineBreak() throws IOException {
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/labor-password"), "from-a-secret\n");
        Path file = write(VALID.replace("password: ${LABOR_PASSWORD:-debezium}", "password: ${file:secrets/labor-password}"));
        MosaicConfig c = MosaicConfig.load(file, Map.of("DB_HOST", "h", "DB_PASSWORD", "p")::get);
        assertThat(c.sources().get("labor").password()).isEqualTo("from-a-secret");

        Files.delete(dir.resolve("secrets/labor-password"));
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> MosaicConfig.load(file, Map.of("DB_HOST", "h", "DB_PASSWORD", "p")::get));
        assertThat(e.getMessage()).contains("mosaic.yaml:").contains("sources.labor.password")
                .contains("secrets/labor-password").contains("mount the secret there");
    }

    @Test
    void leasesAreOffByDefaultAndRenewEveryThirdOfTheirTtl() throws IOException {
        Map<String, String> env = Map.of("DB_HOST", "h", "DB_PASSWORD", "p");
        MosaicConfig c = MosaicConfig.load(write(VALID), env::get);
        assertThat(c.lease().enabled()).isFalse();
        assertThat(c.lease().ttl()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.lease().renewInterval()).isEqualTo(Duration.ofSeconds(5));
        MosaicConfig on = MosaicConfig.load(write(VALID + "\nlease: { enabled: true, ttl: 6s }\n"), env::get);
        assertThat(on.lease().enabled()).isTrue();
        assertThat(on.lease().renewInterval()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void leaseProblemsAreReportedTogether() throws IOException {
        Path file = write(VALID + "\nstate: { store: file }\nlease: { enabled: true, ttl: 10s, renew_interval: 6s, tll: 3s }\n");
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> MosaicConfig.load(file, Map.of("DB_HOST", "h", "DB_PASSWORD", "p")::get));
        assertThat(e.getMessage()).contains("lease.renew_interval").contains("at most a third of lease.ttl")
                .contains("lease.enabled").contains("state.store: elasticsearch")
                .contains("tll").contains("ttl");
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() throws IOException {
        Path file = write("elasticsearch:\n  urls: [http://x\nsources: {}\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> MosaicConfig.load(file, k -> null));
        assertThat(e.getMessage()).contains("mosaic.yaml:").contains("YAML syntax error");
    }

    @Test
    void missingFileIsAClearError() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> MosaicConfig.load(dir.resolve("nope.yaml"), k -> null));
        assertThat(e.getMessage()).contains("nope.yaml").contains("no such config file");
    }
}
