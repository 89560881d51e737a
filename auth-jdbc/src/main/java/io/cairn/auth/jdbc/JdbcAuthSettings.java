package io.cairn.auth.jdbc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link JdbcAuth} reaches its database and caches what it reads. Immutable; build one with
 * {@link #builder(String)}.
 *
 * @param name           the instance's name: its {@code name} service property, and in log lines
 * @param url            the JDBC URL ({@code jdbc:h2:...} or {@code jdbc:postgresql:...}); ignored when a
 *                       {@code DataSource} is handed to {@link JdbcAuth#start(JdbcAuthSettings, javax.sql.DataSource)}
 * @param user           the database user, or {@code null} (for PostgreSQL it may also be in the URL)
 * @param password       the database password, or {@code null}
 * @param poolSize       the most connections the pool opens, and the number of threads that query, at least 1
 * @param userQuery      selects the password hash (column 1) and optionally a superuser flag (column 2) of the
 *                       user name given as its one parameter
 * @param aclQuery       selects the ACL rows (topic filter in column 1, access in column 2) of the user name given
 *                       as its one parameter
 * @param cacheTtl       how long a user's cached ACL serves before it is read again in the background, positive
 * @param queryTimeout   how long one query may run, at least one second
 * @param connectTimeout how long a CONNECT waits for the database before it is refused as Server unavailable, and
 *                       how long the pool waits for a connection, positive
 * @param initSchema     whether to create the tables (with the bundle's script for the database) when they are missing
 */
public record JdbcAuthSettings(String name, String url, String user, String password, int poolSize,
                               String userQuery, String aclQuery, Duration cacheTtl, Duration queryTimeout,
                               Duration connectTimeout, boolean initSchema) {

    /** The default user query: password hash and superuser flag from {@code cairn_users}. */
    public static final String DEFAULT_USER_QUERY =
            "SELECT password_hash, superuser FROM cairn_users WHERE username = ?";
    /**
     * The default ACL query: the user's rows from {@code cairn_acls}, and the rows with no user name, which apply to
     * every user (Mosquitto's {@code pattern} lines; {@code %u} and {@code %c} make them personal).
     */
    public static final String DEFAULT_ACL_QUERY =
            "SELECT topic_filter, access FROM cairn_acls WHERE username = ? OR username IS NULL";

    public JdbcAuthSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(userQuery, "userQuery");
        Objects.requireNonNull(aclQuery, "aclQuery");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        Objects.requireNonNull(queryTimeout, "queryTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize " + poolSize + " must be at least 1");
        }
        if (cacheTtl.isNegative() || cacheTtl.isZero()) {
            throw new IllegalArgumentException("cacheTtl " + cacheTtl + " must be positive");
        }
        if (queryTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("queryTimeout " + queryTimeout + " must be at least one second");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout " + connectTimeout + " must be positive");
        }
    }

    /**
     * The default URL: an H2 database in the file {@code <cairn.home>/data/auth/auth.mv.db}, created with its
     * tables on first use ({@code cairn.home} is the system property {@code bin/cairn} sets; the working
     * directory without it).
     */
    public static String defaultUrl() {
        String home = System.getProperty("cairn.home");
        Path base = home == null || home.isBlank() ? Path.of("").toAbsolutePath() : Path.of(home).toAbsolutePath();
        return "jdbc:h2:file:" + base.resolve("data").resolve("auth").resolve("auth");
    }

    /** The URL without its parameters (which may hold a password), for log lines. */
    public String safeUrl() {
        int cut = url.length();
        for (char c : new char[] {'?', ';'}) {
            int i = url.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return url.substring(0, cut);
    }

    /** Settings with every default: the default URL, pool of 4, the default queries, TTL 60 s, timeouts 5 s / 3 s. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        return new Builder(name).url(url).user(user).password(password).poolSize(poolSize).userQuery(userQuery)
                .aclQuery(aclQuery).cacheTtl(cacheTtl).queryTimeout(queryTimeout).connectTimeout(connectTimeout)
                .initSchema(initSchema);
    }

    @Override
    public String toString() {
        return "JdbcAuthSettings[name=" + name + ", url=" + safeUrl() + ", user=" + user + ", password="
                + (password == null ? "none" : "***") + ", poolSize=" + poolSize + ", cacheTtl=" + cacheTtl
                + ", queryTimeout=" + queryTimeout + ", connectTimeout=" + connectTimeout + ", initSchema="
                + initSchema + ']';
    }

    /** Builds {@link JdbcAuthSettings}; unset values keep the defaults. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private String url;
        private String user;
        private String password;
        private int poolSize = 4;
        private String userQuery = DEFAULT_USER_QUERY;
        private String aclQuery = DEFAULT_ACL_QUERY;
        private Duration cacheTtl = Duration.ofSeconds(60);
        private Duration queryTimeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofMillis(3000);
        private Boolean initSchema;

        private Builder(String name) {
            this.name = name;
        }

        /** The JDBC URL; default {@link #defaultUrl()}. */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        public Builder userQuery(String userQuery) {
            this.userQuery = userQuery;
            return this;
        }

        public Builder aclQuery(String aclQuery) {
            this.aclQuery = aclQuery;
            return this;
        }

        public Builder cacheTtl(Duration cacheTtl) {
            this.cacheTtl = cacheTtl;
            return this;
        }

        public Builder queryTimeout(Duration queryTimeout) {
            this.queryTimeout = queryTimeout;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Whether to create missing tables; default true for an H2 URL, false for any other. */
        public Builder initSchema(boolean initSchema) {
            this.initSchema = initSchema;
            return this;
        }

        /** @throws IllegalArgumentException naming the value that is out of range */
        public JdbcAuthSettings build() {
            String u = url == null ? defaultUrl() : url;
            boolean init = initSchema != null ? initSchema : u.startsWith("jdbc:h2:");
            return new JdbcAuthSettings(name, u, user, password, poolSize, userQuery, aclQuery, cacheTtl,
                    queryTimeout, connectTimeout, init);
        }
    }
}
