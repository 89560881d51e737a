package io.cairn.api.persistence;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A snapshot of one session as a store holds it. Immutable: the collections are copied.
 *
 * @param clientId        the client identifier the session belongs to
 * @param expiryInterval  the Session Expiry Interval in seconds; {@link #NEVER_EXPIRES} for an MQTT 3.1.1
 *                        persistent session
 * @param disconnectedAt  when the client disconnected, in epoch milliseconds; 0 while it is connected
 * @param subscriptions   the subscriptions, one per topic filter
 * @param outbound        queued and in-flight outgoing messages in ascending {@code sequence}
 * @param inboundQos2     packet identifiers of incoming QoS 2 messages received (PUBREC sent) and not yet
 *                        released by PUBREL
 * @param will            the will, or {@code null}
 */
public record SessionState(String clientId, long expiryInterval, long disconnectedAt,
                           List<Subscription> subscriptions, List<OutboundMessage> outbound,
                           Set<Integer> inboundQos2, StoredWill will) {

    /** The expiry interval of a session that never expires (MQTT 5: {@code 0xFFFFFFFF}). */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    public SessionState {
        Objects.requireNonNull(clientId, "clientId");
        subscriptions = List.copyOf(subscriptions);
        outbound = List.copyOf(outbound);
        inboundQos2 = Set.copyOf(inboundQos2);
    }

    /** A new, empty session. */
    public static SessionState empty(String clientId, long expiryInterval) {
        return new SessionState(clientId, expiryInterval, 0, List.of(), List.of(), Set.of(), null);
    }
}
