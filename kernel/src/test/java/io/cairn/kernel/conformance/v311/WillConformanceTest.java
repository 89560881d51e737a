package io.cairn.kernel.conformance.v311;

import static io.cairn.kernel.testsupport.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.broker.ClientInfo;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT 3.1.1 §3.1.2.5-3.1.2.7 the Will: when it is published, how, and when it is discarded. */
class WillConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @Test
    @Tag("MQTT-3.1.2-8")
    @Tag("MQTT-3.1.2-16")
    @DisplayName("[MQTT-3.1.2-8] [MQTT-3.1.2-16] the will is published, not retained, at its QoS, when the "
            + "network connection breaks")
    void willOnNetworkFailure() {
        RawMqttClient watcher = broker.connect("will-watcher").subscribe("will/t", 2);
        RawMqttClient client = broker.connect(Packets.connect("will-net").will("will/t", "gone", 1, false), "c");

        client.abort();

        RawPacket.Publish will = watcher.receiveAndAcknowledge();
        assertThat(will.topic()).isEqualTo("will/t");
        assertThat(will.payloadText()).isEqualTo("gone");
        assertThat(will.qos()).isEqualTo(1);
        assertThat(will.retain()).isFalse();
        RawMqttClient late = broker.connect("will-late").subscribe("will/t", 2);
        late.publish("will/t", 0, "marker");
        assertThat(late.expectPublish().payloadText()).as("a non-retained will is not stored").isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-3.1.2-17")
    @Tag("MQTT-3.3.1-9")
    @DisplayName("[MQTT-3.1.2-17] a will with Will Retain 1 is published as a retained message")
    void retainedWill() {
        RawMqttClient watcher = broker.connect("will-ret-watcher").subscribe("will/retained", 1);
        RawMqttClient client = broker.connect(
                Packets.connect("will-ret").will("will/retained", "offline", 1, true), "c");

        client.abort();

        RawPacket.Publish live = watcher.receiveAndAcknowledge();
        assertThat(live.payloadText()).isEqualTo("offline");
        assertThat(live.retain()).as("forwarded to an existing subscription").isFalse();
        RawMqttClient late = broker.connect("will-ret-late").subscribe("will/retained", 1);
        RawPacket.Publish stored = late.receiveAndAcknowledge();
        assertThat(stored.payloadText()).isEqualTo("offline");
        assertThat(stored.retain()).isTrue();
        assertThat(stored.qos()).isEqualTo(1);
    }

    @Test
    @Tag("MQTT-3.1.2-8")
    @Tag("MQTT-3.8.4-6")
    @DisplayName("[MQTT-3.1.2-8] a QoS 2 will reaches a QoS 2 subscriber at QoS 2 and a QoS 0 subscriber at QoS 0")
    void willQosIsHonoured() {
        RawMqttClient q2 = broker.connect("will-q2-watcher").subscribe("will/q2", 2);
        RawMqttClient q0 = broker.connect("will-q0-watcher").subscribe("will/q2", 0);
        RawMqttClient client = broker.connect(Packets.connect("will-q2").will("will/q2", "bye", 2, false), "c");

        client.abort();

        assertThat(q2.receiveAndAcknowledge().qos()).isEqualTo(2);
        assertThat(q0.expectPublish().qos()).isZero();
    }

    @Test
    @Tag("MQTT-3.14.4-3")
    @Tag("MQTT-3.1.2-10")
    @DisplayName("[MQTT-3.14.4-3] [MQTT-3.1.2-10] DISCONNECT discards the will: it is not published")
    void disconnectDiscardsTheWill() {
        RawMqttClient watcher = broker.connect("will-disc-watcher").subscribe("will/disc/#", 0);
        RawMqttClient client = broker.connect(
                Packets.connect("will-disc").will("will/disc/t", "must not appear", 0, false), "c");

        client.disconnect();
        awaitGone("will-disc");

        broker.connect("will-disc-marker").publish("will/disc/marker", 0, "marker");
        assertThat(watcher.expectPublish().payloadText()).isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-3.1.2-12")
    @DisplayName("[MQTT-3.1.2-12] without the will flag nothing is published when the connection breaks")
    void noWillWithoutWillFlag() {
        RawMqttClient watcher = broker.connect("will-none-watcher").subscribe("#", 0);
        RawMqttClient client = broker.connect("will-none");

        client.abort();
        awaitGone("will-none");

        broker.connect("will-none-marker").publish("marker", 0, "marker");
        assertThat(watcher.expectPublish().payloadText()).isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-3.1.2-8")
    @Tag("MQTT-3.1.2-24")
    @DisplayName("[MQTT-3.1.2-8] [MQTT-3.1.2-24] the will is published when the keep-alive expires")
    void willOnKeepAliveTimeout() {
        RawMqttClient watcher = broker.connect("will-ka-watcher").subscribe("will/ka", 1);
        RawMqttClient client = broker.connect(
                Packets.connect("will-ka").keepAlive(1).will("will/ka", "timed out", 1, false), "c");

        client.expectClosed(Duration.ofSeconds(6));     // 1.5 s plus a loaded machine

        assertThat(watcher.receiveAndAcknowledge().payloadText()).isEqualTo("timed out");
    }

    @Test
    @Tag("MQTT-3.1.2-8")
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-3.1.2-8] [MQTT-4.8.0-1] the will is published when the server closes the connection for a "
            + "protocol error")
    void willOnProtocolError() {
        RawMqttClient watcher = broker.connect("will-err-watcher").subscribe("will/err", 1);
        RawMqttClient client = broker.connect(
                Packets.connect("will-err").will("will/err", "broke the protocol", 1, false), "c");

        client.send(Packets.publish("any", 3, "QoS 3 is malformed").build());
        client.expectClosed();

        assertThat(watcher.receiveAndAcknowledge().payloadText()).isEqualTo("broke the protocol");
    }

    @Test
    @Tag("MQTT-3.14.1-1")
    @Tag("MQTT-3.1.2-8")
    @DisplayName("[MQTT-3.14.1-1] [MQTT-3.1.2-8] a DISCONNECT with reserved bits set is a protocol error: the "
            + "connection is closed and the will is published")
    void malformedDisconnectPublishesTheWill() {
        RawMqttClient watcher = broker.connect("will-baddisc-watcher").subscribe("will/baddisc", 1);
        RawMqttClient client = broker.connect(
                Packets.connect("will-baddisc").will("will/baddisc", "not a clean goodbye", 1, false), "c");

        client.send(bytes(0xE1, 0x00));     // DISCONNECT with flags 0001
        client.expectClosed();

        assertThat(watcher.receiveAndAcknowledge().payloadText()).isEqualTo("not a clean goodbye");
    }

    @Test
    @Tag("MQTT-3.1.2-8")
    @DisplayName("[MQTT-3.1.2-8] a connection the operator closes through Broker.disconnect publishes the will")
    void willWhenTheBrokerDisconnectsTheClient() {
        RawMqttClient watcher = broker.connect("will-kick-watcher").subscribe("will/kick", 1);
        RawMqttClient client = broker.connect(Packets.connect("will-kick").will("will/kick", "kicked", 1, false), "c");

        assertThat(broker.broker().disconnect("will-kick")).isTrue();
        client.expectClosed();

        assertThat(watcher.receiveAndAcknowledge().payloadText()).isEqualTo("kicked");
    }

    @Test
    @Tag("MQTT-3.1.2-10")
    @DisplayName("[MQTT-3.1.2-10] the will is published once and then deleted: a persistent session resumed later "
            + "does not publish it again")
    void willIsPublishedOnlyOnce() {
        RawMqttClient watcher = broker.connect("will-once-watcher").subscribe("will/once", 1);
        RawMqttClient first = broker.connect(
                Packets.connect("will-once").cleanSession(false).will("will/once", "once", 1, false), "first");
        first.abort();
        assertThat(watcher.receiveAndAcknowledge().payloadText()).isEqualTo("once");

        RawMqttClient again = broker.connect(Packets.connect("will-once").cleanSession(false), "again");
        again.abort();
        awaitGone("will-once");

        broker.connect("will-once-marker").publish("will/once", 0, "marker");
        assertThat(watcher.expectPublish().payloadText()).as("the will was not published twice").isEqualTo("marker");
    }

    private void awaitGone(String clientId) {
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().clients())
                .extracting(ClientInfo::clientId).doesNotContain(clientId));
    }
}
