package io.cairn.api.persistence;

import io.cairn.api.message.Message;
import java.util.List;
import java.util.Objects;

/**
 * An outgoing message of a session, queued or in flight.
 *
 * @param sequence   orders the messages of one session: delivery follows ascending sequence; unique per session
 * @param message    the message with the QoS it is delivered at (the lower of publish and subscription QoS)
 * @param packetId   the packet identifier once sent (1..65535), 0 while {@link OutboundState#QUEUED}
 * @param state      where the message stands
 * @param receivedAt when the broker received the message, in epoch milliseconds (for message expiry)
 * @param subscriptionIds the MQTT 5 Subscription Identifiers it is delivered with (those of the matching
 *                   subscriptions that have one), empty for none
 */
public record OutboundMessage(long sequence, Message message, int packetId, OutboundState state, long receivedAt,
                              List<Integer> subscriptionIds) {

    public OutboundMessage {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(state, "state");
        subscriptionIds = List.copyOf(subscriptionIds);
        if (packetId < 0 || packetId > 0xFFFF) {
            throw new IllegalArgumentException("packet id out of range: " + packetId);
        }
        if ((state == OutboundState.QUEUED) != (packetId == 0)) {
            throw new IllegalArgumentException("a queued message has no packet id, a sent one has: " + state
                    + " with packet id " + packetId);
        }
    }

    /** A message delivered without Subscription Identifiers. */
    public OutboundMessage(long sequence, Message message, int packetId, OutboundState state, long receivedAt) {
        this(sequence, message, packetId, state, receivedAt, List.of());
    }

    /** This message moved to {@code newState} under {@code newPacketId}. */
    public OutboundMessage with(int newPacketId, OutboundState newState) {
        return new OutboundMessage(sequence, message, newPacketId, newState, receivedAt, subscriptionIds);
    }
}
