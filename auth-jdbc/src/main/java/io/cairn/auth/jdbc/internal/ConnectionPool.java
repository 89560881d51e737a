package io.cairn.auth.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cairn.auth.jdbc.JdbcAuthSettings;
import java.sql.Driver;
import java.sql.DriverManager;
import java.util.Collections;

/**
 * Builds the HikariCP pool for a JDBC URL, with the driver embedded in this bundle.
 *
 * <p>In OSGi, {@link DriverManager} finds drivers through the thread context class loader's
 * {@code ServiceLoader}, which sees no other bundle's {@code META-INF/services}. So the pool is told the driver
 * class by name, and this bundle's class loader is the context class loader while the pool loads and
 * instantiates it; Hikari then calls {@link Driver#connect} on that instance itself and never asks
 * {@code DriverManager} for a connection.
 */
public final class ConnectionPool {

    private ConnectionPool() {
    }

    /**
     * The driver class for {@code url}: {@code org.h2.Driver} for {@code jdbc:h2:}, {@code org.postgresql.Driver}
     * for {@code jdbc:postgresql:}.
     *
     * @throws IllegalArgumentException for any other URL
     */
    public static String driverClass(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return "org.h2.Driver";
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return "org.postgresql.Driver";
        }
        throw new IllegalArgumentException("url " + url + " is neither jdbc:h2: nor jdbc:postgresql:");
    }

    /** Starts a pool for {@code settings}; it connects lazily, so a database that is down does not fail this. */
    public static HikariDataSource start(JdbcAuthSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("cairn-auth-jdbc-" + settings.name());
        config.setJdbcUrl(settings.url());
        if (settings.user() != null) {
            config.setUsername(settings.user());
        }
        if (settings.password() != null) {
            config.setPassword(settings.password());
        }
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(Math.min(1, settings.poolSize()));
        long connectMillis = Math.max(250, settings.connectTimeout().toMillis());
        config.setConnectionTimeout(connectMillis);
        config.setValidationTimeout(Math.max(250, Math.min(connectMillis, 1000)));
        // do not try to connect at start: the component comes up while the database is down, and says so later
        config.setInitializationFailTimeout(-1);
        config.setAutoCommit(true);
        config.setReadOnly(false);
        if (settings.url().startsWith("jdbc:postgresql:")) {
            // a dead server must fail a connection attempt within the CONNECT's wait, not after pgjdbc's 10 s
            long seconds = Math.max(1, (connectMillis + 999) / 1000);
            config.addDataSourceProperty("connectTimeout", Long.toString(seconds));
            config.addDataSourceProperty("socketTimeout", Long.toString(settings.queryTimeout().toSeconds() + 5));
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ConnectionPool.class.getClassLoader());
        try {
            config.setDriverClassName(driverClass(settings.url()));
            return new HikariDataSource(config);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Deregisters from {@link DriverManager} the drivers that this bundle's class loader defined (loading
     * {@code org.h2.Driver} or {@code org.postgresql.Driver} registers it), so that a stopped bundle's class loader
     * is not kept alive by the JVM-wide driver list. Pools that hold a driver instance keep working.
     */
    public static void deregisterOwnDrivers() {
        ClassLoader own = ConnectionPool.class.getClassLoader();
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() == own) {
                try {
                    DriverManager.deregisterDriver(driver);
                } catch (java.sql.SQLException | SecurityException e) {
                    // nothing to clean up then
                }
            }
        }
    }
}
