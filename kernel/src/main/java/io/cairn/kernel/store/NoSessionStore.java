package io.cairn.kernel.store;

import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The session store in force while no store plugin is installed: it keeps nothing. The kernel still holds every
 * session in memory, so sessions live as long as the kernel does.
 */
public final class NoSessionStore implements SessionStore {

    public static final NoSessionStore INSTANCE = new NoSessionStore();

    private NoSessionStore() {
    }

    @Override public Optional<SessionState> load(String clientId) { return Optional.empty(); }
    @Override public void forEach(Consumer<SessionState> action) { }
    @Override public int size() { return 0; }
    @Override public void save(SessionState session) { }
    @Override public void remove(String clientId) { }
    @Override public void updateConnection(String clientId, long disconnectedAt, long expiryInterval) { }
    @Override public void putSubscription(String clientId, Subscription subscription) { }
    @Override public void removeSubscription(String clientId, String topicFilter) { }
    @Override public void addOutbound(String clientId, OutboundMessage message) { }
    @Override public void updateOutbound(String clientId, long sequence, int packetId, OutboundState state) { }
    @Override public void removeOutbound(String clientId, long sequence) { }
    @Override public void addInboundQos2(String clientId, int packetId) { }
    @Override public void removeInboundQos2(String clientId, int packetId) { }
    @Override public void setWill(String clientId, StoredWill will) { }

    @Override
    public String toString() {
        return "no session store";
    }
}
