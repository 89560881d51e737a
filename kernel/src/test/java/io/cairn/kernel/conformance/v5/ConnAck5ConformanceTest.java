package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u8;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an accepting MQTT 5 CONNACK tells the client besides the limits (MQTT 5.0 §3.2.2.3): Server Keep Alive
 * and Response Information, with raw packets to see each property.
 */
class ConnAck5ConformanceTest {

    private static final int SERVER_KEEP_ALIVE = 0x13;
    private static final int RESPONSE_INFORMATION = 0x1A;
    private static final int MAX_KEEP_ALIVE = 2;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @RegisterExtension
    final EmbeddedBrokerExtension limited = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.maxKeepAlive(MAX_KEEP_ALIVE));

    /** The CONNACK's properties, by identifier; integers as numbers, strings as text. */
    private static Map<Integer, Object> properties(RawPacket connack) {
        byte[] b = connack.body();
        int at = 2;
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int v = b[at++] & 0xFF;
            length |= (v & 0x7F) << shift;
            if ((v & 0x80) == 0) {
                break;
            }
        }
        Map<Integer, Object> found = new LinkedHashMap<>();
        for (int end = at + length; at < end; ) {
            int id = b[at++] & 0xFF;
            switch (id) {
                case 0x24, 0x25, 0x28, 0x29, 0x2A -> found.put(id, b[at++] & 0xFF);
                case 0x13, 0x21, 0x22 -> {
                    found.put(id, ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF));
                    at += 2;
                }
                case 0x11, 0x27 -> {
                    found.put(id, ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16)
                            | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF));
                    at += 4;
                }
                default -> {
                    int n = ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
                    found.put(id, new String(b, at + 2, n, StandardCharsets.UTF_8));
                    at += 2 + n;
                }
            }
        }
        return found;
    }

    private static RawPacket connect(EmbeddedBrokerExtension on, String clientId, int keepAlive, byte[]... props) {
        RawMqttClient c = on.rawClient(clientId);
        c.send(Packets.connect(clientId).keepAlive(keepAlive).mqtt5(props).build());
        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.body()[1]).as("reason code").isZero();
        return connack;
    }

    @Test
    @Tag("MQTT-3.2.2-22")
    @DisplayName("[MQTT-3.2.2-22] without a maximum configured, CONNACK carries no Server Keep Alive: the client's "
            + "own applies")
    void noServerKeepAliveByDefault() {
        assertThat(properties(connect(broker, "ka-default", 600))).doesNotContainKey(SERVER_KEEP_ALIVE);
    }

    @Test
    @Tag("MQTT-3.1.2-22")
    @DisplayName("[MQTT-3.1.2-22] a client asking for a longer keep-alive than the maximum, or for none, is told the maximum as "
            + "Server Keep Alive and held to it")
    void serverKeepAliveOverridesTheClients() {
        assertThat(properties(connect(limited, "ka-long", 600))).containsEntry(SERVER_KEEP_ALIVE, MAX_KEEP_ALIVE);
        assertThat(properties(connect(limited, "ka-short", 1))).doesNotContainKey(SERVER_KEEP_ALIVE);

        RawMqttClient silent = limited.rawClient("ka-none");
        silent.send(Packets.connect("ka-none").keepAlive(0).mqtt5().build());
        RawPacket connack = silent.expect(Packets.CONNACK);
        assertThat(properties(connack)).containsEntry(SERVER_KEEP_ALIVE, MAX_KEEP_ALIVE);
        // silent for 1.5 x the Server Keep Alive: the server closes the connection (MQTT-3.1.2-22), saying why
        RawPacket disconnect = silent.receive(Duration.ofSeconds(10));
        assertThat(disconnect.type()).isEqualTo(Packets.DISCONNECT);
        assertThat(disconnect.body()[0] & 0xFF).as("reason: Keep Alive timeout").isEqualTo(0x8D);
        silent.expectClosed();
    }

    @Test
    @Tag("MQTT-3.1.2-28")
    @DisplayName("[MQTT-3.1.2-28] Response Information only for a client that asked for it: a topic prefix of "
            + "its own")
    void responseInformationOnRequest() {
        assertThat(properties(connect(broker, "ri-asks", 60, property(0x19, u8(1)))))
                .containsEntry(RESPONSE_INFORMATION, "response/ri-asks/");
        assertThat(properties(connect(broker, "ri-declines", 60, property(0x19, u8(0)))))
                .doesNotContainKey(RESPONSE_INFORMATION);
        assertThat(properties(connect(broker, "ri-silent", 60))).doesNotContainKey(RESPONSE_INFORMATION);
    }

    @Test
    @Tag("MQTT-3.2.2-19")
    @DisplayName("[MQTT-3.2.2-19] a refusing CONNACK leaves its Reason String out when it would exceed the "
            + "client's Maximum Packet Size, and carries it otherwise")
    void connackReasonStringWithinMaximumPacketSize() {
        // Receive Maximum 0 is refused with 0x82 and a reason string of some 40 bytes
        RawMqttClient small = broker.rawClient("rs-small");
        small.send(Packets.connect("rs-small").mqtt5(property(0x27, Packets.u32(16)), property(0x21,
                Wire.u16(0))).build());
        RawPacket refusal = small.expect(Packets.CONNACK);
        assertThat(refusal.body()[1] & 0xFF).isEqualTo(0x82);
        assertThat(properties(refusal)).doesNotContainKey(0x1F);
        assertThat(refusal.body().length + 2).isLessThanOrEqualTo(16);

        RawMqttClient large = broker.rawClient("rs-large");
        large.send(Packets.connect("rs-large").mqtt5(property(0x27, Packets.u32(1024)), property(0x21,
                Wire.u16(0))).build());
        assertThat(properties(large.expect(Packets.CONNACK))).containsKey(0x1F);
    }

    @Test
    @Tag("MQTT-3.14.2-3")
    @DisplayName("[MQTT-3.14.2-3] a server DISCONNECT leaves its Reason String out when it would exceed the "
            + "client's Maximum Packet Size")
    void disconnectReasonStringWithinMaximumPacketSize() {
        RawMqttClient c = broker.rawClient("rs-disconnect");
        c.send(Packets.connect("rs-disconnect").mqtt5(property(0x27, Packets.u32(8))).build());
        c.expect(Packets.CONNACK);
        c.send(Packets.publish("a/+", 0, "x").build()); // a wildcard in a topic name: protocol error
        RawPacket disconnect = c.expect(Packets.DISCONNECT);
        assertThat(disconnect.body()).as("reason code and an empty property block").hasSize(2);
        c.expectClosed();
    }

    @Test
    @DisplayName("a password without a user name is accepted from an MQTT 5 client (MQTT 5.0 §3.1.2.9; 3.1.1 "
            + "forbids it)")
    void passwordWithoutUserName() {
        RawMqttClient c = broker.rawClient("pw-only");
        c.send(Packets.connect("pw-only").mqtt5().password("token-123").build());
        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.body()[1]).as("reason code").isZero();
        c.send(Packets.pingreq());
        c.expect(Packets.PINGRESP);
    }
}
