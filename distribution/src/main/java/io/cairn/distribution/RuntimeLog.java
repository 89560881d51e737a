package io.cairn.distribution;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.launch.Framework;

/**
 * Writes the launcher's log lines through the SLF4J inside the framework, so they reach the same console and
 * {@code log/cairn.log} as the bundles' lines.
 *
 * <p>The launcher has only the framework on its class path, so it reaches SLF4J by reflection through the
 * {@code slf4j.api} bundle, and only once a provider bundle is active: a call to {@code LoggerFactory} before the
 * provider is registered would latch SLF4J to its no-op logger for the life of the framework. Until then, and after
 * the framework stopped, lines go to standard output (errors and warnings to standard error); of other loggers'
 * lines, only warnings and errors are shown then (SPI Fly reports each provider it registers at INFO).
 */
final class RuntimeLog {

    /** The logger name of the launcher's own lines. */
    static final String LAUNCHER = "io.cairn.distribution";

    private static final String SLF4J_API = "slf4j.api";
    private static final String PROVIDER = "org.slf4j.spi.SLF4JServiceProvider";

    enum Level { ERROR, WARN, INFO, DEBUG }

    private volatile Framework framework;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, Object> loggers = new ConcurrentHashMap<>();
    private volatile Bridge bridge;

    RuntimeLog(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Lets lines go through the SLF4J of {@code framework} once its logging bundles are active. */
    void attach(Framework framework) {
        this.framework = framework;
    }

    void info(String message) {
        log(LAUNCHER, Level.INFO, message, null);
    }

    void warn(String message) {
        log(LAUNCHER, Level.WARN, message, null);
    }

    void error(String message, Throwable cause) {
        log(LAUNCHER, Level.ERROR, message, cause);
    }

    /** Logs {@code message} to the SLF4J logger {@code name}, or to the console when SLF4J is not up. */
    void log(String name, Level level, String message, Throwable cause) {
        Bridge current = bridge();
        if (current != null) {
            try {
                current.log(loggers.computeIfAbsent(name, current::logger), level, message, cause);
                return;
            } catch (ReflectiveOperationException | RuntimeException e) {
                bridge = null;
                loggers.clear();
            }
        }
        boolean problem = level == Level.ERROR || level == Level.WARN;
        if (!problem && !LAUNCHER.equals(name)) {
            return;
        }
        PrintStream target = problem ? err : out;
        target.println(level + " " + name + " - " + message);
        if (cause != null) {
            cause.printStackTrace(target);
        }
    }

    /** Forgets the SLF4J of a framework that is stopping: its bundles' classes are about to be unloaded. */
    void detach() {
        framework = null;
        bridge = null;
        loggers.clear();
    }

    private Bridge bridge() {
        Bridge current = bridge;
        Framework target = framework;
        if (current != null || target == null || (target.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
            return current;
        }
        BundleContext context = target.getBundleContext();
        if (context == null) {
            return null;
        }
        Bundle api = null;
        boolean provider = false;
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getState() != Bundle.ACTIVE) {
                continue;
            }
            if (SLF4J_API.equals(bundle.getSymbolicName())) {
                api = bundle;
            }
            String capabilities = bundle.getHeaders("").get("Provide-Capability");
            provider |= capabilities != null && capabilities.contains(PROVIDER);
        }
        if (api == null || !provider) {
            return null;
        }
        try {
            current = new Bridge(api);
            bridge = current;
            return current;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** The reflective handles on {@code org.slf4j.LoggerFactory} and {@code org.slf4j.Logger}. */
    private static final class Bridge {
        private final Method getLogger;
        private final Method error;
        private final Method warn;
        private final Method info;
        private final Method debug;

        Bridge(Bundle api) throws ReflectiveOperationException {
            Class<?> factory = api.loadClass("org.slf4j.LoggerFactory");
            Class<?> logger = api.loadClass("org.slf4j.Logger");
            getLogger = factory.getMethod("getLogger", String.class);
            error = logger.getMethod("error", String.class, Throwable.class);
            warn = logger.getMethod("warn", String.class, Throwable.class);
            info = logger.getMethod("info", String.class, Throwable.class);
            debug = logger.getMethod("debug", String.class, Throwable.class);
        }

        Object logger(String name) {
            try {
                return getLogger.invoke(null, name);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        void log(Object logger, Level level, String message, Throwable cause) throws ReflectiveOperationException {
            Method method = switch (level) {
                case ERROR -> error;
                case WARN -> warn;
                case INFO -> info;
                case DEBUG -> debug;
            };
            method.invoke(logger, message, cause);
        }
    }
}
