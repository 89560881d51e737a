package io.cairn.bench;

/** Owns the packet ids of a connection's outgoing QoS 1/2 PUBLISH packets. */
interface AckSink {

    /** The flow of {@code packetId} finished (PUBACK, or PUBCOMP at QoS 2); called on the connection's loop. */
    void onAck(int packetId);
}
