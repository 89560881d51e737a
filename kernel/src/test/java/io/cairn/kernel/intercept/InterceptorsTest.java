package io.cairn.kernel.intercept;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5UnsubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.intercept.AsyncPublishInterceptor;
import io.cairn.api.intercept.BrokerEventListener;
import io.cairn.api.intercept.ClientView;
import io.cairn.api.intercept.ConnectInterceptor;
import io.cairn.api.intercept.ConnectOutcome;
import io.cairn.api.intercept.DeliveryInterceptor;
import io.cairn.api.intercept.DeliveryOutcome;
import io.cairn.api.intercept.DisconnectInfo;
import io.cairn.api.intercept.DisconnectInterceptor;
import io.cairn.api.intercept.InterceptorProperties;
import io.cairn.api.intercept.PublishInterceptor;
import io.cairn.api.intercept.PublishOutcome;
import io.cairn.api.intercept.SubscribeInterceptor;
import io.cairn.api.intercept.SubscribeOutcome;
import io.cairn.api.intercept.UnsubscribeInterceptor;
import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Interceptors added to a running broker, against Paho (MQTT 3.1.1) and the HiveMQ client (MQTT 5): what the
 * subscribers see, the reason codes the clients get, the chain's order, and the fault budget.
 */
class InterceptorsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int ERROR_BUDGET = 3;

    private EmbeddedBroker broker;
    private final List<MqttClient> pahos = new ArrayList<>();
    private final List<Mqtt5BlockingClient> hives = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.builder()
                .settings(BrokerSettings.builder().interceptorErrorBudget(ERROR_BUDGET).build())
                .transport(new TcpTransport("default", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore()).retainedStore(new MemoryRetainedStore()).start();
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttClient c : pahos) {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1000);
            }
            c.close();
        }
        for (Mqtt5BlockingClient c : hives) {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
        broker.close();
    }

    @Test
    @DisplayName("publish: a rewritten topic and payload reach the subscriber; a client connected before the "
            + "interceptor came is covered from its next message; removed, the messages pass untouched again")
    void publishRewritten() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        MqttClient subscriber = paho("sub");
        subscriber.subscribe("#", 1, (topic, m) -> seen.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
        MqttClient publisher = paho("pub"); // connected before the interceptor exists

        PublishInterceptor rewrite = (client, message) -> message.topic().startsWith("raw/")
                ? PublishOutcome.replace(Message.of("clean/" + message.topic().substring(4),
                        new String(message.payloadBytes(), StandardCharsets.UTF_8).toUpperCase()
                                .getBytes(StandardCharsets.UTF_8), message.qos(), message.retain()))
                : PublishOutcome.pass();
        broker.addInterceptor("rewriter", 0, rewrite, Map.of());
        publisher.publish("raw/a", "hello".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("clean/a HELLO");
        publisher.publish("other/b", "as is".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("other/b as is");

        broker.removeInterceptor(rewrite);
        publisher.publish("raw/c", "untouched".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("raw/c untouched");
    }

    @Test
    @DisplayName("publish: a drop answers an MQTT 5 publisher with the interceptor's reason code; nothing reaches "
            + "the subscriber; an MQTT 3.1.1 publisher is acknowledged normally")
    void publishDropped() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        MqttClient subscriber = paho("sub");
        subscriber.subscribe("#", 1, (topic, m) -> seen.add(topic));
        broker.addInterceptor("validator", 0, (PublishInterceptor) (client, message) ->
                message.payloadSize() > 0 && message.payloadBytes()[0] == '{' ? PublishOutcome.pass()
                        : PublishOutcome.drop(ReasonCode.PAYLOAD_FORMAT_INVALID), Map.of());

        Mqtt5BlockingClient v5 = hive("v5-pub");
        assertThatThrownBy(() -> v5.publishWith().topic("data/1").qos(MqttQos.AT_LEAST_ONCE)
                .payload("not json".getBytes(StandardCharsets.UTF_8)).send())
                .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID));
        MqttClient v3 = paho("v3-pub");
        v3.publish("data/2", "not json either".getBytes(StandardCharsets.UTF_8), 1, false); // acknowledged
        v5.publishWith().topic("data/3").qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"ok\":true}".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("data/3");
        assertThat(seen).isEmpty();
    }

    @Test
    @DisplayName("the chain runs by service.ranking, highest first, each seeing what the one before made")
    void chainOrder() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        MqttClient subscriber = paho("sub");
        subscriber.subscribe("t", 1, (topic, m) -> seen.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
        broker.addInterceptor("low", 1, append("-low"), Map.of());
        broker.addInterceptor("high", 10, append("-high"), Map.of());
        broker.addInterceptor("middle", 5, append("-middle"), Map.of());
        paho("pub").publish("t", "x".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("x-high-middle-low");
    }

    @Test
    @DisplayName("connect: refused with the interceptor's reason code (MQTT 5: Banned; MQTT 3.1.1: not authorized); "
            + "attributes set at connect are seen by the publish interceptors")
    void connectRefusedAndAttributes() throws Exception {
        broker.addInterceptor("gate", 0, (ConnectInterceptor) client -> client.clientId().startsWith("bad-")
                ? ConnectOutcome.refuse(ReasonCode.BANNED, "on the deny list")
                : ConnectOutcome.accept(Map.of("tenant", client.clientId().split("-")[0])), Map.of());
        BlockingQueue<String> tenants = new LinkedBlockingQueue<>();
        broker.addInterceptor("tenancy", 0, (PublishInterceptor) (client, message) -> {
            tenants.add(String.valueOf(client.attributes().get("tenant")));
            return PublishOutcome.pass();
        }, Map.of());

        assertThatThrownBy(() -> hive("bad-device"))
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BANNED));
        assertThatThrownBy(() -> paho("bad-old"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode())
                        .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        paho("acme-1").publish("t", new byte[] {1}, 1, false);
        assertThat(tenants.poll(10, TimeUnit.SECONDS)).isEqualTo("acme");
    }

    @Test
    @DisplayName("subscribe: narrowed to a lower QoS (granted in SUBACK) or refused with the interceptor's code")
    void subscribeNarrowedOrRefused() throws Exception {
        broker.addInterceptor("policy", 0, (SubscribeInterceptor) (client, s) -> {
            if (s.topicFilter().startsWith("secret/")) {
                return SubscribeOutcome.refuse(ReasonCode.NOT_AUTHORIZED);
            }
            return s.qos() == QoS.EXACTLY_ONCE
                    ? SubscribeOutcome.narrow(new Subscription(s.topicFilter(), QoS.AT_LEAST_ONCE, s.noLocal(),
                            s.retainAsPublished(), s.retainHandling(), s.subscriptionIdentifier()))
                    : SubscribeOutcome.pass();
        }, Map.of());
        Mqtt5BlockingClient v5 = hive("v5-sub");
        Mqtt5SubAck ack = v5.subscribeWith().topicFilter("open/#").qos(MqttQos.EXACTLY_ONCE).send();
        assertThat(ack.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        assertThatThrownBy(() -> v5.subscribeWith().topicFilter("secret/#").qos(MqttQos.AT_MOST_ONCE).send())
                .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
        MqttClient v3 = paho("v3-sub");
        assertThat(v3.subscribeWithResponse(new String[] {"secret/x", "open/y"}, new int[] {1, 2}).getGrantedQos())
                .containsExactly(0x80, 1);
    }

    @Test
    @DisplayName("unsubscribe: an MQTT 5 client's UNSUBACK carries the refusal and the subscription keeps delivering")
    void unsubscribeRefused() throws Exception {
        broker.addInterceptor("keeper", 0, (UnsubscribeInterceptor) (client, filter) ->
                filter.startsWith("audit/") ? ReasonCode.NOT_AUTHORIZED : null, Map.of());
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient v5 = hive("v5-sub");
        v5.toAsync().subscribeWith().topicFilter("audit/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> seen.add(p.getTopic().toString())).send().get(10, TimeUnit.SECONDS);
        v5.toAsync().subscribeWith().topicFilter("news/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> seen.add(p.getTopic().toString())).send().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> v5.unsubscribeWith().topicFilter("audit/#").send())
                .isInstanceOfSatisfying(Mqtt5UnsubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCodes()).containsExactly(Mqtt5UnsubAckReasonCode.NOT_AUTHORIZED));
        v5.unsubscribeWith().topicFilter("news/#").send();
        MqttClient publisher = paho("pub");
        publisher.publish("news/1", new byte[] {1}, 1, false);
        publisher.publish("audit/1", new byte[] {1}, 1, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("audit/1");
        assertThat(seen).isEmpty();
    }

    @Test
    @DisplayName("disconnect and events: a normal DISCONNECT, a network failure with its will, in order per client")
    void disconnectAndEvents() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        broker.addInterceptor("audit", 0, (DisconnectInterceptor) (client, info) -> seen.add("disconnect "
                + client.clientId() + " byClient=" + info.byClient() + " " + info.reason() + " will="
                + info.willPublished()), Map.of());
        broker.addInterceptor("events", 0, new BrokerEventListener() {
            @Override
            public void clientConnected(ClientView client) {
                seen.add("connected " + client.clientId() + " " + client.listener() + " v" + client.protocolLevel());
            }

            @Override
            public void clientDisconnected(ClientView client, DisconnectInfo info) {
                seen.add("disconnected " + client.clientId());
            }
        }, Map.of());
        MqttClient polite = paho("polite");
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("connected polite default v4");
        polite.disconnect();
        assertThat(seen.poll(10, TimeUnit.SECONDS))
                .isEqualTo("disconnect polite byClient=true NORMAL_DISCONNECTION will=false");
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("disconnected polite");

        MqttClient crashing = new MqttClient("tcp://127.0.0.1:" + broker.listeners().get(0).port(), "crashing",
                new MemoryPersistence());
        pahos.add(crashing);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setWill("wills/crashing", "gone".getBytes(StandardCharsets.UTF_8), 1, false);
        crashing.connect(o);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("connected crashing default v4");
        broker.broker().disconnect("crashing"); // as if the network failed
        assertThat(seen.poll(10, TimeUnit.SECONDS))
                .isEqualTo("disconnect crashing byClient=false UNSPECIFIED_ERROR will=true");
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("disconnected crashing");
    }

    @Test
    @DisplayName("events: session created, subscription added and removed, a QoS 0 message dropped for an offline "
            + "session, the session expired")
    void sessionAndSubscriptionEvents() throws Exception {
        // the device's events in order; the publisher's (it has a session too) counted apart
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        List<String> others = new java.util.concurrent.CopyOnWriteArrayList<>();
        broker.addInterceptor("analytics", 0, new BrokerEventListener() {
            private void record(String clientId, String event) {
                (clientId.equals("device") ? events : others).add(event + " " + clientId);
            }

            @Override
            public void sessionCreated(String clientId) {
                record(clientId, "created");
            }

            @Override
            public void sessionExpired(String clientId) {
                record(clientId, "expired");
            }

            @Override
            public void messageDropped(String clientId, String topic, io.cairn.api.broker.DropReason reason) {
                record(clientId, "dropped " + topic + " " + reason + " for");
            }

            @Override
            public void subscriptionAdded(String clientId, Subscription subscription) {
                record(clientId, "subscribed " + subscription.topicFilter() + " " + subscription.qos() + " by");
            }

            @Override
            public void subscriptionRemoved(String clientId, String topicFilter) {
                record(clientId, "unsubscribed " + topicFilter + " by");
            }
        }, Map.of());
        Mqtt5BlockingClient device = Mqtt5Client.builder().identifier("device").serverHost("127.0.0.1")
                .serverPort(broker.listeners().get(0).port()).buildBlocking();
        device.connectWith().cleanStart(true).sessionExpiryInterval(2).send();
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("created device");
        device.subscribeWith().topicFilter("cmd/#").qos(MqttQos.AT_MOST_ONCE).send();
        device.subscribeWith().topicFilter("tmp/#").qos(MqttQos.AT_LEAST_ONCE).send();
        device.unsubscribeWith().topicFilter("tmp/#").send();
        assertThat(List.of(events.poll(10, TimeUnit.SECONDS), events.poll(10, TimeUnit.SECONDS),
                events.poll(10, TimeUnit.SECONDS))).containsExactly("subscribed cmd/# AT_MOST_ONCE by device",
                "subscribed tmp/# AT_LEAST_ONCE by device", "unsubscribed tmp/# by device");
        device.disconnect();
        paho("pub").publish("cmd/reboot", new byte[] {1}, 0, false);
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("dropped cmd/reboot OFFLINE_QOS0 for device");
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("expired device");
        assertThat(others).contains("created pub");
    }

    @Test
    @DisplayName("delivery: per subscriber - one gets the message redacted, one not at all, one as published; a "
            + "persistent session gets it redacted while its client is away too")
    void deliveryPerSubscriber() throws Exception {
        broker.addInterceptor("redactor", 0, (DeliveryInterceptor) (subscriber, message) -> {
            if (subscriber.clientId().startsWith("blocked")) {
                return DeliveryOutcome.drop();
            }
            if (subscriber.clientId().startsWith("guest")) {
                return DeliveryOutcome.replace(Message.of(message.topic(),
                        "***".getBytes(StandardCharsets.UTF_8), message.qos(), message.retain()));
            }
            return DeliveryOutcome.pass();
        }, Map.of());
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        for (String id : List.of("guest-1", "blocked-1", "staff-1")) {
            paho(id).subscribe("hr/#", 1, (topic, m) -> seen.add(id + " " + new String(m.getPayload(),
                    StandardCharsets.UTF_8)));
        }
        MqttClient away = new MqttClient("tcp://127.0.0.1:" + broker.listeners().get(0).port(), "guest-away",
                new MemoryPersistence());
        pahos.add(away);
        MqttConnectOptions persistent = new MqttConnectOptions();
        persistent.setCleanSession(false);
        away.connect(persistent);
        away.subscribe("hr/#", 1);
        away.disconnect();

        paho("pub").publish("hr/salary", "4200".getBytes(StandardCharsets.UTF_8), 1, false);
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            got.add(seen.poll(10, TimeUnit.SECONDS));
        }
        assertThat(got).containsExactlyInAnyOrder("guest-1 ***", "staff-1 4200");
        assertThat(seen.poll(300, TimeUnit.MILLISECONDS)).as("nothing for blocked-1").isNull();

        away.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                seen.add("guest-away " + new String(m.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        away.connect(persistent);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("guest-away ***");
    }

    @Test
    @DisplayName("asynchronous: the outcome arrives later from another thread; a client's messages keep their "
            + "order; a stage past its budget gets the failure outcome and other clients are not held up")
    void asynchronousPublish() throws Exception {
        ScheduledExecutorService lookups = Executors.newSingleThreadScheduledExecutor();
        try {
            broker.addInterceptor("lookup", 0, (AsyncPublishInterceptor) (client, message) -> {
                CompletableFuture<PublishOutcome> result = new CompletableFuture<>();
                String topic = message.topic();
                if (topic.startsWith("never/")) {
                    return result; // never completes: the budget decides
                }
                // answers later, the first messages of a burst slowest: order must still hold
                long delay = topic.endsWith("/0") ? 200 : 10;
                lookups.schedule(() -> result.complete(topic.startsWith("deny/")
                        ? PublishOutcome.drop(ReasonCode.NOT_AUTHORIZED)
                        : PublishOutcome.replace(Message.of("checked/" + topic, message.payloadBytes(),
                                message.qos(), message.retain()))), delay, TimeUnit.MILLISECONDS);
                return result;
            }, Map.of(InterceptorProperties.BUDGET_MILLIS, 500, InterceptorProperties.ON_FAILURE, "drop"));
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            paho("sub").subscribe("#", 1, (topic, m) -> seen.add(topic));
            MqttClient publisher = paho("pub");
            for (int i = 0; i < 5; i++) {
                publisher.publish("a/" + i, new byte[] {1}, 1, false);
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(seen.poll(10, TimeUnit.SECONDS));
            }
            assertThat(got).containsExactly("checked/a/0", "checked/a/1", "checked/a/2", "checked/a/3", "checked/a/4");

            Mqtt5BlockingClient v5 = hive("v5-pub");
            assertThatThrownBy(() -> v5.publishWith().topic("deny/x").qos(MqttQos.AT_LEAST_ONCE).send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage()
                            .getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
            // one client waits for a lookup that never answers; another goes on meanwhile
            Mqtt5BlockingClient stuck = hive("v5-stuck");
            CompletableFuture<?> late = stuck.toAsync().publishWith().topic("never/1")
                    .qos(MqttQos.AT_LEAST_ONCE).send();
            publisher.publish("b/1", new byte[] {1}, 1, false);
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("checked/b/1");
            assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(Mqtt5PubAckException.class);
            assertThat(broker.interceptorFaults("lookup").overruns()).isEqualTo(1);
            assertThat(seen).isEmpty();
        } finally {
            lookups.shutdownNow();
        }
    }

    @Test
    @DisplayName("a throwing interceptor: its failure outcome applies and other traffic goes on; past its error "
            + "budget it is quarantined (removed) and the broker keeps serving")
    void faultyInterceptorQuarantined() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        MqttClient subscriber = paho("sub");
        subscriber.subscribe("#", 1, (topic, m) -> seen.add(topic));
        AtomicInteger calls = new AtomicInteger();
        broker.addInterceptor("broken", 0, (PublishInterceptor) (client, message) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("bug in plugin");
        }, Map.of(InterceptorProperties.ON_FAILURE, "pass"));
        MqttClient publisher = paho("pub");
        for (int i = 0; i <= ERROR_BUDGET; i++) {
            publisher.publish("t/" + i, new byte[] {1}, 1, false);
            assertThat(seen.poll(10, TimeUnit.SECONDS)).as("message %d passes despite the failure", i)
                    .isEqualTo("t/" + i);
        }
        FaultBudget faults = broker.interceptorFaults("broken");
        assertThat(faults.exceptions()).isEqualTo(ERROR_BUDGET + 1);
        assertThat(faults.exhausted()).isTrue();
        assertThat(faults.lastFailure()).contains("bug in plugin");
        publisher.publish("t/after", new byte[] {1}, 1, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("t/after");
        assertThat(calls.get()).as("not called once quarantined").isEqualTo(ERROR_BUDGET + 1);
        assertThat(broker.broker().interceptors()).singleElement().satisfies(status -> {
            assertThat(status.plugin()).isEqualTo("broken");
            assertThat(status.quarantined()).isTrue();
            assertThat(status.kinds()).as("nothing intercepted any more").isEmpty();
            assertThat(status.exceptions()).isEqualTo(ERROR_BUDGET + 1);
            assertThat(status.lastFailure()).contains("onPublish", "t/" + ERROR_BUDGET, "bug in plugin");
            assertThat(status.lastFailureAt()).isNotNull();
        });

        // added again (a quarantined bundle started again): called again, with a fresh budget
        broker.addInterceptor("broken", 0, (PublishInterceptor) (client, message) -> {
            calls.incrementAndGet();
            return PublishOutcome.pass();
        }, Map.of());
        publisher.publish("t/again", new byte[] {1}, 1, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("t/again");
        assertThat(calls.get()).isEqualTo(ERROR_BUDGET + 2);
        assertThat(broker.interceptorFaults("broken").exhausted()).isFalse();
        assertThat(broker.broker().interceptors()).singleElement().satisfies(status -> {
            assertThat(status.quarantined()).isFalse();
            assertThat(status.kinds()).containsExactly("publish");
            assertThat(status.exceptions()).isZero();
        });
    }

    @Test
    @DisplayName("a slow synchronous interceptor: each call past its time budget is an overrun (the message still "
            + "goes through); past the error budget it is quarantined and the broker's status says so")
    void slowInterceptorQuarantined() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        paho("sub").subscribe("#", 1, (topic, m) -> seen.add(topic));
        broker.addInterceptor("sluggish", 0, (PublishInterceptor) (client, message) -> {
            if (message.topic().startsWith("slow/")) {
                // the misbehaviour under test: blocking the network thread past the budget of 20 ms
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(60));
            }
            return PublishOutcome.pass();
        }, Map.of(InterceptorProperties.BUDGET_MILLIS, 20));
        MqttClient publisher = paho("pub");
        publisher.publish("fast/1", new byte[] {1}, 1, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("fast/1");
        assertThat(broker.interceptorFaults("sluggish").overruns()).isZero();
        for (int i = 0; i <= ERROR_BUDGET; i++) {
            publisher.publish("slow/" + i, new byte[] {1}, 1, false);
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("slow/" + i);
        }
        assertThat(broker.broker().interceptors()).singleElement().satisfies(status -> {
            assertThat(status.plugin()).isEqualTo("sluggish");
            assertThat(status.overruns()).isEqualTo(ERROR_BUDGET + 1);
            assertThat(status.exceptions()).isZero();
            assertThat(status.quarantined()).isTrue();
            assertThat(status.lastFailure()).contains("over its budget of 20 ms");
        });
        publisher.publish("slow/after", new byte[] {1}, 1, false);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("slow/after");
    }

    @Test
    @DisplayName("a throwing interceptor whose failure outcome is drop: its messages are dropped, not passed")
    void failureOutcomeDrop() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        MqttClient subscriber = paho("sub");
        subscriber.subscribe("#", 1, (topic, m) -> seen.add(topic));
        broker.addInterceptor("strict", 0, (PublishInterceptor) (client, message) -> {
            if (message.topic().startsWith("fail/")) {
                throw new IllegalStateException("cannot check");
            }
            return PublishOutcome.pass();
        }, Map.of(InterceptorProperties.ON_FAILURE, "drop"));
        Mqtt5BlockingClient v5 = hive("v5-pub");
        assertThatThrownBy(() -> v5.publishWith().topic("fail/1").qos(MqttQos.AT_LEAST_ONCE).send())
                .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.UNSPECIFIED_ERROR));
        v5.publishWith().topic("ok/1").qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("ok/1");
        assertThat(seen).isEmpty();
    }

    @Test
    @DisplayName("invalid service properties are refused with the property's name")
    void invalidProperties() {
        PublishInterceptor pass = (client, message) -> PublishOutcome.pass();
        assertThatThrownBy(() -> broker.addInterceptor("x", 0, pass,
                Map.of(InterceptorProperties.ON_FAILURE, "ignore")))
                .hasMessageContaining(InterceptorProperties.ON_FAILURE).hasMessageContaining("'ignore'");
        assertThatThrownBy(() -> broker.addInterceptor("x", 0, pass,
                Map.of(InterceptorProperties.BUDGET_MILLIS, "soon")))
                .hasMessageContaining(InterceptorProperties.BUDGET_MILLIS);
        assertThatThrownBy(() -> broker.addInterceptor("x", 0, new Object(), Map.of()))
                .hasMessageContaining("implements no interceptor interface");
    }

    private static PublishInterceptor append(String suffix) {
        return (client, message) -> PublishOutcome.replace(Message.of(message.topic(),
                (new String(message.payloadBytes(), StandardCharsets.UTF_8) + suffix).getBytes(StandardCharsets.UTF_8),
                message.qos(), message.retain()));
    }

    private MqttClient paho(String id) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + broker.listeners().get(0).port(), id,
                new MemoryPersistence());
        pahos.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        c.connect(o);
        return c;
    }

    private Mqtt5BlockingClient hive(String id) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.listeners().get(0).port()).buildBlocking();
        c.connect();
        hives.add(c);
        return c;
    }
}
