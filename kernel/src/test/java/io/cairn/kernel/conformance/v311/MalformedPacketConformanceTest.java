package io.cairn.kernel.conformance.v311;

import static io.cairn.kernel.testsupport.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 3.1.1 §2 and §4.8: a malformed packet or a protocol violation closes the connection it arrived on, and
 * only that one. Every test keeps a bystander connected and checks it still works afterwards.
 */
class MalformedPacketConformanceTest {

    @RegisterExtension
    static final EmbeddedBrokerExtension BROKER = EmbeddedBrokerExtension.perClass();

    private RawMqttClient bystander;
    private int round;

    @BeforeEach
    void connectBystander() {
        bystander = BROKER.connect("bystander").subscribe("bystander/#", 1);
    }

    /** Connects a fresh victim, sends it {@code packets}, and asserts that only the victim is closed. */
    private void assertClosesOnlyThatConnection(byte[]... packets) {
        RawMqttClient victim = BROKER.connect("victim");
        victim.send(packets);
        victim.expectClosed();
        assertBystanderWorks();
    }

    private void assertBystanderWorks() {
        String payload = "still here " + ++round;
        bystander.publish("bystander/t", 1, payload);
        assertThat(bystander.receiveAndAcknowledge().payloadText()).isEqualTo(payload);
    }

    @ParameterizedTest(name = "first byte {0}")
    @ValueSource(ints = {0x41, 0x48, 0x51, 0x74, 0x7F})
    @Tag("MQTT-2.2.2-1")
    @Tag("MQTT-2.2.2-2")
    @DisplayName("[MQTT-2.2.2-1] [MQTT-2.2.2-2] PUBACK, PUBREC or PUBCOMP with reserved flags set closes the "
            + "connection")
    void ackWithReservedFlags(int firstByte) {
        assertClosesOnlyThatConnection(bytes(firstByte, 0x02, 0x00, 0x01));  // ack with bad flags, id 1
    }

    @ParameterizedTest(name = "first byte {0}")
    @ValueSource(ints = {0xC1, 0xC2, 0xC8})
    @Tag("MQTT-2.2.2-1")
    @Tag("MQTT-2.2.2-2")
    @DisplayName("[MQTT-2.2.2-1] [MQTT-2.2.2-2] PINGREQ with reserved flags set closes the connection")
    void pingreqWithReservedFlags(int firstByte) {
        assertClosesOnlyThatConnection(bytes(firstByte, 0x00));
    }

    @ParameterizedTest(name = "first byte {0}")
    @ValueSource(ints = {0xE1, 0xE2, 0xE8})
    @Tag("MQTT-3.14.1-1")
    @Tag("MQTT-2.2.2-2")
    @DisplayName("[MQTT-3.14.1-1] [MQTT-2.2.2-2] DISCONNECT with reserved flags set closes the connection")
    void disconnectWithReservedFlags(int firstByte) {
        assertClosesOnlyThatConnection(bytes(firstByte, 0x00));
    }

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {0x0, 0x1, 0x3, 0x6, 0xA})
    @Tag("MQTT-3.8.1-1")
    @Tag("MQTT-2.2.2-2")
    @DisplayName("[MQTT-3.8.1-1] [MQTT-2.2.2-2] SUBSCRIBE with flags other than 0010 closes the connection")
    void subscribeWithWrongFlags(int flags) {
        assertClosesOnlyThatConnection(Packets.subscribe(1).filter("x/y", 0).fixedHeaderFlags(flags).build());
    }

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {0x0, 0x1, 0x3, 0x6, 0xA})
    @Tag("MQTT-3.10.1-1")
    @Tag("MQTT-2.2.2-2")
    @DisplayName("[MQTT-3.10.1-1] [MQTT-2.2.2-2] UNSUBSCRIBE with flags other than 0010 closes the connection")
    void unsubscribeWithWrongFlags(int flags) {
        assertClosesOnlyThatConnection(Packets.unsubscribe(1, "x/y").fixedHeaderFlags(flags).build());
    }

    @ParameterizedTest(name = "first byte {0}")
    @ValueSource(ints = {0x60, 0x61, 0x63, 0x66})
    @Tag("MQTT-3.6.1-1")
    @Tag("MQTT-2.2.2-2")
    @DisplayName("[MQTT-3.6.1-1] [MQTT-2.2.2-2] PUBREL with flags other than 0010 closes the connection")
    void pubrelWithWrongFlags(int firstByte) {
        RawMqttClient victim = BROKER.connect("victim");
        victim.send(Packets.publish("victim/q2", 2, "x").packetId(1).build());
        victim.expectAck(Packets.PUBREC, 1);
        victim.send(bytes(firstByte, 0x02, 0x00, 0x01));    // PUBREL with bad flags, id 1
        victim.expectClosed();
        assertBystanderWorks();
    }

    @Test
    @Tag("MQTT-3.3.1-4")
    @DisplayName("[MQTT-3.3.1-4] a PUBLISH with QoS 3 closes the connection and is not routed")
    void publishQos3() {
        assertClosesOnlyThatConnection(Packets.publish("bystander/qos3", 3, "must not arrive").build());
    }

    @Test
    @Tag("MQTT-3.3.1-2")
    @Tag("MQTT-2.2.2-2")
    @DisplayName("[MQTT-3.3.1-2] [MQTT-2.2.2-2] a QoS 0 PUBLISH with DUP 1 has invalid flags: the connection is "
            + "closed")
    void publishQos0WithDup() {
        assertClosesOnlyThatConnection(Packets.publish("bystander/dup0", 0, "must not arrive").dup(true).build());
    }

    @Test
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-4.8.0-1] a remaining length of more than four bytes closes the connection")
    void remainingLengthTooLong() {
        assertClosesOnlyThatConnection(bytes(
                0x30,                           // PUBLISH QoS 0
                0xFF, 0xFF, 0xFF, 0xFF, 0x01)); // a fifth length byte: malformed
    }

    @Test
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-4.8.0-1] a PUBLISH that ends before its packet identifier closes the connection")
    void publishTruncatedBeforePacketId() {
        assertClosesOnlyThatConnection(bytes(
                0x32, 0x03,                     // PUBLISH QoS 1, remaining length 3
                0x00, 0x01, 't'));              // topic 't', then no packet identifier
    }

    @Test
    @Tag("MQTT-4.8.0-1")
    @Tag("MQTT-3.3.2-1")
    @DisplayName("[MQTT-4.8.0-1] [MQTT-3.3.2-1] a topic length longer than the packet closes the connection")
    void topicLengthBeyondPacket() {
        assertClosesOnlyThatConnection(bytes(
                0x30, 0x04,                     // PUBLISH QoS 0, remaining length 4
                0x00, 0x10, 'a', 'b'));         // topic length 16, but only 2 bytes follow
    }

    @Test
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-4.8.0-1] a PINGREQ with a non-zero remaining length closes the connection")
    void pingreqWithBody() {
        assertClosesOnlyThatConnection(bytes(0xC0, 0x01, 0x00));
    }

    @ParameterizedTest(name = "topic bytes {0}")
    @ValueSource(strings = {"C3 28", "C0 AF", "ED A0 80", "F8 88 80 80 80", "FF", "E2 82"})
    @Tag("MQTT-1.5.3-1")
    @DisplayName("[MQTT-1.5.3-1] a topic name that is not well-formed UTF-8 (broken sequence, overlong, surrogate, "
            + "invalid byte, truncated) closes the connection")
    void illFormedUtf8InTopic(String hex) {
        assertClosesOnlyThatConnection(Packets.publish("x", 0, "p").topicBytes(hex(hex)).build());
    }

    @Test
    @Tag("MQTT-1.5.3-1")
    @DisplayName("[MQTT-1.5.3-1] a topic filter that is not well-formed UTF-8 closes the connection")
    void illFormedUtf8InFilter() {
        assertClosesOnlyThatConnection(Packets.subscribe(1).filterBytes(bytes('a', '/', 0xED, 0xB0, 0x80), 0).build());
    }

    @Test
    @Tag("MQTT-1.5.3-1")
    @DisplayName("[MQTT-1.5.3-1] a will topic that is not well-formed UTF-8 closes the connection without CONNACK")
    void illFormedUtf8InWillTopic() {
        byte[] connect = bytes(
                0x10, 0x14,                         // CONNECT, remaining length 20
                0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name
                0x04,                               // protocol level 4
                0x06,                               // flags: will, clean session
                0x00, 0x3C,                         // keep alive 60
                0x00, 0x01, 'w',                    // client identifier
                0x00, 0x02, 0xC3, 0x28,             // will topic: ill-formed UTF-8
                0x00, 0x01, 'm');                   // will message
        RawMqttClient victim = BROKER.rawClient("victim");
        victim.send(connect);
        victim.expectClosed(ConnectConformanceTest.PROMPTLY);
        assertBystanderWorks();
    }

    @Test
    @Tag("MQTT-1.5.3-2")
    @DisplayName("[MQTT-1.5.3-2] a client identifier containing U+0000 closes the connection without CONNACK")
    void nullCharacterInClientId() {
        RawMqttClient victim = BROKER.rawClient("victim");
        victim.send(Packets.connect("").clientIdBytes(bytes('a', 0x00, 'b')).build());
        victim.expectClosed(ConnectConformanceTest.PROMPTLY);
        assertBystanderWorks();
    }

    @Test
    @Tag("MQTT-1.5.3-2")
    @DisplayName("[MQTT-1.5.3-2] a user name containing U+0000 closes the connection without CONNACK")
    void nullCharacterInUsername() {
        RawMqttClient victim = BROKER.rawClient("victim");
        victim.send(Packets.connect("nul-user").username("a\u0000b").build());
        victim.expectClosed(ConnectConformanceTest.PROMPTLY);
        assertBystanderWorks();
    }

    @Test
    @Tag("MQTT-2.3.1-1")
    @DisplayName("[MQTT-2.3.1-1] a QoS 1 PUBLISH with packet identifier 0 closes the connection")
    void publishQos1WithPacketIdZero() {
        assertClosesOnlyThatConnection(Packets.publish("bystander/id0", 1, "x").packetId(0).build());
    }

    @Test
    @Tag("MQTT-2.3.1-1")
    @DisplayName("[MQTT-2.3.1-1] a QoS 2 PUBLISH with packet identifier 0 closes the connection")
    void publishQos2WithPacketIdZero() {
        assertClosesOnlyThatConnection(Packets.publish("bystander/id0", 2, "x").packetId(0).build());
    }

    @Test
    @Tag("MQTT-2.3.1-1")
    @DisplayName("[MQTT-2.3.1-1] a SUBSCRIBE with packet identifier 0 closes the connection")
    void subscribeWithPacketIdZero() {
        assertClosesOnlyThatConnection(Packets.subscribe(0, "x/y", 0));
    }

    @Test
    @Tag("MQTT-2.3.1-1")
    @DisplayName("[MQTT-2.3.1-1] an UNSUBSCRIBE with packet identifier 0 closes the connection")
    void unsubscribeWithPacketIdZero() {
        assertClosesOnlyThatConnection(Packets.unsubscribe(0, "x/y").build());
    }

    @ParameterizedTest(name = "first byte {0}")
    @ValueSource(ints = {0x00, 0x0F, 0xF0, 0xFF})
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-4.8.0-1] the reserved packet types 0 and 15 close the connection")
    void reservedPacketTypes(int firstByte) {
        assertClosesOnlyThatConnection(bytes(firstByte, 0x00));
    }

    @ParameterizedTest(name = "first byte {0}")
    @ValueSource(strings = {"20 02 00 00", "90 03 00 01 00", "B0 02 00 01", "D0 00"})
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-4.8.0-1] packets only a server may send (CONNACK, SUBACK, UNSUBACK, PINGRESP) close the "
            + "connection")
    void serverToClientPackets(String hex) {
        assertClosesOnlyThatConnection(hex(hex));
    }

    @Test
    @Tag("MQTT-3.8.3-3")
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-3.8.3-3] [MQTT-4.8.0-1] a SUBSCRIBE without any topic filter closes the connection")
    void subscribeWithoutFilters() {
        assertClosesOnlyThatConnection(bytes(0x82, 0x02, 0x00, 0x01));  // SUBSCRIBE, id 1, empty payload
    }

    @Test
    @Tag("MQTT-3.10.3-2")
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-3.10.3-2] [MQTT-4.8.0-1] an UNSUBSCRIBE without any topic filter closes the connection")
    void unsubscribeWithoutFilters() {
        assertClosesOnlyThatConnection(bytes(0xA2, 0x02, 0x00, 0x01));  // UNSUBSCRIBE, id 1, empty payload
    }

    @ParameterizedTest(name = "requested QoS byte {0}")
    @ValueSource(ints = {0x03, 0x04, 0x41, 0x80, 0xFC})
    @Tag("MQTT-3.8.3-4")
    @DisplayName("[MQTT-3.8.3-4] a requested QoS of 3 or with reserved bits set closes the connection")
    void subscribeWithBadRequestedQos(int qosByte) {
        assertClosesOnlyThatConnection(Packets.subscribe(1).filterBytes(bytes('o', 'k'), qosByte).build());
    }

    @Test
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-4.8.0-1] a SUBSCRIBE whose last filter lacks its requested QoS byte closes the connection")
    void subscribeMissingQosByte() {
        assertClosesOnlyThatConnection(bytes(
                0x82, 0x05,                         // SUBSCRIBE, remaining length 5
                0x00, 0x01,                         // packet identifier 1
                0x00, 0x01, 'a'));                  // filter 'a' and no requested QoS
    }

    @Test
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-4.8.0-1] garbage after a valid CONNECT closes the connection but the bystander keeps working")
    void garbageStream() {
        byte[] garbage = new byte[64];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (0xF0 | i % 16);            // every first byte of type 15
        }
        assertClosesOnlyThatConnection(garbage);
    }

    private static byte[] hex(String spaced) {
        String[] parts = spaced.trim().split(" ");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }
}
