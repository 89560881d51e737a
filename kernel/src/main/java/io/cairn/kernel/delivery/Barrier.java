package io.cairn.kernel.delivery;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the deliveries of one message that are still on their way to their sessions, so that what depends on
 * all of them having reached the store (the acknowledgement to the publisher, with a durable store) happens only
 * after the last one. Starts with one party, the publisher's own routing; each hand-over to another event loop
 * {@link #enter() enters}, and {@link #leave() leaves} once its session has taken the message. When the count
 * reaches zero, {@link #reached()} runs, once, on the thread that left last.
 */
public abstract class Barrier {

    private final AtomicInteger parties = new AtomicInteger(1);

    /**
     * Adds a party, unless the barrier was already reached: a late delivery (a queued message a shared
     * subscription passes on long after it arrived) is then not counted.
     *
     * @return whether the caller must {@link #leave()} later
     */
    public final boolean enter() {
        for (;;) {
            int n = parties.get();
            if (n == 0) {
                return false;
            }
            if (parties.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Removes a party; the last one runs {@link #reached()}. */
    public final void leave() {
        if (parties.decrementAndGet() == 0) {
            reached();
        }
    }

    /** Every party has left. */
    protected abstract void reached();
}
