package io.cairn.api.intercept;

import io.cairn.api.broker.DropReason;
import io.cairn.api.persistence.Subscription;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The broker's lifecycle events, for audit and analytics. Called after the fact on the broker's threads: an
 * implementation hands anything slow to a thread of its own. Each method does nothing by default.
 */
@ConsumerType
public interface BrokerEventListener {

    default void clientConnected(ClientView client) {
    }

    default void clientDisconnected(ClientView client, DisconnectInfo disconnect) {
    }

    default void sessionCreated(String clientId) {
    }

    default void sessionExpired(String clientId) {
    }

    /** A message not delivered to {@code clientId}'s session, and why. */
    default void messageDropped(String clientId, String topic, DropReason reason) {
    }

    default void subscriptionAdded(String clientId, Subscription subscription) {
    }

    default void subscriptionRemoved(String clientId, String topicFilter) {
    }
}
