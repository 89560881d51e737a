package io.cairn.kernel.protocol;

/**
 * A PUBACK, PUBREC or PUBCOMP to a publisher that waits until the store has made durable what it promises: the
 * copies of the message for every persistent session (written on the publisher's loop while it was routed) and
 * the retained message, or the packet-identifier state of a QoS 2 flow. {@link #release(boolean)} asks the
 * stores to sync when something was written; once they have, the connection writes it — after every
 * acknowledgement held before it, so the publisher sees them in the order of its PUBLISH packets. Lives on the
 * connection's event loop, except for the store's completion, which hands over to it.
 */
final class HeldAck implements Runnable {

    final int type;
    final int packetId;
    /** The MQTT 5 reason code. */
    int reason;
    /** Written on the store's thread before the hand-over to the event loop, read on the loop. */
    private Throwable failure;
    private boolean ready;
    private final MqttConnection connection;

    HeldAck(MqttConnection connection, int type, int packetId, int reason) {
        this.connection = connection;
        this.type = type;
        this.packetId = packetId;
        this.reason = reason;
    }

    /** An acknowledgement that waits for nothing itself, only for those held before it. */
    static HeldAck ready(MqttConnection connection, int type, int packetId, int reason) {
        HeldAck ack = new HeldAck(connection, type, packetId, reason);
        ack.ready = true;
        return ack;
    }

    boolean isReady() {
        return ready;
    }

    Throwable failure() {
        return failure;
    }

    /**
     * Lets the acknowledgement go once what was written to the stores before now is durable: the session store,
     * and with {@code retained} the retained store too. With {@code stored} false nothing was written and it goes
     * as soon as those before it have. Call on the connection's loop.
     */
    void release(boolean stored, boolean retained) {
        if (!stored) {
            run();
            return;
        }
        connection.kernel.sync(retained).whenComplete((v, t) -> {
            failure = t;
            connection.eventLoop().execute(this);
        });
    }

    /** On the connection's loop: the stores have synced. */
    @Override
    public void run() {
        ready = true;
        connection.releaseHeldAcks(this);
    }
}
