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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
                Semaphore permits1 = new Semaphore(0);
                Semaphore permits2 = new Semaphore(0);
                Thread t1 = publisher(p1, "load/q1", 1, permits1, sent1, failed);
                Thread t2 = publisher(p2, "load/q2", 2, permits2, sent2, failed);
                t1.start();
                t2.start();
                int third = PER_PUBLISHER / 3;

                // the upstream stops while the first third is on its way
                permits1.release(third);
                permits2.release(third);
                await().atMost(Duration.ofSeconds(60)).failFast(() -> failed.get() != null)
                        .until(() -> sent1.get() >= third / 2 && sent2.get() >= third / 2);
                up.stop();
                await("bridge sees the outage").atMost(Duration.ofSeconds(20))
                        .until(() -> !cairn.broker().bridges().get(0).connected());
                // the second third is published while the upstream is down
                permits1.release(third);
                permits2.release(third);
                await().atMost(Duration.ofSeconds(60)).failFast(() -> failed.get() != null)
                        .conditionEvaluationListener(c -> report(c, cairn, up, sub, sent1, sent2))
                        .until(() -> sent1.get() == 2 * third && sent2.get() == 2 * third);
                assertThat(cairn.broker().bridges().get(0).connected()).isFalse();
                assertThat(cairn.broker().bridges().get(0).queued()).as("held for the upstream")
                        .isGreaterThanOrEqualTo(2 * third);
                up.start();
                // and the rest once it is back
                permits1.release(PER_PUBLISHER - 2 * third);
                permits2.release(PER_PUBLISHER - 2 * third);
                t1.join(120_000);
                t2.join(120_000);
                assertThat(failed.get()).isNull();

                await("every message at the upstream subscriber").atMost(Duration.ofSeconds(60))
                        .conditionEvaluationListener(c -> report(c, cairn, up, sub, sent1, sent2)).until(() ->
                        distinct(sub, "load/q1").size() == PER_PUBLISHER
                                && distinct(sub, "load/q2").size() == PER_PUBLISHER);
                // QoS 2: exactly once, in order. What the bridge sends twice reaches the subscriber as two new
                // messages; Mosquitto re-sending its own unfinished QoS 2 deliveries after its restart (DUP set, the
                // subscriber's Paho client passes them on) is the subscriber's leg, not the bridge's, and not counted
                List<Integer> q2 = sub.on("load/q2").stream().filter(m -> !m.duplicate())
                        .map(m -> Integer.parseInt(m.payload())).toList();
                assertThat(q2).as("QoS 2 never twice as a new message; repeated: %s; arrivals: %s",
                                repeated(sub, "load/q2"), arrivals(sub, "load/q2"))
                        .doesNotHaveDuplicates().isSorted();
                assertThat(new ArrayList<>(distinct(sub, "load/q2"))).as("QoS 2 all there, in order")
                        .hasSize(PER_PUBLISHER).isSorted();
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

    @ParameterizedTest(name = "MQTT {0}: the bridge restarted twice (as on a configuration edit) during QoS 2 traffic")
    @ValueSource(strings = {"mqttv5", "mqttv311"})
    void restartingTheBridgeKeepsExactlyOnce(String protocol) throws Exception {
        try (Upstream up = Upstream.start(dir)) {
            EmbeddedBroker cairn = LocalBroker.start();
            BridgeSettings settings = MosquittoBridgeTest.settings("edit", up.port(), protocol,
                    "load/# out 2 \"\" \"\"");
            MqttBridge bridge = MqttBridge.start(cairn.bridgeContext(), settings);
            try (Inbox sub = Inbox.connect(up.uri(), "up-sub").subscribe("load/#", 2);
                 Inbox pub = Inbox.connect(LocalBroker.uri(cairn), "pub-q2")) {
                MosquittoBridgeTest.awaitLinked(cairn, "edit", 1);
                AtomicInteger sent = new AtomicInteger();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Semaphore permits = new Semaphore(PER_PUBLISHER);
                Thread t = publisher(pub, "load/q2", 2, permits, sent, failed);
                t.start();
                for (int restart = 1; restart <= 2; restart++) {
                    int at = restart * PER_PUBLISHER / 3;
                    await().atMost(Duration.ofSeconds(60)).failFast(() -> failed.get() != null)
                            .until(() -> sent.get() >= at);
                    bridge.close();
                    bridge = MqttBridge.start(cairn.bridgeContext(), settings);
                }
                t.join(120_000);
                assertThat(failed.get()).isNull();
                await("every message at the upstream subscriber").atMost(Duration.ofSeconds(60))
                        .conditionEvaluationListener(c -> report(c, cairn, up, sub, sent, sent))
                        .until(() -> distinct(sub, "load/q2").size() == PER_PUBLISHER);
                assertThat(sequence(sub, "load/q2")).as("exactly once, in order; repeated: %s",
                        repeated(sub, "load/q2")).hasSize(PER_PUBLISHER).isSorted();
            } finally {
                bridge.close();
                cairn.close();
            }
        }
    }

    /** On a timeout: where every count stood. */
    private static void report(org.awaitility.core.EvaluatedCondition<?> c, EmbeddedBroker cairn, Upstream up,
                               Inbox sub, AtomicInteger sent1, AtomicInteger sent2) {
        if (c.getRemainingTimeInMS() > 1000 || c.isSatisfied()) {
            return;
        }
        System.err.println("published " + sent1.get() + "/" + sent2.get() + "; at the upstream subscriber "
                + distinct(sub, "load/q1").size() + "/" + distinct(sub, "load/q2").size() + " distinct, "
                + sub.messages().size() + " in all; bridge " + cairn.broker().bridges() + "; sessions "
                + cairn.broker().sessions() + "; subscriber connected: " + sub.client().isConnected()
                + "\nmosquitto:\n" + String.join("\n", up.output()));
    }

    private static Thread publisher(Inbox client, String topic, int qos, Semaphore permits, AtomicInteger sent,
                                    AtomicReference<Throwable> failed) {
        Thread t = new Thread(() -> {
            try {
                for (int i = 0; i < PER_PUBLISHER; i++) {
                    if (!permits.tryAcquire(120, TimeUnit.SECONDS)) {
                        throw new AssertionError("no permit to publish message " + i + " on " + topic);
                    }
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

    /** The messages that came more than once, each time, with their DUP flag. */
    private static List<Inbox.Received> repeated(Inbox sub, String topic) {
        List<Inbox.Received> all = sub.on(topic);
        return all.stream().filter(m -> all.stream().filter(o -> o.payload().equals(m.payload())).count() > 1)
                .toList();
    }

    /** Payloads in arrival order, DUP ones marked with a star. */
    private static String arrivals(Inbox sub, String topic) {
        return String.join(" ", sub.on(topic).stream().map(m -> m.payload() + (m.duplicate() ? "*" : "")).toList());
    }

    private static List<Integer> sequence(Inbox sub, String topic) {
        return sub.on(topic).stream().map(m -> Integer.parseInt(m.payload())).toList();
    }

    private static LinkedHashSet<Integer> distinct(Inbox sub, String topic) {
        return new LinkedHashSet<>(sequence(sub, topic));
    }
}
