package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.client.testsupport.Brokers;
import io.cairn.client.testsupport.Events;
import io.cairn.client.testsupport.Received;
import io.cairn.kernel.embedded.EmbeddedBroker;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The MQTT 5 client against the real Cairn broker, embedded: CONNACK properties, sessions that expire, message
 * properties and Subscription Identifiers through the broker, subscription options, reason codes, topic aliases
 * towards the broker, the broker's DISCONNECT on takeover and shutdown, and both sides' packet size limits.
 */
class Client5BrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static EmbeddedBroker broker;
    private static int port;
    private final List<MqttClient> clients = new ArrayList<>();
    private final List<EmbeddedBroker> extraBrokers = new ArrayList<>();

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
        extraBrokers.forEach(EmbeddedBroker::close);
    }

    private MqttClient.Builder builder(String clientId) {
        return builder(clientId, port);
    }

    private static MqttClient.Builder builder(String clientId, int port) {
        return MqttClient.builder().host("127.0.0.1").port(port).clientId(clientId)
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

    @Test
    @DisplayName("connect: the broker's CONNACK properties reach the result (packet size, aliases, no shared"
            + " subscriptions)")
    void connAckProperties() throws Exception {
        MqttClient c = track(builder("b5-connack").build());
        ConnectResult r = get(c.connect());

        assertThat(r.sessionPresent()).isFalse();
        assertThat(r.properties().maximumPacketSize()).isPresent();
        assertThat(r.properties().topicAliasMaximum()).isEqualTo(64);
        assertThat(r.properties().sharedSubscriptionAvailable()).isTrue();
        assertThat(r.properties().assignedClientIdentifier()).isEmpty();
        assertThat(c.protocolVersion()).isEqualTo(MqttProtocolVersion.MQTT_5);
    }

    @Test
    @Tag("MQTT-3.1.2-23")
    @Tag("MQTT-3.1.3-2")
    @DisplayName("[MQTT-3.1.2-23] [MQTT-3.1.3-2] an empty client id gets one assigned; after a lost connection the"
            + " client reconnects with it, finds its session (Session Expiry Interval 60 s) and gets the message"
            + " queued meanwhile")
    void assignedIdentifierResumesSession() throws Exception {
        Events events = new Events();
        Received received = new Received();
        MqttClient c = track(builder("").cleanSession(false).sessionExpiryInterval(Duration.ofSeconds(60))
                .reconnectPolicy(ReconnectPolicy.exponentialBackoff(Duration.ofMillis(300), Duration.ofSeconds(1),
                        2.0).withJitter(0)).connectionListener(events).build());
        ConnectResult first = get(c.connect());
        String assigned = first.properties().assignedClientIdentifier().orElseThrow();
        get(c.subscribe("b5/assigned", Qos.AT_LEAST_ONCE, received));

        assertThat(broker.broker().disconnect(assigned)).isTrue();
        await().atMost(WAIT).until(() -> !events.of("lost").isEmpty());
        MqttClient publisher = connected(builder("b5-assigned-pub"));
        get(publisher.publish("b5/assigned", "while away", Qos.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        assertThat(events.of("connected").get(1).result().sessionPresent()).isTrue();
        await().atMost(WAIT).until(() -> received.count() == 1);
        assertThat(received.payloads()).containsExactly("while away");
    }

    @Test
    @DisplayName("with Session Expiry Interval 0 the session ends with the connection: no session on the next connect")
    void sessionExpiryZero() throws Exception {
        MqttClient c = connected(builder("b5-noexpiry").cleanSession(false));
        get(c.subscribe("b5/noexpiry", Qos.AT_LEAST_ONCE, m -> { }));
        get(c.disconnect());
        assertThat(get(c.connect()).sessionPresent()).isFalse();
    }

    @Test
    @DisplayName("message properties pass through the broker: expiry, format, content type, response topic,"
            + " correlation data, user properties in order")
    void propertiesRoundTrip() throws Exception {
        Received received = new Received();
        MqttClient sub = connected(builder("b5-props-sub"));
        get(sub.subscribe("b5/props", Qos.AT_LEAST_ONCE, received));
        MqttClient pub = connected(builder("b5-props-pub"));
        MessageProperties sent = MessageProperties.builder().messageExpiryInterval(Duration.ofSeconds(300))
                .utf8Payload(true).contentType("application/json").responseTopic("b5/reply")
                .correlationData(new byte[] {9, 8, 7}).userProperty("z", "1").userProperty("a", "2")
                .userProperty("z", "3").build();

        PublishResult r = get(pub.publish("b5/props", "{}".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE,
                false, sent));

        assertThat(r.isSuccess()).isTrue();
        await().atMost(WAIT).until(() -> received.count() == 1);
        MessageProperties got = received.messages().get(0).properties();
        assertThat(got.utf8Payload()).isTrue();
        assertThat(got.contentType()).contains("application/json");
        assertThat(got.responseTopic()).contains("b5/reply");
        assertThat(got.correlationData().orElseThrow()).containsExactly(9, 8, 7);
        assertThat(got.userProperties()).containsExactly(UserProperty.of("z", "1"), UserProperty.of("a", "2"),
                UserProperty.of("z", "3"));
        assertThat(got.messageExpiryInterval().orElseThrow()).isBetween(Duration.ofSeconds(299),
                Duration.ofSeconds(300));
    }

    @Test
    @DisplayName("a message whose expiry passed while the subscriber was away is not delivered; one that has time"
            + " left is")
    void messageExpiry() throws Exception {
        Received received = new Received();
        MqttClient sub = connected(builder("b5-expiry-sub").cleanSession(false)
                .sessionExpiryInterval(Duration.ofSeconds(60)));
        get(sub.subscribe("b5/expiry/#", Qos.AT_LEAST_ONCE, received));
        get(sub.disconnect());
        MqttClient pub = connected(builder("b5-expiry-pub"));
        get(pub.publish("b5/expiry/short", "gone".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false,
                MessageProperties.builder().messageExpiryInterval(Duration.ofSeconds(1)).build()));
        get(pub.publish("b5/expiry/long", "kept".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false,
                MessageProperties.builder().messageExpiryInterval(Duration.ofSeconds(600)).build()));
        long published = System.nanoTime();
        await().atMost(WAIT).until(() -> System.nanoTime() - published > TimeUnit.MILLISECONDS.toNanos(2100));

        get(sub.connect());
        await().atMost(WAIT).until(() -> received.count() >= 1);
        get(sub.subscribe("b5/expiry/sync", Qos.AT_LEAST_ONCE, m -> { })); // a round trip after the queue
        assertThat(received.payloads()).containsExactly("kept");
    }

    @Test
    @DisplayName("Subscription Identifiers: each message carries the identifiers of the subscriptions it matched")
    void subscriptionIdentifiers() throws Exception {
        Received a = new Received();
        Received b = new Received();
        MqttClient sub = connected(builder("b5-subid"));
        get(sub.subscribe(List.of(Subscription.of("b5/sid/+", Qos.AT_LEAST_ONCE)), 5, a));
        get(sub.subscribe(List.of(Subscription.of("b5/sid/#", Qos.AT_LEAST_ONCE)), 77, b));

        get(sub.publish("b5/sid/x", "both", Qos.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> a.count() == 1 && b.count() == 1);
        assertThat(a.messages().get(0).subscriptionIdentifiers()).containsExactlyInAnyOrder(5, 77);
    }

    @Test
    @DisplayName("No Local: the client does not get back what it published; another client does")
    void noLocal() throws Exception {
        Received own = new Received();
        MqttClient c = connected(builder("b5-nolocal"));
        get(c.subscribe(List.of(Subscription.of("b5/nolocal", Qos.AT_LEAST_ONCE).withNoLocal(true)), 0, own));
        MqttClient other = connected(builder("b5-nolocal-other"));

        get(c.publish("b5/nolocal", "mine", Qos.AT_LEAST_ONCE, false));
        get(other.publish("b5/nolocal", "theirs", Qos.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> own.count() == 1);
        get(c.subscribe("b5/nolocal/sync", Qos.AT_LEAST_ONCE, m -> { }));
        assertThat(own.payloads()).containsExactly("theirs");
    }

    @Test
    @DisplayName("Retain As Published keeps RETAIN on forwarded messages; Retain Handling 2 sends no retained"
            + " messages on subscribe, 1 only for a new subscription")
    void retainOptions() throws Exception {
        MqttClient pub = connected(builder("b5-retain-pub"));
        get(pub.publish("b5/retain/t", "kept", Qos.AT_LEAST_ONCE, true));

        Received never = new Received();
        MqttClient noRetained = connected(builder("b5-retain-never"));
        get(noRetained.subscribe(List.of(Subscription.of("b5/retain/+", Qos.AT_LEAST_ONCE)
                .withRetainHandling(RetainHandling.DO_NOT_SEND)), 0, never));
        Received ifNew = new Received();
        MqttClient onlyNew = connected(builder("b5-retain-ifnew"));
        Subscription sendIfNew = Subscription.of("b5/retain/#", Qos.AT_LEAST_ONCE)
                .withRetainHandling(RetainHandling.SEND_IF_NEW_SUBSCRIPTION);
        get(onlyNew.subscribe(List.of(sendIfNew), 0, ifNew));
        await().atMost(WAIT).until(() -> ifNew.count() == 1);
        get(onlyNew.subscribe(List.of(sendIfNew), 0, ifNew)); // exists already: no retained message again
        Received asPublished = new Received();
        MqttClient rap = connected(builder("b5-retain-rap"));
        get(rap.subscribe(List.of(Subscription.of("b5/retain/t", Qos.AT_LEAST_ONCE).withRetainAsPublished(true)), 0,
                asPublished));
        Received plain = new Received();
        MqttClient notRap = connected(builder("b5-retain-plain"));
        get(notRap.subscribe("b5/retain/t", Qos.AT_LEAST_ONCE, plain));
        await().atMost(WAIT).until(() -> asPublished.count() == 1 && plain.count() == 1);

        get(pub.publish("b5/retain/t", "live", Qos.AT_LEAST_ONCE, true));
        await().atMost(WAIT).until(() -> asPublished.count() == 2 && plain.count() == 2 && never.count() == 1
                && ifNew.count() == 2);

        assertThat(asPublished.messages().get(1).retain()).as("retain as published").isTrue();
        assertThat(plain.messages().get(1).retain()).as("without retain as published").isFalse();
        assertThat(never.payloads()).containsExactly("live");
        assertThat(ifNew.payloads()).containsExactly("kept", "live");
        get(pub.publish("b5/retain/t", new byte[0], Qos.AT_LEAST_ONCE, true)); // clear it for other tests
    }

    @Test
    @DisplayName("SUBACK reason code 0x8F for a filter beyond the broker's level limit; UNSUBACK 0x00 and 0x11")
    void subAckAndUnsubAckReasonCodes() throws Exception {
        MqttClient c = connected(builder("b5-reasons"));
        SubscribeResult r = get(c.subscribe(List.of(Subscription.of("b5/ok", Qos.EXACTLY_ONCE),
                Subscription.of("a/b/c/d/e/f/g/h/i/j", Qos.AT_LEAST_ONCE)), m -> { }));

        assertThat(r.grant(0).grantedQos()).isEqualTo(Qos.EXACTLY_ONCE);
        assertThat(r.grant(1).isGranted()).isFalse();
        assertThat(r.grant(1).returnCode()).isEqualTo(ReasonCodes.TOPIC_FILTER_INVALID);

        UnsubscribeResult u = get(c.unsubscribe("b5/ok", "b5/never"));
        assertThat(u.reasonCodes()).containsExactly(ReasonCodes.SUCCESS, ReasonCodes.NO_SUBSCRIPTION_EXISTED);
        assertThat(u.allSucceeded()).isTrue();
    }

    @Test
    @DisplayName("a shared subscription: two members of one group get each message once between them")
    void sharedSubscription() throws Exception {
        Received first = new Received();
        Received second = new Received();
        MqttClient a = connected(builder("b5-shared-a"));
        MqttClient b = connected(builder("b5-shared-b"));
        get(a.subscribe("$share/g/b5/shared", Qos.AT_LEAST_ONCE, first));
        get(b.subscribe("$share/g/b5/shared", Qos.AT_LEAST_ONCE, second));
        MqttClient publisher = connected(builder("b5-shared-pub"));
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add("m" + i);
            get(publisher.publish("b5/shared", ("m" + i).getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE,
                    false));
        }
        await().atMost(WAIT).until(() -> first.count() + second.count() >= 6);
        List<String> all = new ArrayList<>(first.payloads());
        all.addAll(second.payloads());
        assertThat(all).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(first.count()).as("both members had a share").isPositive();
        assertThat(second.count()).isPositive();
    }

    @Test
    @DisplayName("topic aliases towards the broker: many messages on a few repeated topics arrive with the right"
            + " topics, in order")
    void outgoingAliasesThroughBroker() throws Exception {
        Received received = new Received();
        MqttClient sub = connected(builder("b5-alias-sub"));
        get(sub.subscribe("b5/alias/#", Qos.AT_LEAST_ONCE, received));
        MqttClient pub = connected(builder("b5-alias-pub"));
        List<String> expected = new ArrayList<>();
        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String topic = "b5/alias/topic-" + (i % 7);
            expected.add(topic + ":" + i);
            futures.add(pub.publish(topic, topic + ":" + i, i % 3 == 0 ? Qos.AT_MOST_ONCE : Qos.AT_LEAST_ONCE,
                    false));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> received.count() == 200);
        assertThat(received.messages()).extracting(m -> m.topic() + "|" + m.payloadAsString())
                .allMatch(s -> s.startsWith(s.substring(s.indexOf('|') + 1, s.indexOf(':'))));
        assertThat(received.payloads()).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("the broker honours the client's Receive Maximum: 50 QoS 2 messages to a client with Receive"
            + " Maximum 2 arrive without a DISCONNECT 0x93")
    void brokerHonoursClientReceiveMaximum() throws Exception {
        Received received = new Received();
        Events events = new Events();
        MqttClient sub = connected(builder("b5-rm-sub").receiveMaximum(2).connectionListener(events));
        get(sub.subscribe("b5/rm", Qos.EXACTLY_ONCE, received));
        MqttClient pub = connected(builder("b5-rm-pub"));
        for (int i = 0; i < 50; i++) {
            pub.publish("b5/rm", "m" + i, Qos.EXACTLY_ONCE, false);
        }
        await().atMost(WAIT).until(() -> received.count() == 50);
        assertThat(received.payloads()).containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(i -> "m" + i)
                .toList());
        assertThat(events.of("lost")).isEmpty();
    }

    @Test
    @Tag("MQTT-3.2.2-15")
    @DisplayName("[MQTT-3.2.2-15] the broker's Maximum Packet Size: a larger publish fails at once, the connection"
            + " stays; the broker does not send the client packets above the client's own maximum")
    void packetSizeLimits() throws Exception {
        EmbeddedBroker small = Brokers.start(0, s -> s.maxPacketSize(300));
        extraBrokers.add(small);
        int smallPort = Brokers.port(small);
        MqttClient pub = connected(builder("b5-size-pub", smallPort));
        Received received = new Received();
        MqttClient sub = connected(builder("b5-size-sub", smallPort).maxIncomingPacketSize(100));
        get(sub.subscribe("size/#", Qos.AT_LEAST_ONCE, received));

        assertThat(get(pub.connect()).properties().maximumPacketSize()).hasValue(300);
        assertThatThrownBy(() -> get(pub.publish("size/big", new byte[400], Qos.AT_LEAST_ONCE, false))).cause()
                .isInstanceOf(MqttClientException.class).hasMessageContaining("Maximum Packet Size of 300");
        get(pub.publish("size/medium", new byte[150], Qos.AT_LEAST_ONCE, false)); // fits the broker, not the sub
        get(pub.publish("size/small", new byte[10], Qos.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> received.count() == 1);
        assertThat(received.messages().get(0).topic()).isEqualTo("size/small");
        assertThat(pub.isConnected()).isTrue();
        assertThat(sub.isConnected()).isTrue();
    }

    @Test
    @DisplayName("session taken over: the broker's DISCONNECT 0x8E reaches the old client's listener")
    void sessionTakenOver() throws Exception {
        Events events = new Events();
        connected(builder("b5-takeover").connectionListener(events));
        connected(builder("b5-takeover"));

        await().atMost(WAIT).until(() -> !events.of("lost").isEmpty());
        Throwable cause = events.of("lost").get(0).cause();
        assertThat(cause).isInstanceOf(ServerDisconnectedException.class);
        assertThat(((ServerDisconnectedException) cause).reasonCode()).isEqualTo(ReasonCodes.SESSION_TAKEN_OVER);
    }

    @Test
    @DisplayName("broker shutdown: DISCONNECT 0x8B reaches the listener and the reconnect policy starts")
    void serverShuttingDown() throws Exception {
        EmbeddedBroker doomed = Brokers.start(0, s -> s);
        Events events = new Events();
        connected(builder("b5-shutdown", Brokers.port(doomed)).reconnectPolicy(fastReconnect())
                .connectionListener(events));

        doomed.close();

        await().atMost(WAIT).until(() -> !events.of("reconnecting").isEmpty());
        Throwable cause = events.of("lost").get(0).cause();
        assertThat(cause).isInstanceOf(ServerDisconnectedException.class);
        assertThat(((ServerDisconnectedException) cause).reasonCode()).isEqualTo(ReasonCodes.SERVER_SHUTTING_DOWN);
    }

    @Test
    @DisplayName("DISCONNECT 0x04 makes the broker publish the will, with its properties")
    void disconnectWithWill() throws Exception {
        Received wills = new Received();
        MqttClient watcher = connected(builder("b5-will-watch"));
        get(watcher.subscribe("b5/will/#", Qos.AT_LEAST_ONCE, wills));
        MqttClient c = connected(builder("b5-will").will(Will.of("b5/will/x", "bye".getBytes(StandardCharsets.UTF_8),
                Qos.AT_LEAST_ONCE, false).withProperties(MessageProperties.builder().contentType("text/plain")
                .userProperty("why", "test").build())));

        get(c.disconnect(DisconnectOptions.of(ReasonCodes.DISCONNECT_WITH_WILL_MESSAGE)));

        await().atMost(WAIT).until(() -> wills.count() == 1);
        assertThat(wills.payloads()).containsExactly("bye");
        assertThat(wills.messages().get(0).properties().contentType()).contains("text/plain");
        assertThat(wills.messages().get(0).properties().userProperties()).containsExactly(UserProperty.of("why",
                "test"));
    }

    @Test
    @DisplayName("a will with a delay is not published when the session resumes within the delay")
    void willDelay() throws Exception {
        Received wills = new Received();
        MqttClient watcher = connected(builder("b5-wd-watch"));
        get(watcher.subscribe("b5/wd/#", Qos.AT_LEAST_ONCE, wills));
        Events events = new Events();
        MqttClient c = connected(builder("b5-wd").cleanSession(false).sessionExpiryInterval(Duration.ofSeconds(60))
                .reconnectPolicy(fastReconnect()).connectionListener(events)
                .will(Will.of("b5/wd/x", "late".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false)
                        .withDelayInterval(Duration.ofSeconds(30))));
        get(c.subscribe("b5/wd-own", Qos.AT_LEAST_ONCE, m -> { }));

        assertThat(broker.broker().disconnect("b5-wd")).isTrue();
        await().atMost(WAIT).until(() -> events.of("connected").size() == 2);
        get(watcher.publish("b5/wd/sync", "sync", Qos.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> wills.count() == 1);
        assertThat(wills.payloads()).containsExactly("sync");
    }
}
