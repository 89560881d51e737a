package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.client.testsupport.Brokers;
import io.cairn.client.testsupport.Events;
import io.cairn.client.testsupport.Received;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The client against the real Cairn broker, embedded: connect, QoS round trips, retained, will, subscriptions. */
class ClientBrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static EmbeddedBroker broker;
    private static int port;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = Brokers.start(0, s -> s.maxTopicLevels(8));
        port = Brokers.port(broker);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(MqttClient::close);
    }

    private MqttClient.Builder builder(String clientId) {
        return MqttClient.builder().host("127.0.0.1").port(port).clientId(clientId)
                .reconnectPolicy(ReconnectPolicy.none());
    }

    private MqttClient track(MqttClient c) {
        clients.add(c);
        return c;
    }

    private MqttClient connected(String clientId) throws Exception {
        MqttClient c = track(builder(clientId).build());
        c.connect().get(10, TimeUnit.SECONDS);
        return c;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("connect: accepted, no session present on a clean session, state and listener follow")
    void connectAccepted() throws Exception {
        Events events = new Events();
        MqttClient c = track(builder("c-ok").connectionListener(events).build());
        assertThat(c.state()).isEqualTo(ClientState.NEW);

        ConnectResult result = get(c.connect());

        assertThat(result.returnCode()).isEqualTo(ConnectReturnCode.ACCEPTED);
        assertThat(result.sessionPresent()).isFalse();
        assertThat(c.isConnected()).isTrue();
        assertThat(get(c.connect())).as("connect() when connected returns the current result").isSameAs(result);
        assertThat(events.kinds()).containsExactly("connected");
        assertThat(broker.broker().clients()).anyMatch(i -> i.clientId().equals("c-ok"));
    }

    @Test
    @Tag("MQTT-3.1.3-6")
    @DisplayName("[MQTT-3.1.3-6] an empty client identifier with a clean session is accepted")
    void emptyClientIdWithCleanSession() throws Exception {
        MqttClient c = track(builder("").build());
        assertThat(get(c.connect()).returnCode()).isEqualTo(ConnectReturnCode.ACCEPTED);
        assertThat(get(c.publish("empty/id", "x", Qos.AT_LEAST_ONCE, false)).packetId()).isPositive();
    }

    @Test
    @DisplayName("the builder refuses an empty client identifier without clean session, and a password alone")
    void builderRefusesContradictions() {
        assertThatIllegalStateException().isThrownBy(() -> builder("").cleanSession(false).build())
                .withMessageContaining("clean session");
        assertThatIllegalStateException().isThrownBy(() -> builder("x").password(new byte[] {1}).build())
                .withMessageContaining("user name");
        assertThatIllegalStateException().isThrownBy(
                        () -> builder("x".repeat(24)).protocolVersion(MqttProtocolVersion.MQTT_3_1).build())
                .withMessageContaining("1 to 23");
        assertThatIllegalArgumentException().isThrownBy(() -> builder("x").keepAlive(Duration.ofMillis(1500)));
    }

    @Test
    @DisplayName("a refused CONNACK fails connect() with the return code named: server unavailable (0x03)")
    void connectRefusedByBroker() throws Exception {
        try (EmbeddedBroker full = Brokers.start(0, s -> s.maxConnections(1))) {
            int fullPort = Brokers.port(full);
            MqttClient first = track(MqttClient.builder().host("127.0.0.1").port(fullPort).clientId("first")
                    .reconnectPolicy(ReconnectPolicy.none()).build());
            get(first.connect());
            Events events = new Events();
            MqttClient second = track(MqttClient.builder().host("127.0.0.1").port(fullPort).clientId("second")
                    .connectionListener(events).build());

            assertThatThrownBy(() -> get(second.connect()))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ConnectRefusedException.class)
                    .hasMessageContaining("server unavailable (0x03)")
                    .satisfies(e -> assertThat(((ConnectRefusedException) e).reason())
                            .isEqualTo(ConnectReturnCode.SERVER_UNAVAILABLE));
            assertThat(second.state()).isEqualTo(ClientState.DISCONNECTED);
            assertThat(events.kinds()).as("a failed connect() is not retried").containsExactly("disconnected");
            first.close();
            second.close();
        }
    }

    @Test
    @DisplayName("no server listening: connect() fails with ConnectionLostException naming the address")
    void connectNoServer() throws Exception {
        int freePort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            freePort = s.getLocalPort();
        }
        MqttClient c = track(MqttClient.builder().host("127.0.0.1").port(freePort).clientId("nobody").build());
        assertThatThrownBy(() -> get(c.connect())).cause().isInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("127.0.0.1:" + freePort);
    }

    @ParameterizedTest(name = "QoS {0}")
    @EnumSource(Qos.class)
    @DisplayName("a client receives what it publishes to its own subscription, at each QoS")
    void roundTripToItself(Qos qos) throws Exception {
        MqttClient c = connected("self-" + qos.value());
        Received received = new Received();
        SubscribeResult sub = get(c.subscribe("self/" + qos.value() + "/#", qos, received));
        assertThat(sub.allGranted()).isTrue();
        assertThat(sub.grant(0).grantedQos()).isEqualTo(qos);

        PublishResult result = get(c.publish("self/" + qos.value() + "/x", "payload " + qos, qos, false));

        assertThat(result.qos()).isEqualTo(qos);
        assertThat(result.packetId()).isEqualTo(qos == Qos.AT_MOST_ONCE ? 0 : result.packetId()).isNotNegative();
        if (qos != Qos.AT_MOST_ONCE) {
            assertThat(result.packetId()).isBetween(1, 65535);
        }
        await().atMost(WAIT).until(() -> received.count() == 1);
        ReceivedMessage m = received.messages().get(0);
        assertThat(m.topic()).isEqualTo("self/" + qos.value() + "/x");
        assertThat(m.payloadAsString()).isEqualTo("payload " + qos);
        assertThat(m.qos()).isEqualTo(qos);
        assertThat(m.retain()).isFalse();
        assertThat(m.dup()).isFalse();
    }

    @ParameterizedTest(name = "QoS {0}")
    @EnumSource(Qos.class)
    @DisplayName("one client publishes, another receives, in order, at each QoS")
    void betweenTwoClients(Qos qos) throws Exception {
        MqttClient subscriber = connected("sub-" + qos.value());
        MqttClient publisher = connected("pub-" + qos.value());
        Received received = new Received();
        get(subscriber.subscribe("two/" + qos.value(), qos, received));

        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(publisher.publish("two/" + qos.value(), ByteBuffer.wrap(("m" + i).getBytes(
                    StandardCharsets.UTF_8)), qos, false));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> received.count() == 50);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add("m" + i);
        }
        assertThat(received.payloads()).containsExactlyElementsOf(expected);
        assertThat(received.messages()).allMatch(m -> m.qos() == qos);
    }

    @Test
    @DisplayName("a retained message reaches a later subscriber with the retain flag")
    void retained() throws Exception {
        MqttClient publisher = connected("retainer");
        get(publisher.publish("retained/topic", "kept", Qos.AT_LEAST_ONCE, true));
        MqttClient late = connected("late");
        Received received = new Received();

        get(late.subscribe("retained/#", Qos.AT_LEAST_ONCE, received));

        await().atMost(WAIT).until(() -> received.count() == 1);
        assertThat(received.messages().get(0).retain()).isTrue();
        assertThat(received.messages().get(0).payloadAsString()).isEqualTo("kept");
        get(publisher.publish("retained/topic", new byte[0], Qos.AT_LEAST_ONCE, true)); // clear it
    }

    @Test
    @DisplayName("the will is published when the connection ends without DISCONNECT, not after disconnect()")
    void willOnAbruptLoss() throws Exception {
        MqttClient watcher = connected("watcher");
        Received wills = new Received();
        get(watcher.subscribe("wills/#", Qos.AT_LEAST_ONCE, wills));

        EventLoopGroup doomed = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        MqttClient dying = track(builder("dying").eventLoopGroup(doomed)
                .will(Will.of("wills/dying", "gone".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false))
                .build());
        get(dying.connect());
        MqttClient polite = track(builder("polite")
                .will(Will.of("wills/polite", "gone".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false))
                .build());
        get(polite.connect());
        get(polite.disconnect());
        assertThat(polite.state()).isEqualTo(ClientState.DISCONNECTED);

        // the event loop goes away under the client: its socket closes without DISCONNECT
        doomed.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();

        await().atMost(WAIT).until(() -> wills.count() == 1);
        assertThat(wills.messages().get(0).topic()).isEqualTo("wills/dying");
        assertThat(wills.messages().get(0).payloadAsString()).isEqualTo("gone");
        // a QoS 1 publish through the broker after the will: if the polite will were sent it would be here first
        get(watcher.publish("wills/marker", "m", Qos.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> wills.count() == 2);
        assertThat(wills.messages().get(1).topic()).isEqualTo("wills/marker");
    }

    @Test
    @DisplayName("a SUBSCRIBE with a refused filter reports 0x80 for it and keeps the granted one")
    void subscribeFailureVisible() throws Exception {
        MqttClient c = connected("partial");
        Received ok = new Received();
        // the broker allows 8 levels: the second filter has 9
        SubscribeResult result = get(c.subscribe(List.of(Subscription.of("fine/+", Qos.EXACTLY_ONCE),
                Subscription.of("a/b/c/d/e/f/g/h/i", Qos.AT_LEAST_ONCE)), ok));

        assertThat(result.allGranted()).isFalse();
        assertThat(result.grant(0).grantedQos()).isEqualTo(Qos.EXACTLY_ONCE);
        assertThat(result.grant(1).isGranted()).isFalse();
        assertThat(result.grant(1).returnCode()).isEqualTo(SubscriptionGrant.FAILURE);
        assertThatIllegalStateException().isThrownBy(() -> result.grant(1).grantedQos())
                .withMessageContaining("0x80");
        get(c.publish("fine/x", "hello", Qos.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> ok.count() == 1);
    }

    @Test
    @DisplayName("after UNSUBACK a filter's listener gets nothing; an overlapping filter still does")
    void unsubscribe() throws Exception {
        MqttClient c = connected("unsub");
        Received wide = new Received();
        Received narrow = new Received();
        get(c.subscribe("u/#", Qos.AT_LEAST_ONCE, wide));
        get(c.subscribe("u/x", Qos.AT_LEAST_ONCE, narrow));
        get(c.publish("u/x", "1", Qos.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> wide.count() >= 1 && narrow.count() >= 1);

        UnsubscribeResult result = get(c.unsubscribe("u/x"));
        assertThat(result.filters()).containsExactly("u/x");
        int narrowBefore = narrow.count();
        int wideBefore = wide.count();
        get(c.publish("u/x", "2", Qos.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> wide.payloads().contains("2"));
        assertThat(wide.count()).isGreaterThan(wideBefore);
        assertThat(narrow.count()).isEqualTo(narrowBefore);
    }

    @Test
    @DisplayName("a listener that throws is logged; the connection and later messages are not affected")
    void listenerExceptionIsContained() throws Exception {
        MqttClient c = connected("thrower");
        Received received = new Received();
        get(c.subscribe("boom", Qos.AT_LEAST_ONCE, m -> {
            received.onMessage(m);
            if (m.payloadAsString().equals("first")) {
                throw new IllegalStateException("listener failure on purpose");
            }
        }));

        get(c.publish("boom", "first", Qos.AT_LEAST_ONCE, false));
        get(c.publish("boom", "second", Qos.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> received.count() == 2);
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a listener may publish on the event loop thread: the reply goes out without a thread hop")
    void publishFromListener() throws Exception {
        MqttClient echo = connected("echo");
        MqttClient asker = connected("asker");
        List<Boolean> onLoop = new java.util.concurrent.CopyOnWriteArrayList<>();
        get(echo.subscribe("ask", Qos.AT_LEAST_ONCE, m -> {
            onLoop.add(echo.eventLoop().inEventLoop());
            echo.publish("answer", "re: " + m.payloadAsString(), Qos.AT_LEAST_ONCE, false);
        }));
        Received answers = new Received();
        get(asker.subscribe("answer", Qos.AT_LEAST_ONCE, answers));

        get(asker.publish("ask", "ping", Qos.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> answers.count() == 1);
        assertThat(answers.payloads()).containsExactly("re: ping");
        assertThat(onLoop).containsExactly(true);
    }

    @Test
    @DisplayName("publish validates the topic locally with a clear IllegalArgumentException")
    void publishValidatesTopic() throws Exception {
        MqttClient c = connected("validator");
        assertThatIllegalArgumentException().isThrownBy(() -> c.publish("a/+", "x", Qos.AT_MOST_ONCE, false))
                .withMessageContaining("wildcard");
        assertThatIllegalArgumentException().isThrownBy(() -> c.publish("", "x", Qos.AT_MOST_ONCE, false))
                .withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> c.subscribe("a/#/b", Qos.AT_MOST_ONCE, m -> { }))
                .withMessageContaining("'#'");
    }

    @Test
    @DisplayName("MQTT 3.1 (MQIsdp, level 3) connects and round-trips QoS 2")
    void mqtt31() throws Exception {
        MqttClient c = track(builder("v31").protocolVersion(MqttProtocolVersion.MQTT_3_1).build());
        get(c.connect());
        Received received = new Received();
        get(c.subscribe("v31", Qos.EXACTLY_ONCE, received));
        get(c.publish("v31", "old", Qos.EXACTLY_ONCE, false));
        await().atMost(WAIT).until(() -> received.count() == 1);
    }

    @Test
    @DisplayName("disconnect() stops the client without reconnecting; operations then fail")
    void disconnect() throws Exception {
        Events events = new Events();
        MqttClient c = track(builder("leaver").connectionListener(events)
                .reconnectPolicy(ReconnectPolicy.exponentialBackoff(Duration.ofMillis(10), Duration.ofMillis(10), 1))
                .build());
        get(c.connect());

        get(c.disconnect());

        assertThat(c.state()).isEqualTo(ClientState.DISCONNECTED);
        assertThat(events.kinds()).containsExactly("connected", "disconnected");
        assertThatThrownBy(() -> get(c.publish("x", "y", Qos.AT_LEAST_ONCE, false))).cause()
                .isInstanceOf(ConnectionLostException.class).hasMessageContaining("disconnected");
        await().atMost(WAIT).until(() -> broker.broker().clients().stream()
                .noneMatch(i -> i.clientId().equals("leaver")));
        assertThat(c.state()).isEqualTo(ClientState.DISCONNECTED);
        // and connect() works again
        get(c.connect());
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    @DisplayName("close() fails pending futures, stops its own threads and leaves a caller's group running")
    void closeReleasesEverything() throws Exception {
        MqttClient own = track(builder("owner-thread").build());
        get(own.connect());
        Thread loopThread = own.eventLoop().submit(Thread::currentThread).get();
        own.close();
        assertThat(own.state()).isEqualTo(ClientState.CLOSED);
        loopThread.join(5_000);
        assertThat(loopThread.isAlive()).as("the client's own event loop thread ended").isFalse();
        assertThatThrownBy(() -> get(own.connect())).cause().isInstanceOf(ClientClosedException.class);

        EventLoopGroup shared = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Events events = new Events();
            MqttClient guest = builder("guest").eventLoopGroup(shared).connectionListener(events).build();
            get(guest.connect());
            get(guest.subscribe("never", Qos.AT_LEAST_ONCE, m -> { }));
            guest.close();
            assertThat(shared.isShuttingDown()).isFalse();
            assertThat(events.kinds()).endsWith("closed");
            assertThatThrownBy(() -> get(guest.publish("x", "y", Qos.AT_LEAST_ONCE, false))).cause()
                    .isInstanceOf(ClientClosedException.class);
        } finally {
            shared.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    @DisplayName("many threads publish at once: every future completes and nothing is lost")
    void concurrentPublishers() throws Exception {
        MqttClient c = connected("threads");
        Received received = new Received();
        get(c.subscribe("threads/#", Qos.AT_LEAST_ONCE, received));
        int threads = 4;
        int each = 250;
        List<CompletableFuture<PublishResult>> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    all.add(c.publish("threads/" + id, "m" + i, Qos.AT_LEAST_ONCE, false));
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join(10_000);
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> received.count() == threads * each);
        for (int t = 0; t < threads; t++) {
            String topic = "threads/" + t;
            List<String> perThread = received.messages().stream().filter(m -> m.topic().equals(topic))
                    .map(ReceivedMessage::payloadAsString).toList();
            assertThat(perThread).as("order of one publishing thread").hasSize(each)
                    .isEqualTo(java.util.stream.IntStream.range(0, each).mapToObj(i -> "m" + i).toList());
        }
    }
}
