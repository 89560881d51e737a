package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.client.testsupport.FakeServer;
import io.cairn.client.testsupport.FakeServer.Packet;
import io.cairn.client.testsupport.Received;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Manual acknowledgement against a scripted server that sends PUBLISH packets of its choosing and records the
 * acknowledgements the client sends, in order.
 *
 * <p>To show that an acknowledgement was <em>not</em> sent, a test publishes a QoS 0 "barrier" message from the
 * client after the call in question: the client writes in order on its event loop, so once the server has the
 * barrier it has every packet written before it.
 */
class ManualAcknowledgementTest {

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
                .manualAcknowledgement(true).reconnectPolicy(ReconnectPolicy.none());
    }

    private MqttClient track(MqttClient c) {
        clients.add(c);
        return c;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    /** A connected client subscribed to {@code m/#} at QoS 2, its messages going to {@code received}. */
    private MqttClient subscribed(MqttClient.Builder b, Received received) throws Exception {
        MqttClient c = track(b.build());
        get(c.connect());
        get(c.subscribe("m/#", Qos.EXACTLY_ONCE, received));
        return c;
    }

    /** Publishes a QoS 0 barrier from the client and waits until the server has it. */
    private void barrier(MqttClient c, String name) throws Exception {
        get(c.publish("barrier/" + name, name, Qos.AT_MOST_ONCE, false));
        await().atMost(WAIT).until(() -> server.received(MqttMessageType.PUBLISH).stream()
                .anyMatch(p -> p.topic().equals("barrier/" + name)));
    }

    /** The packet identifiers of the acknowledgements of {@code type} the server got, in order. */
    private List<Integer> acks(MqttMessageType type) {
        return server.received(type).stream().map(Packet::packetId).toList();
    }

    private static ReceivedMessage withPayload(Received received, String payload) {
        return received.messages().stream().filter(m -> m.payloadAsString().equals(payload)).findFirst()
                .orElseThrow();
    }

    @Test
    @Tag("MQTT-4.6.0-2")
    @DisplayName("[MQTT-4.6.0-2] PUBACKs leave in the order the PUBLISH packets arrived, whatever order the "
            + "application acknowledges in")
    void acknowledgementsLeaveInArrivalOrder() throws Exception {
        Received received = new Received();
        MqttClient c = subscribed(builder("ordered"), received);
        server.publish("m/a", "first", 1, 11, false);
        server.publish("m/a", "second", 1, 12, false);
        server.publish("m/a", "third", 1, 13, false);
        await().atMost(WAIT).until(() -> received.count() == 3);
        assertThat(received.messages()).extracting(ReceivedMessage::packetId).containsExactly(11, 12, 13);

        withPayload(received, "third").acknowledge();
        withPayload(received, "second").acknowledge();
        barrier(c, "held");
        assertThat(acks(MqttMessageType.PUBACK)).as("nothing may pass the unacknowledged first message").isEmpty();

        withPayload(received, "first").acknowledge();
        await().atMost(WAIT).until(() -> acks(MqttMessageType.PUBACK).size() == 3);
        assertThat(acks(MqttMessageType.PUBACK)).containsExactly(11, 12, 13);
    }

    @Test
    @DisplayName("acknowledge() sends the PUBACK of a message once, however often and from whichever thread it is "
            + "called")
    void acknowledgeIsIdempotent() throws Exception {
        Received received = new Received();
        MqttClient c = subscribed(builder("twice"), received);
        server.publish("m/a", "once", 1, 21, false);
        await().atMost(WAIT).until(() -> received.count() == 1);
        ReceivedMessage m = received.messages().get(0);

        Thread other = new Thread(m::acknowledge);
        other.start();
        m.acknowledge();
        other.join();
        c.eventLoop().submit(m::acknowledge).get(10, TimeUnit.SECONDS);
        barrier(c, "after");

        assertThat(acks(MqttMessageType.PUBACK)).containsExactly(21);
    }

    @Test
    @Tag("MQTT-4.3.3-2")
    @DisplayName("[MQTT-4.3.3-2] QoS 2: PUBREC only after acknowledge(), then PUBREL is answered with PUBCOMP; "
            + "delivered once")
    void qos2PubRecWaitsForAcknowledge() throws Exception {
        Received received = new Received();
        MqttClient c = subscribed(builder("exactly"), received);
        server.publish("m/b", "exactly once", 2, 31, false);
        await().atMost(WAIT).until(() -> received.count() == 1);
        barrier(c, "before-ack");
        assertThat(acks(MqttMessageType.PUBREC)).isEmpty();

        received.messages().get(0).acknowledge();
        await().atMost(WAIT).until(() -> acks(MqttMessageType.PUBREC).equals(List.of(31)));
        server.sendPubRel(31);
        await().atMost(WAIT).until(() -> acks(MqttMessageType.PUBCOMP).equals(List.of(31)));
        assertThat(received.payloads()).containsExactly("exactly once");
    }

    @Test
    @DisplayName("a re-sent PUBLISH (DUP) of a message still awaiting acknowledgement is not delivered again; one "
            + "acknowledgement answers both (QoS 1 and QoS 2)")
    void duplicateOfPendingMessageIsNotDeliveredTwice() throws Exception {
        Received received = new Received();
        MqttClient c = subscribed(builder("dup"), received);
        server.publish("m/c", "qos1", 1, 41, false);
        server.publish("m/c", "qos2", 2, 42, false);
        server.publish("m/c", "qos1", 1, 41, true);
        server.publish("m/c", "qos2", 2, 42, true);
        server.publish("m/c", "end", 0, 0, false);
        await().atMost(WAIT).until(() -> received.payloads().contains("end"));
        assertThat(received.payloads()).containsExactly("qos1", "qos2", "end");

        received.messages().get(0).acknowledge();
        received.messages().get(1).acknowledge();
        received.messages().get(2).acknowledge(); // QoS 0: nothing to send
        barrier(c, "acked");

        assertThat(acks(MqttMessageType.PUBACK)).containsExactly(41);
        assertThat(acks(MqttMessageType.PUBREC)).containsExactly(42);
    }

    @Test
    @DisplayName("with a persistent session, a message acknowledged while the client is disconnected is "
            + "acknowledged on the next connection, and the server's re-send is not delivered again")
    void pendingAcknowledgementSurvivesReconnect() throws Exception {
        server.sessionPresent = true;
        Received received = new Received();
        MqttClient c = subscribed(builder("survivor").cleanSession(false).connectTimeout(Duration.ofMillis(500))
                .reconnectPolicy(ReconnectPolicy.exponentialBackoff(Duration.ofMillis(20), Duration.ofMillis(100),
                        2.0)), received);
        server.publish("m/d", "kept", 1, 51, false);
        await().atMost(WAIT).until(() -> received.count() == 1);

        server.answerConnect = false;
        server.dropConnections();
        await().atMost(WAIT).until(() -> server.received(MqttMessageType.CONNECT).size() >= 2);
        assertThat(c.isConnected()).isFalse();
        received.messages().get(0).acknowledge();
        server.answerConnect = true;
        await().atMost(WAIT).until(c::isConnected);
        int connection = server.connectionCount() - 1;

        await().atMost(WAIT).until(() -> acks(MqttMessageType.PUBACK).equals(List.of(51)));
        assertThat(server.received(MqttMessageType.PUBACK).get(0).connection()).isEqualTo(connection);
        assertThat(received.payloads()).containsExactly("kept");
    }

    @Test
    @DisplayName("a DUP arriving after a reconnect to a persistent session, before acknowledge(), is not "
            + "delivered again; acknowledge() then answers it on the new connection")
    void duplicateAfterReconnectWaitsForPendingAcknowledgement() throws Exception {
        server.sessionPresent = true;
        Received received = new Received();
        MqttClient c = subscribed(builder("dup-reconnect").cleanSession(false)
                .reconnectPolicy(ReconnectPolicy.exponentialBackoff(Duration.ofMillis(20), Duration.ofMillis(100),
                        2.0)), received);
        server.publish("m/e", "pending", 1, 61, false);
        await().atMost(WAIT).until(() -> received.count() == 1);
        server.dropConnections();
        await().atMost(WAIT).until(() -> server.connectionCount() == 2 && c.isConnected());

        server.publish("m/e", "pending", 1, 61, true);
        server.publish("m/e", "end", 0, 0, false);
        await().atMost(WAIT).until(() -> received.payloads().contains("end"));
        assertThat(received.payloads()).containsExactly("pending", "end");
        barrier(c, "unacked");
        assertThat(acks(MqttMessageType.PUBACK)).isEmpty();

        received.messages().get(0).acknowledge();
        await().atMost(WAIT).until(() -> acks(MqttMessageType.PUBACK).equals(List.of(61)));
        assertThat(server.received(MqttMessageType.PUBACK).get(0).connection()).isEqualTo(1);
    }

    @Test
    @DisplayName("when the server has lost the session, pending acknowledgements are dropped: acknowledge() sends "
            + "nothing")
    void pendingAcknowledgementsDroppedWithTheSession() throws Exception {
        Received received = new Received();
        MqttClient c = subscribed(builder("forgotten").cleanSession(false)
                .reconnectPolicy(ReconnectPolicy.exponentialBackoff(Duration.ofMillis(20), Duration.ofMillis(100),
                        2.0)), received);
        server.publish("m/f", "lost", 1, 71, false);
        await().atMost(WAIT).until(() -> received.count() == 1);
        server.sessionPresent = false;
        server.dropConnections();
        await().atMost(WAIT).until(() -> server.connectionCount() == 2 && c.isConnected());

        received.messages().get(0).acknowledge();
        barrier(c, "dropped");
        assertThat(acks(MqttMessageType.PUBACK)).isEmpty();

        // the identifier is free for a new message of the new session
        server.publish("m/f", "new", 1, 71, false);
        await().atMost(WAIT).until(() -> received.count() == 2);
        received.messages().get(1).acknowledge();
        await().atMost(WAIT).until(() -> acks(MqttMessageType.PUBACK).equals(List.of(71)));
    }

    @Test
    @DisplayName("a message no listener receives is acknowledged at once, and holds back no later one")
    void unmatchedMessageIsAcknowledgedAtOnce() throws Exception {
        Received received = new Received();
        MqttClient c = subscribed(builder("unmatched"), received);
        server.publish("elsewhere/x", "nobody listens", 1, 81, false);
        server.publish("m/g", "listened", 1, 82, false);
        await().atMost(WAIT).until(() -> received.count() == 1);
        await().atMost(WAIT).until(() -> acks(MqttMessageType.PUBACK).equals(List.of(81)));

        received.messages().get(0).acknowledge();
        await().atMost(WAIT).until(() -> acks(MqttMessageType.PUBACK).equals(List.of(81, 82)));
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    @DisplayName("without manual acknowledgement the client acknowledges when the listener returns; "
            + "acknowledge() does nothing and packetId() still tells the identifier")
    void automaticAcknowledgementUnchanged() throws Exception {
        Received received = new Received();
        MqttClient c = subscribed(builder("automatic").manualAcknowledgement(false), received);
        server.publish("m/h", "auto", 1, 91, false);
        await().atMost(WAIT).until(() -> acks(MqttMessageType.PUBACK).equals(List.of(91)));
        ReceivedMessage m = received.messages().get(0);
        assertThat(m.packetId()).isEqualTo(91);

        m.acknowledge();
        barrier(c, "auto");
        assertThat(acks(MqttMessageType.PUBACK)).containsExactly(91);
    }

    @Test
    @DisplayName("a message made by application code: acknowledge() does nothing, packetId() is 0")
    void applicationMadeMessage() {
        ReceivedMessage m = new ReceivedMessage("t", new byte[] {1}, Qos.AT_LEAST_ONCE, false, false);
        m.acknowledge();
        m.acknowledge();
        assertThat(m.packetId()).isZero();
        assertThat(new ReceivedMessage("t", new byte[0], Qos.EXACTLY_ONCE, false, false, MessageProperties.none(),
                List.of()).packetId()).isZero();
    }

    @Test
    @DisplayName("MQTT 5: messages awaiting acknowledgement count against the client's Receive Maximum "
            + "(DISCONNECT 0x93 beyond it)")
    void unacknowledgedCountAgainstReceiveMaximum() throws Exception {
        Received received = new Received();
        MqttClient c = subscribed(builder("window").protocolVersion(MqttProtocolVersion.MQTT_5).receiveMaximum(2),
                received);
        server.publish("m/i", "1", 1, 101, false);
        server.publish("m/i", "2", 1, 102, false);
        await().atMost(WAIT).until(() -> received.count() == 2);
        received.messages().get(0).acknowledge();
        await().atMost(WAIT).until(() -> acks(MqttMessageType.PUBACK).equals(List.of(101)));

        server.publish("m/i", "3", 1, 103, false); // two unacknowledged: within the window
        await().atMost(WAIT).until(() -> received.count() == 3);
        assertThat(c.isConnected()).isTrue();
        server.publish("m/i", "4", 1, 104, false); // a third: beyond it
        await().atMost(WAIT).until(() -> !c.isConnected());
        List<Packet> disconnects = server.received(MqttMessageType.DISCONNECT);
        assertThat(disconnects).hasSize(1);
        assertThat(disconnects.get(0).reasonCode()).isEqualTo(0x93);
        assertThat(received.count()).isEqualTo(3);
    }
}
