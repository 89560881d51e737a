package io.cairn.kernel.store;

import io.cairn.api.message.Message;
import io.cairn.api.persistence.RetainedStore;
import java.util.Optional;
import java.util.function.Consumer;

/** The retained store in force while no store plugin is installed: it keeps nothing (the kernel's index does). */
public final class NoRetainedStore implements RetainedStore {

    public static final NoRetainedStore INSTANCE = new NoRetainedStore();

    private NoRetainedStore() {
    }

    @Override public void put(Message message) { }
    @Override public void remove(String topic) { }
    @Override public Optional<Message> get(String topic) { return Optional.empty(); }
    @Override public void forEach(Consumer<Message> action) { }
    @Override public int size() { return 0; }

    @Override
    public String toString() {
        return "no retained store";
    }
}
