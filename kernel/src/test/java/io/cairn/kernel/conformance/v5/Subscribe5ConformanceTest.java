package io.cairn.kernel.conformance.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MQTT 5 SUBSCRIBE and UNSUBSCRIBE: reason codes in SUBACK and UNSUBACK, Retain Handling (MQTT 5.0 §3.8, §3.9,
 * §3.10, §3.11), with the HiveMQ MQTT Client. See docs/mqtt5.md.
 */
class Subscribe5ConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private Mqtt5BlockingClient client(String clientId) {
        Mqtt5BlockingClient c = Hive5.client(broker, clientId);
        c.connectWith().cleanStart(true).send();
        return c;
    }

    @Test
    @DisplayName("SUBACK grants each filter its QoS, a shared subscription's too (invalid filters: "
            + "SharedSubscription5ConformanceTest, refused with 0x8F)")
    void subackReasonCodes() {
        Mqtt5BlockingClient c = client("v5-suback");

        assertThat(c.subscribeWith()
                .addSubscription().topicFilter("a/#").qos(MqttQos.AT_MOST_ONCE).applySubscription()
                .addSubscription().topicFilter("b/+").qos(MqttQos.EXACTLY_ONCE).applySubscription()
                .addSubscription().topicFilter("$share/g/c").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .send().getReasonCodes())
                .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_0, Mqtt5SubAckReasonCode.GRANTED_QOS_2,
                        Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    }

    @Test
    @DisplayName("UNSUBACK says for each filter whether a subscription existed (0x00) or not (0x11)")
    void unsubackReasonCodes() {
        Mqtt5BlockingClient c = client("v5-unsuback");
        c.subscribeWith().topicFilter("here/#").qos(MqttQos.AT_LEAST_ONCE).send();

        assertThat(c.unsubscribeWith().addTopicFilter("here/#").addTopicFilter("never/#").send().getReasonCodes())
                .containsExactly(Mqtt5UnsubAckReasonCode.SUCCESS, Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED);
    }

    @Test
    @Tag("MQTT-3.3.1-10")
    @Tag("MQTT-3.3.1-11")
    @DisplayName("[MQTT-3.3.1-10] [MQTT-3.3.1-11] Retain Handling: 0 sends retained messages at every subscribe, "
            + "1 only for a new subscription, 2 never")
    void retainHandling() {
        Mqtt5BlockingClient publisher = client("v5-rh-pub");
        publisher.publishWith().topic("rh/t").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {7}).send();
        Mqtt5BlockingClient c = client("v5-rh");
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);

        c.subscribeWith().topicFilter("rh/#").qos(MqttQos.AT_LEAST_ONCE)
                .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST).send();
        c.subscribeWith().topicFilter("rh/#").qos(MqttQos.AT_LEAST_ONCE)
                .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST).send();
        c.subscribeWith().topicFilter("rh/+").qos(MqttQos.AT_LEAST_ONCE)
                .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).send();
        c.subscribeWith().topicFilter("rh/t").qos(MqttQos.AT_LEAST_ONCE)
                .retainHandling(Mqtt5RetainHandling.SEND).send();
        c.subscribeWith().topicFilter("rh/t").qos(MqttQos.AT_LEAST_ONCE)
                .retainHandling(Mqtt5RetainHandling.SEND).send();
        // a marker published after the five subscribes arrives after every retained message they caused
        publisher.publishWith().topic("rh/marker").qos(MqttQos.AT_LEAST_ONCE).send();

        await("the marker").atMost(WAIT).until(() -> received.stream()
                .anyMatch(p -> p.getTopic().toString().equals("rh/marker")));
        // "rh/marker" matches rh/# and rh/+ (and is delivered once); the retained message came three times
        assertThat(received.stream().filter(Mqtt5Publish::isRetain).count()).isEqualTo(3);
    }

    @Test
    @Tag("MQTT-3.8.3-3")
    @DisplayName("[MQTT-3.8.3-3] No Local: a client's own messages do not come back on that subscription, but "
            + "do on another one without it")
    void noLocal() {
        Mqtt5BlockingClient c = client("v5-nolocal");
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        c.subscribeWith().topicFilter("nl/quiet/#").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
        c.subscribeWith().topicFilter("nl/loud/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient other = client("v5-nolocal-other");

        c.publishWith().topic("nl/quiet/own").qos(MqttQos.AT_LEAST_ONCE).send();
        other.publishWith().topic("nl/quiet/other").qos(MqttQos.AT_LEAST_ONCE).send();
        c.publishWith().topic("nl/loud/own").qos(MqttQos.AT_LEAST_ONCE).send();

        await("the two expected").atMost(WAIT).until(() -> received.size() >= 2);
        // from the same client, after its nl/quiet/own: had that been delivered, it would have come first
        c.publishWith().topic("nl/loud/marker").qos(MqttQos.AT_LEAST_ONCE).send();
        await("the marker").atMost(WAIT).until(() -> received.stream()
                .anyMatch(p -> p.getTopic().toString().equals("nl/loud/marker")));
        assertThat(received).extracting(p -> p.getTopic().toString())
                .containsExactlyInAnyOrder("nl/quiet/other", "nl/loud/own", "nl/loud/marker");
    }

    @Test
    @Tag("MQTT-3.3.1-12")
    @Tag("MQTT-3.3.1-13")
    @DisplayName("[MQTT-3.3.1-12] [MQTT-3.3.1-13] Retain As Published keeps the RETAIN flag on live deliveries; "
            + "without it the flag is 0")
    void retainAsPublished() {
        Mqtt5BlockingClient keeps = client("v5-rap");
        List<Mqtt5Publish> kept = new CopyOnWriteArrayList<>();
        keeps.toAsync().publishes(MqttGlobalPublishFilter.ALL, kept::add);
        keeps.subscribeWith().topicFilter("rap/#").qos(MqttQos.AT_LEAST_ONCE).retainAsPublished(true).send();
        Mqtt5BlockingClient clears = client("v5-norap");
        List<Mqtt5Publish> cleared = new CopyOnWriteArrayList<>();
        clears.toAsync().publishes(MqttGlobalPublishFilter.ALL, cleared::add);
        clears.subscribeWith().topicFilter("rap/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient publisher = client("v5-rap-pub");

        publisher.publishWith().topic("rap/t").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();

        await("both deliveries").atMost(WAIT).until(() -> !kept.isEmpty() && !cleared.isEmpty());
        assertThat(kept.get(0).isRetain()).isTrue();
        assertThat(cleared.get(0).isRetain()).isFalse();
    }

    @Test
    @Tag("MQTT-3.3.4-3")
    @Tag("MQTT-3.3.4-4")
    @DisplayName("[MQTT-3.3.4-3] [MQTT-3.3.4-4] a message matching overlapping subscriptions comes once, with the "
            + "Subscription Identifiers of all of them; a retained one sent on subscribe carries its subscription's")
    void subscriptionIdentifiers() {
        // raw packets: the HiveMQ client does not expose Subscription Identifiers
        Mqtt5BlockingClient publisher = client("v5-sid-pub");
        publisher.publishWith().topic("sid/kept").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1})
                .send(); // a payload: an empty retained message would delete the topic's retained message
        RawMqttClient c = broker.rawClient("sid");
        c.send(Packets.connect("v5-sid").mqtt5().build());
        assertThat(c.expectConnack5().returnCode()).isZero();

        c.send(subscribe5(1, "sid/#", 7, 0x01));
        assertThat(c.expect(Packets.SUBACK).body()).containsExactly(0, 1, 0, 1);
        RawPacket retained = c.expect(Packets.PUBLISH);
        assertThat(retained.flags() & 0x01).as("retain flag").isEqualTo(1);
        assertThat(subscriptionIds(retained, "sid/kept")).containsExactly(7);
        c.send(Packets.puback(packetId(retained, "sid/kept")));
        c.send(subscribe5(2, "sid/+", 9, 0x21)); // QoS 1, Retain Handling 2
        assertThat(c.expect(Packets.SUBACK).body()).containsExactly(0, 2, 0, 1);

        publisher.publishWith().topic("sid/live").qos(MqttQos.AT_LEAST_ONCE).send();

        RawPacket live = c.expect(Packets.PUBLISH);
        assertThat(subscriptionIds(live, "sid/live")).containsExactlyInAnyOrder(7, 9);
        c.send(Packets.puback(packetId(live, "sid/live")));
        c.expectNoPacket(RawMqttClient.QUIET); // once, not once per matching subscription
    }

    /** An MQTT 5 SUBSCRIBE of one filter with a Subscription Identifier (below 128) and an option byte. */
    private static byte[] subscribe5(int packetId, String filter, int subscriptionId, int options) {
        return Packets.frame(0x82, Wire.concat(Wire.u16(packetId), new byte[] {2, 0x0B, (byte) subscriptionId},
                Wire.lengthPrefixed(filter.getBytes(StandardCharsets.UTF_8)), new byte[] {(byte) options}));
    }

    /** The Subscription Identifiers (each below 128) in a QoS 1 PUBLISH of {@code topic} to a 5.0 client. */
    private static List<Integer> subscriptionIds(RawPacket p, String topic) {
        byte[] b = p.body();
        int at = 2 + topic.length() + 2; // topic, packet id
        int length = b[at++]; // below 128 here
        List<Integer> ids = new ArrayList<>();
        for (int end = at + length; at < end; ) {
            int id = b[at++] & 0xFF;
            switch (id) {
                case 0x0B -> ids.add(b[at++] & 0xFF);
                case 0x02 -> at += 4;
                case 0x01 -> at += 1;
                default -> at += 2 + (((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF)); // strings and binary data
            }
        }
        return ids;
    }

    private static int packetId(RawPacket p, String topic) {
        byte[] b = p.body();
        int at = 2 + topic.length();
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }
}
