package io.cairn.auth.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.Authorizer;
import io.cairn.api.auth.ClientIdentity;
import io.cairn.api.auth.ConnectRequest;
import io.cairn.api.auth.Permission;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.auth.jdbc.internal.ConnectionPool;
import io.cairn.auth.jdbc.internal.DatabaseHealth;
import io.cairn.auth.jdbc.internal.Policies;
import io.cairn.auth.jdbc.internal.Policies.UserRow;
import io.cairn.auth.jdbc.internal.UserPolicy;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates clients by user name and password hash from a SQL database, and authorizes them by ACL rows read
 * from it, as an {@link Authenticator} and an {@link Authorizer} at once.
 *
 * <p><b>Authentication.</b> A CONNECT with a user name is checked on this instance's own bounded thread pool, never
 * on the network thread: {@link #authenticate} answers {@link Authentication#later} within
 * {@link JdbcAuthSettings#connectTimeout()}, else Server unavailable. A user with a matching password is accepted
 * with the attributes {@code username} and, for a superuser, {@code superuser=true}; its ACL rows are read in the
 * same go. A wrong password is rejected as Bad user name or password (MQTT 3.1.1: return code 4). A user name the
 * database does not know is deferred to the rest of the chain (another authenticator may know it; an exhausted
 * chain refuses it), after the same bcrypt work a known user costs. A CONNECT without a user name is deferred at
 * once. When the database cannot be reached, or too many CONNECTs queue for it, the client is refused with Server
 * unavailable (0x88; MQTT 3.1.1: return code 3), and one log line says the database is unreachable (one more when
 * it is back).
 *
 * <p><b>Authorization</b> answers from memory only (a trie per user; no allocation per check), in Mosquitto's
 * ACL terms: a superuser may do anything; a user with no rows gets no opinion (defer). Otherwise
 * <ul>
 * <li>publish: deny if a deny row matches the topic, allow if a write or readwrite row does, else defer;</li>
 * <li>subscribe: deny if a deny row covers the whole filter, allow if a read or readwrite row's filter has a topic
 * in common with it (each message is then checked by receive), else defer;</li>
 * <li>receive: deny if a deny row matches the topic, allow if a read row does, else deny.</li>
 * </ul>
 * A user's rows are cached for {@link JdbcAuthSettings#cacheTtl()}, then read again in the background while the
 * old rows keep answering (also while the database is down); a read that changes them tells the policy listeners.
 * A user the cache does not hold yet (one another authenticator let in) is read in the background, and every
 * check is denied until then: a policy must never be bypassed because it was not loaded yet. The listeners are
 * told once it is there. Users not checked for ten TTLs (at least an hour) are not read
 * again by the sweep but kept; their next check answers from the rows they have and reads them again.
 *
 * <p>Thread-safe. {@link #close()} stops the threads and, if this instance built it, the pool.
 */
public final class JdbcAuth implements Authenticator, Authorizer, AutoCloseable {

    /** The reason string of a CONNECT refused because the database did not answer. */
    public static final String UNAVAILABLE = "authentication database unavailable";

    private static final Logger LOG = LoggerFactory.getLogger(JdbcAuth.class);
    private static final Authentication REJECT_UNAVAILABLE =
            Authentication.reject(ReasonCode.SERVER_UNAVAILABLE, UNAVAILABLE);
    private static final Authentication REJECT_CREDENTIALS =
            Authentication.reject(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
    private static final String SHARE_PREFIX = "$share/";

    private final JdbcAuthSettings settings;
    private final HikariDataSource pool;
    private final DatabaseHealth health;
    private final Policies policies;

    private JdbcAuth(JdbcAuthSettings settings, DataSource dataSource, HikariDataSource pool) {
        this.settings = settings;
        this.pool = pool;
        String described = pool == null ? settings.name() + " (" + dataSource + ')'
                : settings.name() + " (" + settings.safeUrl() + ')';
        this.health = new DatabaseHealth(described);
        this.policies = new Policies(settings, dataSource, health);
    }

    /**
     * Starts an instance with its own connection pool for {@link JdbcAuthSettings#url()}. It does not connect
     * yet: a database that is down is reported by the first CONNECT that needs it.
     *
     * @throws IllegalArgumentException if the URL is not an H2 or PostgreSQL one
     */
    public static JdbcAuth start(JdbcAuthSettings settings) {
        Objects.requireNonNull(settings, "settings");
        ConnectionPool.driverClass(settings.url());
        HikariDataSource pool = ConnectionPool.start(settings);
        try {
            return new JdbcAuth(settings, pool, pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Starts an instance on a {@code DataSource} someone else owns (and pools): {@link JdbcAuthSettings#url()},
     * user, password and pool size are then not used, and {@link #close()} leaves it open.
     */
    public static JdbcAuth start(JdbcAuthSettings settings, DataSource dataSource) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(dataSource, "dataSource");
        return new JdbcAuth(settings, dataSource, null);
    }

    /** The settings this instance runs with. */
    public JdbcAuthSettings settings() {
        return settings;
    }

    /** Whether the last query reached the database (true before the first). */
    public boolean databaseReachable() {
        return health.reachable();
    }

    @Override
    public Authentication authenticate(ConnectRequest request) {
        String username = request.username();
        if (username == null) {
            return Authentication.defer();
        }
        byte[] password = request.password();
        byte[] secret = password == null ? new byte[0] : password;
        CompletableFuture<Authentication> answer = new CompletableFuture<>();
        try {
            policies.execute(() -> answer.complete(check(username, secret)));
        } catch (RejectedExecutionException e) {
            Arrays.fill(secret, (byte) 0);
            LOG.debug("JDBC authenticator {}: queue full or closed, '{}' refused", settings.name(), username);
            return REJECT_UNAVAILABLE;
        }
        return Authentication.later(answer, settings.connectTimeout(), REJECT_UNAVAILABLE);
    }

    private Authentication check(String username, byte[] password) {
        try {
            UserRow user = policies.findUser(username);
            if (user == null) {
                policies.verifier().dummyVerify(password);
                return Authentication.defer();
            }
            if (!policies.verifier().verify(user.passwordHash(), password)) {
                return REJECT_CREDENTIALS;
            }
            policies.loadAfterLogin(username, user.superuser());
            return Authentication.accept(user.superuser() ? Map.of("username", username, "superuser", "true")
                    : Map.of("username", username));
        } catch (SQLException | RuntimeException e) {
            health.failed(e);
            return REJECT_UNAVAILABLE;
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    @Override
    public Permission publish(ClientIdentity client, String topic, QoS qos, boolean retain) {
        String user = client.username();
        if (user == null) {
            return Permission.DEFER;
        }
        UserPolicy policy = policies.lookup(user);
        if (policy == null) {
            return Permission.DENY;
        }
        if (policy.superuser()) {
            return Permission.ALLOW;
        }
        int bits = policy.matchTopic(topic, user, client.clientId());
        if (bits < 0) {
            return Permission.DEFER;
        }
        if ((bits & UserPolicy.DENY) != 0) {
            return Permission.DENY;
        }
        return (bits & UserPolicy.WRITE) != 0 ? Permission.ALLOW : Permission.DEFER;
    }

    @Override
    public Permission subscribe(ClientIdentity client, String filter, QoS qos) {
        String user = client.username();
        if (user == null) {
            return Permission.DEFER;
        }
        UserPolicy policy = policies.lookup(user);
        if (policy == null) {
            return Permission.DENY;
        }
        if (policy.superuser()) {
            return Permission.ALLOW;
        }
        String plain = withoutShare(filter);
        return switch (policy.subscribe(plain, user, client.clientId())) {
            case UserPolicy.DENY -> Permission.DENY;
            case UserPolicy.READ -> Permission.ALLOW;
            default -> Permission.DEFER;
        };
    }

    @Override
    public Permission receive(ClientIdentity client, String topic) {
        String user = client.username();
        if (user == null) {
            return Permission.DEFER;
        }
        UserPolicy policy = policies.lookup(user);
        if (policy == null) {
            return Permission.DENY;
        }
        if (policy.superuser()) {
            return Permission.ALLOW;
        }
        int bits = policy.matchTopic(topic, user, client.clientId());
        if (bits < 0) {
            return Permission.DEFER;
        }
        return (bits & UserPolicy.DENY) == 0 && (bits & UserPolicy.READ) != 0 ? Permission.ALLOW : Permission.DENY;
    }

    @Override
    public void addPolicyListener(Runnable listener) {
        policies.addListener(listener);
    }

    @Override
    public void removePolicyListener(Runnable listener) {
        policies.removeListener(listener);
    }

    /**
     * Stops the query threads and the background refresh, waiting a little for queries under way, then closes
     * the pool if this instance built it. Idempotent.
     */
    @Override
    public void close() {
        policies.close();
        if (pool != null) {
            pool.close();
        }
    }

    /** {@code $share/<group>/<filter>} to {@code <filter>}; any other filter unchanged. */
    private static String withoutShare(String filter) {
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            if (slash > 0) {
                return filter.substring(slash + 1);
            }
        }
        return filter;
    }

    @Override
    public String toString() {
        return "JdbcAuth[" + settings.name() + ", " + (pool == null ? "external DataSource" : settings.safeUrl())
                + ']';
    }
}
