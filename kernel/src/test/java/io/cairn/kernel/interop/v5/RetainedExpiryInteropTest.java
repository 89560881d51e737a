package io.cairn.kernel.interop.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retained messages with a Message Expiry Interval, published and received with Paho mqttv5. */
class RetainedExpiryInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @Test
    @DisplayName("a retained message whose expiry interval has passed is not sent to a later subscriber; one still "
            + "within its interval is, with the interval counted down")
    void expiredRetainedNotDelivered() throws Exception {
        Paho5 pub = new Paho5(broker, "paho5-retained-expiry").connect();
        MqttProperties shortLived = new MqttProperties();
        shortLived.setMessageExpiryInterval(1L);
        MqttMessage brief = new MqttMessage("brief".getBytes(StandardCharsets.UTF_8));
        brief.setQos(1);
        brief.setRetained(true);
        brief.setProperties(shortLived);
        pub.publish("interop/retexp/short", brief);
        MqttProperties longLived = new MqttProperties();
        longLived.setMessageExpiryInterval(100L);
        MqttMessage lasting = new MqttMessage("lasting".getBytes(StandardCharsets.UTF_8));
        lasting.setQos(1);
        lasting.setRetained(true);
        lasting.setProperties(longLived);
        pub.publish("interop/retexp/long", lasting);
        long published = System.nanoTime();
        // the interval is the behaviour under test: let it pass
        await("two seconds and a half").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> System.nanoTime() - published > TimeUnit.MILLISECONDS.toNanos(2_500));

        Mqtt5BlockingClient late = Hive5.client(broker, "hive-retained-expiry");
        late.connectWith().cleanStart(true).send();
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        late.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        late.subscribeWith().topicFilter("interop/retexp/#").qos(MqttQos.AT_LEAST_ONCE).send();
        pub.publish("interop/retexp/marker", "marker", 1);

        await("the marker").atMost(WAIT).until(() -> received.stream()
                .anyMatch(p -> p.getTopic().toString().equals("interop/retexp/marker")));
        assertThat(received).extracting(p -> p.getTopic().toString())
                .containsExactlyInAnyOrder("interop/retexp/long", "interop/retexp/marker");
        Mqtt5Publish kept = received.stream().filter(p -> p.getTopic().toString().equals("interop/retexp/long"))
                .findFirst().orElseThrow();
        assertThat(kept.getMessageExpiryInterval().orElseThrow()).isBetween(1L, 98L);
    }
}
