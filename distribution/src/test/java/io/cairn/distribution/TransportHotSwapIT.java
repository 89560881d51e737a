package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
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
 * The transport-tcp bundle replaced by a new build in {@code deploy/} of a running broker (a real Felix), while 200
 * Paho clients with persistent sessions exchange QoS 1 messages and other clients keep connecting: no message
 * acknowledged to a publisher is lost, no connection attempt is refused, and the broker service names the new
 * bundle version as the listener's provider. With the listener's default, open connections stay open through the
 * update; with {@code drainMillis}, they are closed once the new version serves and come back within the drain.
 */
class TransportHotSwapIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration HOT = Duration.ofSeconds(60);
    private static final int CLIENTS = 200;
    /** Each client publishes one message per tick; bounded by {@link #MAX_PER_CLIENT}. */
    private static final long TICK_MILLIS = 100;
    private static final int MAX_PER_CLIENT = 600;
    private static final String NEW_VERSION = "0.1.1.hotswap";

    @TempDir
    Path temp;

    private Cairn cairn;
    private final List<MqttAsyncClient> clients = new ArrayList<>();
    private ScheduledExecutorService load;

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
    @DisplayName("transport-tcp updated under QoS 1 load from 200 persistent clients: connections stay open, no "
            + "message lost, no connection attempt refused, the new version serves the listener")
    void updateKeepsConnections() throws Exception {
        Swap swap = run("");
        assertThat(swap.lost).as("connections lost during the update (listener keeps them)").isEmpty();
    }

    @Test
    @DisplayName("transport-tcp updated with drainMillis = 3000: every client is disconnected once the new version "
            + "serves and is back within the drain; no message lost, no connection attempt refused")
    void updateDrainsConnections() throws Exception {
        long drainMillis = 3000;
        Swap swap = run("drainMillis = " + drainMillis + "\n");
        await("every client disconnected by the drain and reconnected").atMost(HOT)
                .until(() -> swap.reconnected.size() == CLIENTS);
        assertThat(swap.lost).as("clients disconnected by the drain").hasSize(CLIENTS);
        long longest = swap.longestOutage.get();
        assertThat(Duration.ofNanos(longest)).as("longest time a client was disconnected")
                .isLessThan(Duration.ofMillis(drainMillis));
        awaitEveryAcknowledgedMessage(swap);
    }

    /** What the clients saw across the update. */
    private static final class Swap {
        final Map<String, Long> lost = new ConcurrentHashMap<>();
        final Set<String> reconnected = ConcurrentHashMap.newKeySet();
        final AtomicLong longestOutage = new AtomicLong();
        /** Sequence numbers acknowledged to each publisher (by client index), and received from each publisher. */
        final List<Set<Integer>> acked = new ArrayList<>();
        final List<Set<Integer>> received = new ArrayList<>();
        final AtomicInteger probes = new AtomicInteger();
        final List<String> refused = new CopyOnWriteArrayList<>();
    }

    private Swap run(String listenerExtra) throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        Files.writeString(home.resolve("etc/io.cairn.transport.tcp-default.cfg"), listenerExtra,
                java.nio.file.StandardOpenOption.APPEND);
        cairn = Main.launch(home, Map.of());
        cairn.awaitStartup(STARTUP);
        await("listener open").atMost(HOT).until(() -> Runtimes.isOpen(port));
        String oldProvider = provider("default");
        assertThat(oldProvider).startsWith("io.cairn.transport.tcp ");

        Swap swap = new Swap();
        for (int i = 0; i < CLIENTS; i++) {
            swap.acked.add(ConcurrentHashMap.newKeySet());
            swap.received.add(ConcurrentHashMap.newKeySet());
        }
        List<IMqttToken> connecting = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            connecting.add(connect(port, i, swap));
        }
        for (IMqttToken t : connecting) {
            t.waitForCompletion(HOT.toMillis());
        }
        List<IMqttToken> subscribing = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            subscribing.add(clients.get(i).subscribe("swap/" + i, 1));
        }
        for (IMqttToken t : subscribing) {
            t.waitForCompletion(HOT.toMillis());
        }
        assertThat(connections("default")).as("connections the broker counts on the listener")
                .isGreaterThanOrEqualTo(CLIENTS);

        // QoS 1 traffic: client i publishes to the topic client i+1 subscribed to
        load = Executors.newScheduledThreadPool(2);
        AtomicInteger[] sequence = new AtomicInteger[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            sequence[i] = new AtomicInteger();
        }
        load.scheduleAtFixedRate(() -> {
            for (int i = 0; i < CLIENTS; i++) {
                publish(clients.get(i), i, sequence[i], swap);
            }
        }, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        await("traffic flowing").atMost(HOT).until(() -> swap.received.get(1).size() >= 5);

        // new connections all through the update, each must get its CONNACK
        AtomicBoolean probing = new AtomicBoolean(true);
        Thread prober = new Thread(() -> probe(port, probing, swap), "hot-swap-prober");
        prober.start();
        try {
            Path deployed = Runtimes.jar(home.resolve("deploy"), "cairn-transport-tcp-");
            Path rebuilt = temp.resolve("rebuilt.jar");
            withVersion(deployed, rebuilt, NEW_VERSION);
            // a new build over the old file: FileInstall updates the bundle in place
            Files.move(rebuilt, deployed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            await("the new version serves the listener").atMost(HOT)
                    .until(() -> ("io.cairn.transport.tcp " + NEW_VERSION).equals(provider("default")));
            int probesAtSwap = swap.probes.get();
            await("connection attempts after the swap").atMost(HOT).until(() -> swap.probes.get() >= probesAtSwap + 20);
        } finally {
            probing.set(false);
            prober.join(TimeUnit.SECONDS.toMillis(40));
        }
        assertThat(swap.refused).as("connection attempts refused or not answered").isEmpty();
        assertThat(swap.probes.get()).as("connection attempts during the update").isGreaterThan(20);
        if (listenerExtra.isEmpty()) {
            awaitEveryAcknowledgedMessage(swap);
        }
        return swap;
    }

    /** Stops the load and waits until every message acknowledged to a publisher has reached its subscriber. */
    private void awaitEveryAcknowledgedMessage(Swap swap) {
        load.shutdownNow();
        await("every acknowledged message delivered").atMost(HOT).untilAsserted(() -> {
            for (int i = 0; i < CLIENTS; i++) {
                Set<Integer> missing = new java.util.TreeSet<>(swap.acked.get(i));
                missing.removeAll(swap.received.get(i));
                assertThat(missing).as("messages of client %d acknowledged but not delivered", i).isEmpty();
            }
        });
        int total = swap.acked.stream().mapToInt(Set::size).sum();
        assertThat(total).as("messages acknowledged in all").isGreaterThan(CLIENTS * 10);
    }

    /** Starts connecting client {@code index}, added to {@link #clients}; the token completes with its CONNACK. */
    private IMqttToken connect(int port, int index, Swap swap) throws MqttException {
        String id = "swap-" + index;
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(1000);
        options.setMaxInflight(1000);
        options.setKeepAliveInterval(30);
        AtomicLong lostAt = new AtomicLong();
        c.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                if (reconnect) {
                    long outage = System.nanoTime() - lostAt.get();
                    swap.longestOutage.accumulateAndGet(outage, Math::max);
                    swap.reconnected.add(id);
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
                lostAt.set(System.nanoTime());
                swap.lost.put(id, System.nanoTime());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                String text = new String(message.getPayload(), StandardCharsets.US_ASCII);
                int colon = text.indexOf(':');
                swap.received.get(Integer.parseInt(text.substring(0, colon)))
                        .add(Integer.parseInt(text.substring(colon + 1)));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // counted by the publish listener
            }
        });
        clients.add(c);
        return c.connect(options);
    }

    private static void publish(MqttAsyncClient c, int index, AtomicInteger sequence, Swap swap) {
        if (!c.isConnected() || sequence.get() >= MAX_PER_CLIENT) {
            return; // not counted: only acknowledged messages must arrive
        }
        int seq = sequence.incrementAndGet();
        MqttMessage m = new MqttMessage((index + ":" + seq).getBytes(StandardCharsets.US_ASCII));
        m.setQos(1);
        try {
            c.publish("swap/" + ((index + 1) % CLIENTS), m, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    swap.acked.get(index).add(seq);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    // not acknowledged: the publisher knows it may be lost
                }
            });
        } catch (MqttException e) {
            // disconnected between the check and the publish: not acknowledged
        }
    }

    /** Opens connections one after the other and expects a CONNACK on each, until {@code probing} ends. */
    private static void probe(int port, AtomicBoolean probing, Swap swap) {
        byte[] connect = connectPacket("probe");
        while (probing.get() && swap.probes.get() < 100_000) {
            int n = swap.probes.incrementAndGet();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                out.write(connect);
                out.flush();
                InputStream in = s.getInputStream();
                byte[] connack = in.readNBytes(4);
                if (connack.length != 4 || connack[0] != 0x20 || connack[3] != 0) {
                    swap.refused.add("attempt " + n + ": no CONNACK 0 but " + java.util.Arrays.toString(connack));
                }
            } catch (IOException e) {
                swap.refused.add("attempt " + n + ": " + e);
            }
        }
    }

    /** CONNECT, MQTT 3.1.1, clean session, keep-alive 30 s. */
    private static byte[] connectPacket(String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 30, 0, (byte) id.length});
        body.writeBytes(id);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        packet.write(body.size());
        packet.writeBytes(body.toByteArray());
        return packet.toByteArray();
    }

    /** Copies the bundle {@code from} to {@code to} with another Bundle-Version: a new build of the same code. */
    private static void withVersion(Path from, Path to, String version) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(from))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(to), manifest)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }

    /** What serves the listener {@code name} while it is open, or {@code null}. */
    private String provider(String name) throws Exception {
        BrokerService.Listener l = new BrokerService(cairn).listener(name);
        return l == null || !l.state().equals("OPEN") ? null : l.provider();
    }

    private int connections(String name) throws Exception {
        BrokerService.Listener l = new BrokerService(cairn).listener(name);
        return l == null ? 0 : l.connections();
    }
}
