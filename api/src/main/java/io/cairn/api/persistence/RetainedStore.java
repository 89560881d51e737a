package io.cairn.api.persistence;

import io.cairn.api.message.Message;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Keeps the retained message of each topic (MQTT 3.1.1 §3.3.1.3, MQTT 5.0 §3.3.1.3).
 *
 * <p>The kernel indexes retained messages in memory for wildcard matching and writes every change through to
 * the store; the store is read in full at start-up and when the kernel switches stores. Implementations MUST
 * be thread-safe and MUST pass the contract suite {@code io.cairn.api.persistence.tck.RetainedStoreContract}
 * from this module's test-jar.
 */
@ConsumerType
public interface RetainedStore {

    /** Stores {@code message} as the retained message of its topic, replacing the one held before. */
    void put(Message message);

    /** Removes the retained message of {@code topic}; does nothing if there is none. */
    void remove(String topic);

    /** The retained message of exactly {@code topic}, or empty. */
    Optional<Message> get(String topic);

    /** Calls {@code action} once for every retained message, in no particular order. */
    void forEach(Consumer<Message> action);

    /** The number of retained messages held. */
    int size();

    /** Completes when every change made before this call is durable; see {@link SessionStore#sync()}. */
    default CompletionStage<Void> sync() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Whether {@link #sync()} waits until changes are on stable storage; see {@link SessionStore#durable()}.
     *
     * @since 1.1
     */
    default boolean durable() {
        return false;
    }
}
