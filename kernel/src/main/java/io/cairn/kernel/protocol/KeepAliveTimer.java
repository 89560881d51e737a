package io.cairn.kernel.protocol;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Notices a connection that has been silent for too long: before CONNECT for the connect timeout, after it for
 * the client's keep-alive times the grace (MQTT-3.1.2-24). It replaces Netty's {@code IdleStateHandler}, which
 * had to be swapped for a new one at CONNECT (a handler removed and added, a timer task cancelled and scheduled,
 * per connection) and sat in the pipeline as one more handler every read passes.
 *
 * <p>One task per connection in its loop's timer queue, re-armed only when it fires: a read just notes that
 * it happened, and the time is taken once per read burst ({@link #readComplete()}), as the idle handler did.
 * A longer limit set at CONNECT (the usual case: 1.5 × 60 s against a 10-s connect timeout) leaves the pending
 * task alone; it re-arms for the rest when it fires. Not thread-safe: every call is made on the connection's
 * event loop.
 */
final class KeepAliveTimer implements Runnable {

    private final Runnable onSilence;
    private EventExecutor loop;
    private long limitNanos;
    private long lastReadNanos;
    private boolean reading;
    private ScheduledFuture<?> task;

    /** @param onSilence what to do once the connection was silent for the limit; runs on the loop */
    KeepAliveTimer(Runnable onSilence) {
        this.onSilence = onSilence;
    }

    /** Starts timing on {@code executor} with {@code limitNanos}; later calls do nothing. */
    void start(EventExecutor executor, long limitNanos) {
        if (loop != null) {
            return;
        }
        loop = executor;
        lastReadNanos = System.nanoTime();
        this.limitNanos = limitNanos;
        arm(limitNanos);
    }

    /** A packet arrived. */
    void read() {
        reading = true;
    }

    /** A read burst ended: the connection was heard from now. */
    void readComplete() {
        if (reading) {
            reading = false;
            lastReadNanos = System.nanoTime();
        }
    }

    /** Changes the limit, counted from the last read; 0 stops the timer. */
    void limit(long nanos) {
        long previous = limitNanos;
        limitNanos = nanos;
        if (loop == null) {
            return; // not started: start() sets the limit
        }
        if (nanos <= 0) {
            cancel();
        } else if (task == null || nanos < previous) {
            cancel();
            arm(nanos - (System.nanoTime() - lastReadNanos));
        }
        // a longer limit: the pending task fires early and re-arms for the rest
    }

    /** Stops for good (the connection closed). */
    void stop() {
        limitNanos = 0;
        cancel();
    }

    @Override
    public void run() {
        task = null;
        if (limitNanos <= 0) {
            return;
        }
        long silent = reading ? 0 : System.nanoTime() - lastReadNanos;
        if (silent >= limitNanos) {
            limitNanos = 0;
            onSilence.run();
        } else {
            arm(limitNanos - silent);
        }
    }

    private void arm(long delayNanos) {
        task = loop.schedule(this, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }
}
