package io.cairn.kernel.testsupport;

import static io.cairn.kernel.testsupport.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Checks the packet builder and parser against hand-written MQTT 3.1.1 fixtures, so that the conformance tests
 * send what they claim to send.
 */
class PacketsTest {

    @Test
    @DisplayName("CONNECT with will, user name and password matches the §3.1 layout byte for byte")
    void connect() {
        byte[] expected = bytes(
                0x10, 0x22,                         // CONNECT, remaining length 34
                0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name
                0x04,                               // protocol level 4 (3.1.1)
                0xEE,                               // flags: user, password, will retain, will QoS 1, will, clean
                0x00, 0x1E,                         // keep alive 30 s
                0x00, 0x02, 'c', '1',               // client identifier
                0x00, 0x03, 'w', '/', 't',          // will topic
                0x00, 0x04, 'g', 'o', 'n', 'e',     // will message
                0x00, 0x02, 'u', 's',               // user name
                0x00, 0x03, 'p', 'w', 'd');         // password
        byte[] built = Packets.connect("c1").keepAlive(30).will("w/t", "gone", 1, true).username("us")
                .password("pwd").build();
        assertThat(built).isEqualTo(expected);
    }

    @Test
    @DisplayName("the CONNECT knobs set exactly the bits they name")
    void connectMalformations() {
        assertThat(Packets.connect("c").reservedFlag(true).cleanSession(false).connectFlags()).isEqualTo(0x01);
        assertThat(Packets.connect("c").willQos(3).willFlag(true).cleanSession(false).connectFlags()).isEqualTo(0x1C);
        assertThat(Packets.connect("c").password("p").cleanSession(false).connectFlags()).isEqualTo(0x40);
        byte[] mqtt31 = Packets.connect("c").mqtt31().build();
        assertThat(mqtt31).startsWith(bytes(0x10, 0x0F, 0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', 0x03));
    }

    @Test
    @DisplayName("PUBLISH QoS 1 with DUP and RETAIN: flags 1011, topic, packet identifier, payload")
    void publish() {
        byte[] expected = bytes(
                0x3B, 0x09,                         // PUBLISH, DUP=1 QoS=1 RETAIN=1, remaining length 9
                0x00, 0x03, 'a', '/', 'b',          // topic name
                0x12, 0x34,                         // packet identifier 0x1234
                'h', 'i');                          // payload
        assertThat(Packets.publish("a/b", 1, "hi").dup(true).retain(true).packetId(0x1234).build())
                .isEqualTo(expected);
        assertThat(Packets.publish("t", 0, "x").build())
                .isEqualTo(bytes(0x30, 0x04, 0x00, 0x01, 't', 'x'));  // QoS 0: no packet identifier
    }

    @Test
    @DisplayName("SUBSCRIBE and UNSUBSCRIBE carry the reserved flags 0010")
    void subscribeAndUnsubscribe() {
        assertThat(Packets.subscribe(1).filter("a/#", 2).filter("b", 0).build()).isEqualTo(bytes(
                0x82, 0x0C,                         // SUBSCRIBE, flags 0010, remaining length 12
                0x00, 0x01,                         // packet identifier 1
                0x00, 0x03, 'a', '/', '#', 0x02,    // filter a/#, QoS 2
                0x00, 0x01, 'b', 0x00));            // filter b, QoS 0
        assertThat(Packets.unsubscribe(7, "a/#").build()).isEqualTo(bytes(
                0xA2, 0x07,                         // UNSUBSCRIBE, flags 0010, remaining length 7
                0x00, 0x07,                         // packet identifier 7
                0x00, 0x03, 'a', '/', '#'));        // filter a/#
    }

    @Test
    @DisplayName("the remaining length uses 1 to 4 bytes as in the §2.2.3 table, and can be overridden")
    void remainingLength() {
        assertThat(Wire.remainingLength(0)).isEqualTo(bytes(0x00));
        assertThat(Wire.remainingLength(127)).isEqualTo(bytes(0x7F));
        assertThat(Wire.remainingLength(128)).isEqualTo(bytes(0x80, 0x01));
        assertThat(Wire.remainingLength(16_383)).isEqualTo(bytes(0xFF, 0x7F));
        assertThat(Wire.remainingLength(16_384)).isEqualTo(bytes(0x80, 0x80, 0x01));
        assertThat(Wire.remainingLength(268_435_455)).isEqualTo(bytes(0xFF, 0xFF, 0xFF, 0x7F));
        assertThat(Packets.publish("t", 0, "x").remainingLength(2).fixedHeaderFlags(0x06).build())
                .isEqualTo(bytes(0x36, 0x02, 0x00, 0x01, 't', 'x'));
    }

    @Test
    @DisplayName("the parser reads CONNACK, PUBLISH and SUBACK bodies")
    void parse() {
        assertThat(new RawPacket(2, 0, bytes(0x01, 0x00)).connack())
                .isEqualTo(new RawPacket.Connack(true, 0, 0));
        RawPacket.Publish p = new RawPacket(3, 0x0D, bytes(0x00, 0x01, 't', 0x00, 0x05, 'o', 'k')).publish();
        assertThat(p.topic()).isEqualTo("t");
        assertThat(p.qos()).isEqualTo(2);
        assertThat(p.dup()).isTrue();
        assertThat(p.retain()).isTrue();
        assertThat(p.packetId()).isEqualTo(5);
        assertThat(p.payload()).isEqualTo("ok".getBytes(StandardCharsets.UTF_8));
        assertThat(new RawPacket(9, 0, bytes(0x00, 0x09, 0x00, 0x02, 0x80)).suback())
                .isEqualTo(new RawPacket.Suback(9, List.of(0, 2, 0x80)));
    }
}
