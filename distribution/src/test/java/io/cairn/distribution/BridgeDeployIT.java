package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bridges managed at runtime in a running broker (a real Felix started from the assembled distribution) through
 * their {@code etc/io.cairn.bridge-<name>.cfg} files, while a Paho client publishes numbered QoS 1 messages to
 * Cairn all along and Paho subscribers listen on two Mosquitto processes, A and B: a new file starts a bridge to
 * A, an edit moves it to B without losing what the publisher had acknowledged, a broken second file is one ERROR
 * line and disturbs nothing, and deleting the file stops the bridge while the broker goes on serving.
 */
class BridgeDeployIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration HOT = Duration.ofSeconds(30);
    /** One message per tick; bounded by {@link #MAX_MESSAGES} (about 100 s of traffic). */
    private static final long TICK_MILLIS = 5;
    private static final int MAX_MESSAGES = 20_000;

    @TempDir
    Path temp;

    private Cairn cairn;
    private final List<Mosquitto> upstreams = new ArrayList<>();
    private final List<MqttAsyncClient> clients = new ArrayList<>();
    private ScheduledExecutorService load;
    private final AtomicInteger sequence = new AtomicInteger();
    /** Sequence numbers acknowledged to the publisher. */
    private final Set<Integer> acked = ConcurrentHashMap.newKeySet();
    /** What each upstream subscriber received: sequence numbers, and the topics they came on. */
    private final Map<String, Set<Integer>> received = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> topics = new ConcurrentHashMap<>();
    private final List<String> lost = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (load != null) {
            load.shutdownNow();
        }
        for (MqttAsyncClient c : clients) {
            try {
                c.disconnectForcibly(0, 1000, false);
            } catch (MqttException e) {
                // already gone
            }
            c.close(true);
        }
        try {
            if (cairn != null) {
                assertThat(cairn.stop(Duration.ofSeconds(30))).as("framework stopped within 30 s").isTrue();
            }
        } finally {
            upstreams.forEach(Mosquitto::close);
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    @DisplayName("under QoS 1 traffic, a bridge file dropped into etc/ starts forwarding to Mosquitto A, an edit moves "
            + "it to Mosquitto B without losing an acknowledged message, a broken second file is one ERROR line and "
            + "changes nothing, and deleting the file stops the bridge while the broker keeps serving")
    void bridgesManagedThroughEtcFiles() throws Exception {
        Mosquitto a = upstream();
        Mosquitto b = upstream();
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        cairn = Main.launch(home, Map.of());
        cairn.awaitStartup(STARTUP);
        await("listener open").atMost(HOT).until(() -> Runtimes.isOpen(port));
        Path log = home.resolve("log/cairn.log");
        BrokerService broker = new BrokerService(cairn);
        assertThat(broker.bridges()).as("bridges before any bridge file").isEmpty();

        subscriber(a, "A");
        subscriber(b, "B");
        MqttAsyncClient publisher = client("tcp://127.0.0.1:" + port, "publisher");
        load = Executors.newSingleThreadScheduledExecutor();
        load.scheduleAtFixedRate(() -> publish(publisher), 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        awaitMoreAcked(100);
        assertThat(count("A") + count("B")).as("messages upstream before any bridge").isZero();

        // 1. a new file starts a bridge to A
        Path up = home.resolve("etc/io.cairn.bridge-up.cfg");
        write(up, "address = " + a.address() + "\n"
                + "topic.1 = site/# out 1 \"\" up/\n"
                + "reconnectMinMillis = 100\n");
        await("the bridge starts").atMost(HOT).until(() -> lines(log, "Bridge up: linking to mqtt://" + a.address()
                + " (MQTT 5)") == 1);
        await("the bridge connects to A").atMost(HOT).until(() -> lines(log, "Bridge up: connected to mqtt://"
                + a.address()) == 1);
        await("messages arrive at A").atMost(HOT).until(() -> count("A") >= 50);
        // the bridge's local subscription is in place: from here on every acknowledged message must go upstream
        int from = sequence.get();
        assertThat(broker.bridge("up")).as("the broker's view of the bridge")
                .extracting(BrokerService.Bridge::remote, BrokerService.Bridge::connected)
                .containsExactly("mqtt://" + a.address() + " (MQTT 5)", true);

        // 2. the edited file moves the bridge to B, with another remote prefix
        write(up, "address = " + b.address() + "\n"
                + "topic.1 = site/# out 1 \"\" down/\n"
                + "reconnectMinMillis = 100\n");
        await("the bridge stops its link to A").atMost(HOT).until(() -> lines(log, "Bridge up: stopped") == 1);
        await("the bridge connects to B").atMost(HOT).until(() -> lines(log, "Bridge up: connected to mqtt://"
                + b.address()) == 1);
        await("messages arrive at B").atMost(HOT).until(() -> count("B") >= 50);
        int atA = count("A");
        int atB = count("B");
        await("more messages at B").atMost(HOT).until(() -> count("B") >= atB + 200);
        assertThat(count("A")).as("messages at A once B receives").isEqualTo(atA);
        assertThat(topics.get("A")).as("topics at A").allMatch(t -> t.startsWith("up/site/"));
        assertThat(topics.get("B")).as("topics at B").allMatch(t -> t.startsWith("down/site/"));
        assertThat(broker.bridge("up")).as("the broker's view of the bridge")
                .extracting(BrokerService.Bridge::remote, BrokerService.Bridge::connected)
                .containsExactly("mqtt://" + b.address() + " (MQTT 5)", true);

        // 3. a broken file: one ERROR line naming it, the key and the problem; the good bridge goes on
        Path bad = home.resolve("etc/io.cairn.bridge-bad.cfg");
        write(bad, "address = " + a.address() + "\ntopic.1 = a/# sideways\n");
        await("the broken file reported").atMost(HOT).until(() -> errors(log, bad).size() == 1);
        assertThat(errors(log, bad).get(0)).contains("key topic.1", "direction 'sideways' is not in, out or both");
        int atBNow = count("B");
        await("the good bridge keeps forwarding to B").atMost(HOT).until(() -> count("B") >= atBNow + 200);
        assertThat(errors(log, bad)).as("ERROR lines about " + bad.getFileName()).hasSize(1);
        assertThat(broker.bridges()).as("bridges running").extracting(BrokerService.Bridge::name)
                .containsExactly("up");
        assertThat(lines(log, "Bridge bad:")).as("log lines of a bridge 'bad'").isZero();

        // nothing acknowledged since the bridge was first connected is lost across the move to B
        int to = sequence.get();
        await("every message acknowledged after the bridge connected, at A or B").atMost(HOT).untilAsserted(() -> {
            Set<Integer> missing = new TreeSet<>();
            for (int seq : acked) {
                if (seq > from && seq <= to && !received.get("A").contains(seq) && !received.get("B").contains(seq)) {
                    missing.add(seq);
                }
            }
            assertThat(missing).as("acknowledged to the publisher but at neither A nor B (%s)", spread(from, to))
                    .isEmpty();
        });
        assertThat(to - from).as("messages published while the bridge was being moved and checked")
                .isGreaterThan(500);

        // 4. the deleted file stops the bridge and ends its local session; the broker keeps serving
        Files.delete(up);
        await("the bridge removed").atMost(HOT).until(() -> lines(log, "Bridge up: removed, with its local session")
                == 1);
        assertThat(lines(log, "Bridge up: stopped")).as("'stopped' lines").isEqualTo(2);
        await("the broker no longer lists the bridge").atMost(HOT).until(() -> broker.bridges().isEmpty());
        int atBEnd = count("B");
        int atAEnd = count("A");
        awaitMoreAcked(300);
        assertThat(count("B")).as("messages at B after the bridge was removed").isEqualTo(atBEnd);
        assertThat(count("A")).as("messages at A after the bridge was removed").isEqualTo(atAEnd);
        assertThat(lost).as("connections lost").isEmpty();
        assertThat(sequence.get()).as("the publisher still had messages to send").isLessThan(MAX_MESSAGES);
    }

    /** Where the messages went, for failure messages. */
    private String spread(int from, int to) {
        return "published " + from + ".." + to + "; A: " + range("A") + ", B: " + range("B");
    }

    private String range(String upstream) {
        Set<Integer> r = received.get(upstream);
        return r.isEmpty() ? "none" : r.size() + " in " + r.stream().min(Integer::compare).orElseThrow() + ".."
                + r.stream().max(Integer::compare).orElseThrow();
    }

    private Mosquitto upstream() throws IOException {
        Mosquitto m = Mosquitto.start(temp);
        upstreams.add(m);
        return m;
    }

    /** Writes a file in one step, as an editor that saves by renaming would. */
    private void write(Path file, String text) throws IOException {
        Path next = temp.resolve(file.getFileName() + ".next");
        Files.writeString(next, text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private int count(String upstream) {
        return received.getOrDefault(upstream, Set.of()).size();
    }

    private void awaitMoreAcked(int more) {
        int now = acked.size();
        await("the publisher's messages acknowledged").atMost(HOT).until(() -> acked.size() >= now + more);
    }

    /** How many lines of the log contain {@code text}. */
    private static long lines(Path log, String text) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }

    /** The ERROR lines that name {@code file}. */
    private static List<String> errors(Path log, Path file) throws IOException {
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("ERROR") && l.contains(file.toString())).toList();
        }
    }

    private void publish(MqttAsyncClient publisher) {
        if (sequence.get() >= MAX_MESSAGES) {
            return;
        }
        int seq = sequence.incrementAndGet();
        MqttMessage m = new MqttMessage(Integer.toString(seq).getBytes(StandardCharsets.US_ASCII));
        m.setQos(1);
        try {
            publisher.publish("site/" + (seq % 5), m, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    acked.add(seq);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    // not acknowledged: the publisher knows it may be lost
                }
            });
        } catch (MqttException e) {
            // the in-flight window is full: not acknowledged, the next tick goes on
        }
    }

    private void subscriber(Mosquitto upstream, String name) throws MqttException {
        received.put(name, ConcurrentHashMap.newKeySet());
        topics.put(name, ConcurrentHashMap.newKeySet());
        MqttAsyncClient c = client(upstream.uri(), "watcher-" + name);
        c.subscribe("#", 1).waitForCompletion(HOT.toMillis());
    }

    private MqttAsyncClient client(String uri, String id) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(uri, id, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setMaxInflight(1000);
        options.setKeepAliveInterval(30);
        String name = id.startsWith("watcher-") ? id.substring(8) : null;
        c.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void connectionLost(Throwable cause) {
                lost.add(id + ": " + cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                if (name != null) {
                    topics.get(name).add(topic.substring(0, topic.lastIndexOf('/') + 1));
                    received.get(name).add(Integer.parseInt(new String(message.getPayload(),
                            StandardCharsets.US_ASCII)));
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // counted by the publish listener
            }
        });
        clients.add(c);
        c.connect(options).waitForCompletion(HOT.toMillis());
        return c;
    }
}
