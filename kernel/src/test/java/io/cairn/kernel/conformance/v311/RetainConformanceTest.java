package io.cairn.kernel.conformance.v311;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT 3.1.1 §3.3.1.3 the RETAIN flag: storing, replacing, clearing and sending retained messages. */
class RetainConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @Test
    @Tag("MQTT-3.3.1-5")
    @Tag("MQTT-3.3.1-6")
    @Tag("MQTT-3.3.1-8")
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8] a retained message is stored with its QoS and sent "
            + "to a new subscriber with RETAIN 1")
    void retainedMessageSentOnSubscribe() {
        broker.connect("ret-pub").publish("r/a", 1, "v1", true).disconnect();
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() ->
                assertThat(broker.broker().statistics().retainedMessages()).isEqualTo(1));

        RawMqttClient sub = broker.connect("ret-sub").subscribe("r/a", 2);
        RawPacket.Publish p = sub.receiveAndAcknowledge();
        assertThat(p.topic()).isEqualTo("r/a");
        assertThat(p.payloadText()).isEqualTo("v1");
        assertThat(p.retain()).isTrue();
        assertThat(p.qos()).as("the stored QoS, below the granted 2").isEqualTo(1);
    }

    @Test
    @Tag("MQTT-3.3.1-6")
    @DisplayName("[MQTT-3.3.1-6] a wildcard subscription receives the retained message of every matching topic")
    void wildcardSubscriptionReceivesEachMatchingRetained() {
        RawMqttClient pub = broker.connect("ret-wild-pub");
        pub.publish("rw/a", 0, "a", true);
        pub.publish("rw/b/c", 1, "bc", true);
        pub.publish("rx/a", 1, "other", true);

        RawMqttClient sub = broker.connect("ret-wild-sub").subscribe("rw/#", 1);
        List<String> got = new ArrayList<>();
        got.add(sub.receiveAndAcknowledge().payloadText());
        got.add(sub.receiveAndAcknowledge().payloadText());
        assertThat(got).containsExactlyInAnyOrder("a", "bc");
        pub.publish("rw/marker", 0, "marker");
        assertThat(sub.expectPublish().payloadText()).isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-3.3.1-7")
    @DisplayName("[MQTT-3.3.1-7] a newer retained message (QoS 0 too) replaces the one held for the topic")
    void newerRetainedReplacesOlder() {
        RawMqttClient pub = broker.connect("ret-replace-pub");
        pub.publish("r/replace", 1, "old", true);
        pub.publish("r/replace", 0, "new", true).ping(); // QoS 0 has no ack: the ping says it was handled

        RawMqttClient sub = broker.connect("ret-replace-sub").subscribe("r/replace", 1);
        RawPacket.Publish p = sub.receiveAndAcknowledge();
        assertThat(p.payloadText()).isEqualTo("new");
        assertThat(p.qos()).isZero();
        pub.publish("r/replace", 0, "marker");
        assertThat(sub.expectPublish().payloadText()).as("only one retained message per topic").isEqualTo("marker");
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() ->
                assertThat(broker.broker().statistics().retainedMessages()).isEqualTo(1));
    }

    @Test
    @Tag("MQTT-3.3.1-9")
    @DisplayName("[MQTT-3.3.1-9] a retained PUBLISH forwarded to an existing subscription has RETAIN 0")
    void liveDeliveryHasRetainZero() {
        RawMqttClient sub = broker.connect("ret-live-sub").subscribe("r/live", 1);
        broker.connect("ret-live-pub").publish("r/live", 1, "live", true);
        RawPacket.Publish p = sub.receiveAndAcknowledge();
        assertThat(p.payloadText()).isEqualTo("live");
        assertThat(p.retain()).isFalse();
    }

    @Test
    @Tag("MQTT-3.3.1-10")
    @Tag("MQTT-3.3.1-11")
    @DisplayName("[MQTT-3.3.1-10] [MQTT-3.3.1-11] a retained PUBLISH with an empty payload is forwarded and clears "
            + "the retained message, and is not stored itself")
    void emptyRetainedPayloadClears() {
        RawMqttClient pub = broker.connect("ret-clear-pub");
        pub.publish("r/clear", 1, "to be cleared", true);
        RawMqttClient existing = broker.connect("ret-clear-existing").subscribe("r/clear", 1);
        assertThat(existing.receiveAndAcknowledge().retain()).isTrue();

        pub.publish("r/clear", 1, "", true);
        RawPacket.Publish forwarded = existing.receiveAndAcknowledge();
        assertThat(forwarded.payload()).isEmpty();
        assertThat(forwarded.retain()).isFalse();
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() ->
                assertThat(broker.broker().statistics().retainedMessages()).isZero());

        RawMqttClient late = broker.connect("ret-clear-late").subscribe("r/clear", 1);
        pub.publish("r/clear", 0, "marker");
        assertThat(late.expectPublish().payloadText()).as("nothing retained any more").isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-3.3.1-12")
    @DisplayName("[MQTT-3.3.1-12] a PUBLISH with RETAIN 0 is not stored and leaves the retained message alone")
    void nonRetainedPublishLeavesRetainedAlone() {
        RawMqttClient pub = broker.connect("ret-keep-pub");
        pub.publish("r/keep", 1, "kept", true);
        pub.publish("r/keep", 1, "transient", false);
        pub.publish("r/other", 1, "never retained", false);

        RawMqttClient sub = broker.connect("ret-keep-sub").subscribe("r/#", 1);
        RawPacket.Publish p = sub.receiveAndAcknowledge();
        assertThat(p.payloadText()).isEqualTo("kept");
        assertThat(p.retain()).isTrue();
        pub.publish("r/marker", 0, "marker");
        assertThat(sub.expectPublish().payloadText()).isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-3.1.2-7")
    @DisplayName("[MQTT-3.1.2-7] retained messages are not session state: they outlive the publisher's session")
    void retainedOutlivesThePublishersSession() {
        RawMqttClient pub = broker.connect(Packets.connect("ret-session-pub").cleanSession(false), "pub");
        pub.publish("r/session", 2, "outlives", true);
        pub.disconnect();
        // end the publisher's persistent session by connecting with a clean session, then leave again
        broker.connect("ret-session-pub").disconnect();
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() ->
                assertThat(broker.broker().session("ret-session-pub")).isEmpty());

        RawMqttClient sub = broker.connect("ret-session-sub").subscribe("r/session", 2);
        RawPacket.Publish p = sub.receiveAndAcknowledge();
        assertThat(p.payloadText()).isEqualTo("outlives");
        assertThat(p.qos()).isEqualTo(2);
        assertThat(p.retain()).isTrue();
    }

    @Test
    @Tag("MQTT-3.3.1-8")
    @DisplayName("[MQTT-3.3.1-8] retained messages are sent on a new subscription only, not to other "
            + "subscriptions of the same client")
    void retainedSentForTheNewSubscriptionOnly() {
        RawMqttClient pub = broker.connect("ret-new-pub");
        pub.publish("r/one", 0, "one", true);
        pub.publish("r/two", 0, "two", true).ping(); // QoS 0 has no ack: the ping says both were handled
        RawMqttClient sub = broker.connect("ret-new-sub").subscribe("r/one", 0);
        assertThat(sub.expectPublish().payloadText()).isEqualTo("one");

        sub.subscribe("r/two", 0);
        RawPacket.Publish p = sub.expectPublish();
        assertThat(p.payloadText()).as("only r/two's retained message, not r/one's again").isEqualTo("two");
        assertThat(p.retain()).isTrue();
        pub.publish("r/one", 0, "marker");
        assertThat(sub.expectPublish().payloadText()).isEqualTo("marker");
    }
}
