package io.cairn.kernel.conformance.v311;

import static io.cairn.kernel.testsupport.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.message.QoS;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT 3.1.1 §3.8 SUBSCRIBE, §3.9 SUBACK, §3.10 UNSUBSCRIBE and §3.11 UNSUBACK. */
class SubscribeConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @Test
    @Tag("MQTT-3.8.4-1")
    @Tag("MQTT-3.8.4-2")
    @Tag("MQTT-2.3.1-7")
    @DisplayName("[MQTT-3.8.4-1] [MQTT-3.8.4-2] [MQTT-2.3.1-7] SUBSCRIBE is answered by a SUBACK with its packet "
            + "identifier")
    void subackCarriesThePacketId() {
        RawMqttClient c = broker.connect("suback-id");
        c.send(Packets.subscribe(0x4242, "s/id", 1));
        RawPacket p = c.expect(Packets.SUBACK);
        assertThat(p.flags()).isZero();
        assertThat(p.body()).isEqualTo(bytes(
                0x42, 0x42,     // packet identifier of the SUBSCRIBE
                0x01));         // granted QoS 1
    }

    @Test
    @Tag("MQTT-3.8.4-4")
    @Tag("MQTT-3.8.4-5")
    @Tag("MQTT-3.9.3-1")
    @Tag("MQTT-3.9.3-2")
    @DisplayName("[MQTT-3.8.4-4] [MQTT-3.8.4-5] [MQTT-3.9.3-1] [MQTT-3.9.3-2] several filters in one SUBSCRIBE: one "
            + "return code per filter, in order, 0x80 for an invalid one, each subscription working on its own")
    void severalFiltersInOneSubscribe() {
        RawMqttClient c = broker.connect("suback-many");
        c.send(Packets.subscribe(3)
                .filter("m/a", 2)
                .filter("m/b", 0)
                .filter("m/#/x", 1)         // '#' not last: invalid
                .filter("m/c", 1)
                .build());
        assertThat(c.expectSuback(3).returnCodes()).containsExactly(2, 0, 0x80, 1);
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().session("suback-many"))
                .hasValueSatisfying(s -> assertThat(s.subscriptions()).containsExactlyInAnyOrder(
                        Subscription.of("m/a", QoS.EXACTLY_ONCE), Subscription.of("m/b", QoS.AT_MOST_ONCE),
                        Subscription.of("m/c", QoS.AT_LEAST_ONCE))));

        RawMqttClient pub = broker.connect("suback-many-pub");
        pub.publish("m/a", 2, "a");
        pub.publish("m/b", 2, "b");
        pub.publish("m/c", 2, "c");
        RawPacket.Publish a = c.receiveAndAcknowledge();
        RawPacket.Publish b = c.receiveAndAcknowledge();
        RawPacket.Publish cc = c.receiveAndAcknowledge();
        assertThat(a.topic() + a.qos()).isEqualTo("m/a2");
        assertThat(b.topic() + b.qos()).isEqualTo("m/b0");
        assertThat(cc.topic() + cc.qos()).isEqualTo("m/c1");
    }

    @Test
    @Tag("MQTT-3.8.4-3")
    @DisplayName("[MQTT-3.8.4-3] subscribing again to the same filter replaces the subscription (new QoS, one "
            + "delivery) and sends the retained message again")
    void resubscribeReplacesAndResendsRetained() {
        RawMqttClient pub = broker.connect("resub-pub");
        pub.publish("rs/t", 1, "retained", true);
        RawMqttClient sub = broker.connect("resub-sub").subscribe("rs/t", 2);
        RawPacket.Publish first = sub.receiveAndAcknowledge();
        assertThat(first.retain()).isTrue();
        assertThat(first.qos()).isEqualTo(1);

        sub.subscribe("rs/t", 0);
        RawPacket.Publish again = sub.receiveAndAcknowledge();
        assertThat(again.payloadText()).isEqualTo("retained");
        assertThat(again.retain()).isTrue();
        assertThat(again.qos()).as("now at the new granted QoS").isZero();

        pub.publish("rs/t", 2, "live");
        pub.publish("rs/t", 2, "marker");
        RawPacket.Publish live = sub.expectPublish();
        assertThat(live.payloadText()).isEqualTo("live");
        assertThat(live.qos()).isZero();
        assertThat(sub.expectPublish().payloadText()).as("one subscription, so no second copy").isEqualTo("marker");
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().session("resub-sub"))
                .hasValueSatisfying(s -> assertThat(s.subscriptions())
                        .containsExactly(Subscription.of("rs/t", QoS.AT_MOST_ONCE))));
    }

    @Test
    @Tag("MQTT-3.10.4-1")
    @Tag("MQTT-3.10.4-2")
    @DisplayName("[MQTT-3.10.4-1] [MQTT-3.10.4-2] UNSUBSCRIBE compares filters character by character: a topic "
            + "the wildcard matches removes nothing, the identical filter removes it and deliveries stop")
    void unsubscribeMatchesFiltersLiterally() {
        RawMqttClient sub = broker.connect("unsub-literal").subscribe("u/+", 0).subscribe("u2/marker", 0);
        RawMqttClient pub = broker.connect("unsub-literal-pub");

        sub.unsubscribe("u/a");                     // not a subscription of this client
        pub.publish("u/a", 0, "still subscribed");
        assertThat(sub.expectPublish().payloadText()).isEqualTo("still subscribed");

        sub.unsubscribe("u/+");
        pub.publish("u/a", 0, "after unsubscribe");
        pub.publish("u2/marker", 0, "marker");
        assertThat(sub.expectPublish().payloadText()).as("nothing for u/+ any more").isEqualTo("marker");
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().session("unsub-literal"))
                .hasValueSatisfying(s -> assertThat(s.subscriptions()).extracting(Subscription::topicFilter)
                        .containsExactly("u2/marker")));
    }

    @Test
    @Tag("MQTT-3.10.4-3")
    @DisplayName("[MQTT-3.10.4-3] a QoS 2 delivery in progress completes after its subscription is removed")
    void inflightDeliveryCompletesAfterUnsubscribe() {
        RawMqttClient sub = broker.connect("unsub-inflight").subscribe("uq/t", 2);
        RawMqttClient pub = broker.connect("unsub-inflight-pub");
        pub.publish("uq/t", 2, "in flight");
        RawPacket.Publish p = sub.expectPublish();

        sub.unsubscribe("uq/t");
        sub.send(Packets.pubrec(p.packetId()));
        sub.awaitAck(Packets.PUBREL, p.packetId());
        sub.send(Packets.pubcomp(p.packetId()));
        sub.ping();
    }

    @Test
    @Tag("MQTT-3.10.4-4")
    @Tag("MQTT-3.10.4-5")
    @DisplayName("[MQTT-3.10.4-4] [MQTT-3.10.4-5] UNSUBSCRIBE of a filter never subscribed is still answered by "
            + "UNSUBACK with its packet identifier")
    void unsubackEvenWhenNothingWasSubscribed() {
        RawMqttClient c = broker.connect("unsuback");
        c.send(Packets.unsubscribe(0x0A0B, "never/subscribed").build());
        RawPacket p = c.expect(Packets.UNSUBACK);
        assertThat(p.firstByte()).isEqualTo(0xB0);
        assertThat(p.body()).isEqualTo(bytes(0x0A, 0x0B));      // packet identifier, nothing else
    }

    @Test
    @Tag("MQTT-3.10.4-6")
    @DisplayName("[MQTT-3.10.4-6] UNSUBSCRIBE with several filters removes each and is answered by one UNSUBACK")
    void unsubscribeSeveralFilters() {
        RawMqttClient sub = broker.connect("unsub-many").subscribe("mu/a", 1).subscribe("mu/b", 1)
                .subscribe("mu/c", 1);
        sub.send(Packets.unsubscribe(77, "mu/a", "mu/b").build());
        sub.expectAck(Packets.UNSUBACK, 77);
        sub.ping();                                 // only one UNSUBACK: the next packet is the PINGRESP

        RawMqttClient pub = broker.connect("unsub-many-pub");
        pub.publish("mu/a", 1, "a");
        pub.publish("mu/b", 1, "b");
        pub.publish("mu/c", 1, "c");
        assertThat(sub.receiveAndAcknowledge().payloadText()).isEqualTo("c");
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() ->
                assertThat(broker.broker().session("unsub-many")).hasValueSatisfying(s -> assertThat(
                        s.subscriptions()).extracting(Subscription::topicFilter).containsExactly("mu/c")));
    }

    @Test
    @Tag("MQTT-3.8.3-2")
    @DisplayName("[MQTT-3.8.3-2] wildcard filters are supported: '+' and '#' are granted and match")
    void wildcardsAreSupported() {
        RawMqttClient sub = broker.connect("wild");
        sub.send(Packets.subscribe(1).filter("w/+/c", 1).filter("x/#", 1).build());
        assertThat(sub.expectSuback(1).returnCodes()).containsExactly(1, 1);
        RawMqttClient pub = broker.connect("wild-pub");
        pub.publish("w/b/c", 1, "plus");
        pub.publish("x/y/z", 1, "hash");
        assertThat(sub.receiveAndAcknowledge().payloadText()).isEqualTo("plus");
        assertThat(sub.receiveAndAcknowledge().payloadText()).isEqualTo("hash");
    }

    @Test
    @Tag("MQTT-3.8.4-5")
    @DisplayName("[MQTT-3.8.4-5] a refused filter (0x80) creates no subscription")
    void refusedFilterCreatesNoSubscription() {
        RawMqttClient sub = broker.connect("refused");
        sub.send(Packets.subscribe(1).filter("bad/#/x", 0).build());
        assertThat(sub.expectSuback(1).returnCodes()).containsExactly(0x80);
        sub.subscribe("ok/after", 0);               // a later subscription is listed, the refused one is not
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().session("refused"))
                .hasValueSatisfying(s -> assertThat(s.subscriptions()).extracting(Subscription::topicFilter)
                        .containsExactly("ok/after")));
    }
}
