package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.ConfB5.expectAck;
import static io.cairn.kernel.testsupport.ConfB5.sessionExpiry;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.ConfB5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Who gets a message and how (MQTT 5.0 §3.3.4, §4.5, §4.6): overlapping subscriptions of one client and their
 * QoS and Subscription Identifiers, every matching session, and message order. Raw MQTT 5 packets.
 */
class ConfBDelivery5ConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private RawMqttClient client(String clientId) {
        return ConfB5.connect(broker, clientId);
    }

    private static void publish(RawMqttClient c, String topic, int qos, String payload) {
        int id = qos > 0 ? c.nextPacketId() : 0;
        ConfB5.publishAndComplete(c, ConfB5.publish(topic, qos, id, payload), qos, id);
    }

    /** The copies of messages {@code c} receives before the marker, each acknowledged. */
    private static List<Raw5.Publish> copiesBefore(RawMqttClient c, String markerTopic) {
        List<Raw5.Publish> copies = new ArrayList<>();
        while (true) {
            Raw5.Publish p = Raw5.expectPublish(c);
            ConfB5.acknowledge(c, p);
            if (p.topic().equals(markerTopic)) {
                return copies;
            }
            copies.add(p);
        }
    }

    @ParameterizedTest(name = "published at QoS {0}: delivered at QoS {1}")
    @CsvSource({"0,0", "1,1", "2,2"})
    @Tag("MQTT-3.3.4-2")
    @DisplayName("[MQTT-3.3.4-2] with overlapping subscriptions at QoS 0, 1 and 2, a message is delivered "
            + "respecting the highest of them: at the published QoS, not lowered by the QoS 0 subscription")
    void overlappingSubscriptionsHighestQos(int publishedQos, int expectedQos) {
        RawMqttClient sub = client("b-ov-sub");
        assertThat(ConfB5.subscribe(sub, 1, "ov/+/c", 0)).containsExactly(0);
        assertThat(ConfB5.subscribe(sub, 2, "ov/b/#", 1)).containsExactly(1);
        assertThat(ConfB5.subscribe(sub, 3, "ov/b/c", 2)).containsExactly(2);
        RawMqttClient pub = client("b-ov-pub");
        publish(pub, "ov/b/c", publishedQos, "overlapping");
        publish(pub, "ov/b/marker", 1, "marker");

        List<Raw5.Publish> copies = copiesBefore(sub, "ov/b/marker");
        assertThat(copies).isNotEmpty().allSatisfy(p -> assertThat(p.topic()).isEqualTo("ov/b/c"));
        assertThat(copies.stream().mapToInt(Raw5.Publish::qos).max().orElseThrow())
                .as("the highest QoS among the copies").isEqualTo(expectedQos);
    }

    @Test
    @Tag("MQTT-3.3.4-2")
    @DisplayName("[MQTT-3.3.4-2] a QoS 2 message matching a client's QoS 1 and QoS 0 subscriptions is delivered "
            + "at QoS 1, the highest granted")
    void overlappingSubscriptionsCapAtTheHighestGranted() {
        RawMqttClient sub = client("b-ovcap-sub");
        assertThat(ConfB5.subscribe(sub, 1, "cap/#", 0)).containsExactly(0);
        assertThat(ConfB5.subscribe(sub, 2, "cap/+", 1)).containsExactly(1);
        RawMqttClient pub = client("b-ovcap-pub");
        publish(pub, "cap/t", 2, "two");
        publish(pub, "cap/marker", 0, "marker");

        List<Raw5.Publish> copies = copiesBefore(sub, "cap/marker");
        assertThat(copies).isNotEmpty();
        assertThat(copies.stream().mapToInt(Raw5.Publish::qos).max().orElseThrow()).isEqualTo(1);
    }

    @Test
    @Tag("MQTT-3.3.4-5")
    @DisplayName("[MQTT-3.3.4-5] a message matching a client's non-shared and shared subscriptions comes as two "
            + "copies, each with the Subscription Identifier of its own subscription only")
    void eachCopyCarriesItsOwnSubscriptionIdentifier() {
        RawMqttClient sub = client("b-sidcopy-sub");
        assertThat(ConfB5.subscribe(sub, 1, "sc/#", 1, 5)).containsExactly(1);
        assertThat(ConfB5.subscribe(sub, 2, "$share/g/sc/#", 1, 6)).containsExactly(1);
        RawMqttClient pub = client("b-sidcopy-pub");
        publish(pub, "sc/t", 1, "twice");
        publish(pub, "sc/marker", 0, "marker");

        List<Raw5.Publish> copies = new ArrayList<>();
        List<Raw5.Publish> markers = new ArrayList<>();
        while (markers.size() < 2) { // the marker comes twice as well
            Raw5.Publish p = Raw5.expectPublish(sub);
            ConfB5.acknowledge(sub, p);
            (p.topic().equals("sc/marker") ? markers : copies).add(p);
        }
        assertThat(copies).hasSize(2);
        List<List<Integer>> ids = new ArrayList<>();
        for (Raw5.Publish p : copies) {
            ids.add(ConfB5.properties(p, 0x0B).stream().map(ConfB5.Property::intValue).toList());
        }
        assertThat(ids).containsExactlyInAnyOrder(List.of(5), List.of(6));
    }

    @Test
    @Tag("MQTT-4.5.0-1")
    @DisplayName("[MQTT-4.5.0-1] a message is added to the session of every client with a matching subscription: "
            + "connected ones, one member of a shared group, and a disconnected session, which gets it on return")
    void everyMatchingSessionGetsTheMessage() {
        RawMqttClient away = ConfB5.connect(broker, "b-all-away", true, sessionExpiry(300));
        assertThat(ConfB5.subscribe(away, 1, "all/+", 2)).containsExactly(2);
        away.disconnect();
        List<RawMqttClient> subs = new ArrayList<>();
        String[] filters = {"all/t", "all/+", "all/#", "#", "+/t"};
        for (int i = 0; i < filters.length; i++) {
            RawMqttClient s = client("b-all-" + i);
            assertThat(ConfB5.subscribe(s, 1, filters[i], 1)).containsExactly(1);
            subs.add(s);
        }
        RawMqttClient member = client("b-all-member");
        assertThat(ConfB5.subscribe(member, 1, "$share/grp/all/t", 1)).containsExactly(1);
        RawMqttClient other = client("b-all-other");
        assertThat(ConfB5.subscribe(other, 1, "all/other", 1)).containsExactly(1);
        RawMqttClient pub = client("b-all-pub");
        publish(pub, "all/t", 1, "everyone");
        publish(pub, "all/other", 1, "marker");

        for (RawMqttClient s : subs) {
            Raw5.Publish p = Raw5.expectPublish(s);
            assertThat(p.payloadText()).as(s.name()).isEqualTo("everyone");
            ConfB5.acknowledge(s, p);
        }
        assertThat(Raw5.expectPublish(member).payloadText()).isEqualTo("everyone");
        assertThat(Raw5.expectPublish(other).payloadText()).as("no match, no message").isEqualTo("marker");

        RawMqttClient back = ConfB5.connect(broker, "b-all-away", false, sessionExpiry(300));
        Raw5.Publish queued = Raw5.expectPublish(back);
        assertThat(queued.payloadText()).isEqualTo("everyone");
        assertThat(queued.qos()).isEqualTo(1);
    }

    @Test
    @Tag("MQTT-4.6.0-5")
    @Tag("MQTT-4.6.0-6")
    @DisplayName("[MQTT-4.6.0-5] [MQTT-4.6.0-6] messages of one publisher reach each non-shared subscriber in the "
            + "order they were published, per topic and QoS, with QoS 0, 1 and 2 interleaved")
    void publishingOrderIsKept() {
        int count = 40;
        RawMqttClient exact = client("b-order-exact");
        assertThat(ConfB5.subscribe(exact, 1, "order/t", 2)).containsExactly(2);
        RawMqttClient wild = client("b-order-wild");
        assertThat(ConfB5.subscribe(wild, 1, "order/#", 2)).containsExactly(2);
        RawMqttClient pub = client("b-order-pub");
        byte[][] burst = new byte[3 * count][];
        for (int i = 0; i < count; i++) {
            burst[3 * i] = ConfB5.publish("order/t", 0, 0, "q0-" + i);
            burst[3 * i + 1] = ConfB5.publish("order/t", 1, 2 * i + 1, "q1-" + i);
            burst[3 * i + 2] = ConfB5.publish("order/t", 2, 2 * i + 2, "q2-" + i);
        }
        pub.send(burst);
        for (int i = 0; i < count; i++) {
            expectAck(pub, Packets.PUBACK, 2 * i + 1);
            expectAck(pub, Packets.PUBREC, 2 * i + 2);
        }
        for (int i = 0; i < count; i++) {
            pub.send(Packets.pubrel(2 * i + 2));
            expectAck(pub, Packets.PUBCOMP, 2 * i + 2);
        }

        for (RawMqttClient s : List.of(exact, wild)) {
            int[] next = new int[3];
            for (int i = 0; i < 3 * count; i++) {
                Raw5.Publish p = Raw5.expectPublish(s);
                ConfB5.acknowledge(s, p);
                assertThat(p.payloadText()).as("%s: next QoS %d message", s.name(), p.qos())
                        .isEqualTo("q" + p.qos() + "-" + next[p.qos()]++);
            }
            assertThat(next).containsExactly(count, count, count);
        }
    }

    @Test
    @Tag("MQTT-4.6.0-5")
    @DisplayName("[MQTT-4.6.0-5] with two clients publishing to the same topic at once, a subscriber gets each "
            + "client's messages in the order that client sent them")
    void orderPerPublishingClient() {
        int count = 50;
        RawMqttClient sub = client("b-order2-sub");
        assertThat(ConfB5.subscribe(sub, 1, "order2/t", 1)).containsExactly(1);
        RawMqttClient[] pubs = {client("b-order2-x"), client("b-order2-y")};
        for (int k = 0; k < pubs.length; k++) {
            byte[][] burst = new byte[count][];
            for (int i = 0; i < count; i++) {
                burst[i] = ConfB5.publish("order2/t", 1, i + 1, k + "-" + i);
            }
            pubs[k].send(burst);
        }
        for (RawMqttClient p : pubs) {
            for (int i = 0; i < count; i++) {
                expectAck(p, Packets.PUBACK, i + 1);
            }
        }

        int[] next = new int[2];
        for (int i = 0; i < 2 * count; i++) {
            Raw5.Publish p = Raw5.expectPublish(sub);
            ConfB5.acknowledge(sub, p);
            int k = p.payloadText().charAt(0) - '0';
            assertThat(p.payloadText()).as("next message of publisher %d", k).isEqualTo(k + "-" + next[k]++);
        }
        assertThat(next).containsExactly(count, count);
    }
}
