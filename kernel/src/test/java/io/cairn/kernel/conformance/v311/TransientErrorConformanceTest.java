package io.cairn.kernel.conformance.v311;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.testsupport.BrokerConfig;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.TestBroker;
import io.cairn.persistence.mem.MemorySessionStore;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** MQTT 3.1.1 §4.8: a transient error while handling a packet closes the connection it arrived on. */
class TransientErrorConformanceTest {

    @Test
    @Tag("MQTT-4.8.0-2")
    @DisplayName("[MQTT-4.8.0-2] when the session store fails while a SUBSCRIBE is handled, that connection is "
            + "closed and the others keep working")
    void storeFailureClosesTheConnection() throws Exception {
        try (TestBroker broker = TestBroker.start(BrokerConfig.standard(), new FailingStore())) {
            RawMqttClient bystander = broker.connect(Packets.connect("transient-ok").cleanSession(false), "ok");
            bystander.subscribe("fine/t", 1);
            RawMqttClient victim = broker.connect(Packets.connect("transient-victim").cleanSession(false), "victim");

            victim.send(Packets.subscribe(1, FailingStore.FAILING_FILTER, 1));
            victim.expectClosed();

            bystander.publish("fine/t", 1, "still fine");
            assertThat(bystander.receiveAndAcknowledge().payloadText()).isEqualTo("still fine");
        }
    }

    /** A memory store that fails, as a broken disk or database would, when asked to store one filter. */
    private static final class FailingStore implements SessionStore {
        static final String FAILING_FILTER = "store/fails/here";
        private final SessionStore delegate = new MemorySessionStore();

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
            if (subscription.topicFilter().equals(FAILING_FILTER)) {
                throw new IllegalStateException("simulated store failure: disk full");
            }
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
    }
}
