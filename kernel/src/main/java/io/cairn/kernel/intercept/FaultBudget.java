package io.cairn.kernel.intercept;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The failures of one bundle's interceptors: exceptions and overruns of the time budget. More than
 * {@code maxFailures} within {@code windowNanos} exhausts it, once: the bundle is then quarantined.
 */
public final class FaultBudget {

    private final String plugin;
    private final String version;
    private final int maxFailures;
    private final long windowNanos;
    private final LongAdder exceptions = new LongAdder();
    private final LongAdder overruns = new LongAdder();
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private final AtomicBoolean exhausted = new AtomicBoolean();
    private volatile String lastFailure;
    private volatile Instant lastFailureAt;

    /**
     * @param plugin  whose interceptors these are: a bundle's symbolic name (embedded: the name they were added
     *                under)
     * @param version the bundle's version, or {@code null}
     */
    public FaultBudget(String plugin, String version, int maxFailures, long windowNanos) {
        this.plugin = plugin;
        this.version = version;
        this.maxFailures = maxFailures;
        this.windowNanos = windowNanos;
    }

    public String plugin() {
        return plugin;
    }

    public String version() {
        return version;
    }

    /** The plugin and its version, for log lines. */
    public String owner() {
        return version == null ? plugin : plugin + " " + version;
    }

    public Instant lastFailureAt() {
        return lastFailureAt;
    }

    public long exceptions() {
        return exceptions.sum();
    }

    public long overruns() {
        return overruns.sum();
    }

    public String lastFailure() {
        return lastFailure;
    }

    public boolean exhausted() {
        return exhausted.get();
    }

    /** Counts an exception; returns {@code true} once, when this failure exhausts the budget. */
    boolean exception(String what) {
        exceptions.increment();
        return failed(what);
    }

    /** Counts an overrun; returns {@code true} once, when this failure exhausts the budget. */
    boolean overrun(String what) {
        overruns.increment();
        return failed(what);
    }

    private boolean failed(String what) {
        lastFailure = what;
        lastFailureAt = Instant.now();
        long now = System.nanoTime();
        synchronized (recent) {
            recent.addLast(now);
            while (!recent.isEmpty() && now - recent.peekFirst() > windowNanos) {
                recent.pollFirst();
            }
            if (recent.size() <= maxFailures) {
                return false;
            }
        }
        return exhausted.compareAndSet(false, true);
    }
}
