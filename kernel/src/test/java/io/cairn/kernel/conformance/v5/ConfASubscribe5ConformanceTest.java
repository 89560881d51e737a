package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.ConfA5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 5 SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK on the wire (MQTT 5.0 §3.8-§3.11): fixed-header flags and
 * reserved option bits, packet identifiers, one reason code per filter in order, replacement of a subscription,
 * the granted QoS as a ceiling, unsubscribing by exact filter, and acknowledgements that fit the client's Maximum
 * Packet Size. Raw packets.
 */
class ConfASubscribe5ConformanceTest {

    /** The Subscribe Reason Codes of MQTT 5.0 §3.9.3. */
    private static final Set<Integer> SUBSCRIBE_REASON_CODES = Set.of(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F,
            0x91, 0x97, 0x9E, 0xA1, 0xA2);

    /** The Unsubscribe Reason Codes of MQTT 5.0 §3.11.3. */
    private static final Set<Integer> UNSUBSCRIBE_REASON_CODES = Set.of(0x00, 0x11, 0x80, 0x83, 0x87, 0x8F,
            0x91);

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private RawMqttClient client(String clientId, byte[]... props) {
        return ConfA5.client(broker, clientId, true, props);
    }

    private static RawPacket expectAck(RawMqttClient c, int type, int packetId) {
        RawPacket p = c.expect(type);
        assertThat(p.flags()).as("fixed-header flags of %s", p).isZero();
        assertThat(p.packetId()).as("packet identifier of %s", p).isEqualTo(packetId);
        return p;
    }

    private static List<Integer> subscribe(RawMqttClient c, int packetId, Object... filtersAndOptions) {
        c.send(ConfA5.subscribe(packetId, filtersAndOptions));
        return ConfA5.ackCodes(expectAck(c, Packets.SUBACK, packetId));
    }

    private static List<Integer> unsubscribe(RawMqttClient c, int packetId, String... filters) {
        c.send(ConfA5.unsubscribe(packetId, filters));
        return ConfA5.ackCodes(expectAck(c, Packets.UNSUBACK, packetId));
    }

    /** Publishes at QoS 0 from {@code c}, which must not be subscribed to {@code topic}. */
    private static void publish(RawMqttClient c, String topic, int qos, String payload) {
        c.send(ConfA5.publish(topic, qos, false, qos > 0 ? c.nextPacketId() + 100 : 0, payload));
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"80", "81", "83", "8A"})
    @Tag("MQTT-3.8.1-1")
    @DisplayName("[MQTT-3.8.1-1] SUBSCRIBE with fixed-header flags other than 0010 is malformed: DISCONNECT "
            + "0x81, then the close")
    void subscribeFlags(String firstByte) {
        RawMqttClient c = client("confa-subflags");
        c.send(ConfA5.subscribeWith(Integer.parseInt(firstByte, 16), 1, "flags/#", 0));
        ConfA5.expectDisconnect(c, 0x81);
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"A0", "A1", "A3", "AA"})
    @Tag("MQTT-3.10.1-1")
    @DisplayName("[MQTT-3.10.1-1] UNSUBSCRIBE with fixed-header flags other than 0010 is malformed: DISCONNECT "
            + "0x81, then the close")
    void unsubscribeFlags(String firstByte) {
        RawMqttClient c = client("confa-unsubflags");
        c.send(ConfA5.unsubscribeWith(Integer.parseInt(firstByte, 16), 1, "flags/#"));
        ConfA5.expectDisconnect(c, 0x81);
    }

    @ParameterizedTest(name = "options 0x{0}")
    @ValueSource(strings = {"40", "80", "C1"})
    @Tag("MQTT-3.8.3-5")
    @DisplayName("[MQTT-3.8.3-5] Subscription Options with a reserved bit (6 or 7) set make the SUBSCRIBE "
            + "malformed: DISCONNECT 0x81, then the close")
    void reservedOptionBits(String options) {
        RawMqttClient c = client("confa-options");
        c.send(ConfA5.subscribe(1, "options/#", Integer.parseInt(options, 16)));
        ConfA5.expectDisconnect(c, 0x81);
    }

    @Test
    @Tag("MQTT-3.8.4-1")
    @Tag("MQTT-3.8.4-2")
    @Tag("MQTT-2.2.1-6")
    @Tag("MQTT-3.10.4-4")
    @Tag("MQTT-3.10.4-5")
    @DisplayName("[MQTT-3.8.4-1] [MQTT-3.8.4-2] [MQTT-2.2.1-6] [MQTT-3.10.4-4] [MQTT-3.10.4-5] every SUBSCRIBE "
            + "is answered by a SUBACK and every UNSUBSCRIBE by an UNSUBACK with its Packet Identifier, even when "
            + "nothing was unsubscribed")
    void acknowledgementsCarryThePacketIdentifier() {
        RawMqttClient c = client("confa-ids");
        int[] ids = {1, 2, 0x00FF, 0x0100, 0xBEEF, 0xFFFF};
        for (int id : ids) {
            c.send(ConfA5.subscribe(id, "ids/" + id, 1));
        }
        for (int id : ids) {
            assertThat(ConfA5.ackCodes(expectAck(c, Packets.SUBACK, id))).containsExactly(1);
        }
        for (int id : ids) {
            c.send(ConfA5.unsubscribe(id, "ids/" + id), ConfA5.unsubscribe(id ^ 0x5A5A, "never/subscribed"));
        }
        for (int id : ids) {
            assertThat(ConfA5.ackCodes(expectAck(c, Packets.UNSUBACK, id))).containsExactly(0x00);
            assertThat(ConfA5.ackCodes(expectAck(c, Packets.UNSUBACK, id ^ 0x5A5A))).containsExactly(0x11);
        }
    }

    @Test
    @Tag("MQTT-3.8.4-3")
    @DisplayName("[MQTT-3.8.4-3] a SUBSCRIBE to a filter the session is subscribed to replaces that subscription: "
            + "one delivery per message, at the new maximum QoS")
    void resubscribeReplaces() {
        RawMqttClient c = client("confa-replace");
        RawMqttClient publisher = client("confa-replace-pub");
        assertThat(subscribe(c, 1, "replace/#", 0)).containsExactly(0);
        assertThat(subscribe(c, 2, "replace/#", 2)).containsExactly(2);
        publish(publisher, "replace/a", 2, "once");
        publisher.expect(Packets.PUBREC);
        Raw5.Publish first = Raw5.expectPublish(c);
        assertThat(first.topic()).isEqualTo("replace/a");
        assertThat(first.qos()).as("QoS of the replacing subscription").isEqualTo(2);
        c.send(Raw5.ack(0x50, first.packetId(), 0));
        c.expect(Packets.PUBREL);
        c.send(Raw5.ack(0x70, first.packetId(), 0));
        publish(publisher, "replace/b", 0, "marker"); // a second copy of replace/a would come before it
        assertThat(Raw5.expectPublish(c).topic()).as("the next message, not a second copy").isEqualTo("replace/b");

        assertThat(subscribe(c, 3, "replace/#", 0)).containsExactly(0);
        publish(publisher, "replace/c", 2, "down to 0");
        Raw5.Publish downgraded = Raw5.expectPublish(c);
        assertThat(downgraded.topic()).isEqualTo("replace/c");
        assertThat(downgraded.qos()).isZero();
    }

    @Test
    @Tag("MQTT-3.8.4-4")
    @DisplayName("[MQTT-3.8.4-4] replacing a subscription with Retain Handling 0 sends the matching retained "
            + "messages again, and no message published around the replacement is lost")
    void replacementResendsRetainedAndLosesNothing() {
        RawMqttClient c = client("confa-rh0");
        RawMqttClient publisher = client("confa-rh0-pub");
        publisher.send(ConfA5.publish("rh0/retained", 1, true, 1, "kept"));
        publisher.expect(Packets.PUBACK);
        assertThat(subscribe(c, 1, "rh0/#", 1)).containsExactly(1);
        Raw5.Publish retained = Raw5.expectPublish(c);
        assertThat(retained.payloadText()).isEqualTo("kept");
        assertThat(retained.retain()).isTrue();
        c.send(Packets.puback(retained.packetId()));

        // 20 messages before the replacing SUBSCRIBE reaches the server, 20 after: every one must arrive once
        for (int i = 0; i < 20; i++) {
            publish(publisher, "rh0/live", 1, "m" + i);
        }
        c.send(ConfA5.subscribe(2, "rh0/#", 1));
        for (int i = 20; i < 40; i++) {
            publish(publisher, "rh0/live", 1, "m" + i);
        }
        List<String> live = new ArrayList<>();
        int retainedAgain = 0;
        boolean subacked = false;
        while (live.size() < 40 || !subacked || retainedAgain == 0) {
            RawPacket p = c.receive();
            if (p.type() == Packets.SUBACK) {
                assertThat(p.packetId()).isEqualTo(2);
                subacked = true;
                continue;
            }
            Raw5.Publish m = Raw5.publish(p);
            c.send(Packets.puback(m.packetId()));
            if (m.topic().equals("rh0/retained")) {
                assertThat(m.retain()).isTrue();
                assertThat(m.payloadText()).isEqualTo("kept");
                retainedAgain++;
            } else {
                live.add(m.payloadText());
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            expected.add("m" + i);
        }
        assertThat(live).containsExactlyElementsOf(expected);
        assertThat(retainedAgain).isEqualTo(1);
    }

    @Test
    @Tag("MQTT-3.8.4-5")
    @Tag("MQTT-3.8.4-6")
    @Tag("MQTT-3.8.4-7")
    @Tag("MQTT-3.9.3-1")
    @Tag("MQTT-3.9.3-2")
    @DisplayName("[MQTT-3.8.4-5] [MQTT-3.8.4-6] [MQTT-3.8.4-7] [MQTT-3.9.3-1] [MQTT-3.9.3-2] a SUBSCRIBE of "
            + "several filters gets one SUBACK with one defined reason code per filter, in their order, each the "
            + "granted QoS or a failure; each granted filter is subscribed")
    void severalFilters() {
        RawMqttClient c = client("confa-several");
        List<Integer> codes = subscribe(c, 7, "several/zero", 0, "several/two/#", 2, "several/#/bad", 1,
                "several/one/+", 1, "$share/g/several/shared", 2, "several/+bad", 0);
        assertThat(codes).containsExactly(0x00, 0x02, 0x8F, 0x01, 0x02, 0x8F);
        assertThat(codes).allMatch(SUBSCRIBE_REASON_CODES::contains);

        RawMqttClient publisher = client("confa-several-pub");
        publish(publisher, "several/zero", 2, "a");
        publish(publisher, "several/two/x", 2, "b");
        publish(publisher, "several/one/y", 2, "c");
        publish(publisher, "several/shared", 2, "d");
        List<String> got = new ArrayList<>();
        List<Integer> qos = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Raw5.Publish p = Raw5.expectPublish(c);
            got.add(p.payloadText());
            qos.add(p.qos());
        }
        assertThat(got).containsExactly("a", "b", "c", "d");
        assertThat(qos).containsExactly(0, 2, 1, 2);
    }

    @Test
    @Tag("MQTT-3.8.4-8")
    @DisplayName("[MQTT-3.8.4-8] a message is delivered at the lower of its published QoS and the granted QoS")
    void deliveredAtMinimumQos() {
        RawMqttClient c = client("confa-minqos");
        RawMqttClient publisher = client("confa-minqos-pub");
        assertThat(subscribe(c, 1, "min/zero", 0, "min/one", 1, "min/two", 2)).containsExactly(0, 1, 2);
        List<String> got = new ArrayList<>();
        for (String topic : List.of("min/zero", "min/one", "min/two")) {
            for (int q = 0; q <= 2; q++) {
                publish(publisher, topic, q, topic + "@" + q);
                Raw5.Publish p = Raw5.expectPublish(c);
                got.add(p.payloadText() + "->" + p.qos());
                if (p.qos() == 1) {
                    c.send(Packets.puback(p.packetId()));
                } else if (p.qos() == 2) {
                    c.send(Raw5.ack(0x50, p.packetId(), 0));
                    c.expect(Packets.PUBREL);
                    c.send(Raw5.ack(0x70, p.packetId(), 0));
                }
            }
        }
        assertThat(got).containsExactly("min/zero@0->0", "min/zero@1->0", "min/zero@2->0",
                "min/one@0->0", "min/one@1->1", "min/one@2->1",
                "min/two@0->0", "min/two@1->1", "min/two@2->2");
    }

    @Test
    @Tag("MQTT-3.10.4-1")
    @Tag("MQTT-3.10.4-2")
    @DisplayName("[MQTT-3.10.4-1] [MQTT-3.10.4-2] UNSUBSCRIBE compares filters character by character, wildcards "
            + "as plain characters: only the identical filter is deleted, and its messages stop")
    void unsubscribeByExactFilter() {
        RawMqttClient c = client("confa-exact");
        RawMqttClient publisher = client("confa-exact-pub");
        assertThat(subscribe(c, 1, "exact/+", 0, "exact/#", 0, "marker", 0)).containsExactly(0, 0, 0);
        assertThat(unsubscribe(c, 2, "exact/a", "exact/+/", "EXACT/+", "exact/ +", "exact/#/"))
                .containsExactly(0x11, 0x11, 0x11, 0x11, 0x11);
        assertThat(deliveredBefore(c, publisher, "exact/a", "m1")).as("both subscriptions kept").contains("exact/a");

        assertThat(unsubscribe(c, 3, "exact/+")).containsExactly(0x00);
        assertThat(deliveredBefore(c, publisher, "exact/b", "m2")).as("exact/# kept").contains("exact/b");

        assertThat(unsubscribe(c, 4, "exact/#")).containsExactly(0x00);
        assertThat(deliveredBefore(c, publisher, "exact/c", "m3")).as("nothing subscribed").isEmpty();
    }

    /**
     * Publishes to {@code topic} and then to "marker" (payload {@code marker}); returns the topics {@code c}
     * received before that marker.
     */
    private static List<String> deliveredBefore(RawMqttClient c, RawMqttClient publisher, String topic,
                                                String marker) {
        publish(publisher, topic, 0, "x");
        publish(publisher, "marker", 0, marker);
        List<String> topics = new ArrayList<>();
        while (true) {
            Raw5.Publish p = Raw5.expectPublish(c);
            if (p.topic().equals("marker")) {
                assertThat(p.payloadText()).isEqualTo(marker);
                return topics;
            }
            topics.add(p.topic());
        }
    }

    @Test
    @Tag("MQTT-3.10.4-3")
    @DisplayName("[MQTT-3.10.4-3] after UNSUBSCRIBE the server completes the QoS 1 and QoS 2 deliveries it has "
            + "started: PUBREL follows PUBREC, an unacknowledged QoS 1 message is sent again on resumption")
    void unsubscribeCompletesDeliveries() {
        RawMqttClient c = ConfA5.client(broker, "confa-complete", false, property(0x11, u32(300)));
        RawMqttClient publisher = client("confa-complete-pub");
        assertThat(subscribe(c, 1, "complete/#", 2)).containsExactly(2);
        publish(publisher, "complete/two", 2, "two");
        publish(publisher, "complete/one", 1, "one");
        Raw5.Publish two = Raw5.expectPublish(c);
        Raw5.Publish one = Raw5.expectPublish(c);
        assertThat(two.qos()).isEqualTo(2);
        assertThat(one.qos()).isEqualTo(1);

        assertThat(unsubscribe(c, 2, "complete/#")).containsExactly(0x00);
        c.send(Raw5.ack(0x50, two.packetId(), 0));
        RawPacket pubrel = c.expect(Packets.PUBREL);
        assertThat(pubrel.packetId()).isEqualTo(two.packetId());
        c.send(Raw5.ack(0x70, two.packetId(), 0));
        c.abort();

        RawMqttClient again = broker.rawClient("confa-complete-2");
        ConfA5.connectAccepted(again, Packets.connect("confa-complete").cleanSession(false)
                .mqtt5(property(0x11, u32(300))));
        Raw5.Publish resent = Raw5.expectPublish(again);
        assertThat(resent.payloadText()).isEqualTo("one");
        assertThat(resent.dup()).isTrue();
        again.send(Packets.puback(resent.packetId()));
        again.send(Packets.pingreq());
        again.expect(Packets.PINGRESP); // and not the QoS 2 message again: its flow was complete
    }

    @Test
    @Tag("MQTT-3.10.4-6")
    @Tag("MQTT-3.11.3-1")
    @Tag("MQTT-3.11.3-2")
    @DisplayName("[MQTT-3.10.4-6] [MQTT-3.11.3-1] [MQTT-3.11.3-2] an UNSUBSCRIBE of several filters gets one "
            + "UNSUBACK with one defined reason code per filter, in their order, and each is unsubscribed")
    void unsubscribeSeveral() {
        RawMqttClient c = client("confa-unsub-several");
        RawMqttClient publisher = client("confa-unsub-several-pub");
        assertThat(subscribe(c, 1, "us/a", 0, "us/b/#", 0, "us/marker", 0)).containsExactly(0, 0, 0);
        List<Integer> codes = unsubscribe(c, 2, "us/none", "us/a", "us/none/2", "us/b/#");
        assertThat(codes).containsExactly(0x11, 0x00, 0x11, 0x00);
        assertThat(codes).allMatch(UNSUBSCRIBE_REASON_CODES::contains);
        publish(publisher, "us/a", 0, "a");
        publish(publisher, "us/b/x", 0, "b");
        publish(publisher, "us/marker", 0, "marker");
        assertThat(Raw5.expectPublish(c).payloadText()).isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-3.9.2-1")
    @Tag("MQTT-3.9.2-2")
    @Tag("MQTT-3.11.2-1")
    @Tag("MQTT-3.11.2-2")
    @DisplayName("[MQTT-3.9.2-1] [MQTT-3.9.2-2] [MQTT-3.11.2-1] [MQTT-3.11.2-2] to a client whose Maximum Packet "
            + "Size leaves no room for a Reason String or User Property, a refusing SUBACK and UNSUBACK are sent "
            + "without them and within the size")
    void acknowledgementsWithinMaximumPacketSize() {
        // the client's maximum is the size of the server's CONNACK, so that the CONNACK itself fits
        RawMqttClient measure = broker.rawClient("confa-measure");
        int max = ConfA5.wireSize(ConfA5.connectAccepted(measure, Packets.connect("confa-measure").mqtt5()));
        // a SUBACK or UNSUBACK of n filters without properties: fixed header 2, packet id 2, property length 1, n
        // codes; as many filters as fill the maximum exactly, leaving no room for any property
        int n = max - 5;
        RawMqttClient c = client("confa-small", property(0x27, u32(max)));
        Object[] invalid = new Object[2 * n];
        String[] absent = new String[n];
        for (int i = 0; i < n; i++) {
            invalid[2 * i] = "small/#/bad" + i;
            invalid[2 * i + 1] = 1;
            absent[i] = "small/never/" + i;
        }
        c.send(ConfA5.subscribe(1, invalid));
        RawPacket suback = expectAck(c, Packets.SUBACK, 1);
        assertThat(ConfA5.ackBlock(suback).properties()).as("SUBACK properties").isEmpty();
        assertThat(ConfA5.ackCodes(suback)).hasSize(n).containsOnly(0x8F);
        assertThat(ConfA5.wireSize(suback)).isLessThanOrEqualTo(max);

        c.send(ConfA5.unsubscribe(2, absent));
        RawPacket unsuback = expectAck(c, Packets.UNSUBACK, 2);
        assertThat(ConfA5.ackBlock(unsuback).properties()).as("UNSUBACK properties").isEmpty();
        assertThat(ConfA5.ackCodes(unsuback)).hasSize(n).containsOnly(0x11);
        assertThat(ConfA5.wireSize(unsuback)).isLessThanOrEqualTo(max);
    }
}
