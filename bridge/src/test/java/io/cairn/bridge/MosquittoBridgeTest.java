package io.cairn.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.bridge.BridgeContext;
import io.cairn.api.broker.BridgeStatus;
import io.cairn.bridge.testsupport.Inbox;
import io.cairn.bridge.testsupport.LocalBroker;
import io.cairn.bridge.testsupport.Upstream;
import io.cairn.kernel.embedded.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bridges between Cairn and a real upstream broker we did not write (Eclipse Mosquitto), over MQTT 5 and 3.1.1:
 * every direction, QoS 0/1/2, prefixes, retained messages, no loops; clients on both sides are Eclipse Paho.
 */
class MosquittoBridgeTest {

    @TempDir
    Path dir;

    static BridgeSettings settings(String name, int port, String protocol, String... mappings) {
        Map<String, Object> p = new HashMap<>();
        p.put("name", name);
        p.put("address", "127.0.0.1:" + port);
        p.put("protocol", protocol);
        p.put("reconnectMinMillis", "100");
        p.put("reconnectMaxMillis", "1000");
        for (int i = 0; i < mappings.length; i++) {
            p.put("topic." + (i + 1), mappings[i]);
        }
        return BridgeSettings.from(p, Path.of(""));
    }

    /** Waits until the bridge is connected and its local session holds {@code localSubscriptions} subscriptions. */
    static void awaitLinked(EmbeddedBroker cairn, String name, int localSubscriptions) {
        await("bridge " + name + " linked").atMost(Duration.ofSeconds(20)).until(() ->
                cairn.broker().bridges().stream().anyMatch(b -> b.name().equals(name) && b.connected())
                        && cairn.broker().session(BridgeContext.localClientId(name))
                        .map(s -> s.subscriptions().size() == localSubscriptions).orElse(false));
    }

    /**
     * Publishes {@code probe} messages on {@code topic} at {@code from} until {@code to} gets one: the remote
     * subscription of a bridge is in place once a message comes through it.
     */
    static void awaitInbound(Inbox from, String topic, Inbox to, String arrivesOn) {
        await("the bridge's remote subscription for " + topic).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    from.publish(topic, "probe", 1, false);
                    return !to.on(arrivesOn).isEmpty();
                });
    }

    @ParameterizedTest(name = "MQTT {0}: out, in and both, QoS 0/1/2, with prefixes")
    @ValueSource(strings = {"mqttv5", "mqttv311"})
    void forwardsEachWayWithPrefixes(String protocol) throws Exception {
        try (Upstream up = Upstream.start(dir)) {
            EmbeddedBroker cairn = LocalBroker.start();
            MqttBridge bridge = MqttBridge.start(cairn.bridgeContext(), settings("edge", up.port(), protocol,
                    "sensors/# out 2 site1/ edge/site1/",
                    "commands/# in 2 site1/ cloud/site1/",
                    "chat/# both 2 \"\" \"\""));
            try (Inbox upSub = Inbox.connect(up.uri(), "up-sub").subscribe("edge/#", 2).subscribe("chat/#", 2);
                 Inbox upPub = Inbox.connect(up.uri(), "up-pub");
                 Inbox localSub = Inbox.connect(LocalBroker.uri(cairn), "local-sub")
                         .subscribe("site1/commands/#", 2).subscribe("chat/#", 2);
                 Inbox localPub = Inbox.connect(LocalBroker.uri(cairn), "local-pub")) {
                awaitLinked(cairn, "edge", 2);
                awaitInbound(upPub, "cloud/site1/commands/probe", localSub, "site1/commands/probe");

                for (int qos = 0; qos <= 2; qos++) {
                    localPub.publish("site1/sensors/q" + qos, "out-" + qos, qos, false);
                    Inbox.Received out = upSub.awaitOn("edge/site1/sensors/q" + qos);
                    assertThat(out.payload()).isEqualTo("out-" + qos);
                    assertThat(out.qos()).isEqualTo(qos);

                    upPub.publish("cloud/site1/commands/q" + qos, "in-" + qos, qos, false);
                    Inbox.Received in = localSub.awaitOn("site1/commands/q" + qos);
                    assertThat(in.payload()).isEqualTo("in-" + qos);
                    assertThat(in.qos()).isEqualTo(qos);
                }
                // outside every mapping: not forwarded
                localPub.publish("site1/other/x", "no", 1, false);

                // both ways on the same topics: each message once on each side, none comes back
                localPub.publish("chat/from-local", "hello up", 2, false);
                upSub.awaitOn("chat/from-local");
                upPub.publish("chat/from-up", "hello down", 2, false);
                localSub.awaitOn("chat/from-up");
                // a marker behind both: an echo of either would have come before it
                upPub.publish("chat/marker-1", "m", 2, false);
                localSub.awaitOn("chat/marker-1");
                localPub.publish("chat/marker-2", "m", 2, false);
                upSub.awaitOn("chat/marker-2");
                assertThat(localSub.on("chat/from-local")).hasSize(1);
                assertThat(localSub.on("chat/from-up")).hasSize(1);
                assertThat(upSub.on("chat/from-local")).hasSize(1);
                assertThat(upSub.on("chat/from-up")).hasSize(1);
                assertThat(upSub.messages()).noneMatch(m -> m.topic().contains("other"));

                BridgeStatus status = cairn.broker().bridges().get(0);
                assertThat(status.name()).isEqualTo("edge");
                assertThat(status.remote()).isEqualTo("mqtt://127.0.0.1:" + up.port() + " (MQTT "
                        + (protocol.equals("mqttv5") ? "5" : "3.1.1") + ")");
                assertThat(status.connected()).isTrue();
                assertThat(status.sent()).isGreaterThanOrEqualTo(5);
                assertThat(status.received()).isGreaterThanOrEqualTo(5);
            } finally {
                bridge.close();
                cairn.close();
            }
        }
    }

    @ParameterizedTest(name = "MQTT {0}: retained messages cross the bridge as retained")
    @ValueSource(strings = {"mqttv5", "mqttv311"})
    void retainedMessagesStayRetained(String protocol) throws Exception {
        try (Upstream up = Upstream.start(dir)) {
            EmbeddedBroker cairn = LocalBroker.start();
            try (Inbox localPub = Inbox.connect(LocalBroker.uri(cairn), "local-pub");
                 Inbox upPub = Inbox.connect(up.uri(), "up-pub")) {
                // retained before the bridge exists on both sides
                localPub.publish("site1/status/a", "local retained", 1, true);
                upPub.publish("cloud/config/b", "remote retained", 1, true);
                MqttBridge bridge = MqttBridge.start(cairn.bridgeContext(), settings("r", up.port(), protocol,
                        "status/# out 1 site1/ up/", "config/# in 1 local/ cloud/"));
                try {
                    awaitLinked(cairn, "r", 1);
                    try (Inbox upLate = Inbox.connect(up.uri(), "up-late")) {
                        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                            upLate.subscribe("up/status/a", 1);
                            assertThat(upLate.on("up/status/a")).anyMatch(m -> m.retained()
                                    && m.payload().equals("local retained"));
                        });
                    }
                    try (Inbox localLate = Inbox.connect(LocalBroker.uri(cairn), "local-late")) {
                        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                            localLate.subscribe("local/config/b", 1);
                            assertThat(localLate.on("local/config/b")).anyMatch(m -> m.retained()
                                    && m.payload().equals("remote retained"));
                        });
                    }
                    // a live retained message crosses with its flag (Retain As Published on the bridge's side)
                    try (Inbox upSub = Inbox.connect(up.uri(), "up-sub").subscribe("up/status/#", 1)) {
                        localPub.publish("site1/status/live", "now", 1, true);
                        await().atMost(Duration.ofSeconds(20)).until(() -> !upSub.on("up/status/live").isEmpty());
                        List<Inbox.Received> live = upSub.on("up/status/live");
                        // MQTT 3.1.1 subscribers see the retain flag only on messages sent because they subscribed
                        assertThat(live.get(0).payload()).isEqualTo("now");
                    }
                    try (Inbox upLate2 = Inbox.connect(up.uri(), "up-late-2").subscribe("up/status/live", 1)) {
                        Inbox.Received r = upLate2.awaitOn("up/status/live");
                        assertThat(r.retained()).as("retained upstream too").isTrue();
                    }
                } finally {
                    bridge.close();
                }
            } finally {
                cairn.close();
            }
        }
    }
}
