package io.cairn.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.bridge.BridgeContext;
import io.cairn.bridge.testsupport.Inbox;
import io.cairn.bridge.testsupport.LocalBroker;
import io.cairn.client.MqttClient;
import io.cairn.client.MqttProtocolVersion;
import io.cairn.client.Qos;
import io.cairn.client.ReceivedMessage;
import io.cairn.client.Subscription;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel's in-process bridge endpoint with the client library on the loops it offers: QoS 1 and 2 traffic
 * through a {@code $bridge/} session leaves nothing in flight, whether the client acknowledges at once or later
 * from another thread. (With both ends of the local channel on one loop, the last acknowledgements were never
 * flushed: the session kept messages in flight for good.)
 */
class LocalEndpointTest {

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.DisplayName("the endpoint takes only $bridge/ client identifiers")
    void onlyBridgeIdentifiers() throws Exception {
        EmbeddedBroker cairn = LocalBroker.start();
        try (MqttClient c = MqttClient.builder().address(cairn.bridgeContext().localAddress()).host("local")
                .eventLoopGroup((EventLoopGroup) cairn.bridgeContext().localEventLoops())
                .clientId("not-a-bridge").protocolVersion(MqttProtocolVersion.MQTT_5)
                .reconnectPolicy(io.cairn.client.ReconnectPolicy.none()).build()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.connect().get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(io.cairn.client.ConnectRefusedException.class)
                    .hasMessageContaining("0x85");
        } finally {
            cairn.close();
        }
    }

    @ParameterizedTest(name = "acknowledged {0}")
    @ValueSource(strings = {"automatically", "later, from another thread"})
    void qos1And2TrafficLeavesNothingInFlight(String how) throws Exception {
        EmbeddedBroker cairn = LocalBroker.start();
        ScheduledExecutorService other = Executors.newSingleThreadScheduledExecutor();
        boolean manual = !how.equals("automatically");
        AtomicInteger got = new AtomicInteger();
        String id = BridgeContext.localClientId("t");
        try (MqttClient c = MqttClient.builder().address(cairn.bridgeContext().localAddress()).host("local")
                .eventLoopGroup((EventLoopGroup) cairn.bridgeContext().localEventLoops())
                .clientId(id).protocolVersion(MqttProtocolVersion.MQTT_5).cleanSession(false)
                .sessionExpiryInterval(Duration.ofHours(1)).receiveMaximum(1000).manualAcknowledgement(manual)
                .build();
             Inbox p1 = Inbox.connect(LocalBroker.uri(cairn), "p1");
             Inbox p2 = Inbox.connect(LocalBroker.uri(cairn), "p2")) {
            c.connect().get(5, TimeUnit.SECONDS);
            c.subscribe(List.of(Subscription.of("load/#", Qos.EXACTLY_ONCE)), (ReceivedMessage m) -> {
                got.incrementAndGet();
                if (manual) {
                    other.schedule(m::acknowledge, 1, TimeUnit.MILLISECONDS);
                }
            }).get(5, TimeUnit.SECONDS);
            AtomicReference<Exception> failed = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < 900; i++) {
                        p1.publish("load/q1", Integer.toString(i), 1, false);
                    }
                } catch (Exception e) {
                    failed.set(e);
                }
            });
            t.start();
            for (int i = 0; i < 900; i++) {
                p2.publish("load/q2", Integer.toString(i), 2, false);
            }
            t.join(60_000);
            assertThat(failed.get()).isNull();
            await().atMost(Duration.ofSeconds(20)).until(() -> got.get() >= 1800);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(cairn.broker().session(id).orElseThrow().inflight()).isZero());
            assertThat(got.get()).isEqualTo(1800);
        } finally {
            other.shutdownNow();
            cairn.close();
        }
    }
}
