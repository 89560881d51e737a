package io.cairn.api.persistence.tck;

import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A session store that passes every call on to another one. Tests extend it to change one behaviour of a
 * working store: to break it on purpose (and see the contract suite fail), or to make it fail as a broken disk
 * or database would (and see what the broker does).
 */
public class ForwardingSessionStore implements SessionStore {

    /** The store every call goes to. */
    protected final SessionStore delegate;

    public ForwardingSessionStore(SessionStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Optional<SessionState> load(String clientId) {
        return delegate.load(clientId);
    }

    @Override
    public void forEach(Consumer<SessionState> action) {
        delegate.forEach(action);
    }

    @Override
    public int size() {
        return delegate.size();
    }

    @Override
    public void save(SessionState session) {
        delegate.save(session);
    }

    @Override
    public void remove(String clientId) {
        delegate.remove(clientId);
    }

    @Override
    public void updateConnection(String clientId, long disconnectedAt, long expiryInterval) {
        delegate.updateConnection(clientId, disconnectedAt, expiryInterval);
    }

    @Override
    public void putSubscription(String clientId, Subscription subscription) {
        delegate.putSubscription(clientId, subscription);
    }

    @Override
    public void removeSubscription(String clientId, String topicFilter) {
        delegate.removeSubscription(clientId, topicFilter);
    }

    @Override
    public void addOutbound(String clientId, OutboundMessage message) {
        delegate.addOutbound(clientId, message);
    }

    @Override
    public void updateOutbound(String clientId, long sequence, int packetId, OutboundState state) {
        delegate.updateOutbound(clientId, sequence, packetId, state);
    }

    @Override
    public void removeOutbound(String clientId, long sequence) {
        delegate.removeOutbound(clientId, sequence);
    }

    @Override
    public void addInboundQos2(String clientId, int packetId) {
        delegate.addInboundQos2(clientId, packetId);
    }

    @Override
    public void removeInboundQos2(String clientId, int packetId) {
        delegate.removeInboundQos2(clientId, packetId);
    }

    @Override
    public void setWill(String clientId, StoredWill will) {
        delegate.setWill(clientId, will);
    }

    @Override
    public CompletionStage<Void> sync() {
        return delegate.sync();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + '[' + delegate + ']';
    }
}
