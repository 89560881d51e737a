package io.cairn.distribution;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * Routes the Felix framework's own messages (resolver errors, bundle start failures) to the runtime's logging.
 */
final class FrameworkLog extends org.apache.felix.framework.Logger {

    private final RuntimeLog log;

    FrameworkLog(RuntimeLog log) {
        this.log = log;
    }

    @Override
    @SuppressWarnings("rawtypes")
    protected void doLog(Bundle bundle, ServiceReference sr, int level, String msg, Throwable throwable) {
        RuntimeLog.Level target = switch (level) {
            case LOG_ERROR -> RuntimeLog.Level.ERROR;
            case LOG_WARNING -> RuntimeLog.Level.WARN;
            case LOG_INFO -> RuntimeLog.Level.INFO;
            default -> RuntimeLog.Level.DEBUG;
        };
        String prefix = bundle == null ? "" : bundle.getSymbolicName() + " [" + bundle.getBundleId() + "]: ";
        log.log("org.apache.felix.framework", target, prefix + msg, throwable);
    }
}
