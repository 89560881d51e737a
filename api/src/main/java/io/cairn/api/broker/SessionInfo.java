package io.cairn.api.broker;

import io.cairn.api.persistence.Subscription;
import java.util.List;
import java.util.Objects;

/**
 * A session known to the broker, connected or not.
 *
 * @param clientId       the client identifier
 * @param connected      whether a client is connected to it now
 * @param persistent     whether it outlives its connection
 * @param subscriptions  its subscriptions
 * @param inflight       outgoing QoS 1/2 messages sent and not yet acknowledged
 * @param queued         outgoing messages waiting to be sent
 * @param dropped        messages dropped for this session because its queue was full
 */
public record SessionInfo(String clientId, boolean connected, boolean persistent, List<Subscription> subscriptions,
                          int inflight, int queued, long dropped) {
    public SessionInfo {
        Objects.requireNonNull(clientId, "clientId");
        subscriptions = List.copyOf(subscriptions);
    }
}
