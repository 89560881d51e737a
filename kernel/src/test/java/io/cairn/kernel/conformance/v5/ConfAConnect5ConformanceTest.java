package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static io.cairn.kernel.testsupport.Packets.u8;
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
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * MQTT 5 CONNECT and CONNACK seen on the wire (MQTT 5.0 §3.1, §3.2, §3.14.0, §4.13.2): protocol name and
 * version, the reserved flag, Clean Start and Session Present, client identifiers (assigned, accepted and
 * rejected), takeover, and what a refused connection gets. Raw packets, to see every byte the server sends and
 * whether it closes.
 */
class ConfAConnect5ConformanceTest {

    private static final long EXPIRY = 300;

    /** The Connect Reason Codes of MQTT 5.0 §3.2.2.2. */
    static final Set<Integer> CONNECT_REASON_CODES = Set.of(0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
            0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F);

    private static final String ID_CHECK = "CONFA-ID-CHECK";

    /**
     * An authentication method that rejects client identifiers starting with "rejected-" with 0x85: how a
     * Cairn deployment refuses a client identifier its rules do not allow.
     */
    static final class ClientIdRules implements EnhancedAuthenticator {
        @Override
        public String method() {
            return ID_CHECK;
        }

        @Override
        public AuthExchange begin(ConnectInfo client) {
            return new AuthExchange() {
                @Override
                public CompletionStage<AuthStep> step(byte[] clientData) {
                    return CompletableFuture.completedFuture(client.clientId().startsWith("rejected-")
                            ? AuthStep.failure(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "not an identifier we allow")
                            : AuthStep.success(null, Map.of()));
                }
            };
        }
    }

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.enhancedAuthenticator(new ClientIdRules()));

    private static byte[] expiry(long seconds) {
        return property(0x11, u32(seconds));
    }

    private RawMqttClient client(String clientId, boolean cleanStart, byte[]... props) {
        return ConfA5.client(broker, clientId, cleanStart, props);
    }

    /** Acknowledge flags of a CONNACK: bit 0 is Session Present, bits 7-1 are reserved and 0 (MQTT-3.2.2-1). */
    private static boolean sessionPresent(RawPacket connack) {
        assertThat(connack.body()[0] & 0xFE).as("reserved acknowledge flags of %s", connack).isZero();
        return (connack.body()[0] & 0x01) != 0;
    }

    /** Reads the first PUBLISH among the packets that come next (acknowledgements of own publishes skipped). */
    private static Raw5.Publish firstPublish(RawMqttClient c) {
        while (true) {
            RawPacket p = c.receive();
            if (p.type() == Packets.PUBLISH) {
                return Raw5.publish(p);
            }
        }
    }

    @Test
    @Tag("MQTT-3.1.0-2")
    @Tag("MQTT-3.2.0-2")
    @Tag("MQTT-4.13.2-1")
    @DisplayName("[MQTT-3.1.0-2] [MQTT-3.2.0-2] [MQTT-4.13.2-1] a second CONNECT is a Protocol Error: no second "
            + "CONNACK, DISCONNECT 0x82 and the connection is closed")
    void secondConnect() {
        RawMqttClient c = client("confa-twice", true);
        c.send(Packets.connect("confa-twice").mqtt5().build());
        ConfA5.expectDisconnect(c, 0x82);
    }

    @Test
    @Tag("MQTT-3.1.2-1")
    @DisplayName("[MQTT-3.1.2-1] a protocol name other than \"MQTT\" is refused: at most a refusing CONNACK "
            + "(0x84, or 0x01 in the 3.1.1 form), then the connection is closed")
    void wrongProtocolName() {
        RawMqttClient c = broker.rawClient("confa-name");
        c.send(Packets.connect("confa-name").mqtt5().protocolName("MQTX").build());
        expectVersionRefusal(c);
    }

    /** At most one CONNACK refusing the protocol (0x84, or 0x01 in the 3.1.1 form), then the close. */
    private static void expectVersionRefusal(RawMqttClient c) {
        RawPacket p = c.receiveUnlessClosed(RawMqttClient.TIMEOUT).orElse(null);
        if (p != null) {
            assertThat(p.type()).as("the only packet, %s", p).isEqualTo(Packets.CONNACK);
            assertThat(p.body()[0]).as("Session Present").isZero();
            int code = p.body()[1] & 0xFF;
            if (p.body().length == 2) {
                assertThat(code).as("3.1.1 return code").isEqualTo(0x01);
            } else {
                assertThat(code).as("MQTT 5 reason code").isEqualTo(0x84);
            }
            c.expectClosed();
        }
    }

    @ParameterizedTest(name = "protocol version {0}")
    @ValueSource(ints = {2, 6, 255})
    @Tag("MQTT-3.1.2-2")
    @DisplayName("[MQTT-3.1.2-2] a protocol version Cairn does not speak is refused: at most a CONNACK saying so "
            + "(0x84, or 0x01 in the 3.1.1 form an older client can read), then the connection is closed")
    void unsupportedProtocolVersion(int level) {
        RawMqttClient c = broker.rawClient("confa-version");
        c.send(Packets.connect("confa-version").mqtt5().protocolLevel(level).build());
        expectVersionRefusal(c);
    }

    @Test
    @Tag("MQTT-3.1.2-3")
    @Tag("MQTT-3.1.4-1")
    @DisplayName("[MQTT-3.1.2-3] [MQTT-3.1.4-1] a CONNECT with the reserved flag set is malformed: never "
            + "accepted, at most a CONNACK 0x81, and the connection is closed")
    void reservedConnectFlag() {
        RawMqttClient c = broker.rawClient("confa-reserved");
        c.send(Packets.connect("confa-reserved").mqtt5().reservedFlag(true).build());
        assertThat(ConfA5.expectRefused(c)).as("CONNACK reason code, -1 for none").isIn(-1, 0x81);
    }

    @Test
    @Tag("MQTT-3.1.2-6")
    @Tag("MQTT-3.2.2-3")
    @Tag("MQTT-3.2.2-1")
    @Tag("MQTT-3.1.4-4")
    @Tag("MQTT-3.1.3-2")
    @DisplayName("[MQTT-3.1.2-6] [MQTT-3.2.2-3] [MQTT-3.2.2-1] [MQTT-3.1.4-4] [MQTT-3.1.3-2] Clean Start 0 "
            + "without a session creates one (Session Present 0); reconnecting with the same ClientID resumes it "
            + "(Session Present 1, its subscription and queued message), another ClientID does not")
    void cleanStartZeroCreatesThenResumesSession() {
        RawMqttClient first = broker.rawClient("confa-resume");
        RawPacket connack = ConfA5.connectAccepted(first, Packets.connect("confa-resume").cleanSession(false)
                .mqtt5(expiry(EXPIRY)));
        assertThat(sessionPresent(connack)).as("Session Present for a new session").isFalse();
        first.send(ConfA5.subscribe(1, "resume/#", 1));
        first.expect(Packets.SUBACK);
        first.send(ConfA5.disconnect(0x00));
        first.expectClosed();

        RawMqttClient publisher = client("confa-resume-pub", true);
        publisher.send(ConfA5.publish("resume/while-away", 1, false, 1, "queued"));
        assertThat(publisher.expect(Packets.PUBACK).packetId()).isEqualTo(1);

        RawMqttClient stranger = broker.rawClient("confa-resume-other");
        RawPacket strangerAck = ConfA5.connectAccepted(stranger, Packets.connect("confa-resume-other")
                .cleanSession(false).mqtt5(expiry(EXPIRY)));
        assertThat(sessionPresent(strangerAck)).as("Session Present for another ClientID").isFalse();

        RawMqttClient again = broker.rawClient("confa-resume-2");
        RawPacket resumed = ConfA5.connectAccepted(again, Packets.connect("confa-resume").cleanSession(false)
                .mqtt5(expiry(EXPIRY)));
        assertThat(sessionPresent(resumed)).as("Session Present for the held session").isTrue();
        Raw5.Publish queued = Raw5.expectPublish(again);
        assertThat(queued.topic()).isEqualTo("resume/while-away");
        assertThat(queued.payloadText()).isEqualTo("queued");
    }

    @Test
    @Tag("MQTT-3.2.2-2")
    @Tag("MQTT-3.1.4-4")
    @DisplayName("[MQTT-3.2.2-2] [MQTT-3.1.4-4] Clean Start 1 discards a held session: Session Present 0, and its "
            + "subscription is gone")
    void cleanStartOneDiscardsSession() {
        RawMqttClient first = client("confa-clean", false, expiry(EXPIRY));
        first.send(ConfA5.subscribe(1, "clean/old/#", 0));
        first.expect(Packets.SUBACK);
        first.send(ConfA5.disconnect(0x00));
        first.expectClosed();

        RawMqttClient again = broker.rawClient("confa-clean-2");
        RawPacket connack = ConfA5.connectAccepted(again, Packets.connect("confa-clean").cleanSession(true)
                .mqtt5(expiry(EXPIRY)));
        assertThat(sessionPresent(connack)).as("Session Present after Clean Start 1").isFalse();
        again.send(ConfA5.subscribe(2, "clean/marker", 0));
        again.expect(Packets.SUBACK);
        again.send(ConfA5.publish("clean/old/x", 1, false, 3, "old subscription"),
                ConfA5.publish("clean/marker", 1, false, 4, "marker"));
        assertThat(firstPublish(again).topic()).as("the first message delivered").isEqualTo("clean/marker");
    }

    @ParameterizedTest(name = "ClientID \"{0}\"")
    @ValueSource(strings = {"a", "Z", "7", "0123456789abcdefghijKLM", "abcdefghijklmnopqrstuvw",
        "ABCDEFGHIJKLMNOPQRSTUVW", "aB3"})
    @Tag("MQTT-3.1.3-5")
    @Tag("MQTT-3.1.4-5")
    @DisplayName("[MQTT-3.1.3-5] [MQTT-3.1.4-5] ClientIDs of 1 to 23 characters 0-9, a-z, A-Z are accepted with "
            + "CONNACK 0x00 and the client is connected under that id")
    void clientIdentifiersAccepted(String clientId) {
        RawMqttClient c = broker.rawClient(clientId);
        RawPacket connack = ConfA5.connectAccepted(c, Packets.connect(clientId).mqtt5());
        assertThat(ConfA5.connackProperties(connack).has(0x12)).as("no Assigned Client Identifier").isFalse();
        assertThat(broker.broker().clients()).anyMatch(info -> info.clientId().equals(clientId));
        c.send(Packets.pingreq());
        assertThat(c.expect(Packets.PINGRESP).body()).isEmpty();
    }

    @Test
    @Tag("MQTT-3.1.3-6")
    @Tag("MQTT-3.1.3-7")
    @DisplayName("[MQTT-3.1.3-6] [MQTT-3.1.3-7] a zero-length ClientID gets a unique Assigned Client Identifier in "
            + "CONNACK, and the session is that identifier's: reconnecting with it resumes the session")
    void assignedClientIdentifier() {
        RawMqttClient one = broker.rawClient("confa-assigned-1");
        RawPacket ack1 = ConfA5.connectAccepted(one, Packets.connect("").cleanSession(false).mqtt5(expiry(EXPIRY)));
        RawMqttClient two = broker.rawClient("confa-assigned-2");
        RawPacket ack2 = ConfA5.connectAccepted(two, Packets.connect("").cleanSession(false).mqtt5(expiry(EXPIRY)));
        String id1 = (String) ConfA5.connackProperties(ack1).value(0x12).orElseThrow();
        String id2 = (String) ConfA5.connackProperties(ack2).value(0x12).orElseThrow();
        assertThat(id1).isNotEmpty().isNotEqualTo(id2);
        assertThat(id2).isNotEmpty();
        assertThat(broker.broker().clients()).anyMatch(info -> info.clientId().equals(id1))
                .anyMatch(info -> info.clientId().equals(id2));

        one.send(ConfA5.subscribe(1, "assigned/#", 1));
        one.expect(Packets.SUBACK);
        one.send(ConfA5.disconnect(0x00));
        one.expectClosed();

        RawMqttClient back = broker.rawClient("confa-assigned-back");
        RawPacket resumed = ConfA5.connectAccepted(back, Packets.connect(id1).cleanSession(false)
                .mqtt5(expiry(EXPIRY)));
        assertThat(sessionPresent(resumed)).as("the session created for the assigned identifier").isTrue();
        two.send(ConfA5.publish("assigned/x", 0, false, 0, "to the assigned one"));
        assertThat(Raw5.expectPublish(back).payloadText()).isEqualTo("to the assigned one");
    }

    @Test
    @Tag("MQTT-3.1.3-8")
    @Tag("MQTT-3.2.2-6")
    @Tag("MQTT-3.2.2-7")
    @Tag("MQTT-4.13.2-1")
    @DisplayName("[MQTT-3.1.3-8] [MQTT-3.2.2-6] [MQTT-3.2.2-7] [MQTT-4.13.2-1] a ClientID the server rejects gets "
            + "CONNACK 0x85 with Session Present 0, and the connection is closed")
    void rejectedClientIdentifier() {
        RawMqttClient c = broker.rawClient("confa-rejected");
        c.send(Packets.connect("rejected-id").mqtt5(property(0x15, utf8(ID_CHECK))).build());
        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.body()[1] & 0xFF).as("reason code").isEqualTo(0x85);
        assertThat(connack.body()[0]).as("acknowledge flags: Session Present 0").isZero();
        c.expectClosed();
        assertThat(broker.broker().clients()).noneMatch(info -> info.clientId().equals("rejected-id"));

        RawMqttClient allowed = broker.rawClient("confa-allowed");
        ConfA5.connectAccepted(allowed, Packets.connect("allowed-id").mqtt5(property(0x15, utf8(ID_CHECK))));
    }

    @Test
    @Tag("MQTT-3.2.2-6")
    @Tag("MQTT-3.2.2-7")
    @Tag("MQTT-4.13.2-1")
    @DisplayName("[MQTT-3.2.2-6] [MQTT-3.2.2-7] [MQTT-4.13.2-1] a refused CONNECT of a client whose session the "
            + "server holds gets Session Present 0 with its reason code, and the connection is closed")
    void refusalHasNoSessionPresent() {
        RawMqttClient first = client("confa-held", false, expiry(EXPIRY));
        first.send(ConfA5.disconnect(0x00));
        first.expectClosed();

        RawMqttClient refused = broker.rawClient("confa-held-2");
        refused.send(Packets.connect("confa-held").cleanSession(false)
                .mqtt5(expiry(EXPIRY), property(0x21, Wire.u16(0))).build()); // Receive Maximum 0: Protocol Error
        RawPacket connack = refused.expect(Packets.CONNACK);
        assertThat(connack.body()[1] & 0xFF).as("reason code").isEqualTo(0x82);
        assertThat(connack.body()[0]).as("acknowledge flags: Session Present 0").isZero();
        refused.expectClosed();

        RawMqttClient later = broker.rawClient("confa-held-3");
        RawPacket ok = ConfA5.connectAccepted(later, Packets.connect("confa-held").cleanSession(false)
                .mqtt5(expiry(EXPIRY)));
        assertThat(sessionPresent(ok)).as("the session is still held after the refusal").isTrue();
    }

    @Test
    @Tag("MQTT-3.1.4-3")
    @DisplayName("[MQTT-3.1.4-3] a CONNECT with a ClientID already connected sends the existing connection "
            + "DISCONNECT 0x8E and closes it; the new one is accepted")
    void takeover() {
        RawMqttClient older = client("confa-taken", true);
        RawMqttClient newer = client("confa-taken", true);
        ConfA5.expectDisconnect(older, 0x8E);
        newer.send(Packets.pingreq());
        newer.expect(Packets.PINGRESP);
        assertThat(broker.broker().clients()).filteredOn(info -> info.clientId().equals("confa-taken")).hasSize(1);
    }

    @Test
    @Tag("MQTT-3.1.4-6")
    @DisplayName("[MQTT-3.1.4-6] after refusing a CONNECT the server processes nothing else the client sent: its "
            + "PUBLISH that followed is not delivered")
    void nothingProcessedAfterRefusal() {
        RawMqttClient watcher = client("confa-watcher", true);
        watcher.send(ConfA5.subscribe(1, "after-refusal/#", 0));
        watcher.expect(Packets.SUBACK);

        RawMqttClient refused = broker.rawClient("confa-refused");
        refused.send(Packets.connect("confa-refused").mqtt5(property(0x21, Wire.u16(0))).build(),
                ConfA5.publish("after-refusal/leak", 0, false, 0, "must not be routed"),
                ConfA5.publish("after-refusal/leak", 1, true, 1, "must not be retained"));
        assertThat(ConfA5.expectRefused(refused)).isEqualTo(0x82);

        RawMqttClient marker = client("confa-marker", true);
        marker.send(ConfA5.publish("after-refusal/marker", 1, false, 1, "marker"));
        marker.expect(Packets.PUBACK);
        assertThat(Raw5.expectPublish(watcher).topic()).isEqualTo("after-refusal/marker");

        RawMqttClient late = client("confa-late", true);
        late.send(ConfA5.subscribe(1, "after-refusal/#", 0));
        late.expect(Packets.SUBACK);
        marker.send(ConfA5.publish("after-refusal/marker2", 0, false, 0, "marker"));
        assertThat(Raw5.expectPublish(late).topic()).as("no retained message came first")
                .isEqualTo("after-refusal/marker2");
    }

    @Test
    @Tag("MQTT-3.2.2-8")
    @DisplayName("[MQTT-3.2.2-8] every CONNACK carries one of the Connect Reason Codes: accepted, Protocol Error, "
            + "Client Identifier not valid, Bad authentication method, Payload format invalid")
    void connackReasonCodesAreDefined() {
        Map<String, byte[]> connects = new LinkedHashMap<>();
        connects.put("accepted", Packets.connect("confa-codes-ok").mqtt5().build());
        connects.put("receive maximum 0", Packets.connect("confa-codes-rm").mqtt5(property(0x21, Wire.u16(0)))
                .build());
        connects.put("maximum packet size 0", Packets.connect("confa-codes-mps").mqtt5(property(0x27, u32(0)))
                .build());
        connects.put("request problem information 2", Packets.connect("confa-codes-rpi")
                .mqtt5(property(0x17, u8(2))).build());
        connects.put("rejected client id", Packets.connect("rejected-codes").mqtt5(property(0x15, utf8(ID_CHECK)))
                .build());
        connects.put("unknown method", Packets.connect("confa-codes-method").mqtt5(property(0x15, utf8("NOPE")))
                .build());
        connects.put("will payload not UTF-8", Packets.connect("confa-codes-will").mqtt5()
                .willProperties(property(0x01, u8(1))).will("codes/will", "x", 0, false).build());
        Map<String, Integer> expected = Map.of("accepted", 0x00, "receive maximum 0", 0x82,
                "maximum packet size 0", 0x82, "request problem information 2", 0x82, "rejected client id", 0x85,
                "unknown method", 0x8C, "will payload not UTF-8", 0x99);
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : connects.entrySet()) {
            byte[] connect = e.getValue();
            if (e.getKey().equals("will payload not UTF-8")) {
                // the will message (the last field) becomes ill-formed UTF-8: C3 28 instead of "x" and its length
                connect = Wire.concat(java.util.Arrays.copyOf(connect, connect.length - 3), Wire.bytes(0, 2, 0xC3,
                        0x28));
                connect[1] = (byte) (connect.length - 2);
            }
            RawMqttClient c = broker.rawClient("confa-codes");
            c.send(connect);
            RawPacket connack = c.expect(Packets.CONNACK);
            seen.put(e.getKey(), connack.body()[1] & 0xFF);
            c.close();
        }
        assertThat(seen.values()).allMatch(CONNECT_REASON_CODES::contains);
        assertThat(seen).containsAllEntriesOf(expected);
    }

    @Test
    @Tag("MQTT-3.14.0-1")
    @DisplayName("[MQTT-3.14.0-1] the server sends no DISCONNECT before an accepting CONNACK: a packet before "
            + "CONNECT is met with a bare close, a refused or malformed CONNECT with at most a CONNACK")
    void noDisconnectBeforeConnack() {
        RawMqttClient early = broker.rawClient("confa-early");
        early.send(Packets.pingreq());
        early.expectClosed();

        RawMqttClient publishing = broker.rawClient("confa-early-publish");
        publishing.send(ConfA5.publish("early/x", 0, false, 0, "before CONNECT"));
        publishing.expectClosed();

        RawMqttClient refused = broker.rawClient("confa-early-refused");
        refused.send(Packets.connect("rejected-early").mqtt5(property(0x15, utf8(ID_CHECK))).build());
        assertThat(ConfA5.expectRefused(refused)).isEqualTo(0x85);

        RawMqttClient malformed = broker.rawClient("confa-early-malformed");
        malformed.send(Packets.connect("confa-early-malformed").mqtt5(property(0x21, Wire.u16(10)),
                property(0x21, Wire.u16(10))).build()); // Receive Maximum twice
        ConfA5.expectRefused(malformed);
    }

    @Test
    @Tag("MQTT-3.1.2-29")
    @DisplayName("[MQTT-3.1.2-29] with Request Problem Information 0, no SUBACK, UNSUBACK, PUBACK, PUBREC, PUBREL "
            + "or PUBCOMP carries a Reason String or User Property, not even one reporting a failure")
    void noProblemInformationOnAcknowledgements() {
        RawMqttClient c = client("confa-rpi0", true, property(0x17, u8(0)));
        List<RawPacket> acks = new ArrayList<>();
        c.send(ConfA5.subscribe(1, "rpi/#/bad", 1, "rpi/ok", 1));
        RawPacket suback = c.expect(Packets.SUBACK);
        assertThat(ConfA5.ackCodes(suback)).containsExactly(0x8F, 0x01);
        acks.add(suback);
        c.send(ConfA5.unsubscribe(2, "rpi/never"));
        RawPacket unsuback = c.expect(Packets.UNSUBACK);
        assertThat(ConfA5.ackCodes(unsuback)).containsExactly(0x11);
        acks.add(unsuback);
        c.send(ConfA5.publish("rpi/nobody", 1, false, 3, "x")); // PUBACK 0x10: no matching subscribers
        acks.add(c.expect(Packets.PUBACK));
        c.send(ConfA5.publish("rpi/nobody", 2, false, 4, "x")); // PUBREC 0x10
        acks.add(c.expect(Packets.PUBREC));
        c.send(Raw5.ack(0x62, 99, 0)); // PUBCOMP 0x92: packet identifier not found
        acks.add(c.expect(Packets.PUBCOMP));
        c.send(Raw5.ack(0x50, 98, 0)); // PUBREL 0x92
        acks.add(c.expect(Packets.PUBREL));
        assertThat(acks.subList(2, 6)).extracting(p -> p.body().length > 2 ? p.body()[2] & 0xFF : 0)
                .containsExactly(0x10, 0x10, 0x92, 0x92);
        for (RawPacket p : acks) {
            ConfA5.Block block = p.type() == Packets.SUBACK || p.type() == Packets.UNSUBACK ? ConfA5.ackBlock(p)
                    : ConfA5.pubAckBlock(p);
            assertThat(block.ids()).as("properties of %s", p).doesNotContain(0x1F, 0x26);
        }
    }

    @Test
    @Tag("MQTT-3.2.2-20")
    @DisplayName("[MQTT-3.2.2-20] to a client whose Maximum Packet Size is just the size of the CONNACK without "
            + "User Properties, the CONNACK, accepting or refusing, carries none and stays within the size")
    void connackWithinMaximumPacketSize() {
        RawMqttClient measure = broker.rawClient("confa-measure");
        RawPacket plain = ConfA5.connectAccepted(measure, Packets.connect("confa-measure").mqtt5(
                property(0x27, u32(1 << 20))));
        int max = ConfA5.wireSize(plain);
        RawMqttClient c = broker.rawClient("confa-fits");
        RawPacket connack = ConfA5.connectAccepted(c, Packets.connect("confa-fitt").mqtt5(property(0x27, u32(max))));
        assertThat(ConfA5.connackProperties(connack).ids()).doesNotContain(0x26);
        assertThat(ConfA5.wireSize(connack)).isLessThanOrEqualTo(max);

        RawMqttClient refused = broker.rawClient("confa-fits-refused");
        refused.send(Packets.connect("confa-fitr").mqtt5(property(0x27, u32(max)), property(0x21, Wire.u16(0)))
                .build());
        RawPacket refusal = refused.expect(Packets.CONNACK);
        assertThat(refusal.body()[1] & 0xFF).isEqualTo(0x82);
        assertThat(ConfA5.connackProperties(refusal).ids()).doesNotContain(0x26);
        assertThat(ConfA5.wireSize(refusal)).isLessThanOrEqualTo(max);
        refused.expectClosed();
    }
}
