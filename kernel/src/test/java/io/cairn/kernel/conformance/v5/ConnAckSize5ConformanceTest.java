package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.ConfA5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The accepting CONNACK within the client's Maximum Packet Size (MQTT 5.0 §3.1.2.11.4): optional properties are
 * left out to make it fit, and a client whose maximum cannot hold even the needed ones is closed without one.
 */
class ConnAckSize5ConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @Test
    @Tag("MQTT-3.1.2-24")
    @DisplayName("[MQTT-3.1.2-24] no packet to the client, CONNACK included, exceeds its Maximum Packet Size")
    void connackWithinMaximumPacketSize() {
        RawMqttClient c = broker.rawClient("size");
        c.send(Packets.connect("size").mqtt5(property(0x27, u32(12))).build());
        RawPacket p = c.expect(Packets.CONNACK);
        assertThat(p.body()[1]).as("accepted").isZero();
        assertThat(ConfA5.wireSize(p)).as("size of %s", p).isLessThanOrEqualTo(12);
        c.send(Packets.pingreq());
        c.expect(Packets.PINGRESP);
    }

    @Test
    @Tag("MQTT-3.1.2-24")
    @DisplayName("[MQTT-3.1.2-24] a client whose Maximum Packet Size cannot hold the CONNACK with its Assigned "
            + "Client Identifier is closed without one")
    void tooSmallForTheNeededProperties() {
        RawMqttClient c = broker.rawClient("tiny");
        c.send(Packets.connect("").mqtt5(property(0x27, u32(8))).build());
        c.expectClosed();
    }
}
