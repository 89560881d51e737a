package io.cairn.persistence.mem;

import io.cairn.api.message.Message;
import io.cairn.api.persistence.RetainedStore;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * A {@link RetainedStore} that keeps retained messages in memory.
 *
 * <p>Thread-safe and lock-free for readers: the messages sit in a concurrent map keyed by topic, so every
 * operation but {@link #forEach} takes constant time. Messages are immutable and stored as given, never copied.
 * {@link #sync()} completes at once because there is nothing to make durable.
 *
 * <p>As a Declarative Services component it is immediate and ignores configuration: SCR then keeps one
 * instance, and with it every retained message, for as long as this bundle is active, whether or not the
 * kernel holds the service at the moment. Retained messages thus survive a restart of the kernel bundle, but
 * not of this bundle.
 */
@Component(service = RetainedStore.class, immediate = true, configurationPolicy = ConfigurationPolicy.IGNORE,
        property = {"service.ranking:Integer=0", "cairn.store=memory"})
public final class MemoryRetainedStore implements RetainedStore {

    private final ConcurrentHashMap<String, Message> messages = new ConcurrentHashMap<>();

    /** Creates an empty store. */
    public MemoryRetainedStore() {
    }

    @Override
    public void put(Message message) {
        messages.put(message.topic(), message);
    }

    @Override
    public void remove(String topic) {
        messages.remove(topic);
    }

    @Override
    public Optional<Message> get(String topic) {
        return Optional.ofNullable(messages.get(topic));
    }

    @Override
    public void forEach(Consumer<Message> action) {
        Objects.requireNonNull(action, "action");
        messages.values().forEach(action);
    }

    @Override
    public int size() {
        return messages.size();
    }

    @Override
    public String toString() {
        return "MemoryRetainedStore[messages=" + messages.size() + ']';
    }
}
