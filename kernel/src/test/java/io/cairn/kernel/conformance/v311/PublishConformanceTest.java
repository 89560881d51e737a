package io.cairn.kernel.conformance.v311;

import static io.cairn.kernel.testsupport.Wire.concat;
import static io.cairn.kernel.testsupport.Wire.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MQTT 3.1.1 §3.3 PUBLISH and the QoS flows of §4.3, in both directions. */
class PublishConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @Test
    @Tag("MQTT-4.3.1-1")
    @Tag("MQTT-3.3.1-2")
    @Tag("MQTT-2.3.1-5")
    @Tag("MQTT-3.3.2-1")
    @DisplayName("[MQTT-4.3.1-1] [MQTT-3.3.1-2] [MQTT-2.3.1-5] [MQTT-3.3.2-1] a QoS 0 delivery has DUP 0, no "
            + "packet identifier, the topic first and the payload unchanged")
    void qos0Delivery() {
        RawMqttClient sub = broker.connect("q0-sub").subscribe("pub/q0", 0);
        RawMqttClient pub = broker.connect("q0-pub");
        byte[] payload = new byte[256];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;                              // every byte value, 0x00 included
        }
        pub.send(Packets.publish("pub/q0", 0, payload).build());

        RawPacket p = sub.expect(Packets.PUBLISH);
        assertThat(p.flags()).as("DUP 0, QoS 0, RETAIN 0").isZero();
        assertThat(p.body()).as("topic name then payload, no packet identifier")
                .isEqualTo(concat(utf8("pub/q0"), payload));
    }

    @Test
    @Tag("MQTT-3.3.4-1")
    @Tag("MQTT-2.3.1-6")
    @Tag("MQTT-4.3.2-2")
    @DisplayName("[MQTT-3.3.4-1] [MQTT-2.3.1-6] [MQTT-4.3.2-2] a QoS 1 PUBLISH is answered by PUBACK with its "
            + "packet identifier")
    void qos1IsAcknowledged() {
        RawMqttClient pub = broker.connect("q1-pub");
        pub.send(Packets.publish("pub/q1", 1, "x").packetId(0x0102).build());
        RawPacket ack = pub.expectAck(Packets.PUBACK, 0x0102);
        assertThat(ack.firstByte()).isEqualTo(0x40);
    }

    @Test
    @Tag("MQTT-4.3.2-1")
    @Tag("MQTT-2.3.1-1")
    @Tag("MQTT-3.3.4-1")
    @DisplayName("[MQTT-4.3.2-1] [MQTT-2.3.1-1] a QoS 1 delivery has DUP 0 and a non-zero packet identifier")
    void qos1Delivery() {
        RawMqttClient sub = broker.connect("q1-sub").subscribe("pub/q1", 1);
        RawMqttClient pub = broker.connect("q1-pub");
        pub.publish("pub/q1", 1, "one");

        RawPacket.Publish p = sub.expectPublish();
        assertThat(p.qos()).isEqualTo(1);
        assertThat(p.dup()).isFalse();
        assertThat(p.packetId()).isNotZero();
        assertThat(p.payloadText()).isEqualTo("one");
        sub.acknowledge(p);
    }

    @Test
    @Tag("MQTT-4.3.2-2")
    @DisplayName("[MQTT-4.3.2-2] after PUBACK, a PUBLISH with the same packet identifier is a new message")
    void qos1SameIdAfterPubackIsNewMessage() {
        RawMqttClient sub = broker.connect("q1-reuse-sub").subscribe("pub/reuse", 1);
        RawMqttClient pub = broker.connect("q1-reuse-pub");
        pub.send(Packets.publish("pub/reuse", 1, "first").packetId(7).build());
        pub.expectAck(Packets.PUBACK, 7);
        pub.send(Packets.publish("pub/reuse", 1, "second").packetId(7).build());
        pub.expectAck(Packets.PUBACK, 7);

        assertThat(sub.receiveAndAcknowledge().payloadText()).isEqualTo("first");
        assertThat(sub.receiveAndAcknowledge().payloadText()).isEqualTo("second");
    }

    @Test
    @Tag("MQTT-4.3.3-2")
    @Tag("MQTT-3.3.4-1")
    @Tag("MQTT-2.3.1-6")
    @DisplayName("[MQTT-4.3.3-2] [MQTT-3.3.4-1] [MQTT-2.3.1-6] QoS 2 from a client: PUBREC, then PUBCOMP for its "
            + "PUBREL, with the same identifier; delivered once")
    void qos2InboundFlow() {
        RawMqttClient sub = broker.connect("q2-in-sub").subscribe("pub/q2in", 2);
        RawMqttClient pub = broker.connect("q2-in-pub");
        pub.send(Packets.publish("pub/q2in", 2, "exactly once").packetId(9).build());
        assertThat(pub.expectAck(Packets.PUBREC, 9).firstByte()).isEqualTo(0x50);
        pub.send(Packets.pubrel(9));
        assertThat(pub.expectAck(Packets.PUBCOMP, 9).firstByte()).isEqualTo(0x70);

        assertThat(sub.receiveAndAcknowledge().payloadText()).isEqualTo("exactly once");
        pub.publish("pub/q2in", 0, "marker");
        assertThat(sub.expectPublish().payloadText()).as("no second copy before the marker").isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-4.3.3-2")
    @DisplayName("[MQTT-4.3.3-2] a QoS 2 PUBLISH resent with DUP before PUBREL is acknowledged again but not "
            + "delivered twice; after PUBCOMP the identifier is free for a new message")
    void qos2DuplicateBeforePubrelDeliveredOnce() {
        RawMqttClient sub = broker.connect("q2-dup-sub").subscribe("pub/q2dup", 2);
        RawMqttClient pub = broker.connect("q2-dup-pub");
        pub.send(Packets.publish("pub/q2dup", 2, "once").packetId(11).build());
        pub.expectAck(Packets.PUBREC, 11);
        pub.send(Packets.publish("pub/q2dup", 2, "once").packetId(11).dup(true).build());
        pub.expectAck(Packets.PUBREC, 11);
        pub.send(Packets.publish("pub/q2dup", 2, "once").packetId(11).dup(true).build());
        pub.expectAck(Packets.PUBREC, 11);
        pub.send(Packets.pubrel(11));
        pub.expectAck(Packets.PUBCOMP, 11);
        pub.send(Packets.publish("pub/q2dup", 2, "new message, same id").packetId(11).build());
        pub.expectAck(Packets.PUBREC, 11);
        pub.send(Packets.pubrel(11));
        pub.expectAck(Packets.PUBCOMP, 11);

        assertThat(sub.receiveAndAcknowledge().payloadText()).isEqualTo("once");
        assertThat(sub.receiveAndAcknowledge().payloadText()).as("the duplicates were not delivered")
                .isEqualTo("new message, same id");
    }

    @Test
    @Tag("MQTT-4.3.3-2")
    @DisplayName("[MQTT-4.3.3-2] a duplicate PUBREL after PUBCOMP is answered with PUBCOMP again and delivers "
            + "nothing")
    void qos2DuplicatePubrel() {
        RawMqttClient sub = broker.connect("q2-rel-sub").subscribe("pub/q2rel", 2);
        RawMqttClient pub = broker.connect("q2-rel-pub");
        pub.send(Packets.publish("pub/q2rel", 2, "m").packetId(3).build());
        pub.expectAck(Packets.PUBREC, 3);
        pub.send(Packets.pubrel(3));
        pub.expectAck(Packets.PUBCOMP, 3);
        pub.send(Packets.pubrel(3));
        pub.expectAck(Packets.PUBCOMP, 3);

        assertThat(sub.receiveAndAcknowledge().payloadText()).isEqualTo("m");
        pub.publish("pub/q2rel", 0, "marker");
        assertThat(sub.expectPublish().payloadText()).isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-4.3.3-1")
    @Tag("MQTT-3.6.1-1")
    @Tag("MQTT-2.3.1-6")
    @DisplayName("[MQTT-4.3.3-1] [MQTT-3.6.1-1] QoS 2 to a subscriber: PUBLISH DUP 0, then PUBREL (flags 0010) for "
            + "its PUBREC, and no resend after PUBCOMP")
    void qos2OutboundFlow() {
        RawMqttClient sub = broker.connect("q2-out-sub").subscribe("pub/q2out", 2);
        RawMqttClient pub = broker.connect("q2-out-pub");
        pub.publish("pub/q2out", 2, "two");

        RawPacket.Publish p = sub.expectPublish();
        assertThat(p.qos()).isEqualTo(2);
        assertThat(p.dup()).isFalse();
        assertThat(p.packetId()).isNotZero();
        sub.send(Packets.pubrec(p.packetId()));
        RawPacket rel = sub.expectAck(Packets.PUBREL, p.packetId());
        assertThat(rel.firstByte()).isEqualTo(0x62);
        sub.send(Packets.pubcomp(p.packetId()));

        pub.publish("pub/q2out", 0, "marker");
        assertThat(sub.expectPublish().payloadText()).as("nothing resent before the marker").isEqualTo("marker");
    }

    @ParameterizedTest(name = "published at QoS {0}, subscribed at QoS {1}: delivered at QoS {2}")
    @CsvSource({"0,0,0", "0,1,0", "0,2,0", "1,0,0", "1,1,1", "1,2,1", "2,0,0", "2,1,1", "2,2,2"})
    @Tag("MQTT-3.8.4-6")
    @DisplayName("[MQTT-3.8.4-6] a message is delivered at the lower of the published and the granted QoS")
    void deliveredQosIsTheMinimum(int publishedQos, int subscribedQos, int expectedQos) {
        RawMqttClient sub = broker.connect("min-sub").subscribe("pub/min", subscribedQos);
        RawMqttClient pub = broker.connect("min-pub");
        pub.publish("pub/min", publishedQos, "m");

        RawPacket.Publish p = sub.receiveAndAcknowledge();
        assertThat(p.qos()).isEqualTo(expectedQos);
        assertThat(p.payloadText()).isEqualTo("m");
    }

    @Test
    @Tag("MQTT-3.3.5-1")
    @DisplayName("[MQTT-3.3.5-1] overlapping subscriptions: one delivery, at the highest granted QoS")
    void overlappingSubscriptionsDeliverOnceAtHighestQos() {
        RawMqttClient sub = broker.connect("overlap-sub");
        sub.send(Packets.subscribe(1).filter("ov/+/c", 0).filter("ov/b/#", 1).filter("ov/b/c", 2).build());
        assertThat(sub.expectSuback(1).returnCodes()).containsExactly(0, 1, 2);
        RawMqttClient pub = broker.connect("overlap-pub");
        pub.publish("ov/b/c", 2, "overlapping");
        pub.publish("ov/b/marker", 1, "marker");

        RawPacket.Publish p = sub.receiveAndAcknowledge();
        assertThat(p.topic()).isEqualTo("ov/b/c");
        assertThat(p.qos()).isEqualTo(2);
        RawPacket.Publish next = sub.receiveAndAcknowledge();
        assertThat(next.payloadText()).as("no second copy of the overlapping message").isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-3.3.1-3")
    @Tag("MQTT-3.3.1-1")
    @DisplayName("[MQTT-3.3.1-3] the DUP flag of an incoming PUBLISH is not copied to subscribers")
    void incomingDupIsNotPropagated() {
        RawMqttClient sub = broker.connect("dup-sub").subscribe("pub/dup", 1);
        RawMqttClient pub = broker.connect("dup-pub");
        pub.send(Packets.publish("pub/dup", 1, "seen first with DUP").packetId(5).dup(true).build());
        pub.expectAck(Packets.PUBACK, 5);

        RawPacket.Publish p = sub.receiveAndAcknowledge();
        assertThat(p.payloadText()).isEqualTo("seen first with DUP");
        assertThat(p.dup()).as("first transmission to the subscriber").isFalse();
    }

    @Test
    @Tag("MQTT-3.3.2-3")
    @DisplayName("[MQTT-3.3.2-3] a delivery carries the published topic name, which matches the subscriber's filter")
    void deliveredTopicIsThePublishedName() {
        RawMqttClient sub = broker.connect("name-sub").subscribe("pt/+/x", 0);
        RawMqttClient pub = broker.connect("name-pub");
        pub.publish("pt/abc/x", 0, "m");
        RawPacket.Publish p = sub.expectPublish();
        assertThat(p.topic()).isEqualTo("pt/abc/x");
    }

    @Test
    @Tag("MQTT-2.3.1-4")
    @Tag("MQTT-2.3.1-1")
    @DisplayName("[MQTT-2.3.1-4] [MQTT-2.3.1-1] QoS 1 messages in flight to one subscriber carry distinct non-zero "
            + "packet identifiers")
    void serverPacketIdsAreDistinctWhileInFlight() {
        RawMqttClient sub = broker.connect("ids-sub").subscribe("pub/ids", 1);
        RawMqttClient pub = broker.connect("ids-pub");
        for (int i = 0; i < 10; i++) {
            pub.publish("pub/ids", 1, "m" + i);
        }
        List<RawPacket.Publish> received = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            received.add(sub.expectPublish());      // none acknowledged yet: all ten are in flight
        }
        Set<Integer> ids = new HashSet<>();
        received.forEach(p -> ids.add(p.packetId()));
        assertThat(ids).hasSize(10).doesNotContain(0);
        received.forEach(sub::acknowledge);
        sub.ping();
    }

    @Test
    @Tag("MQTT-4.6.0-5")
    @Tag("MQTT-4.6.0-6")
    @Tag("MQTT-7.1.1-1")
    @DisplayName("[MQTT-4.6.0-5] [MQTT-4.6.0-6] [MQTT-7.1.1-1] QoS 1 messages of one publisher reach a subscriber "
            + "over TCP in publishing order, none lost, and are acknowledged in that order")
    void qos1OrderIsKept() {
        int count = 100;
        RawMqttClient sub = broker.connect("order1-sub").subscribe("pub/order1", 1);
        RawMqttClient pub = broker.connect("order1-pub");
        byte[][] burst = new byte[count][];
        for (int i = 0; i < count; i++) {
            burst[i] = Packets.publish("pub/order1", 1, "m" + i).packetId(i + 1).build();
        }
        pub.send(burst);
        for (int i = 0; i < count; i++) {
            pub.expectAck(Packets.PUBACK, i + 1);
        }
        for (int i = 0; i < count; i++) {
            assertThat(sub.receiveAndAcknowledge().payloadText()).isEqualTo("m" + i);
        }
    }

    @Test
    @Tag("MQTT-4.6.0-6")
    @DisplayName("[MQTT-4.6.0-6] QoS 0 and QoS 2 messages of one publisher keep their order per QoS")
    void qos0AndQos2OrderIsKept() {
        int count = 50;
        RawMqttClient sub = broker.connect("order-sub").subscribe("pub/order/#", 2);
        RawMqttClient pub = broker.connect("order-pub");
        for (int i = 0; i < count; i++) {
            pub.send(Packets.publish("pub/order/q0", 0, "a" + i).build());
            pub.publish("pub/order/q2", 2, "b" + i);
        }
        int nextQ0 = 0;
        int nextQ2 = 0;
        for (int i = 0; i < 2 * count; i++) {
            RawPacket.Publish p = sub.receiveAndAcknowledge();
            if (p.topic().equals("pub/order/q0")) {
                assertThat(p.payloadText()).isEqualTo("a" + nextQ0++);
            } else {
                assertThat(p.payloadText()).isEqualTo("b" + nextQ2++);
            }
        }
        assertThat(nextQ0).isEqualTo(count);
        assertThat(nextQ2).isEqualTo(count);
    }

    @Test
    @Tag("MQTT-4.5.0-1")
    @DisplayName("[MQTT-4.5.0-1] a message is added to the session of every client with a matching subscription")
    void everyMatchingSubscriberGetsTheMessage() {
        List<RawMqttClient> subs = new ArrayList<>();
        subs.add(broker.connect("all-sub-1").subscribe("pub/all", 1));
        subs.add(broker.connect("all-sub-2").subscribe("pub/+", 2));
        subs.add(broker.connect("all-sub-3").subscribe("#", 0));
        RawMqttClient pub = broker.connect("all-pub");
        pub.publish("pub/all", 1, "everyone");
        for (RawMqttClient s : subs) {
            assertThat(s.receiveAndAcknowledge().payloadText()).as(s.name()).isEqualTo("everyone");
        }
    }

    @Test
    @Tag("MQTT-3.3.4-1")
    @DisplayName("[MQTT-3.3.4-1] a zero-length payload is a valid message at every QoS")
    void emptyPayload() {
        RawMqttClient sub = broker.connect("empty-sub").subscribe("pub/empty", 2);
        RawMqttClient pub = broker.connect("empty-pub");
        for (int qos = 0; qos <= 2; qos++) {
            pub.publish("pub/empty", qos, "");
            RawPacket.Publish p = sub.receiveAndAcknowledge();
            assertThat(p.qos()).isEqualTo(qos);
            assertThat(p.payload()).isEmpty();
        }
    }

    @Test
    @Tag("MQTT-3.3.4-1")
    @DisplayName("[MQTT-3.3.4-1] a client may publish to a topic it is subscribed to and receives its own message")
    void ownMessagesAreDelivered() {
        RawMqttClient c = broker.connect("self").subscribe("pub/self", 1);
        c.publish("pub/self", 1, "to myself");
        assertThat(c.receiveAndAcknowledge().payloadText()).isEqualTo("to myself");
    }
}
