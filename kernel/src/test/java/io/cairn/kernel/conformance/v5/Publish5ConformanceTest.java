package io.cairn.kernel.conformance.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MQTT 5 PUBLISH properties between clients and across protocol versions (MQTT 5.0 §3.3.2.3), with the HiveMQ
 * MQTT Client. See docs/mqtt5.md.
 */
class Publish5ConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private Mqtt5BlockingClient client(String clientId) {
        return Hive5.client(broker, clientId);
    }

    private List<Mqtt5Publish> subscribe(Mqtt5BlockingClient c, String filter) {
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        return received;
    }

    @Test
    @Tag("MQTT-3.3.2-4")
    @Tag("MQTT-3.3.2-6")
    @Tag("MQTT-3.3.2-15")
    @Tag("MQTT-3.3.2-16")
    @Tag("MQTT-3.3.2-17")
    @Tag("MQTT-3.3.2-18")
    @DisplayName("[MQTT-3.3.2-4] [MQTT-3.3.2-6] [MQTT-3.3.2-15..18] every PUBLISH property reaches the subscriber "
            + "unaltered, user properties in their order, the expiry interval counted down")
    void propertiesForwarded() {
        Mqtt5BlockingClient subscriber = client("v5-props-sub");
        subscriber.connectWith().cleanStart(true).send();
        List<Mqtt5Publish> received = subscribe(subscriber, "props/#");
        Mqtt5BlockingClient publisher = client("v5-props-pub");
        publisher.connectWith().cleanStart(true).send();

        publisher.publishWith().topic("props/all").qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"t\":21}".getBytes(StandardCharsets.UTF_8))
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .contentType("application/json")
                .responseTopic("props/reply")
                .correlationData(new byte[] {0, 1, 2, (byte) 0xFF})
                .messageExpiryInterval(100)
                .userProperties(Mqtt5UserProperties.builder().add("b", "2").add("a", "1").add("b", "3").build())
                .send();

        await("the message").atMost(WAIT).until(() -> !received.isEmpty());
        Mqtt5Publish p = received.get(0);
        assertThat(p.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(p.getContentType()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("application/json"));
        assertThat(p.getResponseTopic()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("props/reply"));
        assertThat(p.getCorrelationData()).hasValueSatisfying(
                d -> assertThat(bytes(d)).containsExactly(0, 1, 2, (byte) 0xFF));
        assertThat(p.getMessageExpiryInterval()).isPresent();
        assertThat(p.getMessageExpiryInterval().getAsLong()).isBetween(99L, 100L);
        assertThat(p.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                .containsExactly("b=2", "a=1", "b=3");
    }

    @Test
    @DisplayName("a 3.1.1 subscriber gets a 5.0 publisher's message without properties, and a 5.0 subscriber "
            + "gets a 3.1.1 publisher's message with none")
    void mixedVersions() {
        Mqtt3BlockingClient old = Mqtt3Client.builder().identifier("v3-mixed").serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        broker.track(() -> {
            if (old.getState().isConnected()) {
                old.disconnect();
            }
        });
        old.connectWith().cleanSession(true).send();
        List<Mqtt3Publish> oldReceived = new CopyOnWriteArrayList<>();
        old.toAsync().publishes(MqttGlobalPublishFilter.ALL, oldReceived::add);
        old.subscribeWith().topicFilter("mixed/to3").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient modern = client("v5-mixed");
        modern.connectWith().cleanStart(true).send();
        List<Mqtt5Publish> modernReceived = subscribe(modern, "mixed/to5");

        modern.publishWith().topic("mixed/to3").qos(MqttQos.AT_LEAST_ONCE).contentType("text/plain")
                .userProperties(Mqtt5UserProperties.builder().add("k", "v").build())
                .payload("from 5".getBytes(StandardCharsets.UTF_8)).send();
        old.publishWith().topic("mixed/to5").qos(MqttQos.AT_LEAST_ONCE)
                .payload("from 3".getBytes(StandardCharsets.UTF_8)).send();

        await("both messages").atMost(WAIT).until(() -> !oldReceived.isEmpty() && !modernReceived.isEmpty());
        assertThat(new String(oldReceived.get(0).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("from 5");
        Mqtt5Publish p = modernReceived.get(0);
        assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("from 3");
        assertThat(p.getUserProperties().asList()).isEmpty();
        assertThat(p.getContentType()).isEmpty();
        assertThat(p.getMessageExpiryInterval()).isEmpty();
    }

    @Test
    @Tag("MQTT-3.3.2-5")
    @DisplayName("[MQTT-3.3.2-5] a message whose expiry interval passed while its subscriber was away is not "
            + "delivered; one without an interval is")
    void expiredNotDelivered() {
        Mqtt5BlockingClient subscriber = client("v5-away");
        subscriber.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        subscriber.subscribeWith().topicFilter("away/#").qos(MqttQos.AT_LEAST_ONCE).send();
        subscriber.disconnect();
        Mqtt5BlockingClient publisher = client("v5-away-pub");
        publisher.connectWith().cleanStart(true).send();
        publisher.publishWith().topic("away/short").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1).send();
        publisher.publishWith().topic("away/kept").qos(MqttQos.AT_LEAST_ONCE).send();
        long published = System.nanoTime();
        // the interval is the behaviour under test: let it pass
        await("one second and a bit").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> System.nanoTime() - published > TimeUnit.MILLISECONDS.toNanos(1_200));

        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        subscriber.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        subscriber.connectWith().cleanStart(false).sessionExpiryInterval(60).send();

        await("the kept message").atMost(WAIT).until(() -> !received.isEmpty());
        assertThat(received).extracting(p -> p.getTopic().toString()).containsExactly("away/kept");
    }

    @Test
    @DisplayName("Payload Format Indicator 1 on a payload that is not UTF-8 closes with DISCONNECT 0x99")
    void payloadFormatInvalid() {
        AtomicReference<Mqtt5DisconnectReasonCode> told = new AtomicReference<>();
        Mqtt5BlockingClient c = Hive5.client(broker, "v5-format", told);
        c.connectWith().cleanStart(true).send();

        c.toAsync().publishWith().topic("format/bad").qos(MqttQos.AT_MOST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .payload(new byte[] {(byte) 0xC3, 0x28}).send();

        await("DISCONNECT from the server").atMost(WAIT).until(() -> told.get() != null);
        assertThat(told.get()).isEqualTo(Mqtt5DisconnectReasonCode.PAYLOAD_FORMAT_INVALID);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
