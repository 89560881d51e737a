package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.binary;
import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static io.cairn.kernel.testsupport.Packets.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.auth.AuthExchange;
import io.cairn.api.auth.AuthStep;
import io.cairn.api.auth.ConnectInfo;
import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.message.ReasonCode;
import io.cairn.kernel.testsupport.ConfA5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 5 AUTH packets on the wire (MQTT 5.0 §3.15, §4.12): fixed-header flags, the server's Authenticate Reason
 * Codes in an exchange and a re-authentication, and AUTH packets within the client's Maximum Packet Size. A
 * one-challenge method plugged in through the {@code io.cairn.api.auth} SPI.
 */
class ConfAAuth5ConformanceTest {

    private static final String METHOD = "CONFA-AUTH";

    /** The Authenticate Reason Codes of MQTT 5.0 §3.15.2.1. */
    private static final Set<Integer> AUTH_REASON_CODES = Set.of(0x00, 0x18, 0x19);

    /** "start" is challenged with "nonce"; "answer" is then accepted, anything else refused with 0x87. */
    static final class OneChallenge implements EnhancedAuthenticator {
        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public AuthExchange begin(ConnectInfo client) {
            return new AuthExchange() {
                int steps;

                @Override
                public CompletionStage<AuthStep> step(byte[] clientData) {
                    String data = clientData == null ? "" : new String(clientData, StandardCharsets.UTF_8);
                    AuthStep answer = steps++ == 0
                            ? AuthStep.challenge("nonce".getBytes(StandardCharsets.UTF_8))
                            : data.equals("answer") ? AuthStep.success(null, Map.of())
                            : AuthStep.failure(ReasonCode.NOT_AUTHORIZED, "wrong answer");
                    return CompletableFuture.completedFuture(answer);
                }
            };
        }
    }

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.enhancedAuthenticator(new OneChallenge()));

    /** AUTH with the given first byte, reason code, our method and {@code data}. */
    private static byte[] auth(int firstByte, int reason, String data) {
        return Packets.frame(firstByte, Wire.concat(new byte[] {(byte) reason}, ConfA5.props(
                property(0x15, utf8(METHOD)), property(0x16, binary(data.getBytes(StandardCharsets.UTF_8))))));
    }

    /** Reads an AUTH from the server and checks its fixed header, method and data. */
    private static RawPacket expectAuth(RawMqttClient c, String data) {
        RawPacket a = c.expect(ConfA5.AUTH);
        assertThat(a.flags()).as("AUTH fixed-header flags").isZero();
        ConfA5.Block props = ConfA5.reasonProperties(a);
        assertThat(props.value(0x15)).contains(METHOD);
        if (data != null) {
            assertThat(new String((byte[]) props.value(0x16).orElseThrow(), StandardCharsets.UTF_8)).isEqualTo(data);
        }
        return a;
    }

    /** Connects {@code clientId} through the exchange; returns the server's AUTH packets. */
    private List<RawPacket> connect(RawMqttClient c, String clientId, byte[]... extra) {
        List<byte[]> props = new ArrayList<>(List.of(property(0x15, utf8(METHOD)),
                property(0x16, binary("start".getBytes(StandardCharsets.UTF_8)))));
        props.addAll(List.of(extra));
        c.send(Packets.connect(clientId).mqtt5(props.toArray(new byte[0][])).build());
        List<RawPacket> auths = new ArrayList<>();
        auths.add(expectAuth(c, "nonce"));
        c.send(auth(0xF0, 0x18, "answer"));
        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.body()[1] & 0xFF).as("CONNACK reason code").isZero();
        return auths;
    }

    @Test
    @Tag("MQTT-3.15.2-1")
    @DisplayName("[MQTT-3.15.2-1] the server's AUTH packets carry Authenticate Reason Codes: 0x18 to continue, "
            + "0x00 when a re-authentication succeeds")
    void serverAuthReasonCodes() {
        RawMqttClient c = broker.rawClient("confa-auth-codes");
        List<RawPacket> auths = connect(c, "confa-auth-codes");
        c.send(auth(0xF0, 0x19, "start"));
        auths.add(expectAuth(c, "nonce"));
        c.send(auth(0xF0, 0x18, "answer"));
        auths.add(expectAuth(c, null));
        List<Integer> codes = auths.stream().map(ConfA5::reason).toList();
        assertThat(codes).containsExactly(0x18, 0x18, 0x00);
        assertThat(codes).allMatch(AUTH_REASON_CODES::contains);
        c.send(Packets.pingreq());
        c.expect(Packets.PINGRESP);
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"F1", "F2", "F4", "F8", "FF"})
    @Tag("MQTT-3.15.1-1")
    @DisplayName("[MQTT-3.15.1-1] an AUTH with fixed-header flags other than 0000 is malformed: after CONNACK, "
            + "DISCONNECT 0x81 and the close")
    void authFlagsAfterConnack(String firstByte) {
        RawMqttClient c = broker.rawClient("confa-auth-flags");
        connect(c, "confa-auth-flags");
        c.send(auth(Integer.parseInt(firstByte, 16), 0x19, "start"));
        ConfA5.expectDisconnect(c, 0x81);
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"F1", "F8"})
    @Tag("MQTT-3.15.1-1")
    @DisplayName("[MQTT-3.15.1-1] an AUTH with fixed-header flags other than 0000 during the CONNECT exchange is "
            + "malformed: the connection is refused (at most CONNACK 0x81) and closed")
    void authFlagsBeforeConnack(String firstByte) {
        RawMqttClient c = broker.rawClient("confa-auth-flags-early");
        c.send(Packets.connect("confa-auth-flags-early").mqtt5(property(0x15, utf8(METHOD)),
                property(0x16, binary("start".getBytes(StandardCharsets.UTF_8)))).build());
        expectAuth(c, "nonce");
        c.send(auth(Integer.parseInt(firstByte, 16), 0x18, "answer"));
        assertThat(ConfA5.expectRefused(c)).as("CONNACK reason code, -1 for none").isIn(-1, 0x81);
    }

    @Test
    @Tag("MQTT-3.15.2-2")
    @Tag("MQTT-3.15.2-3")
    @DisplayName("[MQTT-3.15.2-2] [MQTT-3.15.2-3] to a client whose Maximum Packet Size leaves no room for a Reason "
            + "String or User Properties, the server's AUTH packets carry neither and stay within the size")
    void authWithinMaximumPacketSize() {
        // AUTH 0x18 with the method and "nonce": 1 + 1 + reason 1 + property length 1 + 13 + 8 = 25 bytes; the
        // accepting CONNACK (Maximum Packet Size, Topic Alias Maximum, the method) is 26: room for neither a
        // Reason String nor a User Property in any AUTH
        int max = 26;
        RawMqttClient c = broker.rawClient("confa-auth-small");
        List<RawPacket> auths = connect(c, "confa-auth-small", property(0x27, u32(max)));
        c.send(auth(0xF0, 0x19, "start"));
        auths.add(expectAuth(c, "nonce"));
        c.send(auth(0xF0, 0x18, "answer"));
        auths.add(expectAuth(c, null));
        assertThat(ConfA5.wireSize(auths.get(0))).isEqualTo(25);
        for (RawPacket a : auths) {
            assertThat(ConfA5.reasonProperties(a).ids()).as("properties of %s", a).doesNotContain(0x1F, 0x26);
            assertThat(ConfA5.wireSize(a)).as("size of %s", a).isLessThanOrEqualTo(max);
        }
    }
}
