package io.cairn.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter written by one event loop and read by the main thread while the run goes on: release writes
 * (plain stores on x86) instead of atomic increments.
 */
final class Counter {

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Counter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private long value;

    /** Adds one; only the owning thread may call it. */
    void increment() {
        VALUE.setRelease(this, (long) VALUE.getOpaque(this) + 1);
    }

    /** Sets the value; only the owning thread may call it. */
    void set(long v) {
        VALUE.setRelease(this, v);
    }

    /** The value as last written; any thread. */
    long get() {
        return (long) VALUE.getAcquire(this);
    }
}
