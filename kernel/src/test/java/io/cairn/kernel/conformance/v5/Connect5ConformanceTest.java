package io.cairn.kernel.conformance.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MQTT 5 CONNECT, CONNACK and DISCONNECT (MQTT 5.0 §3.1, §3.2, §3.14), with the HiveMQ MQTT Client's MQTT 5 API.
 * See docs/mqtt5.md.
 */
class Connect5ConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final int MAX_PACKET_SIZE = 4096;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.maxPacketSize(MAX_PACKET_SIZE));

    private Mqtt5BlockingClient client(String clientId) {
        return Hive5.client(broker, clientId);
    }

    @Test
    @Tag("MQTT-3.2.2-16")
    @DisplayName("[MQTT-3.2.2-16] an empty client identifier is accepted and the assigned one is returned in CONNACK")
    void assignedClientIdentifier() {
        Mqtt5BlockingClient c = client("");
        Mqtt5ConnAck connack = c.connectWith().cleanStart(true).send();

        assertThat(connack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(connack.getAssignedClientIdentifier()).isPresent();
        String assigned = connack.getAssignedClientIdentifier().get().toString();
        assertThat(assigned).isNotEmpty();
        assertThat(broker.broker().clients()).anyMatch(info -> info.clientId().equals(assigned));
    }

    @Test
    @DisplayName("CONNACK announces the server's limits: maximum packet size, subscription identifiers and shared "
            + "subscriptions available")
    void connackAnnouncesLimits() {
        Mqtt5ConnAck connack = client("v5-limits").connectWith().cleanStart(true).send();

        assertThat(connack.getRestrictions().getMaximumPacketSize())
                .isEqualTo(MAX_PACKET_SIZE);
        assertThat(connack.getRestrictions().areSubscriptionIdentifiersAvailable()).isTrue();
        assertThat(connack.getRestrictions().isSharedSubscriptionAvailable()).isTrue();
        assertThat(connack.getRestrictions().isWildcardSubscriptionAvailable()).isTrue();
        assertThat(connack.getRestrictions().isRetainAvailable()).isTrue();
        assertThat(connack.getRestrictions().getMaximumQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
    }

    @Test
    @DisplayName("an MQTT 5 subscriber receives what an MQTT 5 publisher sends, at every QoS")
    void publishRoundTrip() {
        Mqtt5BlockingClient subscriber = client("v5-sub");
        Mqtt5BlockingClient publisher = client("v5-pub");
        subscriber.connectWith().cleanStart(true).send();
        publisher.connectWith().cleanStart(true).send();
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        subscriber.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        subscriber.subscribeWith().topicFilter("v5/#").qos(MqttQos.EXACTLY_ONCE).send();

        for (MqttQos qos : MqttQos.values()) {
            publisher.publishWith().topic("v5/" + qos).qos(qos)
                    .payload(("at " + qos).getBytes(StandardCharsets.UTF_8)).send();
        }

        await("three messages").atMost(WAIT).until(() -> received.size() == 3);
        assertThat(received).extracting(p -> p.getTopic().toString(), Mqtt5Publish::getQos,
                        p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("v5/AT_MOST_ONCE", MqttQos.AT_MOST_ONCE, "at AT_MOST_ONCE"),
                        org.assertj.core.groups.Tuple.tuple("v5/AT_LEAST_ONCE", MqttQos.AT_LEAST_ONCE,
                                "at AT_LEAST_ONCE"),
                        org.assertj.core.groups.Tuple.tuple("v5/EXACTLY_ONCE", MqttQos.EXACTLY_ONCE,
                                "at EXACTLY_ONCE"));
    }

    @Test
    @DisplayName("a session taken over is told so: DISCONNECT 0x8E (Session taken over) to the older connection")
    void takeoverSendsDisconnect8E() {
        AtomicReference<Mqtt5DisconnectReasonCode> told = new AtomicReference<>();
        Mqtt5BlockingClient older = Hive5.client(broker, "v5-twice", told);
        older.connectWith().cleanStart(true).send();

        Hive5.client(broker, "v5-twice").connectWith().cleanStart(false).send(); // the same client id again

        await("the older connection was told").atMost(WAIT).until(() -> told.get() != null);
        assertThat(told.get()).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
    }

    @Test
    @Tag("MQTT-3.1.2-10")
    @Tag("MQTT-3.14.4-3")
    @DisplayName("[MQTT-3.1.2-10] [MQTT-3.14.4-3] DISCONNECT 0x00 removes the will; DISCONNECT 0x04 (with will "
            + "message) and an error reason (0x80) publish it")
    void disconnectWithWillMessage() {
        Mqtt5BlockingClient watcher = client("v5-watcher");
        watcher.connectWith().cleanStart(true).send();
        List<Mqtt5Publish> wills = new CopyOnWriteArrayList<>();
        watcher.toAsync().publishes(MqttGlobalPublishFilter.ALL, wills::add);
        watcher.subscribeWith().topicFilter("wills/#").qos(MqttQos.AT_LEAST_ONCE).send();

        Mqtt5BlockingClient normal = client("v5-normal");
        normal.connectWith().cleanStart(true).willPublish().topic("wills/normal").payload(new byte[] {1})
                .qos(MqttQos.AT_LEAST_ONCE).applyWillPublish().send();
        normal.disconnect();
        Mqtt5BlockingClient asking = client("v5-asking");
        asking.connectWith().cleanStart(true).willPublish().topic("wills/asking").payload(new byte[] {2})
                .qos(MqttQos.AT_LEAST_ONCE).applyWillPublish().send();
        asking.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
        await("the asked-for will").atMost(WAIT).until(() -> !wills.isEmpty());
        Mqtt5BlockingClient failing = client("v5-failing");
        failing.connectWith().cleanStart(true).willPublish().topic("wills/failing").payload(new byte[] {3})
                .qos(MqttQos.AT_LEAST_ONCE).applyWillPublish().send();
        failing.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.UNSPECIFIED_ERROR).send();
        await("the failing client's will").atMost(WAIT).until(() -> wills.size() >= 2);
        // a marker after both: the normal disconnect's will would have arrived before it
        Mqtt5BlockingClient marker = client("v5-marker");
        marker.connectWith().cleanStart(true).send();
        marker.publishWith().topic("wills/marker").qos(MqttQos.AT_LEAST_ONCE).send();
        await("the marker").atMost(WAIT).until(() -> wills.size() >= 3);
        assertThat(wills).extracting(p -> p.getTopic().toString())
                .containsExactly("wills/asking", "wills/failing", "wills/marker");
    }
}
