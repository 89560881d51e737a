package io.cairn.kernel.conformance.v311;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.persistence.Subscription;
import io.cairn.api.persistence.tck.ForwardingSessionStore;
import io.cairn.kernel.testsupport.BrokerConfig;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.TestBroker;
import io.cairn.persistence.mem.MemorySessionStore;
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
    private static final class FailingStore extends ForwardingSessionStore {
        static final String FAILING_FILTER = "store/fails/here";

        FailingStore() {
            super(new MemorySessionStore());
        }

        @Override
        public void putSubscription(String clientId, Subscription subscription) {
            if (subscription.topicFilter().equals(FAILING_FILTER)) {
                throw new IllegalStateException("simulated store failure: disk full");
            }
            super.putSubscription(clientId, subscription);
        }
    }
}
