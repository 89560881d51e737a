package io.cairn.api.persistence;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Keeps MQTT sessions that must outlive their network connection (clean session 0 in MQTT 3.1.1, a Session
 * Expiry Interval above 0 in MQTT 5).
 *
 * <p>The kernel writes every change of a persistent session through to the store as it happens. Calls for one
 * client identifier never overlap in time and arrive in the order of the changes; calls for different client
 * identifiers may arrive concurrently from different threads, so implementations MUST be thread-safe. Calls
 * arrive on the broker's network threads: an implementation MUST NOT block them for long; a durable store
 * buffers writes and makes them durable in {@link #sync()}.
 *
 * <p>Updates that name a session the store does not hold (or a subscription, message or packet identifier that
 * session does not hold) MUST be ignored. Implementations MUST pass the contract suite
 * {@code io.cairn.api.persistence.tck.SessionStoreContract} from this module's test-jar.
 */
@ConsumerType
public interface SessionStore {

    /**
     * Returns the session of {@code clientId}, or empty if the store holds none.
     */
    Optional<SessionState> load(String clientId);

    /**
     * Calls {@code action} once for every session held, in no particular order. Used at start-up and to move
     * all sessions to another store. Sessions added or removed while this runs may or may not be visited.
     */
    void forEach(Consumer<SessionState> action);

    /** The number of sessions held. */
    int size();

    /**
     * Stores {@code session}, replacing any session held under the same client identifier along with all its
     * subscriptions, messages and packet-identifier state.
     */
    void save(SessionState session);

    /** Removes the session of {@code clientId} and everything it holds; does nothing if there is none. */
    void remove(String clientId);

    /**
     * Records that the client disconnected (or, with {@code disconnectedAt} 0, connected again), and the
     * expiry interval now in force.
     */
    void updateConnection(String clientId, long disconnectedAt, long expiryInterval);

    /** Adds {@code subscription}, replacing one with the same topic filter. */
    void putSubscription(String clientId, Subscription subscription);

    /** Removes the subscription to exactly {@code topicFilter}. */
    void removeSubscription(String clientId, String topicFilter);

    /**
     * Appends an outgoing message. Its sequence is higher than that of every message the session holds.
     */
    void addOutbound(String clientId, OutboundMessage message);

    /**
     * Records the routing of one incoming QoS 1/2 message as one change: the publisher's incoming QoS 2 packet
     * identifier (as {@link #addInboundQos2} would, when {@code publisher} is not {@code null} and
     * {@code inboundPacketId} is above 0) and a copy for each persistent session it goes to (as
     * {@link #addOutbound} would, for each delivery in turn). Sessions the store does not hold are skipped.
     *
     * <p>A durable store MUST apply it atomically: after a crash it holds all of it or none of it. This is what
     * makes QoS 2 exactly once across a crash: were the packet identifier durable without a copy, the
     * publisher's re-sent PUBLISH would be taken for a duplicate and the copy lost; were a copy durable without
     * the identifier, the re-sent PUBLISH would be routed again and delivered twice.
     *
     * <p>Unlike the other methods, this one is called on the publisher's thread, so it may overlap calls for the
     * receiving clients (which only ever name messages added before). The default makes the individual calls,
     * which suits a store that is not durable.
     *
     * @since 1.1
     */
    default void addDeliveries(String publisher, int inboundPacketId, java.util.List<Delivery> deliveries) {
        if (publisher != null && inboundPacketId > 0) {
            addInboundQos2(publisher, inboundPacketId);
        }
        for (Delivery d : deliveries) {
            addOutbound(d.clientId(), d.message());
        }
    }

    /**
     * Moves the outgoing message with {@code sequence} to {@code state} under {@code packetId}.
     */
    void updateOutbound(String clientId, long sequence, int packetId, OutboundState state);

    /** Removes the outgoing message with {@code sequence}: it was acknowledged, expired or dropped. */
    void removeOutbound(String clientId, long sequence);

    /** Records that an incoming QoS 2 message with {@code packetId} was received and PUBREC sent. */
    void addInboundQos2(String clientId, int packetId);

    /** Records that PUBREL for the incoming QoS 2 message {@code packetId} arrived: the id is free again. */
    void removeInboundQos2(String clientId, int packetId);

    /** Sets the will of the session, or clears it with {@code null}. */
    void setWill(String clientId, StoredWill will);

    /**
     * Completes when every change made before this call is durable. The kernel acknowledges a QoS 1/2 message
     * to its publisher only after the stage completes. A store that is not durable returns a completed stage.
     */
    default CompletionStage<Void> sync() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Whether {@link #sync()} waits until changes are on stable storage. When it does, the kernel holds back the
     * acknowledgements whose promise depends on the store (PUBACK, PUBREC and PUBCOMP to a publisher; the
     * PUBLISH and PUBREL of a QoS 2 delivery to a subscriber) until the changes they depend on are durable, so
     * a crash never loses what was acknowledged. A store that is not durable, or durable only periodically,
     * returns {@code false} and the kernel acknowledges at once.
     *
     * @since 1.1
     */
    default boolean durable() {
        return false;
    }
}
