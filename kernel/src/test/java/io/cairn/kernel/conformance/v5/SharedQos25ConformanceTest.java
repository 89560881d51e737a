package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.kernel.testsupport.ConfA5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A QoS 2 message of a shared subscription whose chosen subscriber's session ends before it completed the
 * delivery (MQTT 5.0 §4.8.2): it goes to nobody else. Raw packets.
 */
class SharedQos25ConformanceTest {

    private static final String GROUP = "$share/confa/sq2/#";

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"session expiry 0, connection lost", "session expiry 0, after PUBREC",
        "session kept, ended by Clean Start 1"})
    @Tag("MQTT-4.8.2-5")
    @DisplayName("[MQTT-4.8.2-5] a shared QoS 2 message whose subscriber's session ends before it completed the "
            + "delivery is not sent to another subscriber of the group")
    void notRedeliveredAfterSessionEnds(String how) {
        boolean kept = how.startsWith("session kept");
        RawMqttClient chosen = ConfA5.client(broker, "confa-chosen", true,
                kept ? new byte[][] {property(0x11, u32(300))} : new byte[0][]);
        chosen.send(ConfA5.subscribe(1, GROUP, 2));
        chosen.expect(Packets.SUBACK);
        RawMqttClient publisher = ConfA5.client(broker, "confa-sq2-pub", true);
        publisher.send(ConfA5.publish("sq2/once", 2, false, 1, "exactly once"));
        publisher.expect(Packets.PUBREC);
        publisher.send(Packets.pubrel(1));
        publisher.expect(Packets.PUBCOMP);
        Raw5.Publish p = Raw5.expectPublish(chosen);
        assertThat(p.qos()).isEqualTo(2);
        if (how.endsWith("after PUBREC")) {
            chosen.send(Raw5.ack(0x50, p.packetId(), 0));
            chosen.expect(Packets.PUBREL);
        }
        // a second member joins the group while the chosen one still holds the message
        RawMqttClient other = ConfA5.client(broker, "confa-other", true);
        other.send(ConfA5.subscribe(1, GROUP, 2));
        other.expect(Packets.SUBACK);
        chosen.abort();
        await("the server saw the connection end").atMost(Duration.ofSeconds(10))
                .until(() -> broker.broker().clients().stream().noneMatch(c -> c.clientId().equals("confa-chosen")));

        if (kept) {
            RawMqttClient back = ConfA5.client(broker, "confa-chosen", true); // Clean Start 1 ends the session
            back.send(Packets.pingreq());
            RawPacket first = back.receive();
            assertThat(first.type()).as("the new session got nothing: %s", first).isEqualTo(Packets.PINGRESP);
        }
        publisher.send(ConfA5.publish("sq2/marker", 1, false, 2, "marker"));
        publisher.expect(Packets.PUBACK);
        Raw5.Publish first = Raw5.expectPublish(other);
        assertThat(first.topic()).as("the first message the other subscriber gets").isEqualTo("sq2/marker");
    }
}
