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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MQTT 5 Will Delay Interval (MQTT 5.0 §3.1.3.2): the will of a connection that ended without DISCONNECT goes
 * out when its delay has passed or its session ends, whichever is first, and not at all if the client reconnects
 * before. See docs/mqtt5.md.
 */
class WillDelay5ConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int SESSION_EXPIRY = 0x11;
    private static final int WILL_DELAY = 0x18;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private List<Mqtt5Publish> watch(String filter) {
        Mqtt5BlockingClient c = Hive5.client(broker, "v5-will-watch");
        c.connectWith().cleanStart(true).send();
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        return received;
    }

    /** Connects a raw 5.0 client with a session expiry and a will with a delay, then drops it without DISCONNECT. */
    private void connectAndCrash(String clientId, long expiry, long delay) {
        RawMqttClient c = broker.rawClient(clientId);
        c.send(Packets.connect(clientId).mqtt5(property(SESSION_EXPIRY, u32(expiry)))
                .will("wills/" + clientId, "gone", 1, false).willProperties(property(WILL_DELAY, u32(delay)))
                .build());
        assertThat(c.expectConnack5().returnCode()).isZero();
        c.abort();
    }

    @Test
    @Tag("MQTT-3.1.2-8")
    @DisplayName("[MQTT-3.1.2-8] the will goes out once its delay has passed, not at the close")
    void publishedAfterDelay() {
        List<Mqtt5Publish> wills = watch("wills/#");
        long closed = System.nanoTime();
        connectAndCrash("v5-delayed", 60, 1);

        await("the will").atMost(WAIT).until(() -> !wills.isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - closed)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(wills.get(0).getTopic().toString()).isEqualTo("wills/v5-delayed");
    }

    @Test
    @Tag("MQTT-3.1.3-9")
    @DisplayName("[MQTT-3.1.3-9] a client that reconnects within the will delay does not have its will sent")
    void notSentAfterReconnect() {
        List<Mqtt5Publish> wills = watch("wills/#");
        connectAndCrash("v5-back", 60, 2);
        Mqtt5BlockingClient back = Hive5.client(broker, "v5-back");
        assertThat(back.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent()).isTrue();

        // the delay passes with the client connected; then a marker, which arrives after any will would have
        long reconnected = System.nanoTime();
        await("the delay has passed").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> System.nanoTime() - reconnected > TimeUnit.MILLISECONDS.toNanos(2_500));
        back.publishWith().topic("wills/marker").qos(MqttQos.AT_LEAST_ONCE).send();
        await("the marker").atMost(WAIT).until(() -> !wills.isEmpty());
        assertThat(wills).extracting(p -> p.getTopic().toString()).containsExactly("wills/marker");
    }

    @Test
    @DisplayName("a session that ends before the will delay passes sends the will when it ends")
    void sentWhenSessionEnds() {
        List<Mqtt5Publish> wills = watch("wills/#");
        connectAndCrash("v5-short", 1, 3_600);

        await("the will, at the session's end").atMost(WAIT).until(() -> !wills.isEmpty());
        assertThat(wills.get(0).getTopic().toString()).isEqualTo("wills/v5-short");
        await("the session ended").atMost(WAIT).until(() -> broker.broker().session("v5-short").isEmpty());
    }
}
