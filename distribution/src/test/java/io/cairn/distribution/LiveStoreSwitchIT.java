package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Stores switched in a running broker (a real Felix) while Paho clients stay connected and QoS 1 traffic flows:
 * persistence-file dropped into {@code deploy/} of a broker that runs on persistence-mem takes over (it outranks
 * it), then the kernel's {@code persistence} key moves the state to memory and back to file. No client loses its
 * connection, every acknowledged message reaches the online subscribers, and after a restart the offline
 * subscribers' queues, filled before, during and after the switches, come back whole from the file store.
 */
class LiveStoreSwitchIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration HOT = Duration.ofSeconds(60);
    private static final int ONLINE = 10;
    private static final int OFFLINE = 10;
    private static final int MAX_PER_TICK = 20;

    @TempDir
    Path temp;

    private Cairn cairn;
    private final List<MqttAsyncClient> clients = new ArrayList<>();
    private ScheduledExecutorService load;
    private final List<String> lost = new CopyOnWriteArrayList<>();
    /** Sequence numbers acknowledged to the publisher, and those each online subscriber received. */
    private final Set<Integer> acked = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<Integer>> received = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();

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
        if (cairn != null) {
            assertThat(cairn.stop(Duration.ofSeconds(30))).as("framework stopped within 30 s").isTrue();
        }
    }

    @Test
    @DisplayName("persistence-file installed into a broker on persistence-mem, then the persistence key switched to "
            + "memory and back, under QoS 1 traffic: no connection lost, no acknowledged message lost, offline "
            + "queues whole after a restart")
    void switchStoresWhileClientsStayConnected() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        Path fileBundle = Runtimes.jar(home.resolve("deploy"), "cairn-persistence-file-");
        Path parked = Files.move(fileBundle, temp.resolve(fileBundle.getFileName()));
        setPersistence(home, null); // the best ranked store: memory, the only one
        // every message published while the offline subscribers are away must fit in their queues
        Files.writeString(home.resolve("etc/io.cairn.kernel.cfg"), "\nmaxQueuedMessages = 1000000\n",
                java.nio.file.StandardOpenOption.APPEND);
        cairn = Main.launch(home, Map.of());
        cairn.awaitStartup(STARTUP);
        await("listener open").atMost(HOT).until(() -> Runtimes.isOpen(port));

        for (int i = 0; i < OFFLINE; i++) {
            MqttAsyncClient c = client(port, "offline-" + i);
            c.subscribe("switch/#", 1).waitForCompletion(HOT.toMillis());
            c.disconnect().waitForCompletion(HOT.toMillis());
            c.close();
            clients.remove(c);
        }
        for (int i = 0; i < ONLINE; i++) {
            MqttAsyncClient c = client(port, "online-" + i);
            c.subscribe("switch/#", 1).waitForCompletion(HOT.toMillis());
        }
        MqttAsyncClient publisher = client(port, "publisher");
        load = Executors.newSingleThreadScheduledExecutor();
        load.scheduleAtFixedRate(() -> publishSome(publisher), 0, 50, TimeUnit.MILLISECONDS);
        awaitMoreAcked(50);

        // install persistence-file: it outranks persistence-mem and takes over
        Files.copy(parked, fileBundle);
        Path log = home.resolve("log/cairn.log");
        await("the file store in force").atMost(HOT).until(() -> switches(log, "FileSessionStore") >= 1);
        awaitMoreAcked(50);

        setPersistence(home, "memory");
        await("the memory store in force").atMost(HOT).until(() -> switches(log, "MemorySessionStore") >= 2);
        awaitMoreAcked(50);

        setPersistence(home, "file");
        await("the file store in force again").atMost(HOT).until(() -> switches(log, "FileSessionStore") >= 2);
        awaitMoreAcked(50);

        load.shutdownNow();
        assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        await("publisher's in-flight messages acknowledged").atMost(HOT)
                .until(() -> publisher.getPendingDeliveryTokens().length == 0);
        await("every acknowledged message at every online subscriber").atMost(HOT).untilAsserted(() -> {
            for (int i = 0; i < ONLINE; i++) {
                Set<Integer> missing = new TreeSet<>(acked);
                missing.removeAll(received.getOrDefault("online-" + i, Set.of()));
                assertThat(missing).as("acknowledged but not at online-%d", i).isEmpty();
            }
        });
        assertThat(lost).as("connections lost during the switches").isEmpty();
        int published = acked.size();

        // a restart: the offline queues come back from the file store
        for (MqttAsyncClient c : clients) {
            c.disconnect().waitForCompletion(HOT.toMillis());
            c.close();
        }
        clients.clear();
        assertThat(cairn.stop(Duration.ofSeconds(30))).isTrue();
        cairn = Main.launch(home, Map.of());
        cairn.awaitStartup(STARTUP);
        await("listener open after the restart").atMost(HOT).until(() -> Runtimes.isOpen(port));
        for (int i = 0; i < OFFLINE; i++) {
            client(port, "offline-" + i);
        }
        await("every acknowledged message in every offline queue").atMost(HOT).untilAsserted(() -> {
            for (int i = 0; i < OFFLINE; i++) {
                Set<Integer> missing = new TreeSet<>(acked);
                missing.removeAll(received.getOrDefault("offline-" + i, Set.of()));
                assertThat(missing).as("acknowledged but not queued for offline-%d", i).isEmpty();
            }
        });
        assertThat(published).as("messages acknowledged across the switches").isGreaterThan(200);
    }

    /** How often the log says the kernel moved its sessions to a store whose description contains {@code store}. */
    private static long switches(Path log, String store) throws java.io.IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("Sessions now kept by") && l.contains(store)).count();
        }
    }

    private void awaitMoreAcked(int more) {
        int now = acked.size();
        await("traffic flowing").atMost(HOT).until(() -> acked.size() >= now + more);
    }

    /** Sets (or with {@code null} removes) the kernel's {@code persistence} key in etc/io.cairn.kernel.cfg. */
    private static void setPersistence(Path home, String store) throws java.io.IOException {
        Path cfg = home.resolve("etc/io.cairn.kernel.cfg");
        List<String> lines = new ArrayList<>(Files.readAllLines(cfg).stream()
                .filter(l -> !l.matches("\\s*persistence\\s*=.*")).toList());
        if (store != null) {
            lines.add("persistence = " + store);
        }
        Path next = cfg.resolveSibling("io.cairn.kernel.cfg.tmp");
        Files.write(next, lines);
        Files.move(next, cfg, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void publishSome(MqttAsyncClient publisher) {
        for (int i = 0; i < MAX_PER_TICK && sequence.get() < 100_000; i++) {
            int seq = sequence.incrementAndGet();
            MqttMessage m = new MqttMessage(Integer.toString(seq).getBytes(StandardCharsets.US_ASCII));
            m.setQos(1);
            try {
                publisher.publish("switch/" + (seq % 7), m, null, new IMqttActionListener() {
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
                return; // the in-flight window is full: the next tick goes on
            }
        }
    }

    private MqttAsyncClient client(int port, String id) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(false);
        options.setMaxInflight(200);
        options.setKeepAliveInterval(30);
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
                received.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet())
                        .add(Integer.parseInt(new String(message.getPayload(), StandardCharsets.US_ASCII)));
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
