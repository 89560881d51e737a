package io.cairn.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.bridge.testsupport.Inbox;
import io.cairn.bridge.testsupport.LocalBroker;
import io.cairn.bridge.testsupport.Upstream;
import io.cairn.kernel.embedded.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The upstream goes away during QoS 1 and QoS 2 traffic: messages published locally while it is down wait in the
 * bridge's local session and reach the upstream's subscriber when it is back: every one, QoS 2 exactly once, in
 * order per publisher.
 */
class BridgeOutageTest {

    private static final int PER_PUBLISHER = 900;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "MQTT {0}: upstream stopped and started again during QoS 1 and QoS 2 traffic")
    @ValueSource(strings = {"mqttv5", "mqttv311"})
    void everyMessageArrivesAfterAnOutage(String protocol) throws Exception {
        try (Upstream up = Upstream.start(dir, true)) {
            EmbeddedBroker cairn = LocalBroker.start();
            MqttBridge bridge = MqttBridge.start(cairn.bridgeContext(),
                    MosquittoBridgeTest.settings("outage", up.port(), protocol, "load/# out 2 \"\" \"\""));
            try (Inbox sub = Inbox.persistent(up.uri(), "up-sub").subscribe("load/#", 2);
                 Inbox p1 = Inbox.connect(LocalBroker.uri(cairn), "pub-q1");
                 Inbox p2 = Inbox.connect(LocalBroker.uri(cairn), "pub-q2")) {
                MosquittoBridgeTest.awaitLinked(cairn, "outage", 1);
                AtomicInteger sent1 = new AtomicInteger();
                AtomicInteger sent2 = new AtomicInteger();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Thread t1 = publisher(p1, "load/q1", 1, sent1, failed);
                Thread t2 = publisher(p2, "load/q2", 2, sent2, failed);
                t1.start();
                t2.start();

                await().atMost(Duration.ofSeconds(60)).until(() -> sent1.get() >= PER_PUBLISHER / 3
                        && sent2.get() >= PER_PUBLISHER / 3);
                up.stop();
                await("bridge sees the outage").atMost(Duration.ofSeconds(20))
                        .until(() -> !cairn.broker().bridges().get(0).connected());
                int before1 = sent1.get();
                int before2 = sent2.get();
                // publishing goes on locally while the upstream is down
                await().atMost(Duration.ofSeconds(60)).until(() -> sent1.get() >= before1 + PER_PUBLISHER / 4
                        && sent2.get() >= before2 + PER_PUBLISHER / 4);
                assertThat(cairn.broker().bridges().get(0).queued()).as("held for the upstream").isPositive();
                up.start();
                t1.join(120_000);
                t2.join(120_000);
                assertThat(failed.get()).isNull();

                await("every message at the upstream subscriber").atMost(Duration.ofSeconds(60)).until(() ->
                        distinct(sub, "load/q1").size() == PER_PUBLISHER
                                && distinct(sub, "load/q2").size() == PER_PUBLISHER);
                // QoS 2: exactly once, in order
                List<Integer> q2 = sequence(sub, "load/q2");
                assertThat(q2).as("QoS 2 exactly once and in order").hasSize(PER_PUBLISHER).isSorted();
                // QoS 1: at least once; first arrivals in order
                assertThat(new ArrayList<>(distinct(sub, "load/q1"))).isSorted();
                await("nothing left for the upstream").atMost(Duration.ofSeconds(20))
                        .until(() -> cairn.broker().bridges().get(0).queued() == 0);
            } finally {
                bridge.close();
                cairn.close();
            }
        }
    }

    private static Thread publisher(Inbox client, String topic, int qos, AtomicInteger sent,
                                    AtomicReference<Throwable> failed) {
        Thread t = new Thread(() -> {
            try {
                for (int i = 0; i < PER_PUBLISHER; i++) {
                    client.publish(topic, Integer.toString(i), qos, false); // returns once Cairn acknowledged
                    sent.incrementAndGet();
                }
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "publisher-" + topic);
        t.setDaemon(true);
        return t;
    }

    private static List<Integer> sequence(Inbox sub, String topic) {
        return sub.on(topic).stream().map(m -> Integer.parseInt(m.payload())).toList();
    }

    private static LinkedHashSet<Integer> distinct(Inbox sub, String topic) {
        return new LinkedHashSet<>(sequence(sub, topic));
    }
}
