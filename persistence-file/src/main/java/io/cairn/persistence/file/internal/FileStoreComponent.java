package io.cairn.persistence.file.internal;

import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import io.cairn.persistence.file.FileStore;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a {@link FileStore} for the configuration {@value FileStoreConfig#PID} ({@code etc/io.cairn.persistence.file.cfg})
 * and registers its {@link SessionStore} and {@link RetainedStore} as services, with the configured
 * {@code service.ranking} (10 by default, above the memory stores' 0) and {@code cairn.store=file}. Without a
 * configuration the component stays inactive. A changed configuration closes the store and opens it again.
 *
 * <p>An invalid value, or a directory that is locked by another broker or cannot be written, fails activation
 * with one ERROR line naming the configuration file (or the PID), the key and the problem; unknown keys are
 * logged as WARN and ignored.
 */
@Component(configurationPid = FileStoreConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
@Designate(ocd = FileStoreConfiguration.class)
public final class FileStoreComponent {

    private static final Logger LOG = LoggerFactory.getLogger(FileStoreComponent.class);

    private FileStore store;
    private ServiceRegistration<SessionStore> sessionRegistration;
    private ServiceRegistration<RetainedStore> retainedRegistration;

    /** Used by Declarative Services. */
    public FileStoreComponent() {
    }

    @Activate
    private void activate(BundleContext context, Map<String, Object> properties) throws IOException {
        FileStore opened = open(properties, home());
        store = opened;
        FileStoreConfig config = FileStoreConfig.from(properties, home());
        Hashtable<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put("service.ranking", config.ranking());
        serviceProperties.put("cairn.store", "file");
        sessionRegistration = context.registerService(SessionStore.class, opened.sessions(), serviceProperties);
        retainedRegistration = context.registerService(RetainedStore.class, opened.retained(), serviceProperties);
    }

    /**
     * Validates the configuration and opens the store, logging one ERROR line for a problem.
     *
     * @throws IllegalArgumentException for a bad value
     * @throws IOException              if the directory cannot be locked, created or written
     */
    static FileStore open(Map<String, ?> properties, Path home) throws IOException {
        String source = FileStoreConfig.source(properties);
        List<String> unknown = FileStoreConfig.unknownKeys(properties);
        if (!unknown.isEmpty()) {
            LOG.warn("Configuration {}: unknown keys {} are ignored (known: directory, durability, "
                    + "fsyncIntervalMillis, segmentBytes, compactionThreshold, service.ranking)", source, unknown);
        }
        FileStoreConfig config;
        try {
            config = FileStoreConfig.from(properties, home);
        } catch (FileStoreConfig.InvalidKey e) {
            LOG.error("Invalid configuration {}: {}; the file store is not started", source, e.getMessage());
            throw e;
        }
        try {
            return FileStore.open(config.settings());
        } catch (IOException e) {
            LOG.error("Invalid configuration {}: directory: {}; the file store is not started", source,
                    describe(e));
            throw e;
        }
    }

    private static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return "cannot create or write " + f.getFile() + " (" + e.getClass().getSimpleName()
                    + (f.getReason() == null ? "" : ": " + f.getReason()) + ")";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    @Deactivate
    private void deactivate() {
        if (sessionRegistration != null) {
            sessionRegistration.unregister();
            sessionRegistration = null;
        }
        if (retainedRegistration != null) {
            retainedRegistration.unregister();
            retainedRegistration = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }

    private static Path home() {
        String home = System.getProperty("cairn.home");
        return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath();
    }
}
