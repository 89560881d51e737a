package io.cairn.kernel.conformance.v311;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.broker.SessionInfo;
import io.cairn.kernel.testsupport.BrokerConfig;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The broker's resource limits (no MQTT 3.1.1 normative id; the server decides them): maximum packet size,
 * in-flight window, per-session queue limit with QoS 0 dropped first, and the drop counters.
 */
@Tag("limits")
class LimitsConformanceTest {

    @Test
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-4.8.0-1] a packet larger than the maximum packet size closes only that connection; "
            + "smaller ones pass")
    void maximumPacketSize() throws Exception {
        try (TestBroker broker = TestBroker.start(BrokerConfig.standard().maxPacketSize(1024))) {
            RawMqttClient sub = broker.connect("limit-size-sub").subscribe("size/#", 1);
            RawMqttClient ok = broker.connect("limit-size-ok");
            ok.publish("size/ok", 1, "x".repeat(900));
            assertThat(sub.receiveAndAcknowledge().payload()).hasSize(900);

            RawMqttClient big = broker.connect("limit-size-big");
            big.send(Packets.publish("size/big", 1, "x".repeat(2000)).packetId(1).build());
            big.expectClosed();

            ok.publish("size/after", 1, "still fine");
            assertThat(sub.receiveAndAcknowledge().payloadText()).as("the oversized message was not routed")
                    .isEqualTo("still fine");
        }
    }

    @Test
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-4.8.0-1] a declared remaining length above the maximum packet size closes the connection "
            + "before the body arrives")
    void declaredLengthAboveMaximumCloses() throws Exception {
        try (TestBroker broker = TestBroker.start(BrokerConfig.standard().maxPacketSize(1024))) {
            RawMqttClient big = broker.connect("limit-declared");
            // announce 100 000 bytes but send only the first few: the server must not wait for (or buffer) them
            big.send(Packets.publish("size/declared", 0, "x").remainingLength(100_000).build());
            big.expectClosed();
        }
    }

    @Test
    @DisplayName("at most maxInflight QoS 1 messages are unacknowledged at a subscriber; the next follows each "
            + "PUBACK")
    void inflightWindow() throws Exception {
        try (TestBroker broker = TestBroker.start(BrokerConfig.standard().maxInflight(4))) {
            RawMqttClient sub = broker.connect("limit-window-sub").subscribe("window/t", 1);
            RawMqttClient pub = broker.connect("limit-window-pub");
            for (int i = 0; i < 10; i++) {
                pub.publish("window/t", 1, "m" + i);
            }

            List<RawPacket.Publish> first = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                first.add(sub.expectPublish());
            }
            sub.expectNoPacket(RawMqttClient.QUIET);
            assertThat(first).extracting(RawPacket.Publish::payloadText).containsExactly("m0", "m1", "m2", "m3");

            sub.acknowledge(first.get(0));
            assertThat(sub.expectPublish().payloadText()).isEqualTo("m4");
            sub.expectNoPacket(RawMqttClient.QUIET);
            await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() ->
                    assertThat(broker.broker().session("limit-window-sub")).hasValueSatisfying(s ->
                            assertThat(s.inflight()).isEqualTo(4)));
        }
    }

    @Test
    @DisplayName("a full session queue drops further QoS 1 messages, counts each drop, and delivers the rest in "
            + "order")
    void fullQueueDropsAndCounts() throws Exception {
        try (TestBroker broker = TestBroker.start(BrokerConfig.standard().maxInflight(1).maxQueuedMessages(3))) {
            RawMqttClient sub = broker.connect("limit-queue-sub").subscribe("queue/t", 1);
            RawMqttClient pub = broker.connect("limit-queue-pub");
            long droppedBefore = broker.broker().statistics().messagesDropped();
            for (int i = 1; i <= 8; i++) {
                pub.publish("queue/t", 1, "m" + i);         // the subscriber acknowledges nothing yet
            }

            // every message is accounted for: in flight, queued or dropped
            await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> {
                SessionInfo s = broker.broker().session("limit-queue-sub").orElseThrow();
                assertThat(s.inflight() + s.queued() + s.dropped()).isEqualTo(8);
            });
            SessionInfo held = broker.broker().session("limit-queue-sub").orElseThrow();
            assertThat(held.inflight()).isEqualTo(1);
            assertThat(held.dropped()).as("more than the limit was published").isPositive();
            assertThat(broker.broker().statistics().messagesDropped() - droppedBefore).isEqualTo(held.dropped());

            int kept = held.inflight() + held.queued();
            List<String> delivered = new ArrayList<>();
            for (int i = 0; i < kept; i++) {
                delivered.add(sub.receiveAndAcknowledge().payloadText());
            }
            sub.expectNoPacket(RawMqttClient.QUIET);
            // one in flight plus three queued, or three in all if the limit counts the in-flight one
            assertThat(delivered).isIn(List.of("m1", "m2", "m3", "m4"), List.of("m1", "m2", "m3"));
            assertThat(held.dropped()).isEqualTo(8 - delivered.size());

            pub.publish("queue/t", 1, "after");
            assertThat(sub.receiveAndAcknowledge().payloadText()).as("the queue drained and works again")
                    .isEqualTo("after");
        }
    }

    @Test
    @DisplayName("when the session queue overflows, QoS 0 messages are dropped before QoS 1 messages, and every "
            + "drop is counted")
    void qos0IsDroppedFirst() throws Exception {
        try (TestBroker broker = TestBroker.start(BrokerConfig.standard().maxInflight(1).maxQueuedMessages(3))) {
            RawMqttClient sub = broker.connect("limit-q0-sub").subscribe("q0first/t", 1);
            RawMqttClient pub = broker.connect("limit-q0-pub");
            long droppedBefore = broker.broker().statistics().messagesDropped();
            pub.publish("q0first/t", 1, "m1");          // in flight: the window is full
            pub.publish("q0first/t", 0, "z1");
            pub.publish("q0first/t", 0, "z2");
            pub.publish("q0first/t", 1, "m2");
            pub.publish("q0first/t", 1, "m3");          // overflows a queue that holds QoS 0 messages
            pub.ping();

            List<String> qos1 = new ArrayList<>();
            List<String> qos0 = new ArrayList<>();
            for (int i = 0; i < 5; i++) {                   // five were published: never more to read
                var next = sub.poll(Duration.ofSeconds(1));
                if (next.isEmpty()) {
                    break;
                }
                RawPacket.Publish p = next.get().publish();
                (p.qos() == 0 ? qos0 : qos1).add(p.payloadText());
                sub.acknowledge(p);
            }
            sub.expectNoPacket(RawMqttClient.QUIET);
            assertThat(qos1).as("no QoS 1 message is dropped while QoS 0 ones can go")
                    .containsExactly("m1", "m2", "m3");
            assertThat(qos0).isSubsetOf("z1", "z2");
            long dropped = 2 - qos0.size();
            await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() ->
                    assertThat(broker.broker().statistics().messagesDropped() - droppedBefore).isEqualTo(dropped));
        }
    }
}
