package io.cairn.kernel.session;

import io.cairn.api.message.ReasonCode;

import io.cairn.api.message.QoS;
import io.cairn.kernel.delivery.Publication;
import io.netty.channel.EventLoop;

/**
 * The network side of a session: the connection a session writes to while a client is attached. Every method
 * is called on {@link #eventLoop()}.
 */
public interface Outlet {

    /** The event loop of the connection. */
    EventLoop eventLoop();

    /** Whether the connection can take more writes now without growing its buffer past the high-water mark. */
    boolean isWritable();

    /** The client's Receive Maximum: QoS 1/2 messages it takes unacknowledged (65,535 before MQTT 5). */
    int receiveMaximum();

    /**
     * Whether the PUBLISH of {@code publication} stays within the client's Maximum Packet Size; one that does
     * not is dropped for this client and counts as delivered (MQTT-3.1.2-25).
     */
    boolean fits(Publication publication, QoS qos, int[] subscriptionIds);

    /** Writes a PUBLISH (flushed at the end of this event-loop turn). */
    void writePublish(Publication publication, QoS qos, int packetId, boolean retain, boolean dup,
                      int[] subscriptionIds);

    /**
     * Writes a PUBREL (flushed at the end of this event-loop turn); {@code known} false answers a PUBREC for a
     * packet id the session does not hold (MQTT 5 reason 0x92).
     */
    void writePubrel(int packetId, boolean known);

    /** Closes the connection because another connection took its session over. */
    void closeForTakeover();

    /** Closes the connection on an operator's request, as a network failure would (the will is published). */
    void closeByServer(ReasonCode code, String reason);
}
