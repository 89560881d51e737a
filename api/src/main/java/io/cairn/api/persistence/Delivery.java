package io.cairn.api.persistence;

import java.util.Objects;

/**
 * One copy of a routed message for one session: what {@link SessionStore#addOutbound} would add to
 * {@code clientId}'s outgoing messages.
 *
 * @param clientId the session the copy is for
 * @param message  the copy, {@link OutboundState#QUEUED}, with a sequence unique in that session; as copies are
 *                 written on the publisher's thread, it may be below a sequence the session already holds
 * @since 1.1
 */
public record Delivery(String clientId, OutboundMessage message) {
    public Delivery {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(message, "message");
    }
}
