package io.cairn.kernel.protocol;

import io.cairn.kernel.delivery.Barrier;

/**
 * A PUBACK, PUBREC or PUBCOMP to a publisher that waits until the store has made durable what it promises: the
 * message in the queue of every persistent subscriber (and in the retained store), or the packet-identifier
 * state of a QoS 2 flow. As a {@link Barrier} it counts the deliveries still on their way to their sessions;
 * when the last has arrived it asks the stores to sync, and when they have, the connection writes it — after
 * every acknowledgement held before it, so the publisher sees them in the order of its PUBLISH packets.
 * Lives on the connection's event loop except for {@link #reached()}.
 */
final class HeldAck extends Barrier implements Runnable {

    final int type;
    final int packetId;
    /** The MQTT 5 reason code; set before the publisher's routing leaves the barrier. */
    int reason;
    /** Written on the store's thread before the hand-over to the event loop, read on the loop. */
    private Throwable failure;
    private boolean ready;
    private final MqttConnection connection;
    private final boolean retain;

    HeldAck(MqttConnection connection, int type, int packetId, int reason, boolean retain) {
        this.connection = connection;
        this.type = type;
        this.packetId = packetId;
        this.reason = reason;
        this.retain = retain;
    }

    /** An acknowledgement that waits for nothing itself, only for those held before it. */
    static HeldAck ready(MqttConnection connection, int type, int packetId, int reason) {
        HeldAck ack = new HeldAck(connection, type, packetId, reason, false);
        ack.ready = true;
        return ack;
    }

    boolean isReady() {
        return ready;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    protected void reached() {
        connection.kernel.sync(retain).whenComplete((v, t) -> {
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
