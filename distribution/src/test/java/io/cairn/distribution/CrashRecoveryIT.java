package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * The broker (the distribution, in its own process, on persistence-file with {@code durability = sync}) killed
 * with SIGKILL at random moments under QoS 1 and QoS 2 load from several publishers to persistent subscribers,
 * and started again each time: at the end every message acknowledged to a publisher has reached every
 * subscriber, QoS 2 exactly once and QoS 1 at least once. Some kills land while the broker is still starting
 * (recovering its store). Clients are Eclipse Paho v3 with persistent sessions, re-sending what was in flight.
 */
class CrashRecoveryIT {

    private static final int KILLS = 22;
    private static final int QOS1_PUBLISHERS = 2;
    private static final int QOS2_PUBLISHERS = 2;
    private static final int SUBSCRIBERS = 2;
    private static final int IN_FLIGHT = 16;
    /** Bound on messages per publisher over the whole run. */
    private static final int MAX_PER_PUBLISHER = 50_000;
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration SETTLE = Duration.ofSeconds(120);

    @TempDir
    Path temp;

    private Path home;
    private int port;
    private Process broker;
    private int starts;
    private final List<Client> clients = new ArrayList<>();
    private ScheduledExecutorService reconnects;
    private final AtomicBoolean publishing = new AtomicBoolean(true);
    private final List<Thread> publisherThreads = new ArrayList<>();

    /** A Paho client that reconnects (same client object, so its in-flight state is re-sent) whenever it is cut. */
    private final class Client implements MqttCallbackExtended {
        final MqttAsyncClient mqtt;
        final MqttConnectOptions options = new MqttConnectOptions();
        final AtomicBoolean connecting = new AtomicBoolean();
        volatile boolean connected;
        /** Subscriber: "publisher:sequence" -> times received. */
        final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        /** Publisher: sequence numbers acknowledged (PUBACK, or PUBCOMP for QoS 2). */
        final Set<Integer> acked = ConcurrentHashMap.newKeySet();
        final Semaphore window = new Semaphore(IN_FLIGHT);

        Client(String id) throws MqttException {
            mqtt = new MqttAsyncClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
            options.setCleanSession(false);
            options.setKeepAliveInterval(30);
            options.setConnectionTimeout(5);
            options.setMaxInflight(IN_FLIGHT);
            mqtt.setCallback(this);
        }

        void connect() {
            if (!connecting.compareAndSet(false, true)) {
                return;
            }
            try {
                mqtt.connect(options, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        connecting.set(false);
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable cause) {
                        connecting.set(false);
                        retry();
                    }
                });
            } catch (MqttException e) {
                connecting.set(false);
                retry();
            }
        }

        void retry() {
            if (!reconnects.isShutdown()) {
                reconnects.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            connected = true;
        }

        @Override
        public void connectionLost(Throwable cause) {
            connected = false;
            retry();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.computeIfAbsent(new String(message.getPayload(), StandardCharsets.UTF_8),
                    k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // counted through the publish token's listener, which knows the sequence number
        }
    }

    @AfterEach
    void stop() throws Exception {
        publishing.set(false);
        for (Thread t : publisherThreads) {
            t.join(10_000);
        }
        if (reconnects != null) {
            reconnects.shutdownNow();
        }
        for (Client c : clients) {
            try {
                c.mqtt.disconnectForcibly(0, 1000, false);
            } catch (MqttException e) {
                // already cut
            }
            c.mqtt.close(true);
        }
        if (broker != null && broker.isAlive()) {
            broker.destroy();
            if (!broker.waitFor(60, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
    }

    @Test
    @DisplayName("SIGKILL at 22 random moments under QoS 1/2 load: every acknowledged message delivered to every "
            + "persistent subscriber, QoS 2 exactly once, QoS 1 at least once")
    void everyAcknowledgedMessageSurvivesKills() throws Exception {
        home = Runtimes.copy(temp.resolve("cairn"));
        port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        // every message queued for a subscriber that is away during a restart must fit in its queue
        Files.writeString(home.resolve("etc/io.cairn.kernel.cfg"), "\nmaxQueuedMessages = 1000000\n",
                StandardOpenOption.APPEND);
        long seed = Long.getLong("cairn.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.println("CrashRecoveryIT seed " + seed + " (-Dcairn.crash.seed to repeat)");

        startBroker();
        await("broker listening").atMost(START).until(() -> Runtimes.isOpen(port));
        reconnects = Executors.newScheduledThreadPool(1);
        List<Client> subscribers = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            Client s = new Client("crash-sub-" + i);
            clients.add(s);
            subscribers.add(s);
            s.mqtt.connect(s.options).waitForCompletion(START.toMillis());
            s.mqtt.subscribe("crash/#", 2).waitForCompletion(START.toMillis());
        }
        List<Client> publishers = new ArrayList<>();
        for (int i = 0; i < QOS1_PUBLISHERS + QOS2_PUBLISHERS; i++) {
            int qos = i < QOS1_PUBLISHERS ? 1 : 2;
            Client p = new Client("crash-pub-" + i);
            clients.add(p);
            publishers.add(p);
            p.mqtt.connect(p.options).waitForCompletion(START.toMillis());
            String name = "p" + i;
            Thread t = new Thread(() -> publish(p, name, qos), "crash-publisher-" + i);
            publisherThreads.add(t);
            t.start();
        }

        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                if (kill % 5 != 0) {
                    await("broker start " + starts + " listening").atMost(START).until(() -> Runtimes.isOpen(port));
                    await("clients back after start " + starts).atMost(START)
                            .until(() -> clients.stream().allMatch(c -> c.connected));
                    int acked = ackedCount(publishers);
                    await("traffic after start " + starts).atMost(START)
                            .until(() -> ackedCount(publishers) > acked);
                } // else: killed while it starts, perhaps in the middle of recovering its store
                Process victim = broker;
                // SIGKILL: no shutdown hook, no flush
                killer.schedule(victim::destroyForcibly, random.nextInt(1500), TimeUnit.MILLISECONDS);
                assertThat(victim.waitFor(60, TimeUnit.SECONDS)).as("killed broker exited").isTrue();
                startBroker();
            }
        } finally {
            killer.shutdownNow();
        }
        await("broker listening after the last start").atMost(START).until(() -> Runtimes.isOpen(port));
        await("clients back after the last start").atMost(START)
                .until(() -> clients.stream().allMatch(c -> c.connected));
        publishing.set(false);
        for (Thread t : publisherThreads) {
            t.join(SETTLE.toMillis());
        }
        await("every publisher's in-flight messages completed").atMost(SETTLE)
                .until(() -> publishers.stream().allMatch(p -> p.mqtt.getPendingDeliveryTokens().length == 0));
        int total = ackedCount(publishers);
        assertThat(total).as("messages acknowledged over %d kills", KILLS).isGreaterThan(KILLS * 10);

        for (Client s : subscribers) {
            await("every acknowledged message at " + s.mqtt.getClientId()).atMost(SETTLE).untilAsserted(() -> {
                for (int i = 0; i < publishers.size(); i++) {
                    String name = "p" + i;
                    List<Integer> missing = publishers.get(i).acked.stream()
                            .filter(seq -> !s.received.containsKey(name + ":" + seq)).sorted().limit(20).toList();
                    assertThat(missing).as("acknowledged messages of %s missing at %s", name,
                            s.mqtt.getClientId()).isEmpty();
                }
            });
            Map<String, Integer> duplicates = new TreeMap<>();
            s.received.forEach((key, count) -> {
                int publisher = Integer.parseInt(key.substring(1, key.indexOf(':')));
                if (publisher >= QOS1_PUBLISHERS && count.get() > 1) {
                    duplicates.put(key, count.get());
                }
            });
            assertThat(duplicates).as("QoS 2 messages delivered more than once to %s", s.mqtt.getClientId())
                    .isEmpty();
        }
        System.out.printf("CrashRecoveryIT: %d kills, %d broker starts, %d messages acknowledged%n", KILLS, starts,
                total);
    }

    private static int ackedCount(List<Client> publishers) {
        return publishers.stream().mapToInt(p -> p.acked.size()).sum();
    }

    /** Publishes sequence-numbered messages, at most {@link #IN_FLIGHT} unacknowledged, while connected. */
    private void publish(Client p, String name, int qos) {
        int seq = 0;
        while (publishing.get() && seq < MAX_PER_PUBLISHER) {
            try {
                if (!p.window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            if (!p.connected) {
                p.window.release();
                await().atMost(START).until(() -> p.connected || !publishing.get());
                continue;
            }
            int n = seq;
            MqttMessage m = new MqttMessage((name + ":" + n).getBytes(StandardCharsets.UTF_8));
            m.setQos(qos);
            AtomicBoolean done = new AtomicBoolean();
            try {
                p.mqtt.publish("crash/" + name, m, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        p.acked.add(n);
                        if (done.compareAndSet(false, true)) {
                            p.window.release();
                        }
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable cause) {
                        if (done.compareAndSet(false, true)) {
                            p.window.release();
                        }
                    }
                });
                seq++;
            } catch (MqttException e) {
                p.window.release(); // not connected at that instant: this number is not used, try again
            }
        }
    }

    private void startBroker() throws IOException {
        starts++;
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/cairn").toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(home.resolve("log/crash-console.log").toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        broker = pb.start();
    }
}
