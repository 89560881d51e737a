package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.binary;
import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static io.cairn.kernel.testsupport.Packets.u8;
import static io.cairn.kernel.testsupport.Packets.utf8;
import static io.cairn.kernel.testsupport.Wire.u16;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CONNECT properties of MQTT 5.0 §3.1.2.11 that the specification forbids, each answered with the CONNACK
 * reason code it calls for, and then a closed connection (§4.13: a protocol error before CONNACK may be answered
 * with a CONNACK of reason 0x80 or above). Raw packets, since a well-behaved client cannot send them.
 */
class ConnectProperties5ConformanceTest {

    private static final int RECEIVE_MAXIMUM = 0x21;
    private static final int MAXIMUM_PACKET_SIZE = 0x27;
    private static final int REQUEST_PROBLEM_INFORMATION = 0x17;
    private static final int REQUEST_RESPONSE_INFORMATION = 0x19;
    private static final int AUTHENTICATION_METHOD = 0x15;
    private static final int AUTHENTICATION_DATA = 0x16;
    private static final int PROTOCOL_ERROR = 0x82;
    private static final int BAD_AUTHENTICATION_METHOD = 0x8C;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("Receive Maximum 0", property(RECEIVE_MAXIMUM, u16(0)), PROTOCOL_ERROR),
                Arguments.of("Maximum Packet Size 0", property(MAXIMUM_PACKET_SIZE, u32(0)), PROTOCOL_ERROR),
                Arguments.of("Request Problem Information 2", property(REQUEST_PROBLEM_INFORMATION, u8(2)),
                        PROTOCOL_ERROR),
                Arguments.of("Request Response Information 2", property(REQUEST_RESPONSE_INFORMATION, u8(2)),
                        PROTOCOL_ERROR),
                Arguments.of("Authentication Data without a method", property(AUTHENTICATION_DATA,
                        binary(new byte[] {1, 2})), PROTOCOL_ERROR),
                Arguments.of("an Authentication Method the server does not offer", property(AUTHENTICATION_METHOD,
                        utf8("SCRAM-SHA-256")), BAD_AUTHENTICATION_METHOD),
                Arguments.of("Session Expiry Interval twice", Wire.concat(property(0x11, u32(10)),
                        property(0x11, u32(20))), PROTOCOL_ERROR),
                Arguments.of("Receive Maximum twice, apart", Wire.concat(property(RECEIVE_MAXIMUM, u16(10)),
                        property(0x26, Wire.concat(utf8("k"), utf8("v"))), property(RECEIVE_MAXIMUM, u16(10))),
                        PROTOCOL_ERROR));
    }

    @ParameterizedTest(name = "{0}: CONNACK 0x{2}")
    @MethodSource("refused")
    @DisplayName("a forbidden CONNECT property is refused with the reason code the specification calls for")
    void refusedWithReasonCode(String what, byte[] prop, int reasonCode) {
        RawMqttClient c = broker.rawClient("props");
        c.send(Packets.connect("v5-props").mqtt5(prop).build());

        RawPacket.Connack connack = c.expectConnack5();
        assertThat(connack.returnCode()).as(what).isEqualTo(reasonCode);
        assertThat(connack.sessionPresent()).isFalse();
        c.expectClosed();
    }

    @Test
    @DisplayName("allowed values of the same properties are accepted")
    void allowedValuesAccepted() {
        RawMqttClient c = broker.rawClient("props-ok");
        c.send(Packets.connect("v5-props-ok").mqtt5(property(RECEIVE_MAXIMUM, u16(10)),
                property(MAXIMUM_PACKET_SIZE, u32(1024)), property(REQUEST_PROBLEM_INFORMATION, u8(0)),
                property(REQUEST_RESPONSE_INFORMATION, u8(1))).build());

        assertThat(c.expectConnack5().returnCode()).isZero();
        c.send(Packets.pingreq());
        c.expect(Packets.PINGRESP);
    }

    @Test
    @DisplayName("a will property given twice is a protocol error: CONNACK 0x82")
    void willPropertyTwice() {
        RawMqttClient c = broker.rawClient("props-will");
        c.send(Packets.connect("v5-props-will").mqtt5().will("w/t", "gone", 0, false)
                .willProperties(property(0x18, u32(5)), property(0x18, u32(6))).build());

        assertThat(c.expectConnack5().returnCode()).isEqualTo(PROTOCOL_ERROR);
        c.expectClosed();
    }

    @Test
    @DisplayName("User Property may be given many times, in CONNECT and in the will")
    void userPropertiesRepeat() {
        RawMqttClient c = broker.rawClient("props-user");
        byte[] user = property(0x26, Wire.concat(utf8("k"), utf8("v")));
        c.send(Packets.connect("v5-props-user").mqtt5(user, user, user).will("w/t", "gone", 0, false)
                .willProperties(user, user).build());

        assertThat(c.expectConnack5().returnCode()).isZero();
    }
}
