package io.cairn.kernel.intercept;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The failures of one bundle's interceptors: exceptions and overruns of the time budget. More than
 * {@code maxFailures} within {@code windowNanos} exhausts it, once: the bundle is then quarantined.
 */
public final class FaultBudget {

    private final String owner;
    private final int maxFailures;
    private final long windowNanos;
    private final LongAdder exceptions = new LongAdder();
    private final LongAdder overruns = new LongAdder();
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private final AtomicBoolean exhausted = new AtomicBoolean();
    private volatile String lastFailure;

    public FaultBudget(String owner, int maxFailures, long windowNanos) {
        this.owner = owner;
        this.maxFailures = maxFailures;
        this.windowNanos = windowNanos;
    }

    public String owner() {
        return owner;
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
