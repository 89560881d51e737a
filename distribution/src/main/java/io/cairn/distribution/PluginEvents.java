package io.cairn.distribution;

import java.net.URI;
import java.nio.file.Path;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;

/**
 * The plugin lifecycle on the {@code event.plugin} logger (in {@code log/events.log} with the other events, and
 * in {@code log/cairn.log}): installed (from which file), resolved, started, stopped, updated, uninstalled, and
 * errors the framework reports for a plugin. Plugins are the bundles the launcher did not install from
 * {@code system/}: those of {@code deploy/} and any installed at runtime.
 */
final class PluginEvents implements BundleListener, FrameworkListener {

    static final String LOGGER = "event.plugin";

    private final RuntimeLog log;
    private final Path home;
    private final String systemFolder;

    PluginEvents(RuntimeLog log, Path home) {
        this.log = log;
        this.home = home;
        this.systemFolder = home.resolve("system").toUri().toString();
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        Bundle bundle = event.getBundle();
        if (!isPlugin(bundle)) {
            return;
        }
        String what = switch (event.getType()) {
            case BundleEvent.INSTALLED -> "installed from " + where(bundle.getLocation());
            case BundleEvent.RESOLVED -> "resolved";
            case BundleEvent.STARTED -> "started";
            case BundleEvent.STOPPED -> "stopped";
            case BundleEvent.UPDATED -> "updated from " + where(bundle.getLocation());
            case BundleEvent.UNRESOLVED -> "unresolved";
            case BundleEvent.UNINSTALLED -> "uninstalled";
            default -> null; // starting, stopping, lazy activation: the next event tells the outcome
        };
        if (what != null) {
            log.log(LOGGER, RuntimeLog.Level.INFO, "Plugin " + name(bundle) + " " + what, null);
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        Bundle bundle = event.getBundle();
        if (event.getType() == FrameworkEvent.ERROR && bundle != null && isPlugin(bundle)) {
            Throwable cause = event.getThrowable();
            String message = cause == null ? "an error" : cause.getMessage() == null ? cause.toString() : cause.getMessage();
            log.log(LOGGER, RuntimeLog.Level.WARN, "Plugin " + name(bundle) + " failed: " + message, null);
        }
    }

    private boolean isPlugin(Bundle bundle) {
        return bundle.getBundleId() != 0 && !bundle.getLocation().startsWith(systemFolder);
    }

    private static String name(Bundle bundle) {
        return (bundle.getSymbolicName() == null ? "(no symbolic name)" : bundle.getSymbolicName()) + " "
                + bundle.getVersion();
    }

    /** A bundle location as a path relative to the runtime folder when it is a file in it. */
    private String where(String location) {
        try {
            URI uri = URI.create(location);
            if ("file".equals(uri.getScheme())) {
                Path file = Path.of(uri);
                return file.startsWith(home) ? home.relativize(file).toString() : file.toString();
            }
        } catch (IllegalArgumentException notAFileUri) {
            // shown as it is
        }
        return location;
    }
}
