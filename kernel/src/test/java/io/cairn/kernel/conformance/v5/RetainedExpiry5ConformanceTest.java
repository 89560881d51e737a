package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A retained message with a Message Expiry Interval (MQTT 5.0 §3.3.2.3.3): sent on subscribe with what is left
 * of its interval, and gone from the topic once the interval has passed.
 */
class RetainedExpiry5ConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private final AtomicInteger clients = new AtomicInteger();

    private RawMqttClient connect5() {
        String id = "retained-expiry-" + clients.incrementAndGet();
        RawMqttClient c = broker.rawClient(id);
        c.send(Packets.connect(id).mqtt5().build());
        assertThat(c.expectConnack5().returnCode()).isZero();
        return c;
    }

    /** A retained QoS 0 MQTT 5 PUBLISH with a Message Expiry Interval. */
    private static byte[] retained(String topic, long expiry, String payload) {
        byte[] props = property(0x02, u32(expiry));
        return Packets.frame(0x31, Wire.concat(Wire.utf8(topic), Wire.remainingLength(props.length), props,
                payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** The Message Expiry Interval in a property block, or -1. */
    private static long expiry(byte[] properties) {
        for (int at = 0; at + 4 < properties.length; at++) {
            if (properties[at] == 0x02) {
                return ((long) (properties[at + 1] & 0xFF) << 24) | ((properties[at + 2] & 0xFF) << 16)
                        | ((properties[at + 3] & 0xFF) << 8) | (properties[at + 4] & 0xFF);
            }
        }
        return -1;
    }

    /** What a new subscriber to {@code topic} gets first: the retained message, or the marker published after. */
    private Raw5.Publish firstOnSubscribe(String topic) {
        RawMqttClient c = connect5();
        c.send(Raw5.subscribe(1, "marker", 0));
        c.expect(Packets.SUBACK);
        c.send(Raw5.subscribe(2, topic, 0));
        c.expect(Packets.SUBACK); // a retained message comes right after this SUBACK
        connect5().send(Packets.frame(0x30, Wire.concat(Wire.utf8("marker"), new byte[] {0}, new byte[] {1})));
        Raw5.Publish first = Raw5.expectPublish(c);
        c.close();
        return first;
    }

    @Test
    @Tag("MQTT-3.3.2-6")
    @DisplayName("[MQTT-3.3.2-6] a retained message is sent on subscribe with the interval it has left")
    void remainingIntervalOnSubscribe() {
        connect5().send(retained("door/state", 3600, "open"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Raw5.Publish p = firstOnSubscribe("door/state");
            assertThat(p.topic()).isEqualTo("door/state");
            assertThat(p.retain()).isTrue();
            assertThat(expiry(p.properties())).isBetween(3500L, 3600L);
        });
    }

    @Test
    @Tag("MQTT-3.3.2-5")
    @DisplayName("[MQTT-3.3.2-5] once its Message Expiry Interval has passed, a retained message is no longer sent "
            + "to new subscribers")
    void expiredRetainedMessageIsGone() {
        connect5().send(retained("lamp/state", 1, "on"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(firstOnSubscribe("lamp/state").topic()).isEqualTo("lamp/state"));
        // subscribers keep coming; within the interval they get the message, after it the marker comes first
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(firstOnSubscribe("lamp/state").topic()).isEqualTo("marker"));
        assertThat(broker.broker().statistics().retainedMessages()).isZero();
    }
}
