package io.cairn.auth.file.internal;

import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.Authorizer;
import io.cairn.api.auth.ClientIdentity;
import io.cairn.api.auth.ConnectRequest;
import io.cairn.api.auth.Permission;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.auth.file.FileAuthenticator;
import io.cairn.auth.file.FileAuthorizer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one password file and/or ACL file per factory configuration of {@value #PID}, that is one per
 * {@code etc/io.cairn.auth.file-<name>.cfg} file: registers a {@link FileAuthenticator} when {@code passwordFile}
 * is set and a {@link FileAuthorizer} when {@code aclFile} is set, each with the service properties {@code name}
 * and {@code service.ranking}, and reloads the files when they change.
 *
 * <p>Never fails open. A configuration that is invalid when the component starts (a bad value or an unknown key,
 * which might be a misspelt {@code aclFile}) registers, under the configuration's name, an authenticator that
 * refuses every client with a user name (0x88 Server unavailable) and an authorizer that denies everything, until
 * the configuration is fixed. A password file or ACL file that cannot be loaded at start does the same for that
 * provider while the file is polled for a fix. A later invalid configuration or file keeps the previous one in
 * force. Each problem is one ERROR line naming the configuration file and key, or the file, line and problem.
 */
@Component(configurationPid = FileAuthSettings.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = FileAuthConfiguration.class, factory = true)
public final class FileAuthComponent {

    /** The factory configuration PID. */
    public static final String PID = FileAuthSettings.PID;

    private static final Logger LOG = LoggerFactory.getLogger(FileAuthComponent.class);

    private Registrar registrar;
    private final Path home;
    /** What runs now, or null. */
    private Running running;

    /** Used by Declarative Services. */
    public FileAuthComponent() {
        this.home = home();
    }

    FileAuthComponent(Registrar registrar, Path home) {
        this.registrar = registrar;
        this.home = home;
    }

    @Activate
    private synchronized void activate(BundleContext context, Map<String, Object> properties) {
        this.registrar = Registrar.of(context);
        apply(properties);
    }

    @Modified
    private synchronized void modified(Map<String, Object> properties) {
        apply(properties);
    }

    @Deactivate
    private synchronized void deactivate() {
        close();
    }

    /** Validates the configuration and puts it in force, replacing what runs now (new services first). */
    synchronized void apply(Map<String, Object> properties) {
        String source = FileAuthSettings.source(properties);
        FileAuthSettings settings;
        try {
            settings = FileAuthSettings.from(properties, home);
        } catch (IllegalArgumentException e) {
            if (running == null) {
                LOG.error("Invalid configuration {}: {}; until it is fixed, clients with a user name are refused "
                        + "and everything is denied", source, e.getMessage());
                running = lockdown(properties);
            } else {
                LOG.error("Invalid configuration {}: {}; the previous configuration stays in force", source,
                        e.getMessage());
            }
            return;
        }
        if (running != null && settings.equals(running.settings)) {
            return;
        }
        Running previous = running;
        running = start(settings);
        if (previous != null) {
            previous.close();
        }
    }

    /** Withdraws the services and stops the threads. */
    synchronized void close() {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    private Running start(FileAuthSettings s) {
        Running r = new Running(s);
        Map<Path, FileWatcher.Stamp> stamps = new LinkedHashMap<>();
        Map<Path, Runnable> actions = new LinkedHashMap<>();
        if (s.passwordFile() != null) {
            stamps.put(s.passwordFile(), FileWatcher.Stamp.of(s.passwordFile()));
            FileAuthenticator authenticator = FileAuthenticator.builder(s.passwordFile()).name(s.name())
                    .rejectUnknownUsers(s.rejectUnknownUsers()).timeout(Duration.ofMillis(s.timeoutMillis()))
                    .cacheSize(s.cacheSize()).threads(s.verifyThreads()).build();
            r.authenticator = authenticator;
            actions.put(s.passwordFile(), authenticator::reload);
            r.registrations.add(registrar.register(Authenticator.class, authenticator, serviceProperties(s)));
        }
        if (s.aclFile() != null) {
            stamps.put(s.aclFile(), FileWatcher.Stamp.of(s.aclFile()));
            FileAuthorizer authorizer = new FileAuthorizer(s.aclFile());
            actions.put(s.aclFile(), authorizer::reload);
            r.registrations.add(registrar.register(Authorizer.class, authorizer, serviceProperties(s)));
        }
        if (s.reloadIntervalMillis() > 0) {
            r.watcher = new FileWatcher(s.name(), s.reloadIntervalMillis(), actions, stamps);
        }
        return r;
    }

    private static Map<String, Object> serviceProperties(FileAuthSettings s) {
        return Map.of("name", s.name(), "service.ranking", s.ranking());
    }

    /** Registers the refusing providers for a configuration that cannot be read. */
    private Running lockdown(Map<String, Object> properties) {
        Object configured = properties.get("name");
        String name = configured instanceof String n && !n.isBlank() ? n.strip()
                : FileAuthSettings.factoryName(properties);
        if (name == null) {
            name = "file";
        }
        int ranking = properties.get("service.ranking") instanceof Integer i ? i : 0;
        Map<String, Object> props = Map.of("name", name, "service.ranking", ranking);
        Running r = new Running(null);
        r.registrations.add(registrar.register(Authenticator.class, new RefuseAll(), props));
        r.registrations.add(registrar.register(Authorizer.class, new DenyAll(), props));
        return r;
    }

    private static Path home() {
        String home = System.getProperty("cairn.home");
        return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath();
    }

    /** The services and threads of one configuration. */
    private static final class Running {
        final FileAuthSettings settings;
        final List<Registrar.Registration> registrations = new ArrayList<>();
        FileAuthenticator authenticator;
        FileWatcher watcher;

        Running(FileAuthSettings settings) {
            this.settings = settings;
        }

        void close() {
            registrations.forEach(Registrar.Registration::unregister);
            if (watcher != null) {
                watcher.close();
            }
            if (authenticator != null) {
                authenticator.close();
            }
        }
    }

    /** Refuses every client with a user name: the configuration cannot be read. */
    static final class RefuseAll implements Authenticator {
        @Override
        public Authentication authenticate(ConnectRequest request) {
            return request.username() == null ? Authentication.defer()
                    : Authentication.reject(ReasonCode.SERVER_UNAVAILABLE, "authentication is misconfigured");
        }

        @Override
        public String toString() {
            return "FileAuthComponent.RefuseAll";
        }
    }

    /** Denies everything: the configuration cannot be read. */
    static final class DenyAll implements Authorizer {
        @Override
        public Permission publish(ClientIdentity client, String topic, QoS qos, boolean retain) {
            return Permission.DENY;
        }

        @Override
        public Permission subscribe(ClientIdentity client, String filter, QoS qos) {
            return Permission.DENY;
        }

        @Override
        public Permission receive(ClientIdentity client, String topic) {
            return Permission.DENY;
        }

        @Override
        public String toString() {
            return "FileAuthComponent.DenyAll";
        }
    }
}
