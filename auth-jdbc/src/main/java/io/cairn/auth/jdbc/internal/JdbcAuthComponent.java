package io.cairn.auth.jdbc.internal;

import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.Authorizer;
import io.cairn.auth.jdbc.JdbcAuth;
import io.cairn.auth.jdbc.internal.ConfigReader.Config;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link JdbcAuth} per factory configuration of {@code io.cairn.auth.jdbc}, that is one per
 * {@code etc/io.cairn.auth.jdbc-<name>.cfg} file, and registers it as {@link Authenticator} and
 * {@link Authorizer} with the service properties {@code name} and {@code service.ranking} only (the
 * configuration's password and URL stay out of the service registry).
 *
 * <p>An invalid configuration is rejected with one ERROR line naming the file and the key: a new instance is then
 * not started, and a running one keeps its previous configuration. Unknown keys are logged as warnings. With
 * {@code dataSource.target}, the instance uses the {@code javax.sql.DataSource} service that filter selects
 * instead of a pool of its own, and registers nothing until such a service is there.
 */
@Component(configurationPid = ConfigReader.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = JdbcAuthConfiguration.class, factory = true)
public final class JdbcAuthComponent {

    /** The default target of the DataSource reference: matches no service, so no configuration means no DataSource. */
    static final String NO_DATA_SOURCE = "(!(objectClass=*))";

    private static final Logger LOG = LoggerFactory.getLogger(JdbcAuthComponent.class);
    /** Instances active in this bundle; the last to go deregisters the bundle's drivers from DriverManager. */
    private static final AtomicInteger ACTIVE = new AtomicInteger();

    @Reference(name = "dataSource", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.STATIC,
            policyOption = ReferencePolicyOption.GREEDY, target = NO_DATA_SOURCE)
    private DataSource dataSource;

    private BundleContext context;
    private Config config;
    private JdbcAuth running;
    private ServiceRegistration<?> registration;

    /** Used by Declarative Services. */
    public JdbcAuthComponent() {
    }

    /** For tests: a component outside OSGi, with the DataSource service it would have bound (or null). */
    JdbcAuthComponent(BundleContext context, DataSource dataSource) {
        this.context = context;
        this.dataSource = dataSource;
    }

    @Activate
    private void activate(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        ACTIVE.incrementAndGet();
        apply(properties);
    }

    @Modified
    private void modified(Map<String, Object> properties) {
        apply(properties);
    }

    @Deactivate
    private void deactivate() {
        stop();
        if (ACTIVE.decrementAndGet() == 0) {
            ConnectionPool.deregisterOwnDrivers();
        }
    }

    /** Validates the properties and (re)starts the instance they describe; keeps the running one if they are bad. */
    synchronized void apply(Map<String, Object> properties) {
        String source = ConfigReader.source(properties);
        for (String key : ConfigReader.unknownKeys(properties)) {
            LOG.warn("Configuration {}: unknown key {} is ignored", source, key);
        }
        Config next;
        try {
            next = ConfigReader.read(properties);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid configuration {}: {}; {}", source, e.getMessage(), running == null
                    ? "JDBC authentication not started"
                    : "JDBC authentication " + config.settings().name() + " keeps its previous configuration");
            return;
        }
        if (running != null && next.equals(config)) {
            return;
        }
        JdbcAuth fresh;
        try {
            if (next.dataSourceTarget() == null) {
                fresh = JdbcAuth.start(next.settings());
            } else if (dataSource != null) {
                fresh = JdbcAuth.start(next.settings(), dataSource);
            } else {
                LOG.info("JDBC authentication {} waits for a javax.sql.DataSource service matching {}",
                        next.settings().name(), next.dataSourceTarget());
                stop();
                config = next;
                return;
            }
        } catch (RuntimeException e) {
            LOG.error("Configuration {}: JDBC authentication {} could not start: {}", source,
                    next.settings().name(), e.toString());
            return;
        }
        ServiceRegistration<?> previousRegistration = registration;
        JdbcAuth previous = running;
        Dictionary<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put("name", next.settings().name());
        serviceProperties.put(Constants.SERVICE_RANKING, next.ranking());
        serviceProperties.put(Constants.SERVICE_DESCRIPTION, "Cairn JDBC authentication " + next.settings().name());
        // the new one first, then the old one goes: the chains are never without it
        registration = context == null ? null : context.registerService(
                new String[] {Authenticator.class.getName(), Authorizer.class.getName()}, fresh, serviceProperties);
        running = fresh;
        config = next;
        if (previousRegistration != null) {
            previousRegistration.unregister();
        }
        if (previous != null) {
            previous.close();
        }
        LOG.info("JDBC authentication {} started on {}", next.settings().name(),
                next.dataSourceTarget() == null ? next.settings().safeUrl() : "DataSource " + dataSource);
    }

    /** Unregisters and closes the running instance, if any. */
    synchronized void stop() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            registration = null;
        }
        if (running != null) {
            running.close();
            running = null;
        }
        config = null;
    }

    /** The running instance, or null (for tests). */
    synchronized JdbcAuth running() {
        return running;
    }
}
