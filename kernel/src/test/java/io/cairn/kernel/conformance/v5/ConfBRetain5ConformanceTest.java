package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.ConfB5.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.kernel.testsupport.ConfB5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The RETAIN flag from an MQTT 5 client (MQTT 5.0 §3.3.1.3): storing, replacing and removing retained messages,
 * and Retain Handling 0 on subscribe. Raw packets, to see the RETAIN flag and the properties a retained message
 * keeps.
 */
class ConfBRetain5ConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private RawMqttClient client(String clientId) {
        return ConfB5.connect(broker, clientId);
    }

    private static void publish(RawMqttClient c, String topic, int qos, String payload, boolean retain) {
        int id = qos > 0 ? c.nextPacketId() : 0;
        ConfB5.publishAndComplete(c, ConfB5.publish(qos << 1 | (retain ? 1 : 0), topic, id, props(),
                payload.getBytes(StandardCharsets.UTF_8)), qos, id);
    }

    private void awaitRetainedCount(long expected) {
        await("retained message count").atMost(RawMqttClient.TIMEOUT).untilAsserted(() ->
                assertThat(broker.broker().statistics().retainedMessages()).isEqualTo(expected));
    }

    /** Subscribes a new client to {@code filter}, publishes a marker, and returns what came before the marker. */
    private List<Raw5.Publish> retainedSentTo(String clientId, String filter, RawMqttClient markerPublisher,
                                              String markerTopic) {
        RawMqttClient sub = client(clientId);
        assertThat(ConfB5.subscribe(sub, 1, filter, 1)).containsExactly(1);
        publish(markerPublisher, markerTopic, 0, "marker", false);
        List<Raw5.Publish> before = ConfB5.until(sub, markerTopic);
        before.forEach(p -> ConfB5.acknowledge(sub, p));
        return before;
    }

    @Test
    @Tag("MQTT-3.3.1-5")
    @DisplayName("[MQTT-3.3.1-5] a PUBLISH with RETAIN 1 replaces the topic's retained message: a new subscriber "
            + "gets only the newest, with its QoS, properties and RETAIN 1")
    void retainedReplaced() {
        RawMqttClient pub = client("b-rep-pub");
        publish(pub, "rep/t", 1, "old", true);
        byte[] contentType = ConfB5.rawStringProperty(0x03, "text/new".getBytes(StandardCharsets.UTF_8));
        ConfB5.publishAndComplete(pub, ConfB5.publish(0x01, "rep/t", 0, props(contentType),
                "new".getBytes(StandardCharsets.UTF_8)), 0, 0);
        awaitRetainedCount(1);

        List<Raw5.Publish> got = retainedSentTo("b-rep-sub", "rep/#", pub, "rep/marker");
        assertThat(got).hasSize(1);
        Raw5.Publish p = got.get(0);
        assertThat(p.payloadText()).isEqualTo("new");
        assertThat(p.retain()).isTrue();
        assertThat(p.qos()).as("the newest message's QoS").isZero();
        assertThat(ConfB5.properties(p, 0x03)).extracting(ConfB5.Property::text).containsExactly("text/new");
    }

    @Test
    @Tag("MQTT-3.3.1-6")
    @DisplayName("[MQTT-3.3.1-6] a retained PUBLISH with an empty payload goes to the current subscribers like "
            + "any message and removes the topic's retained message")
    void emptyRetainedRemoves() {
        RawMqttClient pub = client("b-clear-pub");
        publish(pub, "clear/t", 1, "to be cleared", true);
        awaitRetainedCount(1);
        RawMqttClient existing = client("b-clear-existing");
        assertThat(ConfB5.subscribe(existing, 1, "clear/#", 1)).containsExactly(1);
        Raw5.Publish retained = Raw5.expectPublish(existing);
        assertThat(retained.retain()).isTrue();
        ConfB5.acknowledge(existing, retained);

        publish(pub, "clear/t", 1, "", true);
        Raw5.Publish forwarded = Raw5.expectPublish(existing);
        assertThat(forwarded.topic()).isEqualTo("clear/t");
        assertThat(forwarded.payload()).as("processed normally: forwarded with its empty payload").isEmpty();
        assertThat(forwarded.qos()).isEqualTo(1);
        ConfB5.acknowledge(existing, forwarded);
        awaitRetainedCount(0);

        assertThat(retainedSentTo("b-clear-late", "clear/#", pub, "clear/marker"))
                .as("no retained message for a later subscriber").isEmpty();
    }

    @Test
    @Tag("MQTT-3.3.1-7")
    @DisplayName("[MQTT-3.3.1-7] an empty retained message is never stored: not on a topic without one, nor "
            + "after it removed one")
    void emptyRetainedNotStored() {
        RawMqttClient pub = client("b-empty-pub");
        publish(pub, "empty/never", 1, "", true);
        publish(pub, "empty/cleared", 2, "kept for a while", true);
        publish(pub, "empty/cleared", 2, "", true);
        publish(pub, "empty/qos0", 0, "", true);
        awaitRetainedCount(0);

        assertThat(retainedSentTo("b-empty-sub", "empty/#", pub, "empty/marker"))
                .as("no retained message, empty or not").isEmpty();
    }

    @Test
    @Tag("MQTT-3.3.1-8")
    @DisplayName("[MQTT-3.3.1-8] a PUBLISH with RETAIN 0 is not stored as retained and leaves the topic's "
            + "retained message as it was, empty payload included")
    void retainZeroLeavesRetainedAlone() {
        RawMqttClient pub = client("b-keep-pub");
        publish(pub, "keep/t", 1, "kept", true);
        publish(pub, "keep/t", 1, "transient", false);
        publish(pub, "keep/t", 0, "", false);
        publish(pub, "keep/other", 2, "never retained", false);
        awaitRetainedCount(1);

        List<Raw5.Publish> got = retainedSentTo("b-keep-sub", "keep/#", pub, "keep/marker");
        assertThat(got).extracting(Raw5.Publish::payloadText).containsExactly("kept");
        assertThat(got.get(0).retain()).isTrue();
    }

    @Test
    @Tag("MQTT-3.3.1-9")
    @DisplayName("[MQTT-3.3.1-9] Retain Handling 0: each SUBSCRIBE, a repeated one too, is followed by every "
            + "retained message matching its filter, with RETAIN 1")
    void retainHandlingZero() {
        RawMqttClient pub = client("b-rh0-pub");
        publish(pub, "rh0/a", 1, "a", true);
        publish(pub, "rh0/b/c", 0, "bc", true);
        publish(pub, "other/x", 1, "other", true);
        awaitRetainedCount(3);

        RawMqttClient sub = client("b-rh0-sub");
        for (int round = 1; round <= 2; round++) {
            // options 0x01: QoS 1, No Local 0, Retain As Published 0, Retain Handling 0
            assertThat(ConfB5.subscribe(sub, round, "rh0/#", 0x01)).containsExactly(1);
            publish(pub, "rh0/marker", 0, "marker", false);
            List<Raw5.Publish> got = ConfB5.until(sub, "rh0/marker");
            got.forEach(p -> ConfB5.acknowledge(sub, p));
            List<String> topics = new ArrayList<>();
            for (Raw5.Publish p : got) {
                assertThat(p.retain()).as("RETAIN of %s", p).isTrue();
                topics.add(p.topic() + "=" + p.payloadText());
            }
            assertThat(topics).as("round %d", round).containsExactlyInAnyOrder("rh0/a=a", "rh0/b/c=bc");
        }
    }
}
