package io.cairn.persistence.mem;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.message.Message;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import io.cairn.api.persistence.tck.ForwardingSessionStore;
import io.cairn.api.persistence.tck.RetainedStoreContract;
import io.cairn.api.persistence.tck.SessionStoreContract;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs the contract suites against stores broken on purpose, one flaw each, and checks that the suites fail
 * them in the tests written to catch that flaw: a contract that passes a broken store protects no one. Each
 * broken store wraps a memory store and spoils one behaviour; the runs go through the JUnit Platform test kit,
 * so their failures are results to inspect here, not failures of this build.
 */
class ContractCatchesBrokenStoresTest {

    @Test
    @DisplayName("the session contract passes the unbroken wrapper, so every failure below comes from its flaw")
    void sessionContractPassesWrapper() {
        assertThat(failedTests(FaithfulSessionRun.class)).isEmpty();
    }

    @Test
    @DisplayName("the session contract fails a store whose updates bring unknown sessions into being")
    void catchesPhantomSessions() {
        assertThat(failedTests(PhantomSessionRun.class)).contains("updateOfUnknownSessionIsIgnored",
                "updateAfterRemoveIsIgnored", "allUpdatesLeaveStoreEmpty");
    }

    @Test
    @DisplayName("the session contract fails a store whose save merges into the session it should replace")
    void catchesMergingSave() {
        assertThat(failedTests(MergingSaveRun.class)).contains("saveReplacesWholeSession",
                "saveReplacesStateBuiltByUpdates", "updatesApplyToTheReplacement");
    }

    @Test
    @DisplayName("the session contract fails a store that hands out outgoing messages newest first")
    void catchesReversedOutbound() {
        assertThat(failedTests(ReversedOutboundRun.class)).contains("addOutboundKeepsAscendingOrder",
                "removeOutboundKeepsOthersInOrder", "manyMessagesStayOrdered", "savedSessionLoadsBack",
                "concurrentWritersLoseNoUpdate");
    }

    @Test
    @DisplayName("the session contract fails a store that loses the MQTT 5 properties of messages")
    void catchesLostSessionProperties() {
        assertThat(failedTests(PropertylessSessionRun.class)).contains("outboundMessagesRoundTrip",
                "savedMessagesRoundTrip", "willRoundTrips");
    }

    @Test
    @DisplayName("the session contract fails a store that ignores removeOutbound")
    void catchesIgnoredRemoveOutbound() {
        assertThat(failedTests(StickyOutboundRun.class)).contains("removeOutboundKeepsOthersInOrder",
                "removeOutboundInAnyState", "concurrentWritersLoseNoUpdate");
    }

    @Test
    @DisplayName("the retained contract passes the unbroken wrapper, so every failure below comes from its flaw")
    void retainedContractPassesWrapper() {
        assertThat(failedTests(FaithfulRetainedRun.class)).isEmpty();
    }

    @Test
    @DisplayName("the retained contract fails a store that compares topics without regard to case")
    void catchesCaseInsensitiveTopics() {
        assertThat(failedTests(CaseBlindRetainedRun.class)).contains("topicsAreExact");
    }

    @Test
    @DisplayName("the retained contract fails a store that loses the MQTT 5 properties of messages")
    void catchesLostRetainedProperties() {
        assertThat(failedTests(PropertylessRetainedRun.class)).contains("putThenGet", "messagesRoundTrip");
    }

    /** The names of the test methods that failed when {@code contractRun} ran; asserts that it ran at all. */
    private static Set<String> failedTests(Class<?> contractRun) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(DiscoverySelectors.selectClass(contractRun))
                .execute();
        assertThat(results.testEvents().started().count()).as("tests run for %s", contractRun.getSimpleName())
                .isGreaterThan(15);
        Set<String> failed = new TreeSet<>();
        results.testEvents().failed().stream()
                .map(event -> event.getTestDescriptor().getSource())
                .flatMap(Optional::stream)
                .filter(MethodSource.class::isInstance)
                .map(source -> ((MethodSource) source).getMethodName())
                .forEach(failed::add);
        return failed;
    }

    private static Message withoutProperties(Message message) {
        return Message.of(message.topic(), message.payloadBytes(), message.qos(), message.retain());
    }

    /** A session store that passes every call on to a memory store; the broken stores override one behaviour. */
    static class DelegatingSessionStore extends ForwardingSessionStore {
        DelegatingSessionStore() {
            super(new MemorySessionStore());
        }
    }

    /** Creates the session it is asked to update when it holds none. */
    static final class PhantomSessionStore extends DelegatingSessionStore {
        @Override
        public void putSubscription(String clientId, Subscription subscription) {
            if (delegate.load(clientId).isEmpty()) {
                delegate.save(SessionState.empty(clientId, 0));
            }
            delegate.putSubscription(clientId, subscription);
        }

        @Override
        public void addInboundQos2(String clientId, int packetId) {
            if (delegate.load(clientId).isEmpty()) {
                delegate.save(SessionState.empty(clientId, 0));
            }
            delegate.addInboundQos2(clientId, packetId);
        }
    }

    /** Adds the contents of a saved session to the one it already holds instead of replacing it. */
    static final class MergingSaveStore extends DelegatingSessionStore {
        @Override
        public void save(SessionState session) {
            if (delegate.load(session.clientId()).isEmpty()) {
                delegate.save(session);
                return;
            }
            String id = session.clientId();
            delegate.updateConnection(id, session.disconnectedAt(), session.expiryInterval());
            session.subscriptions().forEach(s -> delegate.putSubscription(id, s));
            session.outbound().forEach(m -> delegate.addOutbound(id, m));
            session.inboundQos2().forEach(p -> delegate.addInboundQos2(id, p));
            if (session.will() != null) {
                delegate.setWill(id, session.will());
            }
        }
    }

    /** Hands out outgoing messages in descending sequence. */
    static final class ReversedOutboundStore extends DelegatingSessionStore {
        @Override
        public Optional<SessionState> load(String clientId) {
            return delegate.load(clientId).map(ReversedOutboundStore::reversed);
        }

        @Override
        public void forEach(Consumer<SessionState> action) {
            delegate.forEach(state -> action.accept(reversed(state)));
        }

        private static SessionState reversed(SessionState state) {
            List<OutboundMessage> outbound = new ArrayList<>(state.outbound());
            Collections.reverse(outbound);
            return new SessionState(state.clientId(), state.expiryInterval(), state.disconnectedAt(),
                    state.subscriptions(), outbound, state.inboundQos2(), state.will());
        }
    }

    /** Keeps messages without their MQTT 5 properties, as a serializer that forgot them would. */
    static final class PropertylessSessionStore extends DelegatingSessionStore {
        @Override
        public void save(SessionState session) {
            List<OutboundMessage> outbound = session.outbound().stream()
                    .map(m -> new OutboundMessage(m.sequence(), withoutProperties(m.message()), m.packetId(),
                            m.state(), m.receivedAt()))
                    .toList();
            StoredWill will = session.will() == null ? null
                    : new StoredWill(withoutProperties(session.will().message()), session.will().delaySeconds());
            delegate.save(new SessionState(session.clientId(), session.expiryInterval(), session.disconnectedAt(),
                    session.subscriptions(), outbound, session.inboundQos2(), will));
        }

        @Override
        public void addOutbound(String clientId, OutboundMessage m) {
            delegate.addOutbound(clientId, new OutboundMessage(m.sequence(), withoutProperties(m.message()),
                    m.packetId(), m.state(), m.receivedAt()));
        }

        @Override
        public void setWill(String clientId, StoredWill will) {
            delegate.setWill(clientId,
                    will == null ? null : new StoredWill(withoutProperties(will.message()), will.delaySeconds()));
        }
    }

    /** Never removes an outgoing message. */
    static final class StickyOutboundStore extends DelegatingSessionStore {
        @Override
        public void removeOutbound(String clientId, long sequence) {
            // the flaw: acknowledged messages stay queued and would be delivered again after a restart
        }
    }

    /** A retained store that passes every call on to a memory store; the broken stores override one behaviour. */
    static class DelegatingRetainedStore implements RetainedStore {
        final MemoryRetainedStore delegate = new MemoryRetainedStore();

        @Override
        public void put(Message message) {
            delegate.put(message);
        }

        @Override
        public void remove(String topic) {
            delegate.remove(topic);
        }

        @Override
        public Optional<Message> get(String topic) {
            return delegate.get(topic);
        }

        @Override
        public void forEach(Consumer<Message> action) {
            delegate.forEach(action);
        }

        @Override
        public int size() {
            return delegate.size();
        }
    }

    /** Files every message under its topic in lower case, so topics that differ in case overwrite each other. */
    static final class CaseBlindRetainedStore extends DelegatingRetainedStore {
        private final Map<String, Message> byLowerCase = new ConcurrentHashMap<>();

        @Override
        public void put(Message message) {
            byLowerCase.put(message.topic().toLowerCase(Locale.ROOT), message);
        }

        @Override
        public void remove(String topic) {
            byLowerCase.remove(topic.toLowerCase(Locale.ROOT));
        }

        @Override
        public Optional<Message> get(String topic) {
            return Optional.ofNullable(byLowerCase.get(topic.toLowerCase(Locale.ROOT)));
        }

        @Override
        public void forEach(Consumer<Message> action) {
            byLowerCase.values().forEach(action);
        }

        @Override
        public int size() {
            return byLowerCase.size();
        }
    }

    /** Keeps retained messages without their MQTT 5 properties. */
    static final class PropertylessRetainedStore extends DelegatingRetainedStore {
        @Override
        public void put(Message message) {
            delegate.put(withoutProperties(message));
        }
    }

    static final class FaithfulSessionRun extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new DelegatingSessionStore();
        }
    }

    static final class PhantomSessionRun extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new PhantomSessionStore();
        }
    }

    static final class MergingSaveRun extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new MergingSaveStore();
        }
    }

    static final class ReversedOutboundRun extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new ReversedOutboundStore();
        }
    }

    static final class PropertylessSessionRun extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new PropertylessSessionStore();
        }
    }

    static final class StickyOutboundRun extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new StickyOutboundStore();
        }
    }

    static final class FaithfulRetainedRun extends RetainedStoreContract {
        @Override
        protected RetainedStore newStore() {
            return new DelegatingRetainedStore();
        }
    }

    static final class CaseBlindRetainedRun extends RetainedStoreContract {
        @Override
        protected RetainedStore newStore() {
            return new CaseBlindRetainedStore();
        }
    }

    static final class PropertylessRetainedRun extends RetainedStoreContract {
        @Override
        protected RetainedStore newStore() {
            return new PropertylessRetainedStore();
        }
    }
}
