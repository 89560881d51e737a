package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.client.testsupport.Events;
import io.cairn.client.testsupport.Mosquitto;
import io.cairn.client.testsupport.Received;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MQTT 5 client against Mosquitto 2.0, a broker it was not written with: CONNACK properties and an assigned
 * client id, message properties, Subscription Identifiers, subscription options, topic aliases towards the
 * broker, sessions, the will, session takeover, and a second Mosquitto whose limits (Maximum QoS 1, no retain,
 * Maximum Packet Size, Server Keep Alive, two topic aliases) the client must obey.
 *
 * <p>Needs {@code /usr/sbin/mosquitto}: without it the tests are skipped, or fail when {@code CI} is set.
 */
class Client5MosquittoIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path temp;

    private static Mosquitto mosquitto;
    private static Mosquitto limited;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void startMosquitto() throws Exception {
        mosquitto = Mosquitto.start(temp);
        limited = Mosquitto.start(temp, "max_qos 1", "retain_available false", "max_packet_size 200",
                "max_keepalive 10", "max_topic_alias 2");
    }

    @AfterAll
    static void stopMosquitto() {
        if (mosquitto != null) {
            mosquitto.close();
        }
        if (limited != null) {
            limited.close();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(MqttClient::close);
    }

    private static MqttClient.Builder builder(String clientId, Mosquitto broker) {
        return MqttClient.builder().host("127.0.0.1").port(broker.port()).clientId(clientId)
                .protocolVersion(MqttProtocolVersion.MQTT_5).reconnectPolicy(ReconnectPolicy.none());
    }

    private MqttClient.Builder builder(String clientId) {
        return builder(clientId, mosquitto);
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

    @Test
    @DisplayName("connects with MQTT 5: an empty client id gets one assigned, and CONNACK properties are exposed")
    void connect() throws Exception {
        MqttClient c = track(builder("").build());
        ConnectResult r = get(c.connect());

        assertThat(r.properties().assignedClientIdentifier()).isPresent();
        assertThat(r.properties().topicAliasMaximum()).isEqualTo(10);
        String assigned = r.properties().assignedClientIdentifier().get();
        await().atMost(WAIT).until(() -> mosquitto.output().stream().anyMatch(l -> l.contains(assigned)));
    }

    @Test
    @DisplayName("message properties through Mosquitto: expiry, format, content type, response topic, correlation"
            + " data, user properties in order")
    void propertiesRoundTrip() throws Exception {
        Received received = new Received();
        MqttClient sub = connected(builder("m5-props-sub"));
        get(sub.subscribe("m5/props", Qos.EXACTLY_ONCE, received));
        MqttClient pub = connected(builder("m5-props-pub"));
        MessageProperties sent = MessageProperties.builder().messageExpiryInterval(Duration.ofSeconds(300))
                .utf8Payload(true).contentType("text/plain").responseTopic("m5/reply")
                .correlationData(new byte[] {1, 2, 3}).userProperty("z", "1").userProperty("a", "2")
                .userProperty("z", "3").build();

        for (Qos qos : Qos.values()) {
            get(pub.publish("m5/props", ("q" + qos.value()).getBytes(StandardCharsets.UTF_8), qos, false, sent));
        }

        await().atMost(WAIT).until(() -> received.count() == 3);
        assertThat(received.payloads()).containsExactly("q0", "q1", "q2");
        for (ReceivedMessage m : received.messages()) {
            MessageProperties got = m.properties();
            assertThat(got.utf8Payload()).isTrue();
            assertThat(got.contentType()).contains("text/plain");
            assertThat(got.responseTopic()).contains("m5/reply");
            assertThat(got.correlationData().orElseThrow()).containsExactly(1, 2, 3);
            assertThat(got.userProperties()).containsExactly(UserProperty.of("z", "1"), UserProperty.of("a", "2"),
                    UserProperty.of("z", "3"));
            assertThat(got.messageExpiryInterval().orElseThrow()).isLessThanOrEqualTo(Duration.ofSeconds(300));
        }
    }

    @Test
    @DisplayName("Subscription Identifiers and No Local through Mosquitto")
    void subscriptionIdentifiersAndNoLocal() throws Exception {
        Received received = new Received();
        MqttClient c = connected(builder("m5-sid"));
        get(c.subscribe(List.of(Subscription.of("m5/sid/#", Qos.AT_LEAST_ONCE).withNoLocal(true)), 42, received));
        MqttClient other = connected(builder("m5-sid-other"));

        get(c.publish("m5/sid/x", "mine", Qos.AT_LEAST_ONCE, false));
        get(other.publish("m5/sid/x", "theirs", Qos.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> received.count() == 1);
        assertThat(received.payloads()).containsExactly("theirs");
        assertThat(received.messages().get(0).subscriptionIdentifiers()).containsExactly(42);
    }

    @Test
    @DisplayName("Retain As Published and Retain Handling 2 through Mosquitto")
    void retainOptions() throws Exception {
        MqttClient pub = connected(builder("m5-ret-pub"));
        get(pub.publish("m5/ret", "kept", Qos.AT_LEAST_ONCE, true));
        Received rap = new Received();
        MqttClient a = connected(builder("m5-ret-a"));
        get(a.subscribe(List.of(Subscription.of("m5/ret", Qos.AT_LEAST_ONCE).withRetainAsPublished(true)
                .withRetainHandling(RetainHandling.DO_NOT_SEND)), 0, rap));

        get(pub.publish("m5/ret", "live", Qos.AT_LEAST_ONCE, true));

        await().atMost(WAIT).until(() -> rap.count() == 1);
        assertThat(rap.payloads()).containsExactly("live");
        assertThat(rap.messages().get(0).retain()).isTrue();
        get(pub.publish("m5/ret", new byte[0], Qos.AT_LEAST_ONCE, true));
    }

    @Test
    @DisplayName("topic aliases towards Mosquitto (its maximum is 10): 300 messages on 15 topics arrive with the"
            + " right topics, in order")
    void outgoingAliases() throws Exception {
        Received received = new Received();
        MqttClient sub = connected(builder("m5-alias-sub"));
        get(sub.subscribe("m5/alias/#", Qos.AT_LEAST_ONCE, received));
        MqttClient pub = connected(builder("m5-alias-pub"));
        List<String> expected = new ArrayList<>();
        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String topic = "m5/alias/t" + (i * 7 % 15);
            expected.add(topic + " " + i);
            futures.add(pub.publish(topic, topic + " " + i, Qos.AT_LEAST_ONCE, false));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> received.count() == 300);
        assertThat(received.messages()).extracting(m -> m.topic() + " " + m.payloadAsString().split(" ")[1])
                .containsExactlyElementsOf(expected);
        assertThat(pub.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a session with Session Expiry Interval 60 keeps Mosquitto's queued messages across a disconnect")
    void sessionExpiry() throws Exception {
        Received received = new Received();
        MqttClient c = connected(builder("m5-session").cleanSession(false)
                .sessionExpiryInterval(Duration.ofSeconds(60)));
        get(c.subscribe("m5/session", Qos.AT_LEAST_ONCE, received));
        get(c.disconnect());
        MqttClient pub = connected(builder("m5-session-pub"));
        get(pub.publish("m5/session", "queued", Qos.AT_LEAST_ONCE, false));

        assertThat(get(c.connect()).sessionPresent()).isTrue();
        await().atMost(WAIT).until(() -> received.count() == 1);
        assertThat(received.payloads()).containsExactly("queued");
    }

    @Test
    @DisplayName("Mosquitto publishes the will with its properties on an abrupt loss, and on DISCONNECT 0x04")
    void will() throws Exception {
        Received wills = new Received();
        MqttClient watcher = connected(builder("m5-watcher"));
        get(watcher.subscribe("m5/will/#", Qos.AT_LEAST_ONCE, wills));
        EventLoopGroup doomed = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        connected(builder("m5-dying").eventLoopGroup(doomed)
                .will(Will.of("m5/will/dying", "bye".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false)
                        .withProperties(MessageProperties.builder().userProperty("k", "v").build())));
        doomed.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        MqttClient polite = connected(builder("m5-polite")
                .will(Will.of("m5/will/polite", "asked".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false)));
        get(polite.disconnect(DisconnectOptions.of(ReasonCodes.DISCONNECT_WITH_WILL_MESSAGE)));

        // on a timeout the message names the will that did not come (seen missing once on a busy CI machine)
        await().atMost(WAIT).untilAsserted(() -> assertThat(wills.messages()).extracting(ReceivedMessage::topic)
                .containsExactlyInAnyOrder("m5/will/dying", "m5/will/polite"));
        assertThat(wills.messages().stream().filter(m -> m.topic().endsWith("dying")).findFirst().orElseThrow()
                .properties().userProperties()).containsExactly(UserProperty.of("k", "v"));
    }

    @Test
    @DisplayName("session taken over: Mosquitto 2.0.11 closes the old connection (without a DISCONNECT 0x8E, as"
            + " observed) and the old client's listener hears of the loss; the new client stays")
    void takeover() throws Exception {
        Events events = new Events();
        connected(builder("m5-takeover").connectionListener(events));
        MqttClient second = connected(builder("m5-takeover"));

        await().atMost(WAIT).until(() -> !events.of("lost").isEmpty());
        assertThat(events.of("lost").get(0).cause()).isInstanceOf(ConnectionLostException.class);
        assertThat(second.isConnected()).isTrue();
    }

    @Test
    @DisplayName("enhanced authentication with a method Mosquitto has no plugin for: CONNACK 0x8C fails connect()"
            + " and reaches the authenticator")
    void enhancedAuthenticationRefused() {
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        EnhancedAuthenticator scram = new EnhancedAuthenticator() {
            @Override
            public String method() {
                return "SCRAM-SHA-256";
            }

            @Override
            public byte[] initialData() {
                return "n,,n=user,r=nonce".getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public java.util.concurrent.CompletionStage<byte[]> onChallenge(byte[] serverData) {
                return CompletableFuture.completedFuture(new byte[0]);
            }

            @Override
            public void onFailure(int reasonCode, String reasonString) {
                failures.add(String.format("0x%02X", reasonCode));
            }
        };
        MqttClient c = track(builder("m5-auth").enhancedAuthentication(scram).build());

        assertThatThrownBy(() -> get(c.connect())).cause().isInstanceOf(ConnectRefusedException.class)
                .satisfies(e -> assertThat(((ConnectRefusedException) e).returnCode())
                        .isEqualTo(ReasonCodes.BAD_AUTHENTICATION_METHOD));
        assertThat(failures).containsExactly("0x8C");
    }

    @Test
    @DisplayName("the limits of a restricted Mosquitto are announced and obeyed: Maximum QoS 1, no retain,"
            + " Maximum Packet Size 200, Server Keep Alive 10, two topic aliases")
    void limits() throws Exception {
        Received received = new Received();
        MqttClient sub = connected(builder("m5-lim-sub", limited));
        get(sub.subscribe("lim/#", Qos.AT_LEAST_ONCE, received));
        Events events = new Events();
        MqttClient c = track(builder("m5-lim", limited).keepAlive(Duration.ofSeconds(60)).connectionListener(events)
                .build());
        ConnAckProperties p = get(c.connect()).properties();

        assertThat(p.maximumQos()).isEqualTo(Qos.AT_LEAST_ONCE);
        assertThat(p.retainAvailable()).isFalse();
        assertThat(p.maximumPacketSize()).hasValue(200);
        assertThat(p.serverKeepAlive()).contains(Duration.ofSeconds(10));
        assertThat(p.topicAliasMaximum()).isEqualTo(2);
        assertThatThrownBy(() -> get(c.publish("lim/q2", "x", Qos.EXACTLY_ONCE, false))).cause()
                .hasMessageContaining("MQTT-3.2.2-11");
        assertThatThrownBy(() -> get(c.publish("lim/r", "x", Qos.AT_LEAST_ONCE, true))).cause()
                .hasMessageContaining("MQTT-3.2.2-14");
        assertThatThrownBy(() -> get(c.publish("lim/big", new byte[300], Qos.AT_LEAST_ONCE, false))).cause()
                .hasMessageContaining("MQTT-3.2.2-15");
        List<String> expected = IntStream.range(0, 30).mapToObj(i -> "lim/topic" + (i % 4) + " " + i).toList();
        for (String e : expected) {
            get(c.publish(e.split(" ")[0], e.split(" ")[1], Qos.AT_LEAST_ONCE, false));
        }

        await().atMost(WAIT).until(() -> received.count() == 30);
        assertThat(received.messages()).extracting(m -> m.topic() + " " + m.payloadAsString())
                .containsExactlyElementsOf(expected);
        assertThat(c.isConnected()).isTrue();
        assertThat(events.of("lost")).isEmpty();
    }
}
