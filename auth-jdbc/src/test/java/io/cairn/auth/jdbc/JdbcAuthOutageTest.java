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
import io.cairn.auth.jdbc.testsupport.Db;
import io.cairn.auth.jdbc.testsupport.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database goes away and comes back: an H2 TCP server on loopback, reached through a proxy whose link is cut
 * and restored (stopping H2's server inside this JVM would close the database for good).
 */
class JdbcAuthOutageTest {

    @TempDir
    Path dir;

    private Server server;
    private TcpProxy proxy;
    private JdbcAuth auth;

    @AfterEach
    void close() throws Exception {
        if (auth != null) {
            auth.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    @DisplayName("an outage: new CONNECTs get Server unavailable within the timeout, cached ACLs keep answering, "
            + "one state change logged each way")
    void survivesAnOutage() throws Exception {
        server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        proxy = new TcpProxy(server.getPort());
        String url = "jdbc:h2:tcp://127.0.0.1:" + proxy.port() + "/" + dir.resolve("outage-" + UUID.randomUUID());
        JdbcDataSource direct = new JdbcDataSource();
        direct.setURL(url);
        auth = JdbcAuth.start(JdbcAuthSettings.builder("outage").url(url).connectTimeout(Duration.ofMillis(1500))
                .cacheTtl(Duration.ofMillis(200)).build());
        assertThat(answer(auth.authenticate(connect("nobody", "x")))).isEqualTo(Authentication.defer());
        new Db(direct).user("alice", BCrypt.withDefaults().hashToString(4, "pw".toCharArray()), false)
                .acl("alice", "a/#", "readwrite");
        assertThat(answer(auth.authenticate(connect("alice", "pw"))).kind()).isEqualTo(Authentication.Kind.ACCEPT);
        ClientIdentity alice = identity("c", "alice");
        assertThat(auth.databaseReachable()).isTrue();

        proxy.cut();

        long start = System.nanoTime();
        Authentication pending = auth.authenticate(connect("alice", "pw"));
        Authentication decided = decide(pending);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(decided.kind()).isEqualTo(Authentication.Kind.REJECT);
        assertThat(decided.reasonCode()).isEqualTo(ReasonCode.SERVER_UNAVAILABLE);
        assertThat(decided.reasonString()).isEqualTo(JdbcAuth.UNAVAILABLE);
        assertThat(millis).as("ms until the CONNECT was answered").isLessThan(1500 + 1000);
        assertThat(auth.databaseReachable()).isFalse();

        // several refreshes fail meanwhile: the cached rows keep answering
        assertThat(auth.publish(alice, "a/1", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.ALLOW);
        assertThat(auth.receive(alice, "b")).isEqualTo(Permission.DENY);
        // a second refused CONNECT does not change (or log) the state again
        assertThat(decide(auth.authenticate(connect("alice", "pw"))).reasonCode())
                .isEqualTo(ReasonCode.SERVER_UNAVAILABLE);
        assertThat(auth.publish(alice, "a/1", QoS.AT_MOST_ONCE, false)).isEqualTo(Permission.ALLOW);

        proxy.restore();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> decide(auth.authenticate(connect("alice", "pw"))).kind() == Authentication.Kind.ACCEPT);
        assertThat(auth.databaseReachable()).isTrue();
    }

    /** What the kernel would decide for {@code pending}: its answer within the timeout, else the fallback. */
    private static Authentication decide(Authentication pending) throws Exception {
        if (pending.kind() != Authentication.Kind.LATER) {
            return pending;
        }
        CompletableFuture<Authentication> answer = pending.answer().toCompletableFuture();
        return answer.completeOnTimeout(pending.fallback(), pending.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> pending.fallback()).get(30, TimeUnit.SECONDS);
    }

    private static Authentication answer(Authentication authentication) throws Exception {
        return authentication.answer().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
