package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.BrokerConfig;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.TestBroker;
import io.cairn.kernel.testsupport.Wire;
import io.cairn.persistence.mem.MemorySessionStore;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5 session state that must outlive the broker process: a will waiting for its delay and the Subscription
 * Identifiers of queued messages, through the session store. Each test stops a broker and starts another on the
 * same store, as a restart does.
 */
class StoredState5ConformanceTest {

    private static final int SESSION_EXPIRY = 0x11;
    private static final int WILL_DELAY = 0x18;

    private final MemorySessionStore store = new MemorySessionStore();

    private static RawMqttClient connect5(TestBroker broker, String clientId, boolean cleanStart, byte[]... props) {
        RawMqttClient c = broker.rawClient(clientId);
        c.send(Packets.connect(clientId).cleanSession(cleanStart).mqtt5(props).build());
        assertThat(c.expectConnack5().returnCode()).isZero();
        return c;
    }

    private static RawMqttClient watcher(TestBroker broker, String filter) {
        RawMqttClient w = connect5(broker, "watcher", true);
        w.send(Raw5.subscribe(1, filter, 1));
        w.expect(Packets.SUBACK);
        return w;
    }

    @Test
    @Tag("MQTT-3.1.3-9")
    @DisplayName("[MQTT-3.1.3-9] a will waiting for its delay when the broker stops goes out after the restart, "
            + "once")
    void pendingWillSurvivesRestart() throws Exception {
        try (TestBroker first = TestBroker.start(BrokerConfig.standard(), store)) {
            RawMqttClient c = first.rawClient("dying");
            c.send(Packets.connect("dying").mqtt5(property(SESSION_EXPIRY, u32(300)))
                    .will("wills/dying", "gone", 1, false).willProperties(property(WILL_DELAY, u32(2))).build());
            assertThat(c.expectConnack5().returnCode()).isZero();
            c.abort();
            RawMqttClient probe = connect5(first, "probe", true);
            probe.send(Packets.pingreq()); // the abort has been seen once the broker answers a later client
            probe.expect(Packets.PINGRESP);
        }
        try (TestBroker second = TestBroker.start(BrokerConfig.standard(), store)) {
            RawMqttClient w = watcher(second, "wills/#");
            RawPacket will = w.receive(Duration.ofSeconds(10));
            assertThat(Raw5.publish(will).topic() + ":" + Raw5.publish(will).payloadText())
                    .isEqualTo("wills/dying:gone");
        }
        try (TestBroker third = TestBroker.start(BrokerConfig.standard(), store)) {
            RawMqttClient w = watcher(third, "wills/#");
            connect5(third, "marker", true).send(Packets.frame(0x30, Wire.concat(Wire.utf8("wills/marker"),
                    new byte[] {0}, new byte[] {1})));
            assertThat(Raw5.expectPublish(w).topic()).as("the will was not sent a second time")
                    .isEqualTo("wills/marker");
        }
    }

    @Test
    @Tag("MQTT-3.3.4-3")
    @DisplayName("[MQTT-3.3.4-3] a message queued for an offline session keeps its Subscription Identifier "
            + "across a restart")
    void queuedSubscriptionIdentifiersSurviveRestart() throws Exception {
        try (TestBroker first = TestBroker.start(BrokerConfig.standard(), store)) {
            RawMqttClient c = connect5(first, "sleeper", true, property(SESSION_EXPIRY, u32(300)));
            c.send(Packets.frame(0x82, Wire.concat(Wire.u16(1), new byte[] {2, 0x0B, 42}, Wire.utf8("s/#"),
                    new byte[] {1})));
            c.expect(Packets.SUBACK);
            c.disconnect();
            RawMqttClient publisher = connect5(first, "publisher", true);
            publisher.send(Packets.frame(0x32, Wire.concat(Wire.utf8("s/x"), Wire.u16(1), new byte[] {0},
                    new byte[] {7})));
            publisher.expect(Packets.PUBACK);
        }
        try (TestBroker second = TestBroker.start(BrokerConfig.standard(), store)) {
            RawMqttClient c = connect5(second, "sleeper", false, property(SESSION_EXPIRY, u32(300)));
            Raw5.Publish p = Raw5.expectPublish(c);
            assertThat(p.topic()).isEqualTo("s/x");
            assertThat(p.properties()).as("Subscription Identifier 42").containsSequence(0x0B, 42);
        }
    }
}
