package io.cairn.auth.jdbc;

import static io.cairn.api.auth.testing.AuthFixtures.connect;
import static io.cairn.api.auth.testing.AuthFixtures.identity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.ClientIdentity;
import io.cairn.api.auth.Permission;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.auth.jdbc.internal.ConnectionPool;
import io.cairn.auth.jdbc.testsupport.Db;
import io.cairn.auth.jdbc.testsupport.MosquittoPasswd;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JdbcAuth} against a real PostgreSQL server, named by the environment variable {@code CAIRN_TEST_PG_URL}
 * ({@code bash .ci/postgres.sh start} starts one and writes it into {@code .ci/postgres.env}). Without it the tests
 * are skipped, or fail when {@code CI} is set. Each test starts from dropped tables.
 */
class JdbcAuthPostgresTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private String url;
    private Db db;
    private JdbcAuth auth;

    @BeforeEach
    void database() throws Exception {
        url = System.getenv("CAIRN_TEST_PG_URL");
        if (url == null || url.isBlank()) {
            String message = "CAIRN_TEST_PG_URL not set: start a server with 'bash .ci/postgres.sh start' and "
                    + "export the variables of .ci/postgres.env";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        db = new Db(new org.postgresql.Driver(), url);
        db.update("DROP TABLE IF EXISTS cairn_acls").update("DROP TABLE IF EXISTS cairn_users");
    }

    @AfterEach
    void close() {
        if (auth != null) {
            auth.close();
        }
    }

    private JdbcAuth start(JdbcAuthSettings.Builder settings) throws Exception {
        auth = JdbcAuth.start(settings.build());
        // the first query creates the tables
        assertThat(answer(auth.authenticate(connect("nobody", "x")))).isEqualTo(Authentication.defer());
        return auth;
    }

    private static Authentication answer(Authentication authentication) throws Exception {
        if (authentication.kind() != Authentication.Kind.LATER) {
            return authentication;
        }
        return authentication.answer().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("initSchema runs schema-postgresql.sql; bcrypt and mosquitto_passwd's $7$ log in, wrong "
            + "passwords are rejected, unknown users deferred")
    void authenticates() throws Exception {
        String pbkdf2 = MosquittoPasswd.hash(dir, "sha512-pbkdf2", "seven");
        start(JdbcAuthSettings.builder("pg").url(url).initSchema(true));
        db.user("alice", BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "wonder".toCharArray()), false)
                .user("mosq", pbkdf2, true);

        assertThat(answer(auth.authenticate(connect("alice", "wonder"))).attributes())
                .isEqualTo(Map.of("username", "alice"));
        assertThat(answer(auth.authenticate(connect("mosq", "seven"))).attributes())
                .isEqualTo(Map.of("username", "mosq", "superuser", "true"));
        assertThat(answer(auth.authenticate(connect("alice", "wander"))).reasonCode())
                .isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(answer(auth.authenticate(connect("bob", "x")))).isEqualTo(Authentication.defer());
    }

    @Test
    @DisplayName("ACL rows from PostgreSQL, patterns for every user included, refreshed after the TTL")
    void authorizes() throws Exception {
        start(JdbcAuthSettings.builder("pg").url(url).initSchema(true).cacheTtl(Duration.ofMillis(300)));
        db.user("alice", BCrypt.withDefaults().hashToString(4, "pw".toCharArray()), false)
                .acl("alice", "sensors/#", "readwrite").acl("alice", "sensors/private", "deny")
                .acl(null, "clients/%c/#", "write");
        answer(auth.authenticate(connect("alice", "pw")));
        AtomicInteger changes = new AtomicInteger();
        auth.addPolicyListener(changes::incrementAndGet);
        ClientIdentity alice = identity("c9", "alice");

        assertThat(auth.publish(alice, "sensors/a", QoS.AT_LEAST_ONCE, false)).isEqualTo(Permission.ALLOW);
        assertThat(auth.publish(alice, "sensors/private", QoS.AT_LEAST_ONCE, false)).isEqualTo(Permission.DENY);
        assertThat(auth.publish(alice, "clients/c9/x", QoS.AT_LEAST_ONCE, false)).isEqualTo(Permission.ALLOW);
        assertThat(auth.subscribe(alice, "sensors/+", QoS.AT_MOST_ONCE)).isEqualTo(Permission.ALLOW);
        assertThat(auth.receive(alice, "sensors/private")).isEqualTo(Permission.DENY);

        db.update("DELETE FROM cairn_acls WHERE topic_filter = 'sensors/private'");
        await().atMost(WAIT).until(() -> auth.receive(alice, "sensors/private") == Permission.ALLOW);
        await().atMost(WAIT).untilAsserted(() -> assertThat(changes.get()).isEqualTo(1));
    }

    @Test
    @DisplayName("the PostgreSQL driver needs neither the context class loader nor DriverManager")
    void needsNeitherTcclNorDriverManager() throws Exception {
        ConnectionPool.deregisterOwnDrivers();
        assertThat(Collections.list(java.sql.DriverManager.getDrivers()))
                .noneMatch(d -> d.getClass().getName().equals("org.postgresql.Driver"));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader foreign = new URLClassLoader(new URL[0], null)) {
            thread.setContextClassLoader(foreign);
            start(JdbcAuthSettings.builder("pg").url(url).initSchema(true));
        } finally {
            thread.setContextClassLoader(previous);
        }
        db.user("erin", BCrypt.withDefaults().hashToString(4, "pw".toCharArray()), false);
        assertThat(answer(auth.authenticate(connect("erin", "pw"))).kind()).isEqualTo(Authentication.Kind.ACCEPT);
    }
}
