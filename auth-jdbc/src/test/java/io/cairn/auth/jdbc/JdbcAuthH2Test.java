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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JdbcAuth} against an embedded H2 database it creates the tables in. */
class JdbcAuthH2Test {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private String url;
    private JdbcDataSource direct;
    private Db db;
    private JdbcAuth auth;

    @BeforeEach
    void database() {
        url = "jdbc:h2:mem:auth-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        direct = new JdbcDataSource();
        direct.setURL(url);
        db = new Db(direct);
    }

    @AfterEach
    void close() {
        if (auth != null) {
            auth.close();
        }
    }

    private JdbcAuth start(JdbcAuthSettings.Builder settings) {
        auth = JdbcAuth.start(settings.build());
        return auth;
    }

    private JdbcAuth start() {
        return start(JdbcAuthSettings.builder("test").url(url));
    }

    /** Creates the tables through the authenticator, as a first CONNECT would. */
    private JdbcAuth startWithTables() throws Exception {
        start();
        assertThat(answer(auth.authenticate(connect("nobody", "x")))).isEqualTo(Authentication.defer());
        return auth;
    }

    private static Authentication answer(Authentication authentication) throws Exception {
        if (authentication.kind() != Authentication.Kind.LATER) {
            return authentication;
        }
        return authentication.answer().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String bcrypt(String password) {
        return BCrypt.withDefaults().hashToString(4, password.toCharArray());
    }

    @Test
    @DisplayName("the first query creates cairn_users and cairn_acls in an empty H2 database")
    void createsTheSchema() throws Exception {
        startWithTables();
        try (Connection c = direct.getConnection();
             ResultSet tables = c.getMetaData().getTables(null, null, "CAIRN_%", null)) {
            int count = 0;
            while (tables.next()) {
                count++;
            }
            assertThat(count).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("an H2 URL creates tables by default, any other URL does not")
    void initSchemaDefaults() {
        assertThat(JdbcAuthSettings.builder("a").url(url).build().initSchema()).isTrue();
        assertThat(JdbcAuthSettings.builder("a").build().initSchema()).isTrue();
        assertThat(JdbcAuthSettings.builder("a").url("jdbc:postgresql://h/db").build().initSchema()).isFalse();
    }

    @Test
    @DisplayName("the right password is accepted, through the query threads, with the user's attributes")
    void acceptsTheRightPassword() throws Exception {
        startWithTables();
        db.user("alice", bcrypt("wonder"), false).user("root", bcrypt("toor"), true);

        Authentication pending = auth.authenticate(connect("alice", "wonder"));
        assertThat(pending.kind()).isEqualTo(Authentication.Kind.LATER);
        assertThat(pending.timeout()).isEqualTo(Duration.ofMillis(3000));
        assertThat(pending.fallback().reasonCode()).isEqualTo(ReasonCode.SERVER_UNAVAILABLE);
        assertThat(answer(pending).kind()).isEqualTo(Authentication.Kind.ACCEPT);
        assertThat(answer(pending).attributes()).isEqualTo(Map.of("username", "alice"));
        assertThat(answer(auth.authenticate(connect("root", "toor"))).attributes())
                .isEqualTo(Map.of("username", "root", "superuser", "true"));
    }

    @Test
    @DisplayName("a wrong or missing password is rejected as bad user name or password")
    void rejectsAWrongPassword() throws Exception {
        startWithTables();
        db.user("alice", bcrypt("wonder"), false);

        for (String password : new String[] {"wander", "", null}) {
            Authentication result = answer(auth.authenticate(connect("alice", password)));
            assertThat(result.kind()).isEqualTo(Authentication.Kind.REJECT);
            assertThat(result.reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        }
    }

    @Test
    @DisplayName("an unknown user and a CONNECT without user name are deferred to the rest of the chain")
    void defersUnknownUsers() throws Exception {
        startWithTables();
        assertThat(answer(auth.authenticate(connect("mallory", "x")))).isEqualTo(Authentication.defer());
        assertThat(auth.authenticate(connect(null, null))).isEqualTo(Authentication.defer());
    }

    @Test
    @DisplayName("a $7$ hash written by mosquitto_passwd logs the user in")
    void acceptsMosquittoHashes() throws Exception {
        String hash = MosquittoPasswd.hash(dir, "sha512-pbkdf2", "from-mosquitto");
        startWithTables();
        db.user("m", hash, false);
        assertThat(answer(auth.authenticate(connect("m", "from-mosquitto"))).kind())
                .isEqualTo(Authentication.Kind.ACCEPT);
        assertThat(answer(auth.authenticate(connect("m", "from-mosquittO"))).kind())
                .isEqualTo(Authentication.Kind.REJECT);
    }

    @Test
    @DisplayName("ACL rows loaded at login: publish, subscribe and receive as in Mosquitto")
    void authorizesFromTheRowsLoadedAtLogin() throws Exception {
        startWithTables();
        db.user("alice", bcrypt("pw"), false)
                .acl("alice", "sensors/#", "readwrite")
                .acl("alice", "sensors/secret/#", "deny")
                .acl("alice", "commands/+", "write")
                .acl("alice", "news", "read")
                .acl(null, "users/%u/#", "readwrite");
        assertThat(answer(auth.authenticate(connect("alice", "pw"))).kind()).isEqualTo(Authentication.Kind.ACCEPT);
        ClientIdentity alice = identity("c1", "alice");

        assertThat(auth.publish(alice, "sensors/t1", QoS.AT_LEAST_ONCE, false)).isEqualTo(Permission.ALLOW);
        assertThat(auth.publish(alice, "sensors/secret/key", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.DENY);
        assertThat(auth.publish(alice, "commands/door", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.ALLOW);
        assertThat(auth.publish(alice, "news", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.DEFER);
        assertThat(auth.publish(alice, "users/alice/inbox", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.ALLOW);
        assertThat(auth.publish(alice, "users/bob/inbox", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.DEFER);

        assertThat(auth.subscribe(alice, "sensors/#", QoS.AT_MOST_ONCE)).isEqualTo(Permission.ALLOW);
        assertThat(auth.subscribe(alice, "sensors/secret/+", QoS.AT_MOST_ONCE)).isEqualTo(Permission.DENY);
        assertThat(auth.subscribe(alice, "#", QoS.AT_MOST_ONCE)).isEqualTo(Permission.ALLOW);
        assertThat(auth.subscribe(alice, "$share/g/news", QoS.AT_MOST_ONCE)).isEqualTo(Permission.ALLOW);
        assertThat(auth.subscribe(alice, "commands/+", QoS.AT_MOST_ONCE)).isEqualTo(Permission.DEFER);

        assertThat(auth.receive(alice, "sensors/t1")).isEqualTo(Permission.ALLOW);
        assertThat(auth.receive(alice, "sensors/secret/key")).isEqualTo(Permission.DENY);
        assertThat(auth.receive(alice, "commands/door")).isEqualTo(Permission.DENY);
        assertThat(auth.receive(alice, "news")).isEqualTo(Permission.ALLOW);
    }

    @Test
    @DisplayName("a superuser may do anything; a user with no rows gets no opinion; no user name: no opinion")
    void superusersAndUsersWithoutRows() throws Exception {
        startWithTables();
        db.user("root", bcrypt("pw"), true).acl("root", "#", "deny").user("plain", bcrypt("pw"), false);
        answer(auth.authenticate(connect("root", "pw")));
        answer(auth.authenticate(connect("plain", "pw")));

        ClientIdentity root = identity("r", "root");
        assertThat(auth.publish(root, "a/b", QoS.AT_MOST_ONCE, true)).isEqualTo(Permission.ALLOW);
        assertThat(auth.subscribe(root, "#", QoS.AT_MOST_ONCE)).isEqualTo(Permission.ALLOW);
        assertThat(auth.receive(root, "a/b")).isEqualTo(Permission.ALLOW);

        ClientIdentity plain = identity("p", "plain");
        assertThat(auth.publish(plain, "a/b", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.DEFER);
        assertThat(auth.subscribe(plain, "a/b", QoS.AT_MOST_ONCE)).isEqualTo(Permission.DEFER);
        assertThat(auth.receive(plain, "a/b")).isEqualTo(Permission.DEFER);

        ClientIdentity anonymous = identity("x", null);
        assertThat(auth.publish(anonymous, "a/b", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.DEFER);
    }

    @Test
    @DisplayName("a user another authenticator let in is denied until its rows are read, then the listeners hear of it")
    void loadsUnknownUsersInTheBackground() throws Exception {
        startWithTables();
        db.acl("carol", "c/#", "readwrite");
        AtomicInteger changes = new AtomicInteger();
        auth.addPolicyListener(changes::incrementAndGet);
        ClientIdentity carol = identity("c", "carol");

        assertThat(auth.publish(carol, "c/1", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.DENY);
        await().atMost(WAIT).until(() -> auth.publish(carol, "c/1", QoS.AT_MOST_ONCE, false) == Permission.ALLOW);
        assertThat(changes.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("rows changed in the database take effect after the TTL, and the policy listeners are told")
    void refreshesAfterTheTtl() throws Exception {
        start(JdbcAuthSettings.builder("test").url(url).cacheTtl(Duration.ofMillis(200)));
        answer(auth.authenticate(connect("nobody", "x")));
        db.user("dave", bcrypt("pw"), false).acl("dave", "a", "write");
        answer(auth.authenticate(connect("dave", "pw")));
        AtomicInteger changes = new AtomicInteger();
        auth.addPolicyListener(changes::incrementAndGet);
        ClientIdentity dave = identity("d", "dave");
        assertThat(auth.publish(dave, "b", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.DEFER);

        db.acl("dave", "b", "write");
        await().atMost(WAIT).until(() -> auth.publish(dave, "b", QoS.AT_MOST_ONCE, false) == Permission.ALLOW);
        await().atMost(WAIT).untilAsserted(() -> assertThat(changes.get()).isEqualTo(1));

        db.update("UPDATE cairn_acls SET access = 'deny' WHERE username = 'dave' AND topic_filter = 'a'");
        await().atMost(WAIT).until(() -> auth.publish(dave, "a", QoS.AT_MOST_ONCE, false) == Permission.DENY);
        await().atMost(WAIT).untilAsserted(() -> assertThat(changes.get()).isEqualTo(2));
    }

    @Test
    @DisplayName("the pool works with a foreign context class loader and no driver registered with DriverManager")
    void needsNeitherTcclNorDriverManager() throws Exception {
        ConnectionPool.deregisterOwnDrivers();
        assertThat(java.util.Collections.list(DriverManager.getDrivers()))
                .noneMatch(d -> d.getClass().getName().equals("org.h2.Driver"));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader foreign = new URLClassLoader(new URL[0], null)) {
            thread.setContextClassLoader(foreign);
            startWithTables();
            db.user("erin", bcrypt("pw"), false);
            assertThat(answer(auth.authenticate(connect("erin", "pw"))).kind()).isEqualTo(Authentication.Kind.ACCEPT);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Test
    @DisplayName("close() leaves no thread of the instance or its pool behind")
    void closeStopsEveryThread() throws Exception {
        start(JdbcAuthSettings.builder("threads").url(url).cacheTtl(Duration.ofMillis(100)));
        db.update("CREATE TABLE IF NOT EXISTS t (x INT)");
        answer(auth.authenticate(connect("nobody", "x")));
        assertThat(threadsNamed("threads")).isPositive();
        auth.close();
        auth = null;
        await().atMost(WAIT).until(() -> threadsNamed("threads") == 0);
    }

    private static long threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().contains("cairn-auth-jdbc-" + name)).count();
    }
}
