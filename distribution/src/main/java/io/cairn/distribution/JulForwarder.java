package io.cairn.distribution;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Forwards {@code java.util.logging} records (FileInstall logs through it) to the runtime's SLF4J logging.
 */
final class JulForwarder extends Handler {

    private final RuntimeLog log;

    JulForwarder(RuntimeLog log) {
        this.log = log;
        setLevel(Level.INFO);
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        int value = record.getLevel().intValue();
        RuntimeLog.Level level = value >= Level.SEVERE.intValue() ? RuntimeLog.Level.ERROR
                : value >= Level.WARNING.intValue() ? RuntimeLog.Level.WARN
                : value >= Level.INFO.intValue() ? RuntimeLog.Level.INFO
                : RuntimeLog.Level.DEBUG;
        String name = record.getLoggerName() == null ? "jul" : record.getLoggerName();
        String message = record.getMessage();
        if (record.getParameters() != null && record.getParameters().length > 0 && message != null) {
            message = java.text.MessageFormat.format(message, record.getParameters());
        }
        log.log(name, level, message, record.getThrown());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
