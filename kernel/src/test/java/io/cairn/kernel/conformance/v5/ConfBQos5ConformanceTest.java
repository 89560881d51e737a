package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.ConfB5.expectAck;
import static io.cairn.kernel.testsupport.ConfB5.expectDisconnect;
import static io.cairn.kernel.testsupport.ConfB5.props;
import static io.cairn.kernel.testsupport.ConfB5.sessionExpiry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.kernel.testsupport.ConfB5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The QoS 0, 1 and 2 flows of MQTT 5.0 §4.3 and their resending on reconnect (§4.4), both ways, with the DUP and
 * QoS bits of §3.3.1 and the PUBREL flags of §3.6.1. Raw packets, to hold acknowledgements back and to see the
 * exact flags and identifiers.
 */
class ConfBQos5ConformanceTest {

    private static final long EXPIRY = 300;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private RawMqttClient client(String clientId) {
        return ConfB5.connect(broker, clientId);
    }

    /** An MQTT 5 client with a session that outlives the connection. */
    private RawMqttClient persistent(String clientId, boolean cleanStart) {
        return ConfB5.connect(broker, clientId, cleanStart, sessionExpiry(EXPIRY));
    }

    private RawMqttClient subscriber(String clientId, String filter, int qos) {
        RawMqttClient c = client(clientId);
        assertThat(ConfB5.subscribe(c, 1, filter, qos)).containsExactly(qos);
        return c;
    }

    private static void publish(RawMqttClient publisher, String topic, int qos, String payload) {
        int id = qos > 0 ? publisher.nextPacketId() : 0;
        ConfB5.publishAndComplete(publisher, ConfB5.publish(topic, qos, id, payload), qos, id);
    }

    /** Lets {@code millis} pass: the behaviour under test is what happens once a message's expiry is over. */
    private static void letPass(long millis) {
        long start = System.nanoTime();
        await("%d ms".formatted(millis)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /** A packet identifier that is neither {@code a} nor {@code b}. */
    private static int otherThan(int a, int b) {
        int id = 0x7777;
        while (id == a || id == b) {
            id++;
        }
        return id;
    }

    private static byte[] messageExpiry(long seconds) {
        return Packets.property(0x02, Packets.u32(seconds));
    }

    // ---- QoS 0 ----

    @Test
    @Tag("MQTT-4.3.1-1")
    @Tag("MQTT-3.3.1-2")
    @DisplayName("[MQTT-4.3.1-1] [MQTT-3.3.1-2] a QoS 0 delivery to an MQTT 5 subscriber has QoS 0, DUP 0 and no "
            + "packet identifier, even on a QoS 2 subscription")
    void qos0Delivery() {
        RawMqttClient sub = subscriber("b-q0-sub", "q0/#", 2);
        publish(client("b-q0-pub"), "q0/t", 0, "zero");

        RawPacket p = sub.expect(Packets.PUBLISH);
        assertThat(p.flags()).as("DUP 0, QoS 0, RETAIN 0").isZero();
        assertThat(p.body()).as("topic, empty property block, payload: no packet identifier")
                .isEqualTo(Wire.concat(Wire.utf8("q0/t"), new byte[] {0}, "zero".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @Tag("MQTT-3.3.1-2")
    @DisplayName("[MQTT-3.3.1-2] a QoS 0 PUBLISH with DUP 1 from a client is refused with DISCONNECT (0x81 or "
            + "0x82) and not routed")
    void qos0WithDupRefused() {
        RawMqttClient sub = subscriber("b-q0dup-sub", "q0dup/#", 0);
        RawMqttClient bad = client("b-q0dup");
        bad.send(ConfB5.publish(0x08, "q0dup/bad", 0, props(), new byte[] {1}));
        expectDisconnect(bad, 0x81, 0x82);

        publish(client("b-q0dup-marker"), "q0dup/marker", 0, "m");
        assertThat(Raw5.expectPublish(sub).topic()).as("the DUP PUBLISH was not routed").isEqualTo("q0dup/marker");
    }

    @Test
    @Tag("MQTT-3.3.1-4")
    @DisplayName("[MQTT-3.3.1-4] a PUBLISH with both QoS bits set is malformed: DISCONNECT 0x81, close, and it is "
            + "not routed")
    void qos3IsMalformed() {
        RawMqttClient sub = subscriber("b-q3-sub", "q3/#", 2);
        RawMqttClient bad = client("b-q3");
        bad.send(ConfB5.publish(0x06, "q3/bad", 1, props(), new byte[] {1}));
        expectDisconnect(bad, 0x81);

        publish(client("b-q3-marker"), "q3/marker", 0, "m");
        assertThat(Raw5.expectPublish(sub).topic()).as("the QoS 3 PUBLISH was not routed").isEqualTo("q3/marker");
    }

    @Test
    @Tag("MQTT-3.3.4-1")
    @Tag("MQTT-4.3.2-4")
    @Tag("MQTT-4.3.3-8")
    @DisplayName("[MQTT-3.3.4-1] [MQTT-4.3.2-4] [MQTT-4.3.3-8] the server answers a QoS 0 PUBLISH with nothing, "
            + "QoS 1 with PUBACK and QoS 2 with PUBREC, each carrying the PUBLISH's identifier")
    void serverAnswersAsTheQosRequires() {
        RawMqttClient sub = subscriber("b-answer-sub", "answer/#", 2);
        RawMqttClient c = client("b-answer");
        c.send(ConfB5.publish("answer/0", 0, 0, "zero"), Packets.pingreq());
        assertThat(c.receive().type()).as("nothing answers QoS 0: PINGRESP comes next").isEqualTo(Packets.PINGRESP);
        c.send(ConfB5.publish("answer/1", 1, 0x0102, "one"));
        assertThat(expectAck(c, Packets.PUBACK, 0x0102)).as("PUBACK reason").isZero();
        c.send(ConfB5.publish("answer/2", 2, 0x0203, "two"));
        assertThat(expectAck(c, Packets.PUBREC, 0x0203)).as("PUBREC reason").isZero();
        c.send(Packets.pubrel(0x0203));
        expectAck(c, Packets.PUBCOMP, 0x0203);

        List<String> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Raw5.Publish p = Raw5.expectPublish(sub);
            got.add(p.topic());
            ConfB5.acknowledge(sub, p);
        }
        assertThat(got).containsExactly("answer/0", "answer/1", "answer/2");
    }

    // ---- QoS 1 ----

    @Test
    @Tag("MQTT-4.3.2-1")
    @Tag("MQTT-4.3.2-2")
    @Tag("MQTT-3.3.1-3")
    @DisplayName("[MQTT-4.3.2-1] [MQTT-4.3.2-2] [MQTT-3.3.1-3] QoS 1 deliveries have QoS 1, DUP 0 (even when "
            + "the publisher's PUBLISH had DUP 1) and distinct non-zero identifiers while in flight")
    void qos1Deliveries() {
        RawMqttClient sub = subscriber("b-q1-sub", "q1/#", 1);
        RawMqttClient pub = client("b-q1-pub");
        for (int i = 0; i < 10; i++) {
            int dup = i % 2 == 0 ? 0x08 : 0; // every other one first seen by the server with DUP 1
            pub.send(ConfB5.publish(dup | 0x02, "q1/t", i + 1, props(), ("m" + i).getBytes(StandardCharsets.UTF_8)));
            expectAck(pub, Packets.PUBACK, i + 1);
        }

        List<Raw5.Publish> received = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            received.add(Raw5.expectPublish(sub)); // none acknowledged yet: all ten are in flight
        }
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            Raw5.Publish p = received.get(i);
            assertThat(p.payloadText()).isEqualTo("m" + i);
            assertThat(p.qos()).isEqualTo(1);
            assertThat(p.dup()).as("DUP of the first transmission of %s", p).isFalse();
            ids.add(p.packetId());
        }
        assertThat(ids).hasSize(10).doesNotContain(0);
        received.forEach(p -> sub.send(Packets.puback(p.packetId())));
        sub.ping();
    }

    @Test
    @Tag("MQTT-4.3.2-5")
    @DisplayName("[MQTT-4.3.2-5] after its PUBACK, a PUBLISH with the same identifier is a new message, DUP 1 or "
            + "not")
    void qos1SameIdAfterPubackIsNew() {
        RawMqttClient sub = subscriber("b-q1new-sub", "q1new/#", 1);
        RawMqttClient pub = client("b-q1new-pub");
        pub.send(ConfB5.publish("q1new/t", 1, 7, "first"));
        expectAck(pub, Packets.PUBACK, 7);
        pub.send(ConfB5.publish(0x08 | 0x02, "q1new/t", 7, props(), "second".getBytes(StandardCharsets.UTF_8)));
        expectAck(pub, Packets.PUBACK, 7);
        pub.send(ConfB5.publish("q1new/t", 1, 7, "third"));
        expectAck(pub, Packets.PUBACK, 7);

        List<String> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Raw5.Publish p = Raw5.expectPublish(sub);
            got.add(p.payloadText());
            ConfB5.acknowledge(sub, p);
        }
        assertThat(got).containsExactly("first", "second", "third");
    }

    @Test
    @Tag("MQTT-4.3.2-3")
    @Tag("MQTT-3.3.1-1")
    @Tag("MQTT-3.3.1-3")
    @Tag("MQTT-4.4.0-1")
    @DisplayName("[MQTT-4.3.2-3] [MQTT-3.3.1-1] [MQTT-3.3.1-3] [MQTT-4.4.0-1] a QoS 1 message stays "
            + "unacknowledged until its own PUBACK (another identifier's does not count): not resent during the "
            + "connection, resent on reconnect with DUP 1 and its identifier; an acknowledged one is not")
    void qos1UnacknowledgedIsResentOnReconnect() {
        RawMqttClient sub = persistent("b-q1re-sub", true);
        assertThat(ConfB5.subscribe(sub, 1, "q1re/#", 1)).containsExactly(1);
        RawMqttClient pub = client("b-q1re-pub");
        publish(pub, "q1re/a", 1, "a");
        publish(pub, "q1re/b", 1, "b");
        Raw5.Publish a = Raw5.expectPublish(sub);
        Raw5.Publish b = Raw5.expectPublish(sub);
        assertThat(a.dup()).isFalse();
        sub.send(Packets.puback(b.packetId()));
        sub.send(Packets.puback(otherThan(a.packetId(), b.packetId()))); // acknowledges neither
        publish(pub, "q1re/marker", 0, "m");
        assertThat(Raw5.expectPublish(sub).topic()).as("nothing resent while connected").isEqualTo("q1re/marker");
        sub.abort();

        RawMqttClient again = persistent("b-q1re-sub", false);
        Raw5.Publish resent = Raw5.expectPublish(again);
        assertThat(resent.topic()).isEqualTo("q1re/a");
        assertThat(resent.payloadText()).isEqualTo("a");
        assertThat(resent.packetId()).as("the original identifier").isEqualTo(a.packetId());
        assertThat(resent.dup()).as("DUP of a re-delivery").isTrue();
        assertThat(resent.qos()).isEqualTo(1);
        again.send(Packets.puback(resent.packetId()));
        publish(pub, "q1re/marker", 0, "m2");
        assertThat(Raw5.expectPublish(again).payloadText()).as("the acknowledged b is not resent").isEqualTo("m2");
    }

    // ---- QoS 2, server sending ----

    @Test
    @Tag("MQTT-4.3.3-1")
    @Tag("MQTT-4.3.3-2")
    @Tag("MQTT-3.6.1-1")
    @DisplayName("[MQTT-4.3.3-1] [MQTT-4.3.3-2] [MQTT-3.6.1-1] QoS 2 deliveries have QoS 2, DUP 0 and distinct "
            + "identifiers; each PUBREC is answered by a PUBREL (flags 0010) with its identifier; nothing is resent "
            + "after PUBCOMP")
    void qos2Deliveries() {
        RawMqttClient sub = subscriber("b-q2-sub", "q2/#", 2);
        RawMqttClient pub = client("b-q2-pub");
        for (int i = 0; i < 5; i++) {
            publish(pub, "q2/t", 2, "m" + i);
        }
        List<Raw5.Publish> received = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Raw5.Publish p = Raw5.expectPublish(sub);
            assertThat(p.payloadText()).isEqualTo("m" + i);
            assertThat(p.qos()).isEqualTo(2);
            assertThat(p.dup()).isFalse();
            received.add(p);
        }
        assertThat(received.stream().map(Raw5.Publish::packetId).distinct()).hasSize(5).doesNotContain(0);
        for (Raw5.Publish p : received) {
            sub.send(Packets.pubrec(p.packetId()));
            RawPacket rel = sub.expect(Packets.PUBREL);
            assertThat(rel.firstByte()).as("PUBREL fixed header").isEqualTo(0x62);
            assertThat(rel.packetId()).isEqualTo(p.packetId());
            sub.send(Packets.pubcomp(p.packetId()));
        }
        publish(pub, "q2/marker", 0, "m");
        assertThat(Raw5.expectPublish(sub).topic()).as("nothing resent").isEqualTo("q2/marker");
    }

    @Test
    @Tag("MQTT-4.3.3-3")
    @Tag("MQTT-3.3.1-1")
    @Tag("MQTT-4.4.0-1")
    @DisplayName("[MQTT-4.3.3-3] [MQTT-3.3.1-1] [MQTT-4.4.0-1] a QoS 2 PUBLISH without its PUBREC (one for another "
            + "identifier does not count) is not resent during the connection, and is resent on reconnect with DUP "
            + "1 and its identifier")
    void qos2UnacknowledgedIsResentOnReconnect() {
        RawMqttClient sub = persistent("b-q2re-sub", true);
        assertThat(ConfB5.subscribe(sub, 1, "q2re/#", 2)).containsExactly(2);
        RawMqttClient pub = client("b-q2re-pub");
        publish(pub, "q2re/a", 2, "a");
        Raw5.Publish a = Raw5.expectPublish(sub);
        int other = otherThan(a.packetId(), a.packetId());
        sub.send(Packets.pubrec(other)); // not a's identifier: a stays unacknowledged
        assertThat(expectAck(sub, Packets.PUBREL, other)).as("PUBREL for an unknown identifier").isEqualTo(0x92);
        publish(pub, "q2re/marker", 0, "m");
        assertThat(Raw5.expectPublish(sub).topic()).as("nothing resent while connected").isEqualTo("q2re/marker");
        sub.abort();

        RawMqttClient again = persistent("b-q2re-sub", false);
        Raw5.Publish resent = Raw5.expectPublish(again);
        assertThat(resent.topic()).isEqualTo("q2re/a");
        assertThat(resent.packetId()).isEqualTo(a.packetId());
        assertThat(resent.dup()).isTrue();
        assertThat(resent.qos()).isEqualTo(2);
        again.send(Packets.pubrec(resent.packetId()));
        expectAck(again, Packets.PUBREL, resent.packetId());
        again.send(Packets.pubcomp(resent.packetId()));
        publish(pub, "q2re/marker", 0, "m2");
        assertThat(Raw5.expectPublish(again).payloadText()).isEqualTo("m2");
    }

    @Test
    @Tag("MQTT-4.3.3-5")
    @Tag("MQTT-4.3.3-6")
    @Tag("MQTT-4.4.0-1")
    @DisplayName("[MQTT-4.3.3-5] [MQTT-4.3.3-6] [MQTT-4.4.0-1] a PUBREL without PUBCOMP is resent on reconnect "
            + "with its identifier, and the PUBLISH it released is not sent again")
    void pubrelIsResentOnReconnect() {
        RawMqttClient sub = persistent("b-rel-sub", true);
        assertThat(ConfB5.subscribe(sub, 1, "rel/#", 2)).containsExactly(2);
        RawMqttClient pub = client("b-rel-pub");
        publish(pub, "rel/a", 2, "a");
        Raw5.Publish a = Raw5.expectPublish(sub);
        sub.send(Packets.pubrec(a.packetId()));
        expectAck(sub, Packets.PUBREL, a.packetId());
        publish(pub, "rel/marker", 0, "m");
        assertThat(Raw5.expectPublish(sub).topic()).as("no PUBREL resent while connected").isEqualTo("rel/marker");
        sub.abort();

        RawMqttClient again = persistent("b-rel-sub", false);
        assertThat(expectAck(again, Packets.PUBREL, a.packetId())).as("the PUBREL, not the PUBLISH").isZero();
        again.send(Packets.pubcomp(a.packetId()));
        publish(pub, "rel/marker", 0, "m2");
        assertThat(Raw5.expectPublish(again).payloadText()).as("rel/a is not sent again").isEqualTo("m2");
    }

    @Test
    @Tag("MQTT-4.3.3-7")
    @DisplayName("[MQTT-4.3.3-7] a QoS 2 message whose PUBLISH was sent is not expired: after its Message Expiry "
            + "Interval it is still resent on reconnect, and a released one still gets its PUBREL")
    void sentQos2MessageDoesNotExpire() {
        RawMqttClient sub = persistent("b-q2exp-sub", true);
        assertThat(ConfB5.subscribe(sub, 1, "q2exp/#", 2)).containsExactly(2);
        RawMqttClient pub = client("b-q2exp-pub");
        for (String t : List.of("q2exp/unreceived", "q2exp/released")) {
            int id = pub.nextPacketId();
            ConfB5.publishAndComplete(pub, ConfB5.publish(0x04, t, id, props(messageExpiry(1)), new byte[] {1}), 2,
                    id);
        }
        Raw5.Publish unreceived = Raw5.expectPublish(sub);
        Raw5.Publish released = Raw5.expectPublish(sub);
        assertThat(released.topic()).isEqualTo("q2exp/released");
        sub.send(Packets.pubrec(released.packetId()));
        expectAck(sub, Packets.PUBREL, released.packetId());
        sub.abort();
        letPass(1_500);

        RawMqttClient again = persistent("b-q2exp-sub", false);
        List<RawPacket> resent = List.of(again.receive(), again.receive());
        assertThat(resent).extracting(RawPacket::type).containsExactlyInAnyOrder(Packets.PUBLISH, Packets.PUBREL);
        for (RawPacket p : resent) {
            if (p.type() == Packets.PUBLISH) {
                Raw5.Publish r = Raw5.publish(p);
                assertThat(r.topic()).isEqualTo("q2exp/unreceived");
                assertThat(r.packetId()).isEqualTo(unreceived.packetId());
                assertThat(r.dup()).isTrue();
            } else {
                assertThat(p.packetId()).isEqualTo(released.packetId());
            }
        }
    }

    // ---- QoS 2, server receiving ----

    @Test
    @Tag("MQTT-4.3.3-8")
    @Tag("MQTT-4.3.3-11")
    @DisplayName("[MQTT-4.3.3-8] [MQTT-4.3.3-11] a client's QoS 2 PUBLISH gets PUBREC, its PUBREL gets PUBCOMP "
            + "0x00, both with the PUBLISH's identifier, and the message is delivered once")
    void qos2InboundFlow() {
        RawMqttClient sub = subscriber("b-q2in-sub", "q2in/#", 2);
        RawMqttClient pub = client("b-q2in-pub");
        pub.send(ConfB5.publish("q2in/t", 2, 0x0A0B, "exactly once"));
        assertThat(expectAck(pub, Packets.PUBREC, 0x0A0B)).isZero();
        pub.send(Packets.pubrel(0x0A0B));
        assertThat(expectAck(pub, Packets.PUBCOMP, 0x0A0B)).isZero();

        Raw5.Publish p = Raw5.expectPublish(sub);
        assertThat(p.payloadText()).isEqualTo("exactly once");
        ConfB5.acknowledge(sub, p);
        publish(pub, "q2in/marker", 0, "m");
        assertThat(Raw5.expectPublish(sub).topic()).as("delivered once").isEqualTo("q2in/marker");
    }

    @Test
    @Tag("MQTT-4.3.3-10")
    @Tag("MQTT-4.3.3-12")
    @DisplayName("[MQTT-4.3.3-10] [MQTT-4.3.3-12] until PUBREL, a re-sent QoS 2 PUBLISH gets PUBREC again and is "
            + "not delivered twice; after PUBCOMP the identifier carries a new message")
    void qos2DuplicatesBeforePubrel() {
        RawMqttClient sub = subscriber("b-q2dup-sub", "q2dup/#", 2);
        RawMqttClient pub = client("b-q2dup-pub");
        byte[] first = ConfB5.publish("q2dup/t", 2, 11, "once");
        byte[] again = ConfB5.publish(0x08 | 0x04, "q2dup/t", 11, props(), "once".getBytes(StandardCharsets.UTF_8));
        pub.send(first);
        expectAck(pub, Packets.PUBREC, 11);
        pub.send(again);
        expectAck(pub, Packets.PUBREC, 11);
        pub.send(first); // even without DUP, it is the same message until PUBREL
        expectAck(pub, Packets.PUBREC, 11);
        pub.send(Packets.pubrel(11));
        assertThat(expectAck(pub, Packets.PUBCOMP, 11)).isZero();
        pub.send(ConfB5.publish("q2dup/t", 2, 11, "new message, same id"));
        expectAck(pub, Packets.PUBREC, 11);
        pub.send(Packets.pubrel(11));
        assertThat(expectAck(pub, Packets.PUBCOMP, 11)).isZero();

        Raw5.Publish p = Raw5.expectPublish(sub);
        assertThat(p.payloadText()).isEqualTo("once");
        ConfB5.acknowledge(sub, p);
        Raw5.Publish next = Raw5.expectPublish(sub);
        assertThat(next.payloadText()).as("the duplicates were not delivered").isEqualTo("new message, same id");
        ConfB5.acknowledge(sub, next);
    }

    @Test
    @Tag("MQTT-4.3.3-13")
    @DisplayName("[MQTT-4.3.3-13] a QoS 2 flow from a client completes after the message's expiry interval: its "
            + "PUBREL still gets PUBCOMP 0x00")
    void qos2InboundFlowOutlivesExpiry() {
        RawMqttClient sub = subscriber("b-q2inexp-sub", "q2inexp/#", 2);
        RawMqttClient pub = client("b-q2inexp-pub");
        pub.send(ConfB5.publish(0x04, "q2inexp/t", 21, props(messageExpiry(1)), new byte[] {1}));
        expectAck(pub, Packets.PUBREC, 21);
        letPass(1_500);
        pub.send(Packets.pubrel(21));
        assertThat(expectAck(pub, Packets.PUBCOMP, 21)).as("PUBCOMP reason, not 0x92").isZero();

        Raw5.Publish p = Raw5.expectPublish(sub);
        assertThat(p.topic()).isEqualTo("q2inexp/t");
        ConfB5.acknowledge(sub, p);
    }

    @Test
    @Tag("MQTT-4.4.0-1")
    @Tag("MQTT-4.3.3-10")
    @DisplayName("[MQTT-4.4.0-1] [MQTT-4.3.3-10] a client that resends its unreleased QoS 2 PUBLISH (DUP 1, same "
            + "identifier) after reconnecting gets PUBREC and then PUBCOMP, and the message is delivered once")
    void clientResendsAfterReconnect() {
        RawMqttClient sub = subscriber("b-q2back-sub", "q2back/#", 2);
        RawMqttClient pub = persistent("b-q2back-pub", true);
        pub.send(ConfB5.publish("q2back/t", 2, 5, "once"));
        expectAck(pub, Packets.PUBREC, 5);
        pub.abort();

        RawMqttClient again = persistent("b-q2back-pub", false);
        again.send(ConfB5.publish(0x08 | 0x04, "q2back/t", 5, props(), "once".getBytes(StandardCharsets.UTF_8)));
        expectAck(again, Packets.PUBREC, 5);
        again.send(Packets.pubrel(5));
        assertThat(expectAck(again, Packets.PUBCOMP, 5)).as("the identifier was known").isZero();

        Raw5.Publish p = Raw5.expectPublish(sub);
        assertThat(p.payloadText()).isEqualTo("once");
        ConfB5.acknowledge(sub, p);
        publish(again, "q2back/marker", 0, "m");
        assertThat(Raw5.expectPublish(sub).topic()).as("delivered once").isEqualTo("q2back/marker");
    }

    @Test
    @Tag("MQTT-4.4.0-1")
    @Tag("MQTT-4.3.3-11")
    @DisplayName("[MQTT-4.4.0-1] [MQTT-4.3.3-11] the server keeps a client's unreleased QoS 2 message across a "
            + "reconnect: the PUBREL sent after it gets PUBCOMP 0x00, a PUBREL resent after a lost PUBCOMP gets "
            + "PUBCOMP too, and the messages are delivered once")
    void clientSendsPubrelAfterReconnect() {
        RawMqttClient sub = subscriber("b-relback-sub", "relback/#", 2);
        RawMqttClient pub = persistent("b-relback-pub", true);
        pub.send(ConfB5.publish("relback/a", 2, 6, "a"));
        expectAck(pub, Packets.PUBREC, 6);
        pub.send(ConfB5.publish("relback/b", 2, 7, "b"));
        expectAck(pub, Packets.PUBREC, 7);
        pub.send(Packets.pubrel(7)); // its PUBCOMP is lost with the connection
        pub.abort();

        RawMqttClient again = persistent("b-relback-pub", false);
        again.send(Packets.pubrel(6));
        assertThat(expectAck(again, Packets.PUBCOMP, 6)).as("the server still held message 6").isZero();
        again.send(Packets.pubrel(7));
        assertThat(expectAck(again, Packets.PUBCOMP, 7)).as("0x00, or 0x92 once 7 is complete")
                .isIn(0x00, 0x92);

        for (String expected : List.of("relback/a", "relback/b")) {
            Raw5.Publish p = Raw5.expectPublish(sub);
            assertThat(p.topic()).isEqualTo(expected);
            ConfB5.acknowledge(sub, p);
        }
        publish(again, "relback/marker", 0, "m");
        assertThat(Raw5.expectPublish(sub).topic()).as("each delivered once").isEqualTo("relback/marker");
    }

    @ParameterizedTest(name = "PUBREL flags {0}")
    @ValueSource(ints = {0x0, 0x1, 0x3, 0x4, 0x8, 0xF})
    @Tag("MQTT-3.6.1-1")
    @DisplayName("[MQTT-3.6.1-1] a PUBREL whose fixed-header flags are not 0010 is malformed: DISCONNECT 0x81 and "
            + "close")
    void pubrelWithWrongFlags(int flags) {
        RawMqttClient c = client("b-relflags");
        c.send(ConfB5.publish("relflags/t", 2, 3, "x"));
        expectAck(c, Packets.PUBREC, 3);
        c.send(Packets.frame(0x60 | flags, Wire.u16(3)));
        expectDisconnect(c, 0x81);
    }
}
