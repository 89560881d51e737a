package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.ConfB5.expectAck;
import static io.cairn.kernel.testsupport.ConfB5.expectDisconnect;
import static io.cairn.kernel.testsupport.ConfB5.props;
import static io.cairn.kernel.testsupport.ConfB5.reasonString;
import static io.cairn.kernel.testsupport.ConfB5.userProperty;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.kernel.testsupport.ConfB5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Reason String and User Properties of PUBACK, PUBREC, PUBREL and PUBCOMP against the receiver's Maximum
 * Packet Size (MQTT 5.0 §3.4.2.2, §3.5.2.2, §3.6.2.2, §3.7.2.2), both ways: the server's acknowledgements to a
 * client with a small Maximum Packet Size, and a client's acknowledgements with those properties, within and
 * beyond the server's Maximum Packet Size.
 */
class ConfBAckProperties5ConformanceTest {

    private static final int SERVER_MAXIMUM_PACKET_SIZE = 256;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.maxPacketSize(SERVER_MAXIMUM_PACKET_SIZE));

    /** An acknowledgement with a reason code and a property block (see {@link ConfB5#props}). */
    private static byte[] ack(int firstByte, int packetId, int reason, byte[] properties) {
        return Packets.frame(firstByte, Wire.concat(Wire.u16(packetId), new byte[] {(byte) reason}, properties));
    }

    /** The size of {@code p} on the wire: first byte, remaining length, body. */
    private static int wireSize(RawPacket p) {
        return 1 + Wire.remainingLength(p.body().length).length + p.body().length;
    }

    private RawPacket expectSmallAck(RawMqttClient c, int type, int packetId, int reason, int maximum) {
        RawPacket p = c.expect(type);
        assertThat(p.packetId()).isEqualTo(packetId);
        assertThat(wireSize(p)).as("size of %s", p).isLessThanOrEqualTo(maximum);
        assertThat(reason == 0 && p.body().length == 2 ? 0 : p.body()[2] & 0xFF).as("reason of %s", p)
                .isEqualTo(reason);
        return p;
    }

    @Test
    @Tag("MQTT-3.4.2-2")
    @Tag("MQTT-3.4.2-3")
    @Tag("MQTT-3.5.2-2")
    @Tag("MQTT-3.5.2-3")
    @Tag("MQTT-3.6.2-2")
    @Tag("MQTT-3.6.2-3")
    @Tag("MQTT-3.7.2-2")
    @Tag("MQTT-3.7.2-3")
    @DisplayName("[MQTT-3.4.2-2] [MQTT-3.4.2-3] [MQTT-3.5.2-2] [MQTT-3.5.2-3] [MQTT-3.6.2-2] [MQTT-3.6.2-3] "
            + "[MQTT-3.7.2-2] [MQTT-3.7.2-3] to a client whose Maximum Packet Size leaves room for nothing but "
            + "the reason code, PUBACK, PUBREC, PUBREL and PUBCOMP with a non-success reason come without Reason "
            + "String or User Properties")
    void serverAcksFitTheClientsMaximumPacketSize() {
        int maximum = 5; // fixed header (2), packet identifier (2), reason code (1)
        RawMqttClient c = broker.rawClient("b-small");
        c.send(Packets.connect("b-small").mqtt5(ConfB5.maximumPacketSize(maximum)).build());
        assertThat(c.expectConnack5().returnCode()).isZero();

        c.send(ConfB5.publish("nobody/listens", 1, 1, "x"));
        expectSmallAck(c, Packets.PUBACK, 1, 0x10, maximum);
        c.send(ConfB5.publish("nobody/listens", 2, 2, "x"));
        expectSmallAck(c, Packets.PUBREC, 2, 0x10, maximum);
        c.send(Packets.pubrel(2));
        expectSmallAck(c, Packets.PUBCOMP, 2, 0, maximum);
        c.send(Packets.pubrec(3));
        expectSmallAck(c, Packets.PUBREL, 3, 0x92, maximum);
        c.send(Packets.pubrel(4));
        expectSmallAck(c, Packets.PUBCOMP, 4, 0x92, maximum);
    }

    @Test
    @Tag("MQTT-3.4.2-2")
    @Tag("MQTT-3.4.2-3")
    @Tag("MQTT-3.5.2-2")
    @Tag("MQTT-3.5.2-3")
    @Tag("MQTT-3.6.2-2")
    @Tag("MQTT-3.6.2-3")
    @Tag("MQTT-3.7.2-2")
    @Tag("MQTT-3.7.2-3")
    @DisplayName("[MQTT-3.4.2-2] [MQTT-3.4.2-3] [MQTT-3.5.2-2] [MQTT-3.5.2-3] [MQTT-3.6.2-2] [MQTT-3.6.2-3] "
            + "[MQTT-3.7.2-2] [MQTT-3.7.2-3] a client's acknowledgements with a Reason String and User Properties "
            + "within the server's Maximum Packet Size are accepted and complete their flows")
    void clientAcksWithPropertiesWithinTheLimit() {
        RawMqttClient c = ConfB5.connect(broker, "b-props");
        assertThat(ConfB5.subscribe(c, 1, "props/#", 2)).containsExactly(2);
        byte[] properties = props(reasonString("all good"), userProperty("k", "v"), userProperty("k", "w"));
        RawMqttClient pub = ConfB5.connect(broker, "b-props-pub");
        ConfB5.publishAndComplete(pub, ConfB5.publish("props/one", 1, 1, "1"), 1, 1);
        ConfB5.publishAndComplete(pub, ConfB5.publish("props/two", 2, 2, "2"), 2, 2);

        Raw5.Publish one = Raw5.expectPublish(c);
        Raw5.Publish two = Raw5.expectPublish(c);
        c.send(ack(0x40, one.packetId(), 0x00, properties));
        c.send(ack(0x50, two.packetId(), 0x00, properties));
        expectAck(c, Packets.PUBREL, two.packetId());
        c.send(ack(0x70, two.packetId(), 0x00, properties));

        c.send(ConfB5.publish("elsewhere", 2, 9, "own"));
        expectAck(c, Packets.PUBREC, 9);
        c.send(ack(0x62, 9, 0x00, properties));
        assertThat(expectAck(c, Packets.PUBCOMP, 9)).as("the PUBREL was understood").isZero();
        await("both deliveries acknowledged").atMost(RawMqttClient.TIMEOUT).until(() -> broker.broker()
                .session("b-props").map(s -> s.inflight() == 0).orElse(false));
        c.ping();
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"40", "50", "62", "70"})
    @Tag("MQTT-3.4.2-2")
    @Tag("MQTT-3.5.2-2")
    @Tag("MQTT-3.6.2-2")
    @Tag("MQTT-3.7.2-2")
    @DisplayName("[MQTT-3.4.2-2] [MQTT-3.5.2-2] [MQTT-3.6.2-2] [MQTT-3.7.2-2] an acknowledgement whose Reason "
            + "String takes it past the server's Maximum Packet Size is refused with DISCONNECT 0x95")
    void reasonStringPastTheServersMaximum(String firstByte) {
        RawMqttClient c = ConfB5.connect(broker, "b-long-reason");
        c.send(ack(Integer.parseInt(firstByte, 16), 1, 0x00,
                props(reasonString("r".repeat(SERVER_MAXIMUM_PACKET_SIZE)))));
        expectDisconnect(c, 0x95);
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"40", "50", "62", "70"})
    @Tag("MQTT-3.4.2-3")
    @Tag("MQTT-3.5.2-3")
    @Tag("MQTT-3.6.2-3")
    @Tag("MQTT-3.7.2-3")
    @DisplayName("[MQTT-3.4.2-3] [MQTT-3.5.2-3] [MQTT-3.6.2-3] [MQTT-3.7.2-3] an acknowledgement whose User "
            + "Properties take it past the server's Maximum Packet Size is refused with DISCONNECT 0x95")
    void userPropertiesPastTheServersMaximum(String firstByte) {
        RawMqttClient c = ConfB5.connect(broker, "b-many-props");
        byte[][] many = new byte[30][];
        for (int i = 0; i < many.length; i++) {
            many[i] = userProperty("key" + i, "value" + i);
        }
        c.send(ack(Integer.parseInt(firstByte, 16), 1, 0x00, props(many)));
        expectDisconnect(c, 0x95);
    }
}
