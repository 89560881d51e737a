package io.cairn.api.persistence;

import io.cairn.api.message.Message;
import java.util.Objects;

/**
 * An outgoing message of a session, queued or in flight.
 *
 * @param sequence   orders the messages of one session: delivery follows ascending sequence; unique per session
 * @param message    the message with the QoS it is delivered at (the lower of publish and subscription QoS)
 * @param packetId   the packet identifier once sent (1..65535), 0 while {@link OutboundState#QUEUED}
 * @param state      where the message stands
 * @param receivedAt when the broker received the message, in epoch milliseconds (for message expiry)
 */
public record OutboundMessage(long sequence, Message message, int packetId, OutboundState state, long receivedAt) {

    public OutboundMessage {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(state, "state");
        if (packetId < 0 || packetId > 0xFFFF) {
            throw new IllegalArgumentException("packet id out of range: " + packetId);
        }
        if ((state == OutboundState.QUEUED) != (packetId == 0)) {
            throw new IllegalArgumentException("a queued message has no packet id, a sent one has: " + state
                    + " with packet id " + packetId);
        }
    }

    /** This message moved to {@code newState} under {@code newPacketId}. */
    public OutboundMessage with(int newPacketId, OutboundState newState) {
        return new OutboundMessage(sequence, message, newPacketId, newState, receivedAt);
    }
}
