package io.cairn.auth.jdbc.internal;

import com.zaxxer.hikari.HikariDataSource;
import io.cairn.auth.jdbc.JdbcAuthSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database side of a {@code JdbcAuth}: the threads that query, the queries, and the cache of
 * {@link UserPolicy} per user name with its background refresh.
 *
 * <p>Queries run on a bounded pool ({@code poolSize} threads, at most {@value #QUEUE} waiting tasks); a sweep on
 * one scheduler thread finds cached users older than the TTL and hands one refresh task for all of them to that
 * pool. Thread-safe.
 */
public final class Policies implements AutoCloseable {

    /** How many queries may wait for a thread before a CONNECT is refused at once. */
    static final int QUEUE = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(Policies.class);
    private static final PasswordVerifier VERIFIER = new PasswordVerifier();
    /** A user whose read failed is not read again sooner than this, so an outage costs no query per check. */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What the user query found for a user name. */
    public record UserRow(String passwordHash, boolean superuser) {
    }

    private final JdbcAuthSettings settings;
    private final DataSource dataSource;
    private final DatabaseHealth health;
    private final int queryTimeoutSeconds;
    private final long ttlNanos;
    private final long idleNanos;
    private final ThreadPoolExecutor executor;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ConcurrentHashMap<String, UserPolicy> cache = new ConcurrentHashMap<>();
    private final Set<String> loading = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Long> failedAt = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile boolean schemaReady;
    private volatile boolean closed;

    public Policies(JdbcAuthSettings settings, DataSource dataSource, DatabaseHealth health) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.health = health;
        this.schemaReady = !settings.initSchema();
        this.queryTimeoutSeconds = (int) Math.min(Integer.MAX_VALUE, settings.queryTimeout().toSeconds());
        this.ttlNanos = settings.cacheTtl().toNanos();
        this.idleNanos = Math.max(10 * ttlNanos, TimeUnit.HOURS.toNanos(1));
        String prefix = "cairn-auth-jdbc-" + settings.name();
        executor = new ThreadPoolExecutor(settings.poolSize(), settings.poolSize(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), threads(prefix + "-query-"));
        executor.allowCoreThreadTimeOut(true);
        scheduler = new ScheduledThreadPoolExecutor(1, threads(prefix + "-refresh-"));
        scheduler.setRemoveOnCancelPolicy(true);
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50),
                Math.min(TimeUnit.SECONDS.toNanos(5), ttlNanos / 4));
        scheduler.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The password checker shared by every instance. */
    public PasswordVerifier verifier() {
        return VERIFIER;
    }

    /**
     * Runs {@code task} on a query thread.
     *
     * @throws RejectedExecutionException when {@value #QUEUE} tasks already wait, or after {@link #close()}
     */
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /** The user query's row for {@code username}, or null when it returns none. Records the database's health. */
    public UserRow findUser(String username) throws SQLException {
        return query(connection -> queryUser(connection, username));
    }

    /**
     * Reads {@code username}'s ACL rows after a successful login and caches them with {@code superuser}; tells the
     * policy listeners if that changes what was cached.
     */
    public void loadAfterLogin(String username, boolean superuser) throws SQLException {
        List<AclRow> rows = query(connection -> queryAcl(connection, username));
        if (install(username, superuser, rows, false)) {
            fireListeners();
        }
    }

    /**
     * The cached policy of {@code username}, marked as used; null when it is not cached yet, in which case it is
     * read in the background (the listeners are told once it is there).
     */
    public UserPolicy lookup(String username) {
        UserPolicy policy = cache.get(username);
        if (policy == null) {
            requestLoad(username);
            return null;
        }
        if (System.nanoTime() - policy.loadedAt() >= ttlNanos + idleNanos) {
            // idle for long, so the sweep stopped refreshing it: it answers this time, and is read again now
            requestLoad(username);
        }
        policy.markUsed();
        return policy;
    }

    public void addListener(Runnable listener) {
        listeners.addIfAbsent(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** How many users the cache holds. */
    public int cachedUsers() {
        return cache.size();
    }

    private void requestLoad(String username) {
        if (closed) {
            return;
        }
        Long failed = failedAt.get(username);
        if (failed != null && System.nanoTime() - failed < RETRY_NANOS) {
            return;
        }
        if (!loading.add(username)) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    Loaded loaded = load(username);
                    failedAt.remove(username);
                    install(username, loaded.superuser(), loaded.rows(), true);
                    fireListeners();
                } catch (SQLException | RuntimeException e) {
                    if (failedAt.size() > QUEUE) {
                        failedAt.clear();
                    }
                    failedAt.put(username, System.nanoTime());
                    LOG.debug("JDBC authorizer {}: reading the ACL of '{}' failed", settings.name(), username, e);
                } finally {
                    loading.remove(username);
                }
            });
        } catch (RejectedExecutionException e) {
            loading.remove(username);
        }
    }

    private record Loaded(boolean superuser, List<AclRow> rows) {
    }

    private Loaded load(String username) throws SQLException {
        return query(connection -> {
            UserRow user = queryUser(connection, username);
            return new Loaded(user != null && user.superuser(), queryAcl(connection, username));
        });
    }

    /** Work on one connection. */
    private interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} on a pooled connection and records the database's health. A connection on which anything
     * failed is evicted from the pool rather than returned: a driver may report a broken link with a state the
     * pool does not know as fatal (H2: 90121 "Database is already closed"), and the pool would then hand the
     * dead connection out again and again.
     */
    private <T> T query(SqlWork<T> work) throws SQLException {
        Connection connection;
        try {
            connection = connection();
        } catch (SQLException | RuntimeException e) {
            health.failed(e);
            throw e;
        }
        T result;
        try {
            result = work.run(connection);
        } catch (SQLException | RuntimeException e) {
            evict(connection);
            health.failed(e);
            throw e;
        }
        connection.close();
        health.succeeded();
        return result;
    }

    private void evict(Connection connection) {
        try {
            if (dataSource instanceof HikariDataSource pool) {
                pool.evictConnection(connection);
            } else {
                connection.close();
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("JDBC authenticator {}: closing a failed connection failed too", settings.name(), e);
        }
    }

    /**
     * Caches what was read for {@code username}. Returns whether that changed the policy: different rows or flag,
     * or (with {@code newCounts}) a user that was not cached.
     */
    private boolean install(String username, boolean superuser, List<AclRow> rows, boolean newCounts) {
        long now = System.nanoTime();
        boolean[] changed = {false};
        cache.compute(username, (user, old) -> {
            if (old != null && old.sameAs(superuser, rows)) {
                old.loadedAt(now);
                return old;
            }
            changed[0] = old != null || newCounts;
            UserPolicy fresh = new UserPolicy(superuser, rows, now);
            if (old != null) {
                fresh.lastUsed(old.lastUsed());
            }
            warnAboutRows(username, rows);
            return fresh;
        });
        return changed[0];
    }

    private void warnAboutRows(String username, List<AclRow> rows) {
        for (AclRow row : rows) {
            if (!AclRow.validFilter(row.filter())) {
                LOG.warn("JDBC authorizer {}: ACL row of '{}' has the invalid topic filter '{}'; row ignored",
                        settings.name(), username, row.filter());
            } else if (!row.knownAccess()) {
                LOG.warn("JDBC authorizer {}: ACL row of '{}' for '{}' has access '{}', not read, write, readwrite "
                        + "or deny; taken as deny", settings.name(), username, row.filter(), row.access());
            }
        }
    }

    private void fireListeners() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("JDBC authorizer {}: a policy listener failed", settings.name(), e);
            }
        }
    }

    /**
     * Finds the users to read again and reads them on a query thread. Users idle for longer than the idle time are
     * not read again but kept: a quiet client that is still connected must not be denied because its rows were
     * dropped; its next check answers from the rows it has and reads them again.
     */
    private void sweep() {
        if (closed || !sweeping.compareAndSet(false, true)) {
            return;
        }
        List<String> due = new ArrayList<>();
        long now = System.nanoTime();
        for (Map.Entry<String, UserPolicy> entry : cache.entrySet()) {
            UserPolicy policy = entry.getValue();
            if (!policy.takeUsed(now) && now - policy.lastUsed() > idleNanos) {
                continue; // idle: not read again until it is used
            }
            if (now - policy.loadedAt() >= ttlNanos) {
                due.add(entry.getKey());
            }
        }
        if (due.isEmpty()) {
            sweeping.set(false);
            return;
        }
        try {
            executor.execute(() -> refresh(due));
        } catch (RejectedExecutionException e) {
            sweeping.set(false);
        }
    }

    private void refresh(List<String> users) {
        boolean changed = false;
        try {
            for (String user : users) {
                if (closed) {
                    return;
                }
                Loaded loaded;
                try {
                    loaded = load(user);
                } catch (SQLException | RuntimeException e) {
                    // the cached rows keep answering; the next sweep tries again
                    LOG.debug("JDBC authorizer {}: refreshing the ACL of '{}' failed", settings.name(), user, e);
                    return;
                }
                changed |= install(user, loaded.superuser(), loaded.rows(), false);
            }
        } finally {
            sweeping.set(false);
            if (changed) {
                fireListeners();
            }
        }
    }

    private Connection connection() throws SQLException {
        Connection connection = dataSource.getConnection();
        if (!schemaReady) {
            try {
                if (Schema.createIfMissing(connection, queryTimeoutSeconds)) {
                    LOG.info("JDBC authenticator {}: created the tables cairn_users and cairn_acls", settings.name());
                }
                schemaReady = true;
            } catch (SQLException | RuntimeException e) {
                evict(connection);
                throw e;
            }
        }
        return connection;
    }

    private UserRow queryUser(Connection connection, String username) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(settings.userQuery())) {
            statement.setQueryTimeout(queryTimeoutSeconds);
            statement.setString(1, username);
            try (ResultSet result = statement.executeQuery()) {
                if (!result.next()) {
                    return null;
                }
                String hash = result.getString(1);
                boolean superuser = result.getMetaData().getColumnCount() >= 2 && truthy(result.getObject(2));
                return new UserRow(hash, superuser);
            }
        }
    }

    private List<AclRow> queryAcl(Connection connection, String username) throws SQLException {
        List<AclRow> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(settings.aclQuery())) {
            statement.setQueryTimeout(queryTimeoutSeconds);
            statement.setString(1, username);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    String filter = result.getString(1);
                    if (filter != null) {
                        rows.add(new AclRow(filter, result.getString(2)));
                    }
                }
            }
        }
        return rows;
    }

    /** A superuser column: a boolean, a number other than 0, or true/t/yes/y/1 in any case. */
    static boolean truthy(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n) {
            return n.longValue() != 0;
        }
        if (value == null) {
            return false;
        }
        return switch (value.toString().strip().toLowerCase(Locale.ROOT)) {
            case "true", "t", "yes", "y", "1" -> true;
            default -> false;
        };
    }

    /**
     * Stops the sweep and the query threads, waiting up to the connect timeout plus a second for queries under
     * way. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        executor.shutdownNow();
        Duration wait = settings.connectTimeout().plusSeconds(1);
        try {
            if (!scheduler.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)
                    || !executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("JDBC authenticator {}: a query thread is still busy after {}", settings.name(), wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cache.clear();
    }
}
