package io.cairn.auth.jdbc.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the authentication database answered the last time it was asked, logged once per change of state
 * rather than once per failed CONNECT. Thread-safe.
 */
public final class DatabaseHealth {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseHealth.class);

    private final String description;
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    private final AtomicInteger changes = new AtomicInteger();

    /**
     * @param description how log lines name the database, for example {@code default (jdbc:h2:file:/x/data/auth)};
     *                    it must carry no password
     */
    public DatabaseHealth(String description) {
        this.description = description;
    }

    /** Records a successful query; logs "reachable again" if the last one had failed. */
    public void succeeded() {
        if (reachable.compareAndSet(false, true)) {
            changes.incrementAndGet();
            LOG.info("authentication database {} reachable again", description);
        }
    }

    /** Records a failed query or connection; logs "unreachable" with the cause if the last one had succeeded. */
    public void failed(Throwable cause) {
        if (reachable.compareAndSet(true, false)) {
            changes.incrementAndGet();
            LOG.warn("authentication database {} unreachable: {}", description, message(cause));
        }
    }

    /** Whether the last query succeeded (true before the first). */
    public boolean reachable() {
        return reachable.get();
    }

    /** How many times the state changed (and was logged). */
    public int changes() {
        return changes.get();
    }

    private static String message(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
        if (root != cause && root.getMessage() != null && !text.contains(root.getMessage())) {
            text += " (" + root.getMessage() + ')';
        }
        return text;
    }
}
