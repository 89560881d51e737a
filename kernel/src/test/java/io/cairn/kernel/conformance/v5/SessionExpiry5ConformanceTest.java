package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clean Start and Session Expiry Interval (MQTT 5.0 §3.1.2.4, §3.1.2.11.2, §4.1), with the HiveMQ MQTT Client's
 * MQTT 5 API and raw packets for what a well-behaved client cannot send. See docs/mqtt5.md.
 */
class SessionExpiry5ConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private Mqtt5BlockingClient client(String clientId) {
        return Hive5.client(broker, clientId);
    }

    @Test
    @Tag("MQTT-3.1.2-5")
    @Tag("MQTT-3.1.2-23")
    @DisplayName("[MQTT-3.1.2-5] [MQTT-3.1.2-23] within its expiry interval a session is resumed, with what was "
            + "queued for it")
    void resumedWithinExpiry() {
        Mqtt5BlockingClient c = client("v5-resume");
        c.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        c.subscribeWith().topicFilter("resume/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        Mqtt5BlockingClient publisher = client("v5-resume-pub");
        publisher.connectWith().cleanStart(true).send();
        publisher.publishWith().topic("resume/queued").qos(MqttQos.AT_LEAST_ONCE)
                .payload("while away".getBytes(StandardCharsets.UTF_8)).send();

        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        assertThat(c.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent()).isTrue();

        await("the queued message").atMost(WAIT).until(() -> !received.isEmpty());
        assertThat(new String(received.get(0).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("while away");
    }

    @Test
    @Tag("MQTT-4.1.0-2")
    @DisplayName("[MQTT-4.1.0-2] a session is discarded once it has been offline for its expiry interval")
    void discardedAfterExpiry() {
        Mqtt5BlockingClient c = client("v5-expire");
        c.connectWith().cleanStart(true).sessionExpiryInterval(1).send();
        c.subscribeWith().topicFilter("expire/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        assertThat(broker.broker().session("v5-expire")).as("kept while the interval runs").isPresent();

        await("the session expired").atMost(WAIT).until(() -> broker.broker().session("v5-expire").isEmpty());
        assertThat(c.connectWith().cleanStart(false).send().isSessionPresent()).isFalse();
    }

    @Test
    @Tag("MQTT-3.1.2-4")
    @DisplayName("[MQTT-3.1.2-4] Clean Start discards an existing session, whatever its expiry interval")
    void cleanStartDiscards() {
        Mqtt5BlockingClient c = client("v5-clean");
        c.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        c.subscribeWith().topicFilter("clean/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();

        assertThat(c.connectWith().cleanStart(true).sessionExpiryInterval(60).send().isSessionPresent()).isFalse();
        assertThat(broker.broker().session("v5-clean")).hasValueSatisfying(
                s -> assertThat(s.subscriptions()).isEmpty());
    }

    @Test
    @DisplayName("an expiry interval of 0 (or none) ends the session with the connection, even without Clean Start")
    void zeroEndsWithConnection() {
        Mqtt5BlockingClient c = client("v5-zero");
        c.connectWith().cleanStart(false).send();
        c.subscribeWith().topicFilter("zero/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();

        await("the session ended").atMost(WAIT).until(() -> broker.broker().session("v5-zero").isEmpty());
    }

    @Test
    @DisplayName("DISCONNECT may change the expiry interval: 0 at DISCONNECT ends a 60-s session at once")
    void disconnectShortensExpiry() {
        Mqtt5BlockingClient c = client("v5-shorten");
        c.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        c.subscribeWith().topicFilter("shorten/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnectWith().sessionExpiryInterval(0).send();

        await("the session ended").atMost(WAIT).until(() -> broker.broker().session("v5-shorten").isEmpty());
    }

    @Test
    @DisplayName("DISCONNECT that sets an expiry interval after CONNECT set 0 is a protocol error: DISCONNECT 0x82")
    void disconnectCannotLengthenZero() {
        RawMqttClient c = broker.rawClient("lengthen");
        c.send(Packets.connect("v5-lengthen").mqtt5().build());
        assertThat(c.expectConnack5().returnCode()).isZero();

        // DISCONNECT, reason 0x00, properties: Session Expiry Interval 30
        byte[] props = property(0x11, u32(30));
        c.send(Packets.frame(0xE0, io.cairn.kernel.testsupport.Wire.concat(new byte[] {0x00, (byte) props.length}, props)));

        RawPacket answer = c.expect(Packets.DISCONNECT);
        assertThat(answer.body()[0] & 0xFF).isEqualTo(0x82);
        c.expectClosed();
        await("no session kept").atMost(WAIT).until(() -> broker.broker().session("v5-lengthen").isEmpty());
    }
}
