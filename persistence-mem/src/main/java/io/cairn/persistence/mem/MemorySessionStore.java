package io.cairn.persistence.mem;

import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * A {@link SessionStore} that keeps sessions in memory.
 *
 * <p>Thread-safe. Sessions live in a concurrent map keyed by client identifier, and each session guards its
 * own state with its own lock, so calls for different clients run in parallel while {@link #load} and
 * {@link #forEach} always see a session whole. Subscription, packet-identifier, will and connection updates
 * take constant time; outgoing messages sit in a tree ordered by sequence, so adding, updating or removing one
 * takes O(log n) in the number of messages the session holds. {@link #load} and {@link #forEach} copy what
 * they hand out; messages themselves are immutable and shared, never copied. Nothing here blocks beyond a
 * session's own short lock, and {@link #sync()} completes at once because there is nothing to make durable.
 *
 * <p>As a Declarative Services component it is immediate and ignores configuration: SCR then keeps one
 * instance, and with it every session, for as long as this bundle is active, whether or not the kernel holds
 * the service at the moment. Sessions thus survive a restart of the kernel bundle, but not of this bundle.
 */
@Component(service = SessionStore.class, immediate = true, configurationPolicy = ConfigurationPolicy.IGNORE,
        property = {"service.ranking:Integer=0", "cairn.store=memory"})
public final class MemorySessionStore implements SessionStore {

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    /** Creates an empty store. */
    public MemorySessionStore() {
    }

    @Override
    public Optional<SessionState> load(String clientId) {
        Session session = sessions.get(clientId);
        return session == null ? Optional.empty() : Optional.of(session.snapshot());
    }

    @Override
    public void forEach(Consumer<SessionState> action) {
        Objects.requireNonNull(action, "action");
        for (Session session : sessions.values()) {
            action.accept(session.snapshot());
        }
    }

    @Override
    public int size() {
        return sessions.size();
    }

    @Override
    public void save(SessionState session) {
        sessions.put(session.clientId(), new Session(session));
    }

    @Override
    public void remove(String clientId) {
        sessions.remove(clientId);
    }

    @Override
    public void updateConnection(String clientId, long disconnectedAt, long expiryInterval) {
        Session session = sessions.get(clientId);
        if (session != null) {
            session.updateConnection(disconnectedAt, expiryInterval);
        }
    }

    @Override
    public void putSubscription(String clientId, Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        Session session = sessions.get(clientId);
        if (session != null) {
            session.putSubscription(subscription);
        }
    }

    @Override
    public void removeSubscription(String clientId, String topicFilter) {
        Session session = sessions.get(clientId);
        if (session != null) {
            session.removeSubscription(topicFilter);
        }
    }

    @Override
    public void addOutbound(String clientId, OutboundMessage message) {
        Objects.requireNonNull(message, "message");
        Session session = sessions.get(clientId);
        if (session != null) {
            session.addOutbound(message);
        }
    }

    @Override
    public void updateOutbound(String clientId, long sequence, int packetId, OutboundState state) {
        Objects.requireNonNull(state, "state");
        Session session = sessions.get(clientId);
        if (session != null) {
            session.updateOutbound(sequence, packetId, state);
        }
    }

    @Override
    public void removeOutbound(String clientId, long sequence) {
        Session session = sessions.get(clientId);
        if (session != null) {
            session.removeOutbound(sequence);
        }
    }

    @Override
    public void addInboundQos2(String clientId, int packetId) {
        Session session = sessions.get(clientId);
        if (session != null) {
            session.addInboundQos2(packetId);
        }
    }

    @Override
    public void removeInboundQos2(String clientId, int packetId) {
        Session session = sessions.get(clientId);
        if (session != null) {
            session.removeInboundQos2(packetId);
        }
    }

    @Override
    public void setWill(String clientId, StoredWill will) {
        Session session = sessions.get(clientId);
        if (session != null) {
            session.setWill(will);
        }
    }

    @Override
    public String toString() {
        return "MemorySessionStore[sessions=" + sessions.size() + ']';
    }

    /**
     * The live state of one session. Every method holds the session's monitor, which makes each update atomic
     * and each snapshot consistent.
     */
    private static final class Session {

        private final String clientId;
        private long expiryInterval;
        private long disconnectedAt;
        private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
        private final NavigableMap<Long, OutboundMessage> outbound = new TreeMap<>();
        private final Set<Integer> inboundQos2 = new HashSet<>();
        private StoredWill will;

        Session(SessionState state) {
            clientId = state.clientId();
            expiryInterval = state.expiryInterval();
            disconnectedAt = state.disconnectedAt();
            for (Subscription subscription : state.subscriptions()) {
                subscriptions.put(subscription.topicFilter(), subscription);
            }
            for (OutboundMessage message : state.outbound()) {
                outbound.put(message.sequence(), message);
            }
            inboundQos2.addAll(state.inboundQos2());
            will = state.will();
        }

        synchronized SessionState snapshot() {
            return new SessionState(clientId, expiryInterval, disconnectedAt, List.copyOf(subscriptions.values()),
                    List.copyOf(outbound.values()), Set.copyOf(inboundQos2), will);
        }

        synchronized void updateConnection(long newDisconnectedAt, long newExpiryInterval) {
            disconnectedAt = newDisconnectedAt;
            expiryInterval = newExpiryInterval;
        }

        synchronized void putSubscription(Subscription subscription) {
            subscriptions.put(subscription.topicFilter(), subscription);
        }

        synchronized void removeSubscription(String topicFilter) {
            subscriptions.remove(topicFilter);
        }

        synchronized void addOutbound(OutboundMessage message) {
            outbound.put(message.sequence(), message);
        }

        synchronized void updateOutbound(long sequence, int packetId, OutboundState state) {
            OutboundMessage message = outbound.get(sequence);
            if (message != null) {
                outbound.replace(sequence, message.with(packetId, state));
            }
        }

        synchronized void removeOutbound(long sequence) {
            outbound.remove(sequence);
        }

        synchronized void addInboundQos2(int packetId) {
            inboundQos2.add(packetId);
        }

        synchronized void removeInboundQos2(int packetId) {
            inboundQos2.remove(packetId);
        }

        synchronized void setWill(StoredWill newWill) {
            will = newWill;
        }
    }
}
