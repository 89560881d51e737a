package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static io.cairn.kernel.testsupport.Wire.u16;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client's Receive Maximum and Maximum Packet Size, honoured by the server (MQTT 5.0 §3.1.2.11.3,
 * §3.1.2.11.4, §4.9). Raw packets, to hold acknowledgements back and to see exactly what is sent. See
 * docs/mqtt5.md.
 */
class FlowControl5ConformanceTest {

    private static final int RECEIVE_MAXIMUM = 0x21;
    private static final int MAXIMUM_PACKET_SIZE = 0x27;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest().configure(c -> c.maxInflight(100));

    private RawMqttClient subscriber(String clientId, byte[] property, String filter) {
        RawMqttClient c = broker.rawClient(clientId);
        c.send(Packets.connect(clientId).mqtt5(property).build());
        assertThat(c.expectConnack5().returnCode()).isZero();
        c.send(Packets.frame(0x82, Wire.concat(u16(1), new byte[] {0},
                Wire.lengthPrefixed(filter.getBytes(StandardCharsets.UTF_8)), new byte[] {1})));
        c.expect(Packets.SUBACK);
        return c;
    }

    private static int packetId(RawPacket p) {
        byte[] b = p.body();
        int at = 2 + (((b[0] & 0xFF) << 8) | (b[1] & 0xFF));
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    @Test
    @Tag("MQTT-3.3.4-9")
    @DisplayName("[MQTT-3.3.4-9] no more QoS 1 messages are in flight to a client than its Receive Maximum; an "
            + "acknowledgement lets the next one go")
    void receiveMaximumHonoured() {
        RawMqttClient c = subscriber("v5-rm", property(RECEIVE_MAXIMUM, u16(2)), "rm/#");
        RawMqttClient publisher = broker.connect("rm-pub");
        for (int i = 0; i < 5; i++) {
            publisher.publish("rm/" + i, 1, "m" + i);
        }

        RawPacket first = c.expect(Packets.PUBLISH);
        c.expect(Packets.PUBLISH);
        c.expectNoPacket(RawMqttClient.QUIET); // the server's own limit here is 100: the client's 2 holds
        c.send(Packets.puback(packetId(first)));
        c.expect(Packets.PUBLISH);
        c.expectNoPacket(RawMqttClient.QUIET);
    }

    @Test
    @Tag("MQTT-3.1.2-24")
    @Tag("MQTT-3.1.2-25")
    @DisplayName("[MQTT-3.1.2-24] [MQTT-3.1.2-25] a message too large for the client's Maximum Packet Size is not "
            + "sent to it, and does not hold up the ones after it")
    void maximumPacketSizeHonoured() {
        RawMqttClient c = subscriber("v5-mps", property(MAXIMUM_PACKET_SIZE, u32(64)), "mps/#");
        RawMqttClient publisher = broker.connect("mps-pub");

        publisher.publish("mps/big", 1, "x".repeat(100));
        publisher.publish("mps/small", 1, "ok");

        RawPacket p = c.expect(Packets.PUBLISH);
        assertThat(new String(p.body(), 2, "mps/small".length(), StandardCharsets.UTF_8)).isEqualTo("mps/small");
        c.send(Packets.puback(packetId(p)));
        c.expectNoPacket(RawMqttClient.QUIET);
    }
}
