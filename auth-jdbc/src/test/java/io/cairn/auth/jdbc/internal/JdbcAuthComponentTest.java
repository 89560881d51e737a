package io.cairn.auth.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.cairn.api.auth.Authentication;
import io.cairn.auth.jdbc.JdbcAuth;
import io.cairn.api.auth.testing.AuthFixtures;
import io.cairn.auth.jdbc.testsupport.Db;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading and checking the configuration, and what the component does with a good and a bad one. */
class JdbcAuthComponentTest {

    private final JdbcAuthComponent component = new JdbcAuthComponent(null, null);

    @AfterEach
    void stop() {
        component.stop();
    }

    private static Map<String, Object> file(String name, Object... keyValues) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("felix.fileinstall.filename", "file:/opt/cairn/etc/io.cairn.auth.jdbc-" + name + ".cfg");
        properties.put("service.pid", "io.cairn.auth.jdbc~" + name);
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put((String) keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @Test
    @DisplayName("defaults: the file's name, an H2 file under cairn.home/data/auth that gets its tables, 60 s TTL")
    void defaults() {
        ConfigReader.Config config = ConfigReader.read(file("users"));
        assertThat(config.settings().name()).isEqualTo("users");
        assertThat(config.settings().url()).startsWith("jdbc:h2:file:").endsWith("/data/auth/auth");
        assertThat(config.settings().initSchema()).isTrue();
        assertThat(config.settings().cacheTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.settings().connectTimeout()).isEqualTo(Duration.ofMillis(3000));
        assertThat(config.settings().poolSize()).isEqualTo(4);
        assertThat(config.ranking()).isZero();
        assertThat(config.dataSourceTarget()).isNull();
        assertThat(ConfigReader.source(file("users"))).isEqualTo("/opt/cairn/etc/io.cairn.auth.jdbc-users.cfg");
    }

    @Test
    @DisplayName("the reference's default target, which Declarative Services adds to the properties, means no "
            + "DataSource service: the instance builds its own pool (found by running the plugin in Felix)")
    void defaultTargetFromDeclarativeServices() {
        ConfigReader.Config config = ConfigReader.read(file("users", "dataSource.target",
                JdbcAuthComponent.NO_DATA_SOURCE));
        assertThat(config.dataSourceTarget()).isNull();
    }

    @Test
    @DisplayName("every key is read; a PostgreSQL URL does not create tables unless told to")
    void readsEveryKey() {
        ConfigReader.Config config = ConfigReader.read(file("x", "name", "db", "service.ranking", "10",
                "url", "jdbc:postgresql://127.0.0.1/auth", "user", "u", "password", "p", "poolSize", 2,
                "userQuery", "SELECT h FROM t WHERE n = ?", "aclQuery", "SELECT f, a FROM acl WHERE n = ?",
                "cacheTtlSeconds", "5", "queryTimeoutSeconds", "2", "connectTimeoutMillis", "700",
                "dataSource.target", "(dataSourceName=auth)"));
        assertThat(config.settings().name()).isEqualTo("db");
        assertThat(config.ranking()).isEqualTo(10);
        assertThat(config.settings().initSchema()).isFalse();
        assertThat(config.settings().poolSize()).isEqualTo(2);
        assertThat(config.settings().cacheTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.settings().connectTimeout()).isEqualTo(Duration.ofMillis(700));
        assertThat(config.dataSourceTarget()).isEqualTo("(dataSourceName=auth)");
        assertThat(config.settings().toString()).doesNotContain("p,").contains("password=***");
        assertThat(ConfigReader.unknownKeys(file("x", "poolsize", 3, "url", "jdbc:h2:mem:x")))
                .containsExactly("poolsize");
    }

    @ParameterizedTest(name = "{0} = {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "poolSize|four|key poolSize = 'four' is not a whole number",
            "poolSize|0|key poolSize = '0' is outside 1..1000",
            "cacheTtlSeconds|0|key cacheTtlSeconds = '0' must be at least 1",
            "connectTimeoutMillis|-5|key connectTimeoutMillis = '-5' must be at least 1",
            "url|jdbc:mysql://h/db?password=secret|key url = 'jdbc:mysql://h/db' is neither",
            "userQuery|SELECT 1|key userQuery = 'SELECT 1' has no ? for the user name",
            "initSchema|yes|key initSchema = 'yes' is neither true nor false",
            "dataSource.target|name=x|key dataSource.target = 'name=x' is not an LDAP filter",
    })
    void rejectsBadValues(String key, String value, String message) {
        assertThatThrownBy(() -> ConfigReader.read(file("x", key, value)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message)
                .hasMessageNotContaining("secret");
    }

    @Test
    @DisplayName("a bad configuration leaves the running instance as it was; a good change replaces it")
    void keepsTheRunningInstanceOnABadChange() {
        String url = "jdbc:h2:mem:component-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        component.apply(file("c", "url", url));
        JdbcAuth first = component.running();
        assertThat(first).isNotNull();

        component.apply(file("c", "url", url, "poolSize", "many"));
        assertThat(component.running()).isSameAs(first);

        component.apply(file("c", "url", url));
        assertThat(component.running()).isSameAs(first);

        component.apply(file("c", "url", url, "cacheTtlSeconds", "5"));
        assertThat(component.running()).isNotSameAs(first).isNotNull();
        assertThat(component.running().settings().cacheTtl()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("with dataSource.target and a DataSource service bound, the instance authenticates from that "
            + "database, without a pool of its own")
    void usesTheBoundDataSource() throws Exception {
        JdbcDataSource shared = new JdbcDataSource();
        shared.setURL("jdbc:h2:mem:shared-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcAuthComponent bound = new JdbcAuthComponent(null, shared);
        try {
            bound.apply(file("shared", "dataSource.target", "(dataSourceName=auth)", "initSchema", "true"));
            JdbcAuth auth = bound.running();
            assertThat(auth).isNotNull();
            Authentication first = auth.authenticate(AuthFixtures.connect("nobody", "x"));
            first.answer().toCompletableFuture().get(10, TimeUnit.SECONDS); // the tables are made
            new Db(shared).user("svc", BCrypt.withDefaults().hashToString(4, "pw".toCharArray()), false);
            Authentication answer = auth.authenticate(AuthFixtures.connect("svc", "pw"));
            assertThat(answer.answer().toCompletableFuture().get(10, TimeUnit.SECONDS).kind())
                    .isEqualTo(Authentication.Kind.ACCEPT);
        } finally {
            bound.stop();
        }
    }

    @Test
    @DisplayName("with dataSource.target but no DataSource service bound, nothing runs yet")
    void waitsForTheDataSource() {
        component.apply(file("c", "dataSource.target", "(dataSourceName=auth)"));
        assertThat(component.running()).isNull();
    }
}
