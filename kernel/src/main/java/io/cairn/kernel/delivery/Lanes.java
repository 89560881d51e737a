package io.cairn.kernel.delivery;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work handed from one event loop to another, in batches, and flushes batched per event-loop turn.
 *
 * <p>Each I/O event loop has one lane: a lock-free multi-producer queue of hand-overs and a list of connections
 * written to since their last flush. Producers on other threads append to the queue; the first append after the
 * lane was drained schedules one drain task, so a burst of messages costs one task on the target loop, not one
 * per message. After draining, the lane flushes every connection that was written to.
 */
public final class Lanes {

    private static final Logger LOG = LoggerFactory.getLogger(Lanes.class);

    private final Map<EventExecutor, Lane> lanes = new IdentityHashMap<>();

    /** Creates one lane per event loop of {@code groups}. */
    public Lanes(EventLoopGroup... groups) {
        for (EventLoopGroup group : groups) {
            for (EventExecutor executor : group) {
                lanes.put(executor, new Lane((EventLoop) executor));
            }
        }
    }

    /** Runs {@code task} on {@code loop} in its next batch (batched with other hand-overs to that loop). */
    public void handOver(EventLoop loop, Runnable task) {
        Lane lane = lanes.get(loop);
        if (lane == null) {
            loop.execute(task);
            return;
        }
        lane.add(task);
    }

    /**
     * Marks {@code connection} as written to; it is flushed at the end of this event-loop turn. Call on the
     * connection's event loop.
     *
     * @return {@code false} when the current thread is not one of the kernel's loops (the caller flushes itself)
     */
    public boolean markDirty(EventLoop loop, Flushable connection) {
        Lane lane = lanes.get(loop);
        if (lane == null) {
            return false;
        }
        lane.dirty(connection);
        return true;
    }

    /** Flushes every connection of the current loop that was written to. Call on an event loop. */
    public void flushDirty(EventLoop loop) {
        Lane lane = lanes.get(loop);
        if (lane != null) {
            lane.flush();
        }
    }

    private static final class Lane implements Runnable {
        private final EventLoop loop;
        private final Queue<Runnable> inbox = PlatformDependent.newMpscQueue();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final ArrayList<Flushable> dirty = new ArrayList<>();
        private final Runnable flushTask = this::flush;
        private boolean flushScheduled;

        Lane(EventLoop loop) {
            this.loop = loop;
        }

        void add(Runnable task) {
            inbox.offer(task);
            if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
                loop.execute(this);
            }
        }

        @Override
        public void run() {
            for (;;) {
                scheduled.set(false);
                Runnable task;
                while ((task = inbox.poll()) != null) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        LOG.error("Hand-over task failed", e);
                    }
                }
                // a producer that appended after our last poll saw scheduled==false and scheduled us again,
                // or sees it now; either way nothing is left behind
                if (inbox.isEmpty() || !scheduled.compareAndSet(false, true)) {
                    break;
                }
            }
            flush();
        }

        void dirty(Flushable connection) {
            dirty.add(connection);
            if (!flushScheduled) {
                flushScheduled = true;
                loop.execute(flushTask);
            }
        }

        void flush() {
            flushScheduled = false;
            ArrayList<Flushable> list = dirty;
            for (int i = 0; i < list.size(); i++) {
                list.get(i).flushNow();
            }
            list.clear();
        }
    }
}
