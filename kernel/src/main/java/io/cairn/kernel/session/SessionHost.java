package io.cairn.kernel.session;

import io.cairn.kernel.intercept.Interceptors;
import io.cairn.api.broker.DropReason;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.delivery.SharedGroup;
import io.cairn.kernel.embedded.BrokerSettings;

/**
 * What a session needs from the kernel: limits, the subscription index, the active store and the counters.
 */
public interface SessionHost {

    BrokerSettings settings();

    /** The session store in force now (a store that keeps nothing when none is installed). */
    SessionStore store();

    /** Adds the subscription to the routing index. */
    void index(Session session, Subscription subscription);

    /** Removes the subscription to {@code topicFilter} from the routing index. */
    void unindex(Session session, String topicFilter);

    /**
     * A message to {@code topic} not delivered to {@code clientId}'s session, for {@code reason}: counted, and told
     * to the event listeners. Called on the session's home loop.
     */
    void dropped(String clientId, String topic, DropReason reason);

    /** The interceptors applied to deliveries. */
    default Interceptors interceptors() {
        return Interceptors.NONE;
    }

    /** {@code clientId}'s session expired and is gone. */
    default void sessionExpired(String clientId) {
    }

    /**
     * Gives a message that {@code from} got through shared subscription {@code group} to another member; the
     * caller keeps its reference.
     *
     * @return whether another member took it
     */
    boolean passOn(SharedGroup group, Publication publication, Session from);

    /** Publishes a will whose delay has passed, or whose session ended. */
    void publishWill(StoredWill will);

    /** {@code session} expired offline and was destroyed; it leaves the broker's sessions. On its home loop. */
    void expired(Session session);
}
