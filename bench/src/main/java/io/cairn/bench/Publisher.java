package io.cairn.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Sends one publisher's messages with an end-to-end window: a message occupies one of {@code window} slots
 * until every subscriber that must receive it has it and, at QoS 1/2, its PUBACK/PUBCOMP is back. The slot of
 * sequence {@code s} is {@code s % window} and its packet id {@code slot + 1}, so at most {@code window}
 * packet ids are in use.
 *
 * <p>Sending runs on the connection's event loop in turns: each turn writes as many messages as the window,
 * the rate and the channel allow into the connection's batch buffer and flushes once. Completions may come
 * from any event loop ({@link #complete(long)} is thread-safe); a publisher blocked on its window is woken by
 * the completion that frees a slot.
 *
 * <p>At QoS 1/2 the window never exceeds the broker's MQTT 5 Receive Maximum: each message in the window may be
 * an unacknowledged PUBLISH, and the broker allows no more than that many at once.
 */
final class Publisher implements AckSink, Runnable {

    /** The most messages one turn writes before it lets the loop serve other channels. */
    static final int MAX_BATCH = 512;

    private final int id;
    private final MqttConnection connection;
    private final PublishTemplate template;
    private final int qos;
    /** Slots in use, at most {@code slots.length()}; lowered once, before the first turn, never during one. */
    private volatile int window;
    private final int holders;
    private final long intervalNanos;
    private final RunState run;
    private final AtomicIntegerArray slots;
    private final AtomicBoolean parked = new AtomicBoolean();
    private final Counter sent = new Counter();

    private EventLoop loop;
    private long sequence;
    private long nextSendAt;
    private boolean waitingWritable;

    /**
     * @param receivers     how many subscribers receive each message (the window slot waits for all of them)
     * @param intervalNanos the fixed time between two messages, or 0 to send as fast as the window allows;
     *                      with an interval the payload timestamp is the intended send time
     */
    Publisher(int id, MqttConnection connection, PublishTemplate template, int qos, int window, int receivers,
              long intervalNanos, RunState run) {
        this.id = id;
        this.connection = connection;
        this.template = template;
        this.qos = qos;
        this.window = window;
        this.holders = receivers + (qos > 0 ? 1 : 0);
        this.intervalNanos = intervalNanos;
        this.run = run;
        this.slots = new AtomicIntegerArray(window);
    }

    int id() {
        return id;
    }

    /** Messages sent so far; readable from any thread. */
    long sent() {
        return sent.get();
    }

    /** Whether every message sent so far has completed. Readable from any thread. */
    boolean drained() {
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The QoS of this publisher's messages. */
    int qos() {
        return qos;
    }

    /** The length of one of this publisher's PUBLISH packets in bytes. */
    int packetBytes() {
        return template.length();
    }

    /**
     * Lowers the window to the Receive Maximum the connection's broker announced, at QoS 1/2; call once the
     * connection is ready and before {@link #start()}.
     *
     * @return the window now in use
     */
    int honourReceiveMaximum() {
        if (qos > 0 && connection.receiveMaximum() < window) {
            window = connection.receiveMaximum();
        }
        return window;
    }

    /** Starts sending on the connection's event loop; call once the connection is ready. */
    void start() {
        loop = connection.channel().eventLoop();
        loop.execute(() -> {
            nextSendAt = System.nanoTime();
            run();
        });
    }

    /**
     * Completes once a turn that began before publishing was switched off has finished: turns run on the
     * loop, so a no-op queued behind them runs after them, and every later turn sees publishing off.
     */
    Future<?> quiesce() {
        return loop != null ? loop.submit(() -> { }) : ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
    }

    /** One sending turn. */
    @Override
    public void run() {
        if (!run.publishing() || !connection.channel().isActive()) {
            return;
        }
        if (!connection.channel().isWritable()) {
            waitingWritable = true;
            return;
        }
        long now = System.nanoTime();
        int window = this.window;
        ByteBuf out = null;
        int written = 0;
        while (written < MAX_BATCH) {
            if (intervalNanos > 0 && nextSendAt - now > 0) {
                loop.schedule(this, nextSendAt - now, TimeUnit.NANOSECONDS);
                break;
            }
            int slot = (int) (sequence % window);
            if (slots.get(slot) != 0) {
                parked.set(true);
                if (slots.get(slot) != 0 || !parked.compareAndSet(true, false)) {
                    break; // a completion will run the next turn
                }
            }
            if (out == null) {
                out = connection.out();
            }
            slots.set(slot, holders);
            template.write(out, slot + 1, sequence, intervalNanos > 0 ? nextSendAt : now);
            sequence++;
            nextSendAt += intervalNanos;
            written++;
        }
        if (written > 0) {
            sent.set(sequence);
            connection.flush();
        }
        if (written == MAX_BATCH) {
            loop.execute(this);
        }
    }

    /** The channel can take writes again. */
    void onWritable() {
        if (waitingWritable) {
            waitingWritable = false;
            run();
        }
    }

    /** One holder of {@code sequence} is done with it: a subscriber received it or gave up on it. */
    void complete(long sequence) {
        completeSlot((int) (sequence % window));
    }

    @Override
    public void onAck(int packetId) {
        if (qos > 0 && packetId >= 1 && packetId <= slots.length()) {
            completeSlot(packetId - 1);
        }
    }

    private void completeSlot(int slot) {
        if (slots.decrementAndGet(slot) == 0 && parked.get() && parked.compareAndSet(true, false)) {
            loop.execute(this);
        }
    }

    /** The window size. */
    int window() {
        return window;
    }
}
