package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.client.testsupport.Events;
import io.cairn.client.testsupport.FakeServer;
import io.cairn.client.testsupport.FakeServer.Packet;
import io.cairn.client.testsupport.Received;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The client against a scripted server that withholds acknowledgements, refuses, stays silent or drops the
 * connection, and records every packet the client sends.
 */
class ScriptedServerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private FakeServer server;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws InterruptedException {
        server = FakeServer.start();
    }

    @AfterEach
    void stop() {
        clients.forEach(MqttClient::close);
        server.close();
    }

    private MqttClient.Builder builder(String clientId) {
        return MqttClient.builder().host("127.0.0.1").port(server.port()).clientId(clientId)
                .reconnectPolicy(ReconnectPolicy.none());
    }

    private MqttClient track(MqttClient c) {
        clients.add(c);
        return c;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static ReconnectPolicy fastReconnect() {
        return ReconnectPolicy.exponentialBackoff(Duration.ofMillis(20), Duration.ofMillis(100), 2.0);
    }

    @Test
    @DisplayName("a refused CONNACK names the return code: not authorized (0x05)")
    void refusedNotAuthorized() {
        server.connackCode = 5;
        MqttClient c = track(builder("refused").username("u").password(new byte[] {1, 2}).build());

        assertThatThrownBy(() -> get(c.connect()))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(ConnectRefusedException.class)
                .hasMessageContaining("not authorized (0x05)")
                .satisfies(e -> {
                    assertThat(((ConnectRefusedException) e).returnCode()).isEqualTo(5);
                    assertThat(((ConnectRefusedException) e).reason()).isEqualTo(ConnectReturnCode.NOT_AUTHORIZED);
                });
        assertThat(c.state()).isEqualTo(ClientState.DISCONNECTED);
        await().atMost(WAIT).until(() -> !server.isOpen(0));
    }

    @Test
    @DisplayName("no CONNACK within the connect timeout: connect() fails and the connection is closed")
    void connectTimeout() {
        server.answerConnect = false;
        MqttClient c = track(builder("silent").connectTimeout(Duration.ofMillis(300)).build());

        assertThatThrownBy(() -> get(c.connect())).cause().isInstanceOf(MqttClientException.class)
                .hasMessageContaining("no CONNACK").hasMessageContaining("300 ms");
        await().atMost(WAIT).until(() -> !server.isOpen(0));
        assertThat(c.state()).isEqualTo(ClientState.DISCONNECTED);
    }

    @Test
    @DisplayName("the in-flight window is never exceeded; more wait in order in the bounded queue; beyond it fails")
    void inflightWindow() throws Exception {
        server.ackPublishes = false;
        MqttClient c = track(builder("window").maxInflight(4).maxQueuedPublishes(7).build());
        get(c.connect());

        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            futures.add(c.publish("w", "m" + i, i % 2 == 0 ? Qos.AT_LEAST_ONCE : Qos.EXACTLY_ONCE, false));
        }
        // a QoS 0 message queues behind them too, keeping the order
        CompletableFuture<PublishResult> qos0 = c.publish("w", "zero", Qos.AT_MOST_ONCE, false);
        CompletableFuture<PublishResult> overflow = c.publish("w", "too many", Qos.AT_LEAST_ONCE, false);

        assertThatThrownBy(() -> get(overflow)).cause().isInstanceOf(PublishQueueFullException.class)
                .hasMessageContaining("window of 4").hasMessageContaining("7 publishes");
        awaitPackets(MqttMessageType.PUBLISH, 4);
        assertThat(futures).noneMatch(CompletableFuture::isDone);
        assertThat(qos0).isNotDone();

        // complete one flow at a time: each frees one slot for the next queued message
        for (int i = 0; i < 10; i++) {
            server.ack(awaitPackets(MqttMessageType.PUBLISH, i + 1).get(i));
            CompletableFuture<PublishResult> f = futures.get(i);
            await().atMost(WAIT).until(f::isDone);
            assertThat(get(f).qos().value()).isEqualTo(i % 2 == 0 ? 1 : 2);
        }
        get(qos0);

        assertThat(server.maxUnacked()).as("QoS 1/2 flows open at once").isEqualTo(4);
        List<String> order = server.received(MqttMessageType.PUBLISH).stream().map(Packet::payloadAsString).toList();
        assertThat(order).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "zero");
    }

    private List<Packet> awaitPackets(MqttMessageType type, int count) {
        await().atMost(WAIT).until(() -> server.received(type).size() >= count);
        return server.received(type);
    }

    @Test
    @DisplayName("keep-alive: PINGREQ when idle; no answer within another period declares the connection lost")
    void keepAlive() throws Exception {
        Events events = new Events();
        MqttClient c = track(builder("pinger").keepAlive(Duration.ofSeconds(1)).connectionListener(events).build());
        get(c.connect());

        await().atMost(WAIT).until(() -> server.received(MqttMessageType.PINGREQ).size() >= 2);
        assertThat(c.isConnected()).isTrue();
        assertThat(events.of("lost")).isEmpty();

        server.answerPings = false;
        long silentSince = System.nanoTime();
        await().atMost(WAIT).until(() -> !events.of("lost").isEmpty());
        long detectedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentSince);

        assertThat(events.of("lost").get(0).cause()).hasMessageContaining("no PINGRESP");
        assertThat(detectedAfterMillis).as("lost within about two keep-alive periods").isLessThan(4_000);
        assertThat(c.state()).isEqualTo(ClientState.DISCONNECTED);
        await().atMost(WAIT).until(() -> !server.isOpen(0));
    }

    @Test
    @Tag("MQTT-4.4.0-1")
    @DisplayName("[MQTT-4.4.0-1] after a reconnect with session present, unacknowledged QoS 1/2 go again in order:"
            + " PUBLISH with DUP and the same packet id, PUBREL after PUBREC")
    void resendWithSessionPresent() throws Exception {
        server.ackPublishes = false;
        MqttClient c = track(builder("resender").cleanSession(false).reconnectPolicy(fastReconnect()).build());
        get(c.connect());
        CompletableFuture<PublishResult> a = c.publish("r/a", "A", Qos.AT_LEAST_ONCE, false);
        CompletableFuture<PublishResult> b = c.publish("r/b", "B", Qos.EXACTLY_ONCE, false);
        CompletableFuture<PublishResult> d = c.publish("r/d", "D", Qos.EXACTLY_ONCE, false);
        CompletableFuture<PublishResult> e = c.publish("r/e", "E", Qos.AT_LEAST_ONCE, false);
        List<Packet> first = awaitPackets(MqttMessageType.PUBLISH, 4);
        server.answerPubRel = false;
        server.ack(first.get(1)); // PUBREC for B: the client answers PUBREL, which stays unanswered
        awaitPackets(MqttMessageType.PUBREL, 1);

        server.sessionPresent = true;
        server.ackPublishes = true;
        server.answerPubRel = true;
        server.dropConnections();

        await().atMost(WAIT).until(() -> server.connectionCount() == 2 && server.receivedOn(1).size() >= 5);
        CompletableFuture.allOf(a, b, d, e).get(10, TimeUnit.SECONDS);
        List<Packet> again = server.receivedOn(1).stream().filter(p -> p.type() != MqttMessageType.CONNECT)
                .limit(4).toList();
        assertThat(again).extracting(Packet::type).containsExactly(MqttMessageType.PUBLISH, MqttMessageType.PUBREL,
                MqttMessageType.PUBLISH, MqttMessageType.PUBLISH);
        assertThat(again.get(0)).satisfies(p -> {
            assertThat(p.topic()).isEqualTo("r/a");
            assertThat(p.dup()).isTrue();
            assertThat(p.packetId()).isEqualTo(first.get(0).packetId());
        });
        assertThat(again.get(1).packetId()).isEqualTo(first.get(1).packetId());
        assertThat(again.get(2)).satisfies(p -> {
            assertThat(p.topic()).isEqualTo("r/d");
            assertThat(p.dup()).isTrue();
            assertThat(p.qos()).isEqualTo(2);
            assertThat(p.packetId()).isEqualTo(first.get(2).packetId());
        });
        assertThat(again.get(3)).satisfies(p -> {
            assertThat(p.topic()).isEqualTo("r/e");
            assertThat(p.dup()).isTrue();
            assertThat(p.packetId()).isEqualTo(first.get(3).packetId());
        });
        assertThat(get(b).packetId()).isEqualTo(first.get(1).packetId());
    }

    @Test
    @DisplayName("after a reconnect without session, unacknowledged messages go again as new ones and the"
            + " subscriptions are restored")
    void resendWithoutSession() throws Exception {
        server.ackPublishes = false;
        MqttClient c = track(builder("fresh").cleanSession(false).reconnectPolicy(fastReconnect()).build());
        get(c.connect());
        get(c.subscribe("keep/#", Qos.AT_LEAST_ONCE, m -> { }));
        CompletableFuture<PublishResult> a = c.publish("n/a", "A", Qos.AT_LEAST_ONCE, false);
        awaitPackets(MqttMessageType.PUBLISH, 1);

        server.sessionPresent = false;
        server.ackPublishes = true;
        server.dropConnections();

        get(a);
        await().atMost(WAIT).until(() -> server.receivedOn(1).stream()
                .anyMatch(p -> p.type() == MqttMessageType.SUBSCRIBE));
        Packet again = server.receivedOn(1).stream().filter(p -> p.type() == MqttMessageType.PUBLISH)
                .findFirst().orElseThrow();
        assertThat(again.dup()).isFalse();
        assertThat(again.payloadAsString()).isEqualTo("A");
    }

    @Test
    @DisplayName("clean session: a lost connection fails pending QoS 1/2 with ConnectionLostException, not re-sent")
    void cleanSessionFailsPending() throws Exception {
        server.ackPublishes = false;
        Events events = new Events();
        MqttClient c = track(builder("cleaner").reconnectPolicy(fastReconnect()).connectionListener(events)
                .build());
        get(c.connect());
        CompletableFuture<PublishResult> a = c.publish("c/a", "A", Qos.AT_LEAST_ONCE, false);
        CompletableFuture<PublishResult> b = c.publish("c/b", "B", Qos.EXACTLY_ONCE, false);
        awaitPackets(MqttMessageType.PUBLISH, 2);

        server.dropConnections();

        assertThatThrownBy(() -> get(a)).cause().isInstanceOf(ConnectionLostException.class);
        assertThatThrownBy(() -> get(b)).cause().isInstanceOf(ConnectionLostException.class);
        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        server.ackPublishes = true;
        get(c.publish("c/c", "C", Qos.AT_LEAST_ONCE, false));
        assertThat(server.receivedOn(1).stream().filter(p -> p.type() == MqttMessageType.PUBLISH)
                .map(Packet::payloadAsString)).containsExactly("C");
        assertThat(events.kinds()).startsWith("connected", "lost", "reconnecting");
        assertThat(events.of("reconnecting").get(0).attempt()).isEqualTo(1);
    }

    @Test
    @Tag("MQTT-4.3.3-2")
    @DisplayName("[MQTT-4.3.3-2] inbound QoS 2 reaches the listener once even when the server re-sends it with DUP")
    void inboundQos2ExactlyOnce() throws Exception {
        Received received = new Received();
        MqttClient c = track(builder("q2").build());
        get(c.connect());
        get(c.subscribe("q2/#", Qos.EXACTLY_ONCE, received));

        server.publish("q2/x", "once", 2, 7, false);
        await().atMost(WAIT).until(() -> server.received(MqttMessageType.PUBREC).size() == 1);
        server.publish("q2/x", "once", 2, 7, true);
        await().atMost(WAIT).until(() -> server.received(MqttMessageType.PUBREC).size() == 2);
        assertThat(received.count()).isEqualTo(1);
        assertThat(server.received(MqttMessageType.PUBREC)).allMatch(p -> p.packetId() == 7);

        server.sendPubRel(7);
        await().atMost(WAIT).until(() -> server.received(MqttMessageType.PUBCOMP).size() == 1);
        assertThat(server.received(MqttMessageType.PUBCOMP).get(0).packetId()).isEqualTo(7);

        // the id is free again: a new message with it is delivered
        server.publish("q2/x", "twice", 2, 7, false);
        await().atMost(WAIT).until(() -> received.count() == 2);
        assertThat(received.payloads()).containsExactly("once", "twice");
    }

    @Test
    @DisplayName("inbound QoS 1 is acknowledged after the listener returns")
    void inboundQos1AckAfterListener() throws Exception {
        List<Integer> pubAcksSeenByListener = new java.util.concurrent.CopyOnWriteArrayList<>();
        MqttClient c = track(builder("q1").build());
        get(c.connect());
        get(c.subscribe("q1", Qos.AT_LEAST_ONCE,
                m -> pubAcksSeenByListener.add(server.received(MqttMessageType.PUBACK).size())));

        server.publish("q1", "x", 1, 3, false);

        await().atMost(WAIT).until(() -> server.received(MqttMessageType.PUBACK).size() == 1);
        assertThat(pubAcksSeenByListener).containsExactly(0);
        assertThat(server.received(MqttMessageType.PUBACK).get(0).packetId()).isEqualTo(3);
    }

    @Test
    @DisplayName("messages matching no subscription go to the default listener")
    void defaultListener() throws Exception {
        Received fallback = new Received();
        Received subscribed = new Received();
        MqttClient c = track(builder("fallback").defaultListener(fallback).build());
        get(c.connect());
        get(c.subscribe("mine", Qos.AT_LEAST_ONCE, subscribed));

        server.publish("other", "stray", 1, 1, false);
        server.publish("mine", "expected", 1, 2, false);

        await().atMost(WAIT).until(() -> fallback.count() == 1 && subscribed.count() == 1);
        assertThat(fallback.payloads()).containsExactly("stray");
        assertThat(subscribed.payloads()).containsExactly("expected");
    }

    @Test
    @DisplayName("a SUBSCRIBE refused with 0x80 is reported and its listener removed")
    void subscribeRefused() throws Exception {
        server.subAckCode = 0x80;
        Received fallback = new Received();
        Received never = new Received();
        MqttClient c = track(builder("refusedsub").defaultListener(fallback).build());
        get(c.connect());

        SubscribeResult result = get(c.subscribe("denied/#", Qos.AT_LEAST_ONCE, never));

        assertThat(result.grant(0).isGranted()).isFalse();
        assertThat(result.grant(0).returnCode()).isEqualTo(0x80);
        server.publish("denied/x", "stray", 0, 0, false);
        await().atMost(WAIT).until(() -> fallback.count() == 1);
        assertThat(never.count()).isZero();
    }
}
