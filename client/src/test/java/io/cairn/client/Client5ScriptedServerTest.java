package io.cairn.client;

import static io.cairn.client.testsupport.Wire.bytes;
import static io.cairn.client.testsupport.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.client.testsupport.Events;
import io.cairn.client.testsupport.FakeServer;
import io.cairn.client.testsupport.FakeServer.Packet;
import io.cairn.client.testsupport.Received;
import io.cairn.client.testsupport.Wire;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import java.nio.charset.StandardCharsets;
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
 * The MQTT 5 client against a scripted server: the exact bytes it sends, and how it reacts to server behaviour no
 * real broker here produces (limits in CONNACK, reason codes of 0x80 and above, topic aliases towards the client,
 * a server that exceeds the client's Receive Maximum, DISCONNECT, AUTH challenges).
 */
class Client5ScriptedServerTest {

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
                .protocolVersion(MqttProtocolVersion.MQTT_5).reconnectPolicy(ReconnectPolicy.none());
    }

    private MqttClient track(MqttClient c) {
        clients.add(c);
        return c;
    }

    private MqttClient connected(MqttClient.Builder b) throws Exception {
        MqttClient c = track(b.build());
        get(c.connect());
        return c;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static ReconnectPolicy fastReconnect() {
        return ReconnectPolicy.exponentialBackoff(Duration.ofMillis(20), Duration.ofMillis(100), 2.0);
    }

    private List<Packet> awaitPackets(MqttMessageType type, int count) {
        await().atMost(WAIT).until(() -> server.received(type).size() >= count);
        return server.received(type);
    }

    private void connackWith(MqttProperties p) {
        server.connackProperties = p;
    }

    private static MqttProperties props(Object... idsAndValues) {
        MqttProperties p = new MqttProperties();
        for (int i = 0; i < idsAndValues.length; i += 2) {
            int id = (Integer) idsAndValues[i];
            Object v = idsAndValues[i + 1];
            if (v instanceof Integer n) {
                p.add(new IntegerProperty(id, n));
            } else if (v instanceof String s) {
                p.add(new StringProperty(id, s));
            } else {
                p.add(new BinaryProperty(id, (byte[]) v));
            }
        }
        return p;
    }

    private byte[] sent(int connection, int type, int index) {
        return Wire.packetsOfType(server.bytesOn(connection), type).get(index);
    }

    // ---------------------------------------------------------------------------------------------------------
    // CONNECT
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Tag("MQTT-3.1.0-1")
    @Tag("MQTT-3.1.2-1")
    @Tag("MQTT-3.1.2-9")
    @Tag("MQTT-3.1.2-12")
    @Tag("MQTT-3.1.2-17")
    @Tag("MQTT-3.1.2-19")
    @Tag("MQTT-3.1.3-1")
    @Tag("MQTT-3.1.3-3")
    @Tag("MQTT-3.1.3-4")
    @Tag("MQTT-3.1.3-11")
    @Tag("MQTT-3.1.3-12")
    @Tag("MQTT-1.5.7-1")
    @DisplayName("[MQTT-3.1.0-1] [MQTT-3.1.2-1] [MQTT-3.1.2-9] [MQTT-3.1.2-12] [MQTT-3.1.2-17] [MQTT-3.1.2-19]"
            + " [MQTT-3.1.3-1] [MQTT-3.1.3-3] [MQTT-3.1.3-4] [MQTT-3.1.3-11] [MQTT-3.1.3-12] [MQTT-1.5.7-1]"
            + " the first packet is a CONNECT of level 5 with properties, will properties, will, user name and"
            + " password in order, byte for byte")
    void connectBytes() throws Exception {
        connected(builder("c5").keepAlive(Duration.ofSeconds(30))
                .sessionExpiryInterval(Duration.ofSeconds(120)).userProperty("k", "v")
                .username("u").password(new byte[] {1, 2})
                .will(Will.of("w", "bye".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false)
                        .withDelayInterval(Duration.ofSeconds(5))));

        byte[] connect = Wire.packets(server.bytesOn(0)).get(0);
        assertThat(hex(connect)).isEqualTo(hex(bytes(
                0x10, 0x30,                                 // CONNECT, remaining length 48
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05,       // protocol name, level 5
                0xCE,                                       // user, password, will QoS 1, will, clean start
                0x00, 0x1E,                                 // keep-alive 30
                0x0C,                                       // property length 12
                0x11, 0x00, 0x00, 0x00, 0x78,               // Session Expiry Interval 120
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',     // User Property k=v
                0x00, 0x02, 'c', '5',                       // client identifier
                0x05, 0x18, 0x00, 0x00, 0x00, 0x05,         // will properties: Will Delay Interval 5
                0x00, 0x01, 'w',                            // will topic
                0x00, 0x03, 'b', 'y', 'e',                  // will payload
                0x00, 0x01, 'u',                            // user name
                0x00, 0x02, 0x01, 0x02)));                  // password
    }

    @Test
    @Tag("MQTT-3.1.2-11")
    @Tag("MQTT-3.1.2-13")
    @Tag("MQTT-3.1.2-16")
    @Tag("MQTT-3.1.2-18")
    @Tag("MQTT-2.2.2-1")
    @DisplayName("[MQTT-3.1.2-11] [MQTT-3.1.2-13] [MQTT-3.1.2-16] [MQTT-3.1.2-18] [MQTT-2.2.2-1] without will,"
            + " user name and password their flags are 0, and no properties still means a Property Length of 0")
    void minimalConnectBytes() throws Exception {
        connected(builder(""));

        assertThat(hex(Wire.packets(server.bytesOn(0)).get(0))).isEqualTo(hex(bytes(
                0x10, 0x0D,                                 // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05,       // protocol name, level 5
                0x02,                                       // clean start only
                0x00, 0x3C,                                 // keep-alive 60
                0x00,                                       // property length 0
                0x00, 0x00)));                              // empty client identifier
    }

    @Test
    @DisplayName("CONNECT carries every MQTT 5 property the builder sets, and a password without user name")
    void connectProperties() throws Exception {
        connected(builder("props").receiveMaximum(10).topicAliasMaximum(5).maxIncomingPacketSize(4096)
                .requestResponseInformation(true).requestProblemInformation(false)
                .userProperty("a", "1").userProperty("a", "2").password(new byte[] {9}));

        Packet connect = server.received(MqttMessageType.CONNECT).get(0);
        MqttConnectVariableHeader h = (MqttConnectVariableHeader) connect.variableHeader();
        assertThat(h.version()).isEqualTo(5);
        assertThat(h.hasPassword()).isTrue();
        assertThat(h.hasUserName()).isFalse();
        assertThat(connect.property(MqttProperties.RECEIVE_MAXIMUM)).isEqualTo(10);
        assertThat(connect.property(MqttProperties.TOPIC_ALIAS_MAXIMUM)).isEqualTo(5);
        assertThat(connect.property(MqttProperties.MAXIMUM_PACKET_SIZE)).isEqualTo(4096);
        assertThat(connect.property(MqttProperties.REQUEST_RESPONSE_INFORMATION)).isEqualTo(1);
        assertThat(connect.property(MqttProperties.REQUEST_PROBLEM_INFORMATION)).isEqualTo(0);
        assertThat(connect.property(MqttProperties.SESSION_EXPIRY_INTERVAL)).isNull();
        assertThat(connect.properties().getProperties(MqttProperties.USER_PROPERTY))
                .extracting(p -> ((MqttProperties.UserProperty) p).value().key + "="
                        + ((MqttProperties.UserProperty) p).value().value)
                .containsExactly("a=1", "a=2");
    }

    @Test
    @DisplayName("will properties: every message property and the delay reach the server")
    void willProperties() throws Exception {
        MessageProperties p = MessageProperties.builder().messageExpiryInterval(Duration.ofSeconds(30))
                .utf8Payload(true).contentType("text/plain").responseTopic("r/t")
                .correlationData(new byte[] {7}).userProperty("x", "y").build();
        connected(builder("willprops").will(Will.of("w/t", new byte[] {1}, Qos.AT_MOST_ONCE, true)
                .withProperties(p).withDelayInterval(Duration.ofSeconds(9))));

        MqttConnectPayload payload = (MqttConnectPayload) server.received(MqttMessageType.CONNECT).get(0)
                .decodedPayload();
        MqttProperties w = payload.willProperties();
        assertThat(w.getProperty(MqttProperties.WILL_DELAY_INTERVAL).value()).isEqualTo(9);
        assertThat(w.getProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL).value()).isEqualTo(30);
        assertThat(w.getProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR).value()).isEqualTo(1);
        assertThat(w.getProperty(MqttProperties.CONTENT_TYPE).value()).isEqualTo("text/plain");
        assertThat(w.getProperty(MqttProperties.RESPONSE_TOPIC).value()).isEqualTo("r/t");
        assertThat((byte[]) w.getProperty(MqttProperties.CORRELATION_DATA).value()).containsExactly(7);
        assertThat(payload.willTopic()).isEqualTo("w/t");
    }

    @Test
    @DisplayName("MQTT 5 options on a 3.1.1 client are refused when it is built, naming the option")
    void mqtt5OptionsNeedMqtt5() {
        MqttClient.Builder b = MqttClient.builder().sessionExpiryInterval(Duration.ofSeconds(5));
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sessionExpiryInterval needs MQTT 5");
    }

    // ---------------------------------------------------------------------------------------------------------
    // CONNACK
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Tag("MQTT-4.13.2-1")
    @DisplayName("[MQTT-4.13.2-1] a CONNACK with reason 0x87 fails connect() with the code, the Reason String and"
            + " the Server Reference, and the connection is closed")
    void refusedWithReason() {
        server.connackCode = 0x87;
        connackWith(props(MqttProperties.REASON_STRING, "not on my watch", MqttProperties.SERVER_REFERENCE,
                "other:1883"));
        MqttClient c = track(builder("refused5").build());

        assertThatThrownBy(() -> get(c.connect())).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(ConnectRefusedException.class)
                .hasMessageContaining("not authorized (0x87)").hasMessageContaining("not on my watch")
                .hasMessageContaining("other:1883")
                .satisfies(e -> {
                    ConnectRefusedException r = (ConnectRefusedException) e;
                    assertThat(r.returnCode()).isEqualTo(0x87);
                    assertThat(r.isMqtt5()).isTrue();
                    assertThat(r.isTransient()).isFalse();
                    assertThat(r.reason()).isNull();
                    assertThat(r.properties().serverReference()).contains("other:1883");
                });
        await().atMost(WAIT).until(() -> !server.isOpen(0));
        assertThat(c.state()).isEqualTo(ClientState.DISCONNECTED);
    }

    @Test
    @DisplayName("on reconnect, CONNACK 0x89 (server busy) is retried and 0x86 (bad user name or password) stops the"
            + " client")
    void reconnectRefusals() throws Exception {
        Events events = new Events();
        connected(builder("refusals").reconnectPolicy(fastReconnect()).connectionListener(events));

        server.connackCode = ReasonCodes.SERVER_BUSY;
        server.dropConnections();
        await().atMost(WAIT).until(() -> events.of("reconnecting").size() >= 3);
        assertThat(events.of("reconnecting").get(2).cause()).isInstanceOf(ConnectRefusedException.class)
                .hasMessageContaining("server busy (0x89)");

        server.connackCode = ReasonCodes.BAD_USER_NAME_OR_PASSWORD;
        await().atMost(WAIT).until(() -> !events.of("disconnected").isEmpty());
        assertThat(events.of("disconnected").get(0).cause()).isInstanceOf(ConnectRefusedException.class)
                .hasMessageContaining("bad user name or password (0x86)");
        int attempts = server.connectionCount();
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> server.connectionCount() == attempts);
    }

    @Test
    @DisplayName("CONNACK properties are exposed in the result, and the client takes the assigned client identifier"
            + " for the next connection")
    void connAckProperties() throws Exception {
        connackWith(props(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, "auto-42",
                MqttProperties.RECEIVE_MAXIMUM, 20, MqttProperties.MAXIMUM_QOS, 1,
                MqttProperties.RETAIN_AVAILABLE, 0, MqttProperties.MAXIMUM_PACKET_SIZE, 1000,
                MqttProperties.TOPIC_ALIAS_MAXIMUM, 3, MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 0,
                MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0, MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0,
                MqttProperties.RESPONSE_INFORMATION, "resp/", MqttProperties.SERVER_REFERENCE, "b:1883",
                MqttProperties.REASON_STRING, "welcome", MqttProperties.SESSION_EXPIRY_INTERVAL, 10));
        Events events = new Events();
        MqttClient c = track(builder("").cleanSession(false).sessionExpiryInterval(Duration.ofSeconds(60))
                .reconnectPolicy(fastReconnect()).connectionListener(events).build());

        ConnAckProperties p = get(c.connect()).properties();
        assertThat(p.assignedClientIdentifier()).contains("auto-42");
        assertThat(p.receiveMaximum()).isEqualTo(20);
        assertThat(p.maximumQos()).isEqualTo(Qos.AT_LEAST_ONCE);
        assertThat(p.retainAvailable()).isFalse();
        assertThat(p.maximumPacketSize()).hasValue(1000);
        assertThat(p.topicAliasMaximum()).isEqualTo(3);
        assertThat(p.wildcardSubscriptionAvailable()).isFalse();
        assertThat(p.subscriptionIdentifiersAvailable()).isFalse();
        assertThat(p.sharedSubscriptionAvailable()).isFalse();
        assertThat(p.responseInformation()).contains("resp/");
        assertThat(p.serverReference()).contains("b:1883");
        assertThat(p.reasonString()).contains("welcome");
        assertThat(p.sessionExpiryInterval()).contains(Duration.ofSeconds(10));

        server.dropConnections();
        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        MqttConnectPayload second = (MqttConnectPayload) server.received(MqttMessageType.CONNECT).get(1)
                .decodedPayload();
        assertThat(second.clientIdentifier()).isEqualTo("auto-42");
    }

    @Test
    @Tag("MQTT-3.2.2-4")
    @DisplayName("[MQTT-3.2.2-4] Session Present 1 after Clean Start 1: the client sends DISCONNECT 0x82 and closes")
    void sessionPresentAfterCleanStart() {
        server.sessionPresent = true;
        MqttClient c = track(builder("liar").build());

        assertThatThrownBy(() -> get(c.connect())).cause().isInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("MQTT-3.2.2-4");
        Packet disconnect = awaitPackets(MqttMessageType.DISCONNECT, 1).get(0);
        assertThat(disconnect.reasonCode()).isEqualTo(ReasonCodes.PROTOCOL_ERROR);
        await().atMost(WAIT).until(() -> !server.isOpen(0));
    }

    @Test
    @Tag("MQTT-3.2.2-5")
    @DisplayName("[MQTT-3.2.2-5] Session Present 0 on a reconnect: the client drops its session state; a QoS 2"
            + " message that got PUBREC is not released again, its future completes")
    void sessionLostDiscardsState() throws Exception {
        server.answerPubRel = false;
        MqttClient c = connected(builder("discard").cleanSession(false).sessionExpiryInterval(Duration.ofSeconds(60))
                .reconnectPolicy(fastReconnect()));
        CompletableFuture<PublishResult> f = c.publish("d/t", "x", Qos.EXACTLY_ONCE, false);
        awaitPackets(MqttMessageType.PUBREL, 1);

        server.sessionPresent = false;
        server.dropConnections();

        PublishResult r = get(f);
        assertThat(r.isSuccess()).isTrue();
        await().atMost(WAIT).until(() -> server.connectionCount() == 2 && server.receivedOn(1).size() >= 1);
        assertThat(server.receivedOn(1)).extracting(Packet::type).doesNotContain(MqttMessageType.PUBREL,
                MqttMessageType.PUBLISH);
    }

    @Test
    @Tag("MQTT-3.1.2-20")
    @Tag("MQTT-3.1.2-21")
    @Tag("MQTT-3.2.2-21")
    @DisplayName("[MQTT-3.1.2-20] [MQTT-3.1.2-21] [MQTT-3.2.2-21] the Server Keep Alive of 1 s replaces the"
            + " client's 60 s: PINGREQ within about a second")
    void serverKeepAlive() throws Exception {
        connackWith(props(MqttProperties.SERVER_KEEP_ALIVE, 1));
        MqttClient c = connected(builder("ka").keepAlive(Duration.ofSeconds(60)));
        assertThat(get(c.connect()).properties().serverKeepAlive()).contains(Duration.ofSeconds(1));

        long start = System.nanoTime();
        awaitPackets(MqttMessageType.PINGREQ, 2);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
    }

    // ---------------------------------------------------------------------------------------------------------
    // server limits on PUBLISH
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Tag("MQTT-3.2.2-11")
    @DisplayName("[MQTT-3.2.2-11] with Maximum QoS 1 a QoS 2 publish fails at once and nothing is sent")
    void maximumQos() throws Exception {
        connackWith(props(MqttProperties.MAXIMUM_QOS, 1));
        MqttClient c = connected(builder("maxqos"));

        assertThatThrownBy(() -> get(c.publish("q", "x", Qos.EXACTLY_ONCE, false))).cause()
                .isInstanceOf(MqttClientException.class).hasMessageContaining("Maximum QoS is 1");
        get(c.publish("q", "y", Qos.AT_LEAST_ONCE, false));
        assertThat(server.received(MqttMessageType.PUBLISH)).extracting(Packet::payloadAsString).containsExactly("y");
    }

    @Test
    @Tag("MQTT-3.2.2-14")
    @DisplayName("[MQTT-3.2.2-14] with Retain Available 0 a retained publish fails at once and nothing is sent")
    void retainNotAvailable() throws Exception {
        connackWith(props(MqttProperties.RETAIN_AVAILABLE, 0));
        MqttClient c = connected(builder("noretain"));

        assertThatThrownBy(() -> get(c.publish("r", "x", Qos.AT_MOST_ONCE, true))).cause()
                .isInstanceOf(MqttClientException.class).hasMessageContaining("retained");
        get(c.publish("r", "y", Qos.AT_LEAST_ONCE, false));
        assertThat(server.received(MqttMessageType.PUBLISH)).extracting(Packet::retain).containsExactly(false);
    }

    @Test
    @Tag("MQTT-3.2.2-15")
    @DisplayName("[MQTT-3.2.2-15] a PUBLISH one byte above the server's Maximum Packet Size fails at once; one of"
            + " exactly that size is sent")
    void maximumPacketSize() throws Exception {
        connackWith(props(MqttProperties.MAXIMUM_PACKET_SIZE, 50));
        MqttClient c = connected(builder("maxsize"));
        // QoS 1 PUBLISH of topic "t": 1 + 1 (remaining length) + 3 (topic) + 2 (id) + 1 (properties) + payload
        byte[] fits = new byte[50 - 8];
        byte[] tooBig = new byte[fits.length + 1];

        assertThatThrownBy(() -> get(c.publish("t", tooBig, Qos.AT_LEAST_ONCE, false))).cause()
                .isInstanceOf(MqttClientException.class).hasMessageContaining("51 bytes")
                .hasMessageContaining("Maximum Packet Size of 50");
        get(c.publish("t", fits, Qos.AT_LEAST_ONCE, false));
        assertThat(Wire.packetsOfType(server.bytesOn(0), 3)).singleElement()
                .satisfies(p -> assertThat(p).hasSize(50));
    }

    @Test
    @Tag("MQTT-3.2.2-15")
    @DisplayName("[MQTT-3.2.2-15] SUBSCRIBE and UNSUBSCRIBE one byte above the server's Maximum Packet Size fail at"
            + " once; of exactly that size they are sent")
    void maximumPacketSizeSubscribe() throws Exception {
        connackWith(props(MqttProperties.MAXIMUM_PACKET_SIZE, 30));
        MqttClient c = connected(builder("maxsizesub"));
        // SUBSCRIBE: 1 + 1 (remaining length) + 2 (id) + 1 (properties) + 2 + filter + 1 (options) = 8 + filter
        assertThatThrownBy(() -> get(c.subscribe("f".repeat(23), Qos.AT_MOST_ONCE, m -> { }))).cause()
                .isInstanceOf(MqttClientException.class).hasMessageContaining("SUBSCRIBE would be 31 bytes");
        get(c.subscribe("f".repeat(22), Qos.AT_MOST_ONCE, m -> { }));
        // UNSUBSCRIBE: 1 + 1 + 2 + 1 + 2 + filter = 7 + filter
        assertThatThrownBy(() -> get(c.unsubscribe("u".repeat(24)))).cause()
                .isInstanceOf(MqttClientException.class).hasMessageContaining("UNSUBSCRIBE would be 31 bytes");
        get(c.unsubscribe("u".repeat(23)));

        assertThat(Wire.packetsOfType(server.bytesOn(0), 8)).singleElement().satisfies(p -> assertThat(p).hasSize(30));
        assertThat(Wire.packetsOfType(server.bytesOn(0), 10)).singleElement()
                .satisfies(p -> assertThat(p).hasSize(30));
    }

    @Test
    @Tag("MQTT-3.3.4-7")
    @Tag("MQTT-4.9.0-1")
    @Tag("MQTT-4.9.0-2")
    @DisplayName("[MQTT-3.3.4-7] [MQTT-4.9.0-1] [MQTT-4.9.0-2] with the server's Receive Maximum 2 at most two"
            + " QoS 1/2 publishes are unacknowledged; the rest wait and go out as acks come")
    void serverReceiveMaximum() throws Exception {
        connackWith(props(MqttProperties.RECEIVE_MAXIMUM, 2));
        server.ackPublishes = false;
        MqttClient c = connected(builder("quota").maxInflight(64));
        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            futures.add(c.publish("q", "m" + i, i % 2 == 0 ? Qos.AT_LEAST_ONCE : Qos.EXACTLY_ONCE, false));
        }
        awaitPackets(MqttMessageType.PUBLISH, 2);
        for (int i = 0; i < 6; i++) {
            server.ack(awaitPackets(MqttMessageType.PUBLISH, i + 1).get(i));
            get(futures.get(i));
        }
        assertThat(server.maxUnacked()).isEqualTo(2);
        assertThat(server.received(MqttMessageType.PUBLISH)).extracting(Packet::payloadAsString)
                .containsExactly("m0", "m1", "m2", "m3", "m4", "m5");
    }

    @Test
    @Tag("MQTT-3.3.4-8")
    @Tag("MQTT-4.9.0-3")
    @DisplayName("[MQTT-3.3.4-8] [MQTT-4.9.0-3] with the send quota at zero, SUBSCRIBE, PINGREQ and acks for"
            + " incoming messages still go out")
    void quotaZeroDoesNotBlockOtherPackets() throws Exception {
        connackWith(props(MqttProperties.RECEIVE_MAXIMUM, 1));
        server.ackPublishes = false;
        MqttClient c = connected(builder("quota0").keepAlive(Duration.ofSeconds(1)));
        c.publish("q", "held", Qos.AT_LEAST_ONCE, false);
        CompletableFuture<PublishResult> waiting = c.publish("q", "waiting", Qos.AT_LEAST_ONCE, false);
        awaitPackets(MqttMessageType.PUBLISH, 1);

        SubscribeResult sub = get(c.subscribe("in", Qos.AT_LEAST_ONCE, m -> { }));
        server.publish("in", "x", 1, 5, false);
        awaitPackets(MqttMessageType.PUBACK, 1);
        awaitPackets(MqttMessageType.PINGREQ, 1);

        assertThat(sub.allGranted()).isTrue();
        assertThat(waiting).isNotDone();
        assertThat(server.received(MqttMessageType.PUBLISH)).hasSize(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // PUBLISH both ways
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Tag("MQTT-2.2.1-2")
    @Tag("MQTT-3.3.1-2")
    @Tag("MQTT-4.3.1-1")
    @Tag("MQTT-3.3.2-1")
    @DisplayName("[MQTT-2.2.1-2] [MQTT-3.3.1-2] [MQTT-4.3.1-1] [MQTT-3.3.2-1] a QoS 0 PUBLISH has DUP 0, no"
            + " packet identifier and a Property Length of 0, byte for byte")
    void qos0Bytes() throws Exception {
        MqttClient c = connected(builder("q0"));
        get(c.publish("t", "x", Qos.AT_MOST_ONCE, false));
        await().atMost(WAIT).until(() -> server.received(MqttMessageType.PUBLISH).size() == 1);

        assertThat(hex(sent(0, 3, 0))).isEqualTo(hex(bytes(
                0x30, 0x05,             // PUBLISH QoS 0, remaining length 5
                0x00, 0x01, 't',        // topic
                0x00,                   // property length 0
                'x')));                 // payload
    }

    @Test
    @Tag("MQTT-4.3.2-2")
    @DisplayName("[MQTT-4.3.2-2] a QoS 1 PUBLISH with properties, byte for byte: packet identifier, Content Type,"
            + " User Property")
    void qos1Bytes() throws Exception {
        MqttClient c = connected(builder("q1b"));
        get(c.publish("t", "x".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false,
                MessageProperties.builder().contentType("c").userProperty("p", "q").build()));

        assertThat(hex(sent(0, 3, 0))).isEqualTo(hex(bytes(
                0x32, 0x12,                                 // PUBLISH QoS 1, remaining length 18
                0x00, 0x01, 't',                            // topic
                0x00, 0x01,                                 // packet identifier 1
                0x0B,                                       // property length 11
                0x03, 0x00, 0x01, 'c',                      // Content Type c
                0x26, 0x00, 0x01, 'p', 0x00, 0x01, 'q',     // User Property p=q
                'x')));                                     // payload
    }

    @Test
    @Tag("MQTT-3.4.2-1")
    @Tag("MQTT-3.4.2-2")
    @Tag("MQTT-3.4.2-3")
    @Tag("MQTT-3.5.2-1")
    @Tag("MQTT-3.5.2-2")
    @Tag("MQTT-3.5.2-3")
    @Tag("MQTT-3.7.2-2")
    @Tag("MQTT-3.7.2-3")
    @DisplayName("[MQTT-3.4.2-1] [MQTT-3.4.2-2] [MQTT-3.4.2-3] [MQTT-3.5.2-1] [MQTT-3.5.2-2] [MQTT-3.5.2-3]"
            + " [MQTT-3.7.2-2] [MQTT-3.7.2-3] the client's PUBACK, PUBREC and PUBCOMP are the success form with no"
            + " Reason String or User Properties, byte for byte")
    void ackBytes() throws Exception {
        Received received = new Received();
        MqttClient c = connected(builder("acks"));
        get(c.subscribe("a/#", Qos.EXACTLY_ONCE, received));
        server.publish("a/1", "x", 1, 0x21, MqttProperties.NO_PROPERTIES);
        server.publish("a/2", "y", 2, 0x22, MqttProperties.NO_PROPERTIES);
        awaitPackets(MqttMessageType.PUBREC, 1);
        server.sendPubRel(0x22);
        awaitPackets(MqttMessageType.PUBCOMP, 1);

        assertThat(hex(sent(0, 4, 0))).isEqualTo(hex(bytes(0x40, 0x02, 0x00, 0x21)));   // PUBACK, success
        assertThat(hex(sent(0, 5, 0))).isEqualTo(hex(bytes(0x50, 0x02, 0x00, 0x22)));   // PUBREC, success
        assertThat(hex(sent(0, 7, 0))).isEqualTo(hex(bytes(0x70, 0x02, 0x00, 0x22)));   // PUBCOMP, success
    }

    @Test
    @Tag("MQTT-1.5.5-1")
    @DisplayName("[MQTT-1.5.5-1] Remaining Length 127 takes one byte and 128 takes two: the fewest bytes")
    void variableByteIntegers() throws Exception {
        MqttClient c = connected(builder("varint"));
        // QoS 0 PUBLISH of topic "t": remaining length = 3 (topic) + 1 (properties) + payload
        get(c.publish("t", new byte[123], Qos.AT_MOST_ONCE, false));
        get(c.publish("t", new byte[124], Qos.AT_MOST_ONCE, false));
        await().atMost(WAIT).until(() -> Wire.packetsOfType(server.bytesOn(0), 3).size() == 2);

        byte[] first = sent(0, 3, 0);
        byte[] second = sent(0, 3, 1);
        assertThat(hex(java.util.Arrays.copyOf(first, 3))).isEqualTo(hex(bytes(0x30, 0x7F, 0x00)));
        assertThat(hex(java.util.Arrays.copyOf(second, 4))).isEqualTo(hex(bytes(0x30, 0x80, 0x01, 0x00)));
    }

    @Test
    @DisplayName("every message property reaches the server, user properties in order")
    void publishProperties() throws Exception {
        MqttClient c = connected(builder("pprops"));
        get(c.publish("p/t", "x".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false,
                MessageProperties.builder().messageExpiryInterval(Duration.ofSeconds(42)).utf8Payload(true)
                        .contentType("application/json").responseTopic("reply/here")
                        .correlationData(new byte[] {1, 2, 3}).userProperty("z", "1").userProperty("a", "2")
                        .userProperty("z", "3").build()));

        Packet p = server.received(MqttMessageType.PUBLISH).get(0);
        assertThat(p.property(MqttProperties.PUBLICATION_EXPIRY_INTERVAL)).isEqualTo(42);
        assertThat(p.property(MqttProperties.PAYLOAD_FORMAT_INDICATOR)).isEqualTo(1);
        assertThat(p.property(MqttProperties.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(p.property(MqttProperties.RESPONSE_TOPIC)).isEqualTo("reply/here");
        assertThat((byte[]) p.property(MqttProperties.CORRELATION_DATA)).containsExactly(1, 2, 3);
        assertThat(p.properties().getProperties(MqttProperties.USER_PROPERTY))
                .extracting(u -> ((MqttProperties.UserProperty) u).value().key)
                .containsExactly("z", "a", "z");
    }

    @Test
    @Tag("MQTT-3.3.4-6")
    @DisplayName("[MQTT-3.3.4-6] a received message's properties and Subscription Identifiers are exposed; passed"
            + " on to publish, they carry no Subscription Identifier")
    void receivedPropertiesAndNoSubscriptionIdOutbound() throws Exception {
        Received received = new Received();
        MqttClient c = connected(builder("recv5"));
        get(c.subscribe(List.of(Subscription.of("in/#", Qos.AT_LEAST_ONCE)), 12, received));

        MqttProperties p = props(MqttProperties.CONTENT_TYPE, "\uFEFFct", MqttProperties.RESPONSE_TOPIC, "resp",
                MqttProperties.CORRELATION_DATA, new byte[] {5}, MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 7,
                MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1);
        p.add(new IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, 12));
        p.add(new IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, 99));
        p.add(new MqttProperties.UserProperty("b", "1"));
        p.add(new MqttProperties.UserProperty("a", "2"));
        server.publish("in/x", "hello", 1, 3, p);
        await().atMost(WAIT).until(() -> received.count() == 1);

        ReceivedMessage m = received.messages().get(0);
        assertThat(m.subscriptionIdentifiers()).containsExactly(12, 99);
        assertThat(m.properties().contentType()).contains("\uFEFFct"); // MQTT-1.5.4-3: the BOM is not stripped
        assertThat(m.properties().responseTopic()).contains("resp");
        assertThat(m.properties().correlationData().orElseThrow()).containsExactly(5);
        assertThat(m.properties().messageExpiryInterval()).contains(Duration.ofSeconds(7));
        assertThat(m.properties().utf8Payload()).isTrue();
        assertThat(m.properties().userProperties()).containsExactly(UserProperty.of("b", "1"),
                UserProperty.of("a", "2"));

        get(c.publish("out", m.payload(), Qos.AT_LEAST_ONCE, false, m.properties()));
        Packet out = server.received(MqttMessageType.PUBLISH).get(0);
        assertThat(out.properties().getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER)).isEmpty();
        assertThat(out.property(MqttProperties.CONTENT_TYPE)).isEqualTo("\uFEFFct");
    }

    @Test
    @Tag("MQTT-4.4.0-2")
    @DisplayName("[MQTT-4.4.0-2] a PUBACK with 0x87 completes the publish with a failed result and the message is"
            + " not sent again, not even after a reconnect that keeps the session")
    void pubAckFailure() throws Exception {
        server.pubAckCode = 0x87;
        Events events = new Events();
        MqttClient c = connected(builder("pubackfail").cleanSession(false).sessionExpiryInterval(Duration.ofSeconds(60))
                .reconnectPolicy(fastReconnect()).connectionListener(events));

        PublishResult r = get(c.publish("denied", "x", Qos.AT_LEAST_ONCE, false));
        assertThat(r.isSuccess()).isFalse();
        assertThat(r.reasonCode()).isEqualTo(0x87);
        assertThat(r.toString()).contains("not authorized (0x87)");

        server.sessionPresent = true;
        server.dropConnections();
        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        get(c.subscribe("after", Qos.AT_MOST_ONCE, m -> { })); // a round trip on the new connection
        assertThat(server.received(MqttMessageType.PUBLISH)).hasSize(1);
    }

    @Test
    @Tag("MQTT-4.3.3-4")
    @Tag("MQTT-4.4.0-2")
    @DisplayName("[MQTT-4.3.3-4] [MQTT-4.4.0-2] a PUBREC with 0x97 completes a QoS 2 publish as failed, with no"
            + " PUBREL")
    void pubRecFailure() throws Exception {
        server.pubAckCode = 0x97;
        MqttClient c = connected(builder("pubrecfail"));

        PublishResult r = get(c.publish("quota", "x", Qos.EXACTLY_ONCE, false));
        assertThat(r.isSuccess()).isFalse();
        assertThat(r.reasonCode()).isEqualTo(ReasonCodes.QUOTA_EXCEEDED);
        get(c.subscribe("sync", Qos.AT_MOST_ONCE, m -> { }));
        assertThat(server.received(MqttMessageType.PUBREL)).isEmpty();
    }

    @Test
    @Tag("MQTT-4.3.3-5")
    @DisplayName("[MQTT-4.3.3-5] a PUBREC with 0x10 (no matching subscribers) goes on with PUBREL; the result is a"
            + " success that reports 0x10")
    void pubRecNoMatchingSubscribers() throws Exception {
        server.pubAckCode = 0x10;
        MqttClient c = connected(builder("nomatch"));

        PublishResult r = get(c.publish("nobody", "x", Qos.EXACTLY_ONCE, false));
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.reasonCode()).isEqualTo(ReasonCodes.NO_MATCHING_SUBSCRIBERS);
        assertThat(server.received(MqttMessageType.PUBREL)).hasSize(1);
    }

    @Test
    @Tag("MQTT-2.2.1-3")
    @Tag("MQTT-4.3.2-1")
    @Tag("MQTT-4.3.3-1")
    @DisplayName("[MQTT-2.2.1-3] [MQTT-4.3.2-1] [MQTT-4.3.3-1] unacknowledged QoS 1/2 publishes, SUBSCRIBE and"
            + " UNSUBSCRIBE have distinct non-zero packet identifiers")
    void distinctPacketIds() throws Exception {
        server.ackPublishes = false;
        MqttClient c = connected(builder("ids"));
        for (int i = 0; i < 5; i++) {
            c.publish("i", "m" + i, i % 2 == 0 ? Qos.AT_LEAST_ONCE : Qos.EXACTLY_ONCE, false);
        }
        get(c.subscribe("s", Qos.AT_LEAST_ONCE, m -> { }));
        get(c.unsubscribe("s"));
        List<Integer> publishIds = awaitPackets(MqttMessageType.PUBLISH, 5).stream().map(Packet::packetId).toList();
        int subscribeId = server.received(MqttMessageType.SUBSCRIBE).get(0).packetId();

        assertThat(publishIds).doesNotContain(0).doesNotHaveDuplicates().doesNotContain(subscribeId);
    }

    @Test
    @Tag("MQTT-4.5.0-2")
    @Tag("MQTT-3.3.4-1")
    @Tag("MQTT-4.3.2-4")
    @DisplayName("[MQTT-4.5.0-2] [MQTT-3.3.4-1] [MQTT-4.3.2-4] a QoS 1 message no subscription matches is still"
            + " acknowledged with its packet identifier")
    void acknowledgesUnmatched() throws Exception {
        connected(builder("unmatched"));
        server.publish("nobody/listens", "x", 1, 9, MqttProperties.NO_PROPERTIES);

        assertThat(awaitPackets(MqttMessageType.PUBACK, 1).get(0).packetId()).isEqualTo(9);
    }

    @Test
    @Tag("MQTT-4.6.0-2")
    @Tag("MQTT-4.6.0-3")
    @Tag("MQTT-4.3.3-8")
    @DisplayName("[MQTT-4.6.0-2] [MQTT-4.6.0-3] [MQTT-4.3.3-8] PUBACKs and PUBRECs go out in the order the"
            + " PUBLISHes came")
    void ackOrder() throws Exception {
        Received received = new Received();
        MqttClient c = connected(builder("order"));
        get(c.subscribe("o/#", Qos.EXACTLY_ONCE, received));
        int[] ids = {5, 3, 9, 1};
        for (int id : ids) {
            server.publish("o/1", "q1-" + id, 1, id, MqttProperties.NO_PROPERTIES);
            server.publish("o/2", "q2-" + id, 2, id + 100, MqttProperties.NO_PROPERTIES);
        }
        await().atMost(WAIT).until(() -> server.received(MqttMessageType.PUBREC).size() == 4
                && server.received(MqttMessageType.PUBACK).size() == 4);

        assertThat(server.received(MqttMessageType.PUBACK)).extracting(Packet::packetId).containsExactly(5, 3, 9, 1);
        assertThat(server.received(MqttMessageType.PUBREC)).extracting(Packet::packetId)
                .containsExactly(105, 103, 109, 101);
    }

    @Test
    @Tag("MQTT-4.6.0-4")
    @Tag("MQTT-2.2.1-5")
    @Tag("MQTT-2.1.3-1")
    @Tag("MQTT-3.6.1-1")
    @Tag("MQTT-4.3.3-2")
    @Tag("MQTT-3.6.2-2")
    @Tag("MQTT-3.6.2-3")
    @DisplayName("[MQTT-4.6.0-4] [MQTT-2.2.1-5] [MQTT-2.1.3-1] [MQTT-3.6.1-1] [MQTT-4.3.3-2] [MQTT-3.6.2-2]"
            + " [MQTT-3.6.2-3] QoS 2 PUBLISH goes out with DUP 0; PUBRELs go out in the order the PUBRECs came,"
            + " each with its PUBLISH's identifier, the flags 0010 and no Reason String or User Properties")
    void pubRelOrder() throws Exception {
        server.ackPublishes = false;
        MqttClient c = connected(builder("relorder"));
        for (int i = 0; i < 3; i++) {
            c.publish("r", "m" + i, Qos.EXACTLY_ONCE, false);
        }
        List<Packet> published = awaitPackets(MqttMessageType.PUBLISH, 3);
        assertThat(published).allSatisfy(p -> {
            assertThat(p.qos()).isEqualTo(2);
            assertThat(p.dup()).isFalse();
        });
        server.ack(published.get(2));
        server.ack(published.get(0));
        server.ack(published.get(1));

        assertThat(awaitPackets(MqttMessageType.PUBREL, 3)).extracting(Packet::packetId).containsExactly(
                published.get(2).packetId(), published.get(0).packetId(), published.get(1).packetId());
        assertThat(hex(sent(0, 6, 0))).isEqualTo(hex(bytes(
                0x62, 0x02,             // PUBREL, flags 0010, remaining length 2 (reason 0x00 left out)
                0x00, published.get(2).packetId())));
    }

    @Test
    @Tag("MQTT-3.7.2-1")
    @DisplayName("[MQTT-3.7.2-1] a PUBREL for an unknown packet identifier gets PUBCOMP 0x92, a defined code")
    void pubRelUnknown() throws Exception {
        connected(builder("relunknown"));
        server.sendPubRel(77);

        Packet comp = awaitPackets(MqttMessageType.PUBCOMP, 1).get(0);
        assertThat(comp.packetId()).isEqualTo(77);
        assertThat(comp.reasonCode()).isEqualTo(ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND);
    }

    @Test
    @Tag("MQTT-3.6.2-1")
    @DisplayName("[MQTT-3.6.2-1] a PUBREC for an unknown packet identifier gets PUBREL 0x92, a defined code")
    void pubRecUnknown() throws Exception {
        connected(builder("recunknown"));
        server.sendRaw(bytes(0x50, 0x02, 0x00, 55)); // PUBREC for packet 55, never published

        Packet rel = awaitPackets(MqttMessageType.PUBREL, 1).get(0);
        assertThat(rel.packetId()).isEqualTo(55);
        assertThat(rel.reasonCode()).isEqualTo(ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND);
    }

    @Test
    @Tag("MQTT-3.3.1-4")
    @Tag("MQTT-3.6.1-1")
    @Tag("MQTT-3.14.1-1")
    @Tag("MQTT-3.15.1-1")
    @DisplayName("[MQTT-3.3.1-4] [MQTT-3.6.1-1] [MQTT-3.14.1-1] [MQTT-3.15.1-1] malformed packets from the server"
            + " (PUBLISH with QoS 3, PUBREL, DISCONNECT and AUTH with wrong flags): DISCONNECT 0x81 and close")
    void malformedFromServer() throws Exception {
        byte[][] malformed = {
                bytes(0x36, 0x06, 0x00, 0x01, 't', 0x00, 0x01, 0x00),   // PUBLISH with QoS 3
                bytes(0x60, 0x02, 0x00, 0x01),                           // PUBREL with flags 0000
                bytes(0xE1, 0x00),                                       // DISCONNECT with flags 0001
                bytes(0xF1, 0x00)};                                      // AUTH with flags 0001
        for (int i = 0; i < malformed.length; i++) {
            Events events = new Events();
            connected(builder("malformed" + i).connectionListener(events));
            server.sendRaw(malformed[i]);
            int connection = i;
            await().atMost(WAIT).until(() -> !server.isOpen(connection));
            List<Packet> disconnects = server.receivedOn(i).stream()
                    .filter(p -> p.type() == MqttMessageType.DISCONNECT).toList();
            assertThat(disconnects).as("packet %d", i).singleElement()
                    .satisfies(d -> assertThat(d.reasonCode()).isEqualTo(ReasonCodes.MALFORMED_PACKET));
            await().atMost(WAIT).until(() -> !events.of("lost").isEmpty());
        }
    }

    @Test
    @Tag("MQTT-3.3.2-2")
    @Tag("MQTT-4.7.0-1")
    @Tag("MQTT-4.7.1-1")
    @Tag("MQTT-4.7.1-2")
    @Tag("MQTT-4.7.3-1")
    @Tag("MQTT-4.7.3-2")
    @Tag("MQTT-4.7.3-3")
    @Tag("MQTT-4.8.2-1")
    @Tag("MQTT-4.8.2-2")
    @DisplayName("[MQTT-3.3.2-2] [MQTT-4.7.0-1] [MQTT-4.7.1-1] [MQTT-4.7.1-2] [MQTT-4.7.3-1] [MQTT-4.7.3-2]"
            + " [MQTT-4.7.3-3] [MQTT-4.8.2-1] [MQTT-4.8.2-2] invalid topic names and filters are refused before"
            + " anything is sent")
    void topicRules() throws Exception {
        MqttClient c = connected(builder("topics5"));
        for (String name : List.of("a/+", "a/#", "", "a\u0000b", "x".repeat(65536))) {
            assertThatIllegalArgumentException().as(name).isThrownBy(() -> c.publish(name, "x", Qos.AT_MOST_ONCE,
                    false));
        }
        for (String filter : List.of("a/#/b", "a#", "a/b+", "", "a\u0000", "$share/", "$share//t", "$share/g",
                "$share/g+/t")) {
            assertThatIllegalArgumentException().as(filter).isThrownBy(() -> c.subscribe(filter, Qos.AT_MOST_ONCE,
                    m -> { }));
        }
        get(c.subscribe("$share/g/a/+", Qos.AT_MOST_ONCE, m -> { }));
        assertThat(server.received(MqttMessageType.PUBLISH)).isEmpty();
        assertThat(server.received(MqttMessageType.SUBSCRIBE)).hasSize(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // topic aliases
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Tag("MQTT-3.2.2-17")
    @Tag("MQTT-3.3.2-8")
    @Tag("MQTT-3.3.2-9")
    @DisplayName("[MQTT-3.2.2-17] [MQTT-3.3.2-8] [MQTT-3.3.2-9] outgoing aliases: none on a topic's first use,"
            + " the alias with the topic on the second, the alias alone after that; never 0, never above the"
            + " server's maximum; the least recently used is reassigned")
    void outgoingAliases() throws Exception {
        connackWith(props(MqttProperties.TOPIC_ALIAS_MAXIMUM, 2));
        MqttClient c = connected(builder("alias-out"));
        String[] topics = {"aaaa", "aaaa", "aaaa", "bbbb", "bbbb", "cccc", "cccc", "aaaa", "bbbb", "x"};
        for (String t : topics) {
            get(c.publish(t, t, Qos.AT_LEAST_ONCE, false));
        }

        List<Packet> sent = server.received(MqttMessageType.PUBLISH);
        List<String> shown = sent.stream().map(p -> p.topic() + "|" + p.property(MqttProperties.TOPIC_ALIAS))
                .toList();
        assertThat(shown).containsExactly(
                "aaaa|null",    // first use: no alias
                "aaaa|1",       // second use: alias 1 set up with the topic
                "|1",           // then the alias alone
                "bbbb|null",
                "bbbb|2",
                "cccc|null",
                "cccc|1",       // all taken: the least recently used (aaaa's 1) is reassigned
                "aaaa|null",    // aaaa lost its alias and starts over
                "|2",           // bbbb still has 2
                "x|null");      // too short to be worth an alias
        assertThat(sent).extracting(Packet::payloadAsString).containsExactly(topics);
    }

    @Test
    @Tag("MQTT-3.2.2-18")
    @DisplayName("[MQTT-3.2.2-18] without a Topic Alias Maximum from the server the client sends no alias")
    void noAliasesWithoutServerMaximum() throws Exception {
        MqttClient c = connected(builder("alias-none"));
        for (int i = 0; i < 4; i++) {
            get(c.publish("repeated/topic", "x", Qos.AT_LEAST_ONCE, false));
        }
        assertThat(server.received(MqttMessageType.PUBLISH))
                .allSatisfy(p -> {
                    assertThat(p.property(MqttProperties.TOPIC_ALIAS)).isNull();
                    assertThat(p.topic()).isEqualTo("repeated/topic");
                });
    }

    @Test
    @Tag("MQTT-3.3.2-7")
    @DisplayName("[MQTT-3.3.2-7] alias mappings do not carry over to a new connection: the topic goes in full again")
    void aliasesResetOnReconnect() throws Exception {
        connackWith(props(MqttProperties.TOPIC_ALIAS_MAXIMUM, 5));
        Events events = new Events();
        MqttClient c = connected(builder("alias-reset").reconnectPolicy(fastReconnect()).connectionListener(events));
        for (int i = 0; i < 3; i++) {
            get(c.publish("some/topic", "x", Qos.AT_LEAST_ONCE, false));
        }
        server.dropConnections();
        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        get(c.publish("some/topic", "y", Qos.AT_LEAST_ONCE, false));

        Packet first = server.receivedOn(1).stream().filter(p -> p.type() == MqttMessageType.PUBLISH).findFirst()
                .orElseThrow();
        assertThat(first.topic()).isEqualTo("some/topic");
        assertThat(first.property(MqttProperties.TOPIC_ALIAS)).isNull();
    }

    @Test
    @DisplayName("outgoing aliases can be turned off")
    void aliasesOff() throws Exception {
        connackWith(props(MqttProperties.TOPIC_ALIAS_MAXIMUM, 5));
        MqttClient c = connected(builder("alias-off").outgoingTopicAliases(false));
        for (int i = 0; i < 3; i++) {
            get(c.publish("some/topic", "x", Qos.AT_LEAST_ONCE, false));
        }
        assertThat(server.received(MqttMessageType.PUBLISH))
                .allSatisfy(p -> assertThat(p.property(MqttProperties.TOPIC_ALIAS)).isNull());
    }

    @Test
    @Tag("MQTT-3.3.2-10")
    @DisplayName("[MQTT-3.3.2-10] incoming aliases 1 to the client's Topic Alias Maximum are accepted and resolved")
    void incomingAliases() throws Exception {
        Received received = new Received();
        MqttClient c = connected(builder("alias-in").topicAliasMaximum(3));
        get(c.subscribe("#", Qos.AT_LEAST_ONCE, received));

        server.publish("t/one", "1", 1, 1, props(MqttProperties.TOPIC_ALIAS, 1));
        server.publish("t/three", "2", 1, 2, props(MqttProperties.TOPIC_ALIAS, 3));
        server.publish("", "3", 1, 3, props(MqttProperties.TOPIC_ALIAS, 1));
        server.publish("", "4", 0, 0, props(MqttProperties.TOPIC_ALIAS, 3));
        server.publish("t/new", "5", 1, 4, props(MqttProperties.TOPIC_ALIAS, 1));
        server.publish("", "6", 1, 5, props(MqttProperties.TOPIC_ALIAS, 1));
        await().atMost(WAIT).until(() -> received.count() == 6);

        assertThat(received.messages()).extracting(ReceivedMessage::topic)
                .containsExactly("t/one", "t/three", "t/one", "t/three", "t/new", "t/new");
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    @DisplayName("an incoming alias above the client's Topic Alias Maximum: DISCONNECT 0x94, and the listener hears why")
    void incomingAliasTooHigh() throws Exception {
        Events events = new Events();
        connected(builder("alias-high").topicAliasMaximum(2).connectionListener(events));
        server.publish("t", "x", 0, 0, props(MqttProperties.TOPIC_ALIAS, 3));

        assertThat(awaitPackets(MqttMessageType.DISCONNECT, 1).get(0).reasonCode())
                .isEqualTo(ReasonCodes.TOPIC_ALIAS_INVALID);
        await().atMost(WAIT).until(() -> !events.of("lost").isEmpty());
        assertThat(events.of("lost").get(0).cause()).hasMessageContaining("topic alias invalid (0x94)");
        await().atMost(WAIT).until(() -> !server.isOpen(0));
    }

    @Test
    @DisplayName("an empty topic with an alias never mapped on this connection: DISCONNECT 0x82")
    void incomingAliasUnknown() throws Exception {
        connected(builder("alias-unknown").topicAliasMaximum(2));
        server.publish("", "x", 0, 0, props(MqttProperties.TOPIC_ALIAS, 1));

        assertThat(awaitPackets(MqttMessageType.DISCONNECT, 1).get(0).reasonCode())
                .isEqualTo(ReasonCodes.PROTOCOL_ERROR);
        await().atMost(WAIT).until(() -> !server.isOpen(0));
    }

    // ---------------------------------------------------------------------------------------------------------
    // the client's own limits
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("a server that exceeds the client's Receive Maximum of 2 gets DISCONNECT 0x93")
    void clientReceiveMaximum() throws Exception {
        Received received = new Received();
        MqttClient c = connected(builder("recvmax").receiveMaximum(2));
        get(c.subscribe("r/#", Qos.EXACTLY_ONCE, received));
        server.publish("r/1", "a", 2, 1, MqttProperties.NO_PROPERTIES);
        server.publish("r/2", "b", 2, 2, MqttProperties.NO_PROPERTIES);
        awaitPackets(MqttMessageType.PUBREC, 2);
        assertThat(c.isConnected()).isTrue();

        server.publish("r/3", "c", 1, 3, MqttProperties.NO_PROPERTIES);

        assertThat(awaitPackets(MqttMessageType.DISCONNECT, 1).get(0).reasonCode())
                .isEqualTo(ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED);
        assertThat(received.payloads()).containsExactly("a", "b");
    }

    @Test
    @DisplayName("a packet above the client's Maximum Packet Size: DISCONNECT 0x95")
    void clientMaximumPacketSize() throws Exception {
        MqttClient c = connected(builder("maxin").maxIncomingPacketSize(64));
        get(c.subscribe("big", Qos.AT_MOST_ONCE, m -> { }));
        server.publish("big", "x".repeat(100), 0, 0, MqttProperties.NO_PROPERTIES);

        assertThat(awaitPackets(MqttMessageType.DISCONNECT, 1).get(0).reasonCode())
                .isEqualTo(ReasonCodes.PACKET_TOO_LARGE);
    }

    @Test
    @DisplayName("Request Problem Information 0: a PUBACK with a Reason String gets DISCONNECT 0x82; with the default"
            + " the same PUBACK is accepted")
    void requestProblemInformation() throws Exception {
        byte[] pubAckWithReason = bytes(
                0x40, 0x08,             // PUBACK, remaining length 8
                0x00, 0x63,             // packet identifier 99
                0x00,                   // reason code 0x00
                0x04, 0x1F, 0x00, 0x01, 'x');  // Reason String "x"
        MqttClient lenient = connected(builder("problems-yes"));
        server.sendRaw(pubAckWithReason);
        get(lenient.subscribe("sync", Qos.AT_MOST_ONCE, m -> { }));
        assertThat(lenient.isConnected()).isTrue();

        connected(builder("problems-no").requestProblemInformation(false));
        server.sendRaw(pubAckWithReason);
        assertThat(awaitPackets(MqttMessageType.DISCONNECT, 1).get(0).reasonCode())
                .isEqualTo(ReasonCodes.PROTOCOL_ERROR);
        await().atMost(WAIT).until(() -> !server.isOpen(1));
    }

    // ---------------------------------------------------------------------------------------------------------
    // SUBSCRIBE, UNSUBSCRIBE
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Tag("MQTT-3.8.3-1")
    @Tag("MQTT-3.10.3-1")
    @Tag("MQTT-3.8.1-1")
    @Tag("MQTT-3.10.1-1")
    @DisplayName("[MQTT-3.8.3-1] [MQTT-3.10.3-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1] SUBSCRIBE with options and a"
            + " Subscription Identifier, and UNSUBSCRIBE, byte for byte")
    void subscribeBytes() throws Exception {
        MqttClient c = connected(builder("subbytes"));
        get(c.subscribe(List.of(Subscription.of("a/+", Qos.AT_LEAST_ONCE).withNoLocal(true)
                .withRetainAsPublished(true).withRetainHandling(RetainHandling.DO_NOT_SEND)), 7, m -> { }));
        get(c.unsubscribe("a/+"));

        assertThat(hex(sent(0, 8, 0))).isEqualTo(hex(bytes(
                0x82, 0x0B,             // SUBSCRIBE, flags 0010, remaining length 11
                0x00, 0x01,             // packet identifier 1
                0x02, 0x0B, 0x07,       // property length 2: Subscription Identifier 7
                0x00, 0x03, 'a', '/', '+',
                0x2D)));                // retain handling 2, retain as published, no local, QoS 1
        assertThat(hex(sent(0, 10, 0))).isEqualTo(hex(bytes(
                0xA2, 0x08,             // UNSUBSCRIBE, flags 0010, remaining length 8
                0x00, 0x02,             // packet identifier 2
                0x00,                   // property length 0
                0x00, 0x03, 'a', '/', '+')));
    }

    @Test
    @Tag("MQTT-3.8.3-2")
    @Tag("MQTT-3.10.3-2")
    @Tag("MQTT-3.8.3-4")
    @DisplayName("[MQTT-3.8.3-2] [MQTT-3.10.3-2] [MQTT-3.8.3-4] an empty SUBSCRIBE or UNSUBSCRIBE and No Local on a"
            + " shared subscription are refused before anything is sent")
    void subscribeRequests() throws Exception {
        MqttClient c = connected(builder("subempty"));
        assertThatIllegalArgumentException().isThrownBy(() -> c.subscribe(List.of(), 1, m -> { }));
        assertThatIllegalArgumentException().isThrownBy(c::unsubscribe);
        assertThatIllegalArgumentException().isThrownBy(() -> Subscription.of("$share/g/t", Qos.AT_MOST_ONCE)
                .withNoLocal(true)).withMessageContaining("MQTT-3.8.3-4");
        assertThat(server.received(MqttMessageType.SUBSCRIBE)).isEmpty();
    }

    @Test
    @DisplayName("SUBACK and UNSUBACK reason codes and Reason Strings reach the results; a refused filter keeps no"
            + " listener, a refused unsubscribe keeps it")
    void subAckAndUnsubAckReasons() throws Exception {
        server.subAckCode = 0x87;
        Received fallback = new Received();
        MqttClient c = connected(builder("subreasons").defaultListener(fallback));

        SubscribeResult refused = get(c.subscribe("no/#", Qos.AT_LEAST_ONCE, m -> { }));
        assertThat(refused.grant(0).isGranted()).isFalse();
        assertThat(refused.grant(0).returnCode()).isEqualTo(0x87);

        server.subAckCode = -1;
        Received mine = new Received();
        get(c.subscribe("yes/#", Qos.AT_LEAST_ONCE, mine));
        server.unsubAckCode = 0x80;
        UnsubscribeResult un = get(c.unsubscribe("yes/#"));
        assertThat(un.allSucceeded()).isFalse();
        assertThat(un.reasonCodes()).containsExactly(0x80);
        server.publish("yes/1", "still", 0, 0, MqttProperties.NO_PROPERTIES);
        await().atMost(WAIT).until(() -> mine.count() == 1);

        server.unsubAckCode = 0x11;
        UnsubscribeResult gone = get(c.unsubscribe("yes/#"));
        assertThat(gone.allSucceeded()).isTrue();
        assertThat(gone.reasonCodes()).containsExactly(ReasonCodes.NO_SUBSCRIPTION_EXISTED);
        server.publish("yes/2", "stray", 0, 0, MqttProperties.NO_PROPERTIES);
        await().atMost(WAIT).until(() -> fallback.count() == 1);
        assertThat(mine.count()).isEqualTo(1);
    }

    @Test
    @DisplayName("Subscription Identifiers, wildcards and shared subscriptions the server said it lacks fail at once")
    void unsupportedSubscriptions() throws Exception {
        connackWith(props(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0,
                MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 0, MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
        MqttClient c = connected(builder("nosubfeatures"));

        assertThatThrownBy(() -> get(c.subscribe(List.of(Subscription.of("a", Qos.AT_MOST_ONCE)), 3, m -> { })))
                .cause().hasMessageContaining("Subscription Identifiers");
        assertThatThrownBy(() -> get(c.subscribe("a/#", Qos.AT_MOST_ONCE, m -> { })))
                .cause().hasMessageContaining("wildcard");
        assertThatThrownBy(() -> get(c.subscribe("$share/g/a", Qos.AT_MOST_ONCE, m -> { })))
                .cause().hasMessageContaining("shared");
        assertThat(server.received(MqttMessageType.SUBSCRIBE)).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // DISCONNECT
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Tag("MQTT-3.14.4-1")
    @Tag("MQTT-3.14.4-2")
    @Tag("MQTT-3.14.2-1")
    @DisplayName("[MQTT-3.14.4-1] [MQTT-3.14.4-2] [MQTT-3.14.2-1] DISCONNECT with reason 0x04 and a Reason String,"
            + " byte for byte, is the last packet and the connection closes; server-only codes are refused")
    void clientDisconnect() throws Exception {
        MqttClient c = connected(builder("bye"));
        get(c.disconnect(DisconnectOptions.of(ReasonCodes.DISCONNECT_WITH_WILL_MESSAGE).withReasonString("bye")));

        await().atMost(WAIT).until(() -> !server.isOpen(0));
        List<byte[]> all = Wire.packets(server.bytesOn(0));
        assertThat(hex(all.get(all.size() - 1))).isEqualTo(hex(bytes(
                0xE0, 0x08,                         // DISCONNECT, remaining length 8
                0x04,                               // disconnect with will message
                0x06, 0x1F, 0x00, 0x03, 'b', 'y', 'e')));  // Reason String "bye"
        assertThatIllegalArgumentException().isThrownBy(() -> DisconnectOptions.of(ReasonCodes.SESSION_TAKEN_OVER));
    }

    @Test
    @Tag("MQTT-3.14.2-3")
    @Tag("MQTT-3.14.2-4")
    @DisplayName("[MQTT-3.14.2-3] [MQTT-3.14.2-4] a DISCONNECT whose Reason String and User Properties would"
            + " exceed the server's Maximum Packet Size goes without them")
    void disconnectTrimmed() throws Exception {
        connackWith(props(MqttProperties.MAXIMUM_PACKET_SIZE, 30));
        MqttClient c = connected(builder("trim"));
        get(c.disconnect(DisconnectOptions.of(ReasonCodes.DISCONNECT_WITH_WILL_MESSAGE)
                .withReasonString("a reason much too long for thirty bytes").withUserProperty("k", "v")));

        await().atMost(WAIT).until(() -> !server.isOpen(0));
        List<byte[]> all = Wire.packets(server.bytesOn(0));
        assertThat(hex(all.get(all.size() - 1))).isEqualTo(hex(bytes(
                0xE0, 0x02,             // DISCONNECT, remaining length 2
                0x04,                   // disconnect with will message
                0x00)));                // no properties
    }

    @Test
    @Tag("MQTT-4.4.0-1")
    @Tag("MQTT-3.3.1-1")
    @Tag("MQTT-4.6.0-1")
    @Tag("MQTT-4.3.2-3")
    @Tag("MQTT-4.3.3-3")
    @Tag("MQTT-4.3.3-6")
    @DisplayName("[MQTT-4.4.0-1] [MQTT-3.3.1-1] [MQTT-4.6.0-1] [MQTT-4.3.2-3] [MQTT-4.3.3-3] [MQTT-4.3.3-6] a reconnect whose CONNACK has Session Present 1"
            + " sends the unacknowledged PUBLISH again with DUP 1 and its identifier, in order, then PUBREL")
    void resendAfterReconnect() throws Exception {
        server.ackPublishes = false;
        MqttClient c = connected(builder("resend5").cleanSession(false).sessionExpiryInterval(Duration.ofSeconds(60))
                .reconnectPolicy(fastReconnect()));
        CompletableFuture<PublishResult> a = c.publish("r/a", "A", Qos.AT_LEAST_ONCE, false);
        CompletableFuture<PublishResult> b = c.publish("r/b", "B", Qos.EXACTLY_ONCE, false);
        CompletableFuture<PublishResult> d = c.publish("r/d", "D", Qos.EXACTLY_ONCE, false);
        List<Packet> first = awaitPackets(MqttMessageType.PUBLISH, 3);
        server.answerPubRel = false;
        server.ack(first.get(2));
        awaitPackets(MqttMessageType.PUBREL, 1);

        server.sessionPresent = true;
        server.ackPublishes = true;
        server.answerPubRel = true;
        server.dropConnections();

        CompletableFuture.allOf(a, b, d).get(10, TimeUnit.SECONDS);
        List<Packet> again = server.receivedOn(1).stream().filter(p -> p.type() != MqttMessageType.CONNECT)
                .limit(3).toList();
        assertThat(again).extracting(p -> p.type() + " " + p.packetId() + " " + p.dup()).containsExactly(
                "PUBLISH " + first.get(0).packetId() + " true",
                "PUBLISH " + first.get(1).packetId() + " true",
                "PUBREL " + first.get(2).packetId() + " false");
    }

    @Test
    @Tag("MQTT-3.1.2-4")
    @DisplayName("[MQTT-3.1.2-4] Clean Start 1: a lost connection fails the pending publishes, and nothing of the"
            + " old session is sent on the new connection")
    void cleanStartFailsPending() throws Exception {
        server.ackPublishes = false;
        Events events = new Events();
        MqttClient c = connected(builder("clean5").sessionExpiryInterval(Duration.ofSeconds(60))
                .reconnectPolicy(fastReconnect()).connectionListener(events));
        CompletableFuture<PublishResult> a = c.publish("c/a", "A", Qos.AT_LEAST_ONCE, false);
        CompletableFuture<PublishResult> b = c.publish("c/b", "B", Qos.EXACTLY_ONCE, false);
        awaitPackets(MqttMessageType.PUBLISH, 2);

        server.dropConnections();

        assertThatThrownBy(() -> get(a)).cause().isInstanceOf(ConnectionLostException.class);
        assertThatThrownBy(() -> get(b)).cause().isInstanceOf(ConnectionLostException.class);
        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        get(c.subscribe("sync", Qos.AT_MOST_ONCE, m -> { }));
        assertThat(server.receivedOn(1)).extracting(Packet::type).containsExactly(MqttMessageType.CONNECT,
                MqttMessageType.SUBSCRIBE);
        assertThat(((MqttConnectVariableHeader) server.receivedOn(1).get(0).variableHeader()).isCleanSession())
                .isTrue();
    }

    @Test
    @Tag("MQTT-4.3.3-10")
    @Tag("MQTT-4.3.3-11")
    @Tag("MQTT-4.3.3-12")
    @Tag("MQTT-4.3.2-5")
    @DisplayName("[MQTT-4.3.3-10] [MQTT-4.3.3-11] [MQTT-4.3.3-12] [MQTT-4.3.2-5] inbound QoS 2 is delivered once"
            + " until PUBREL, PUBCOMP carries its identifier, and after it (or after a PUBACK) the identifier is a"
            + " new message")
    void inboundQos2() throws Exception {
        Received received = new Received();
        MqttClient c = connected(builder("in-q2"));
        get(c.subscribe("q/#", Qos.EXACTLY_ONCE, received));

        server.publish("q/2", "once", 2, 7, MqttProperties.NO_PROPERTIES);
        server.publish("q/2", "once", 2, 7, true);
        awaitPackets(MqttMessageType.PUBREC, 2);
        server.sendPubRel(7);
        assertThat(awaitPackets(MqttMessageType.PUBCOMP, 1).get(0).packetId()).isEqualTo(7);
        server.publish("q/2", "again", 2, 7, MqttProperties.NO_PROPERTIES);
        server.publish("q/1", "one", 1, 8, MqttProperties.NO_PROPERTIES);
        server.publish("q/1", "two", 1, 8, true);

        await().atMost(WAIT).until(() -> received.count() == 4);
        assertThat(received.payloads()).containsExactly("once", "again", "one", "two");
        assertThat(server.received(MqttMessageType.PUBCOMP).get(0).reasonCode()).isEqualTo(ReasonCodes.SUCCESS);
    }

    @Test
    @DisplayName("a plain disconnect() sends the two-byte DISCONNECT")
    void normalDisconnectBytes() throws Exception {
        MqttClient c = connected(builder("plainbye"));
        get(c.disconnect());
        await().atMost(WAIT).until(() -> !server.isOpen(0));
        List<byte[]> all = Wire.packets(server.bytesOn(0));
        assertThat(hex(all.get(all.size() - 1))).isEqualTo(hex(bytes(0xE0, 0x00)));
    }

    @Test
    @DisplayName("DISCONNECT may lower the Session Expiry Interval, but not raise it from 0: that fails, nothing sent")
    void disconnectSessionExpiry() throws Exception {
        MqttClient zero = connected(builder("exp0"));
        assertThatThrownBy(() -> get(zero.disconnect(DisconnectOptions.normal()
                .withSessionExpiryInterval(Duration.ofSeconds(5))))).cause()
                .hasMessageContaining("Session Expiry Interval of 0");
        assertThat(zero.isConnected()).isTrue();

        MqttClient some = connected(builder("exp60").sessionExpiryInterval(Duration.ofSeconds(60)));
        get(some.disconnect(DisconnectOptions.normal().withSessionExpiryInterval(Duration.ZERO)));
        Packet d = awaitPackets(MqttMessageType.DISCONNECT, 1).get(0);
        assertThat(d.property(MqttProperties.SESSION_EXPIRY_INTERVAL)).isEqualTo(0);
    }

    @Test
    @DisplayName("a server DISCONNECT 0x8B reaches the connection listener with code and Reason String, and the"
            + " client reconnects")
    void serverDisconnect() throws Exception {
        Events events = new Events();
        connected(builder("kicked").reconnectPolicy(fastReconnect()).connectionListener(events));

        server.disconnect(ReasonCodes.SERVER_SHUTTING_DOWN, props(MqttProperties.REASON_STRING, "maintenance",
                MqttProperties.SERVER_REFERENCE, "spare:1883"));

        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        Throwable cause = events.of("lost").get(0).cause();
        assertThat(cause).isInstanceOf(ServerDisconnectedException.class)
                .hasMessageContaining("server shutting down (0x8B)").hasMessageContaining("maintenance");
        ServerDisconnectedException d = (ServerDisconnectedException) cause;
        assertThat(d.reasonCode()).isEqualTo(0x8B);
        assertThat(d.reasonString()).contains("maintenance");
        assertThat(d.serverReference()).contains("spare:1883");
    }

    // ---------------------------------------------------------------------------------------------------------
    // enhanced authentication
    // ---------------------------------------------------------------------------------------------------------

    /** A challenge/response authenticator: answers each challenge with "r" + the challenge, records all calls. */
    private static final class Echo implements EnhancedAuthenticator {
        final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public String method() {
            return "ECHO";
        }

        @Override
        public byte[] initialData() {
            return "hello".getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public CompletableFuture<byte[]> onChallenge(byte[] serverData) {
            String s = new String(serverData, StandardCharsets.UTF_8);
            calls.add("challenge " + s);
            // answered later, from another thread, as a remote signer would
            return CompletableFuture.supplyAsync(() -> ("r" + s).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void onSuccess(byte[] serverData) {
            calls.add("success " + (serverData == null ? "-" : new String(serverData, StandardCharsets.UTF_8)));
        }

        @Override
        public void onFailure(int reasonCode, String reasonString) {
            calls.add(String.format("failure 0x%02X %s", reasonCode, reasonString));
        }

        @Override
        public byte[] reauthenticationData() {
            return "again".getBytes(StandardCharsets.UTF_8);
        }
    }

    private static String data(Packet p) {
        byte[] b = (byte[]) p.property(MqttProperties.AUTHENTICATION_DATA);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Scripts a server that challenges twice and then accepts, during CONNECT and re-authentication. */
    private void scriptTwoChallenges() {
        server.script = (ctx, p) -> {
            switch (p.type()) {
                case CONNECT -> ctx.writeAndFlush(FakeServer.auth(0x18, "ECHO", "c1".getBytes(StandardCharsets.UTF_8)));
                case AUTH -> {
                    String d = data(p);
                    if ("rc1".equals(d)) {
                        ctx.writeAndFlush(FakeServer.auth(0x18, "ECHO", "c2".getBytes(StandardCharsets.UTF_8)));
                    } else if ("rc2".equals(d)) {
                        ctx.writeAndFlush(FakeServer.connAck(0, false, props(MqttProperties.AUTHENTICATION_METHOD,
                                "ECHO", MqttProperties.AUTHENTICATION_DATA, "ok".getBytes(StandardCharsets.UTF_8))));
                    } else if ("again".equals(d)) {
                        ctx.writeAndFlush(FakeServer.auth(0x18, "ECHO", "c3".getBytes(StandardCharsets.UTF_8)));
                    } else if ("rc3".equals(d)) {
                        ctx.writeAndFlush(FakeServer.auth(0x00, "ECHO", "fine".getBytes(StandardCharsets.UTF_8)));
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        };
    }

    @Test
    @Tag("MQTT-4.12.0-3")
    @Tag("MQTT-4.12.0-5")
    @Tag("MQTT-3.1.2-30")
    @DisplayName("[MQTT-4.12.0-3] [MQTT-4.12.0-5] [MQTT-3.1.2-30] enhanced authentication: CONNECT with method and"
            + " data, each challenge answered with AUTH 0x18 and the same method, nothing else before CONNACK")
    void enhancedAuthentication() throws Exception {
        scriptTwoChallenges();
        Echo echo = new Echo();
        MqttClient c = track(builder("auth").enhancedAuthentication(echo).build());
        CompletableFuture<ConnectResult> connecting = c.connect();
        CompletableFuture<PublishResult> early = c.publish("early", "x", Qos.AT_LEAST_ONCE, false);

        ConnectResult r = get(connecting);
        get(early);
        assertThat(r.properties().authenticationMethod()).contains("ECHO");
        assertThat(echo.calls).containsExactly("challenge c1", "challenge c2", "success ok");
        Packet connect = server.received(MqttMessageType.CONNECT).get(0);
        assertThat(connect.property(MqttProperties.AUTHENTICATION_METHOD)).isEqualTo("ECHO");
        assertThat(data(connect)).isEqualTo("hello");
        List<Packet> auths = server.received(MqttMessageType.AUTH);
        assertThat(auths).extracting(Packet::reasonCode).containsExactly(0x18, 0x18);
        assertThat(auths).extracting(p -> p.property(MqttProperties.AUTHENTICATION_METHOD))
                .containsExactly("ECHO", "ECHO");
        assertThat(auths).extracting(Client5ScriptedServerTest::data).containsExactly("rc1", "rc2");
        assertThat(server.received()).extracting(Packet::type).containsSubsequence(MqttMessageType.CONNECT,
                MqttMessageType.AUTH, MqttMessageType.AUTH, MqttMessageType.PUBLISH);
        assertThat(server.received().subList(0, 3)).extracting(Packet::type)
                .containsExactly(MqttMessageType.CONNECT, MqttMessageType.AUTH, MqttMessageType.AUTH);
    }

    @Test
    @Tag("MQTT-4.12.1-1")
    @Tag("MQTT-3.15.2-1")
    @DisplayName("[MQTT-4.12.1-1] [MQTT-3.15.2-1] re-authentication: AUTH 0x19 with the original method, a challenge answered,"
            + " AUTH 0x00 completes the future")
    void reauthentication() throws Exception {
        scriptTwoChallenges();
        Echo echo = new Echo();
        MqttClient c = connected(builder("reauth").enhancedAuthentication(echo));

        AuthenticationResult r = get(c.reauthenticate());

        assertThat(new String(r.authenticationData().orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("fine");
        List<Packet> auths = server.received(MqttMessageType.AUTH);
        assertThat(auths.subList(2, 4)).extracting(Packet::reasonCode).containsExactly(0x19, 0x18);
        assertThat(auths.subList(2, 4)).extracting(p -> p.property(MqttProperties.AUTHENTICATION_METHOD))
                .containsExactly("ECHO", "ECHO");
        assertThat(auths.subList(2, 4)).extracting(Client5ScriptedServerTest::data).containsExactly("again", "rc3");
        assertThat(echo.calls).endsWith("challenge c3", "success fine");
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    @Tag("MQTT-4.12.1-2")
    @DisplayName("[MQTT-4.12.1-2] a refused re-authentication: the server's DISCONNECT fails the future with its"
            + " reason code and the connection is closed")
    void reauthenticationRefused() throws Exception {
        scriptTwoChallenges();
        Echo echo = new Echo();
        MqttClient c = connected(builder("reauthno").enhancedAuthentication(echo));
        server.script = (ctx, p) -> {
            if (p.type() == MqttMessageType.AUTH) {
                server.disconnect(ReasonCodes.NOT_AUTHORIZED, props(MqttProperties.REASON_STRING, "revoked"));
                return true;
            }
            return false;
        };

        assertThatThrownBy(() -> get(c.reauthenticate())).cause().isInstanceOf(ServerDisconnectedException.class)
                .hasMessageContaining("not authorized (0x87)").hasMessageContaining("revoked");
        assertThat(echo.calls).contains("failure 0x87 revoked");
        await().atMost(WAIT).until(() -> !server.isOpen(0));
    }

    @Test
    @Tag("MQTT-4.12.0-7")
    @DisplayName("[MQTT-4.12.0-7] without an authentication method the client sends no AUTH: reauthenticate()"
            + " is refused, and an AUTH from the server is a protocol error")
    void noAuthWithoutMethod() throws Exception {
        MqttClient c = connected(builder("noauth"));
        assertThatThrownBy(c::reauthenticate).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MQTT-4.12.0-7");

        server.send(FakeServer.auth(0x18, "X", null));
        assertThat(awaitPackets(MqttMessageType.DISCONNECT, 1).get(0).reasonCode())
                .isEqualTo(ReasonCodes.PROTOCOL_ERROR);
        assertThat(server.received(MqttMessageType.AUTH)).isEmpty();
    }

    @Test
    @DisplayName("a refused enhanced authentication: CONNACK 0x8C fails connect() and the authenticator hears it")
    void enhancedAuthenticationRefused() {
        server.script = (ctx, p) -> {
            if (p.type() == MqttMessageType.CONNECT) {
                ctx.writeAndFlush(FakeServer.connAck(0x8C, false, props(MqttProperties.REASON_STRING, "no ECHO")));
                return true;
            }
            return false;
        };
        Echo echo = new Echo();
        MqttClient c = track(builder("authno").enhancedAuthentication(echo).build());

        assertThatThrownBy(() -> get(c.connect())).cause().isInstanceOf(ConnectRefusedException.class)
                .hasMessageContaining("bad authentication method (0x8C)");
        assertThat(echo.calls).containsExactly("failure 0x8C no ECHO");
    }

    @Test
    @DisplayName("the connect timeout bounds the whole exchange: an authenticator that never answers fails connect()")
    void authenticatorNeverAnswers() {
        server.script = (ctx, p) -> {
            if (p.type() == MqttMessageType.CONNECT) {
                ctx.writeAndFlush(FakeServer.auth(0x18, "SLOW", new byte[] {1}));
                return true;
            }
            return false;
        };
        EnhancedAuthenticator slow = new EnhancedAuthenticator() {
            @Override
            public String method() {
                return "SLOW";
            }

            @Override
            public CompletableFuture<byte[]> onChallenge(byte[] serverData) {
                return new CompletableFuture<>();
            }
        };
        MqttClient c = track(builder("authslow").enhancedAuthentication(slow).connectTimeout(Duration.ofMillis(300))
                .build());

        assertThatThrownBy(() -> get(c.connect())).cause().hasMessageContaining("no CONNACK")
                .hasMessageContaining("300 ms");
        await().atMost(WAIT).until(() -> !server.isOpen(0));
    }

    @Test
    @DisplayName("a re-authentication the server never answers fails after the connect timeout, with DISCONNECT 0x80")
    void reauthenticationTimeout() throws Exception {
        scriptTwoChallenges();
        MqttClient c = connected(builder("reauthslow").enhancedAuthentication(new Echo())
                .connectTimeout(Duration.ofMillis(300)));
        server.script = (ctx, p) -> p.type() == MqttMessageType.AUTH; // swallowed, never answered

        assertThatThrownBy(() -> get(c.reauthenticate())).cause().isInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("no answer to re-authentication within 300 ms");
        assertThat(awaitPackets(MqttMessageType.DISCONNECT, 1).get(0).reasonCode())
                .isEqualTo(ReasonCodes.UNSPECIFIED_ERROR);
    }

    @Test
    @DisplayName("an authenticator whose answer fails aborts the connect with DISCONNECT")
    void authenticatorFails() {
        server.script = (ctx, p) -> {
            if (p.type() == MqttMessageType.CONNECT) {
                ctx.writeAndFlush(FakeServer.auth(0x18, "ECHO", new byte[] {1}));
                return true;
            }
            return false;
        };
        EnhancedAuthenticator broken = new EnhancedAuthenticator() {
            @Override
            public String method() {
                return "ECHO";
            }

            @Override
            public CompletableFuture<byte[]> onChallenge(byte[] serverData) {
                return CompletableFuture.failedFuture(new IllegalStateException("no key"));
            }
        };
        MqttClient c = track(builder("authbroken").enhancedAuthentication(broken).build());

        assertThatThrownBy(() -> get(c.connect())).cause().hasMessageContaining("no key");
        assertThat(awaitPackets(MqttMessageType.DISCONNECT, 1).get(0).reasonCode())
                .isEqualTo(ReasonCodes.UNSPECIFIED_ERROR);
    }

    // ---------------------------------------------------------------------------------------------------------
    // strings
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Tag("MQTT-1.5.4-1")
    @Tag("MQTT-1.5.4-2")
    @Tag("MQTT-1.5.4-3")
    @Tag("MQTT-3.3.2-13")
    @Tag("MQTT-3.3.2-14")
    @Tag("MQTT-3.3.2-19")
    @DisplayName("[MQTT-1.5.4-1] [MQTT-1.5.4-2] [MQTT-1.5.4-3] [MQTT-3.3.2-13] [MQTT-3.3.2-14] [MQTT-3.3.2-19]"
            + " strings with NUL or a lone surrogate, and a Response Topic with wildcards, are refused before"
            + " anything is sent; a BOM (U+FEFF) is kept")
    void strings() {
        assertThatIllegalArgumentException().isThrownBy(() -> UserProperty.of("a\u0000", "b"));
        assertThatIllegalArgumentException().isThrownBy(() -> UserProperty.of("a", "\uD800"));
        assertThatIllegalArgumentException().isThrownBy(() -> MessageProperties.builder().contentType("x\u0000"));
        assertThatIllegalArgumentException().isThrownBy(() -> MessageProperties.builder().responseTopic("a/#"));
        assertThatIllegalArgumentException().isThrownBy(() -> MessageProperties.builder().responseTopic("a/+/b"));
        assertThat(MessageProperties.builder().contentType("\uFEFFtext").build().contentType()).contains("\uFEFFtext");
    }
}
