package io.cairn.kernel.interop.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.cairn.kernel.interop.v5.Paho5.Arrived;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mixed-version delivery: MQTT 3.1.1 and MQTT 5 clients of the three libraries on one broker. A 3.1.1 subscriber
 * gets a 5.0 publisher's message without its properties (3.1.1 has no place for them); a 5.0 subscriber gets a
 * 3.1.1 publisher's message with none, except what belongs to its own subscription (Subscription Identifier,
 * Retain As Published).
 */
class MixedVersionInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    /** A message as a Paho mqttv3 callback received it. */
    record Received3(String topic, String payload, int qos, boolean retained) {
    }

    /** A Paho mqttv3 client that records what arrives, not connected yet, closed after the test. */
    private MqttClient paho3Client(String clientId, List<Received3> received) throws Exception {
        MqttClient c = new MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
        c.setTimeToWait(WAIT.toMillis());
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                // tests that care check isConnected()
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                received.add(new Received3(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(),
                        m.isRetained()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // publishes are blocking
            }
        });
        broker.track(() -> {
            if (c.isConnected()) {
                c.disconnect(0);
            }
            c.close(true);
        });
        return c;
    }

    /** Connects {@code c} with MQTT 3.1.1; the token tells Session Present. */
    private static IMqttToken connect311(MqttClient c, boolean cleanSession) throws Exception {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(cleanSession);
        o.setAutomaticReconnect(false);
        return c.connectWithResult(o);
    }

    /** A Paho mqttv3 client connected with MQTT 3.1.1, recording what arrives, closed after the test. */
    private MqttClient paho3(String clientId, boolean cleanSession, List<Received3> received) throws Exception {
        MqttClient c = paho3Client(clientId, received);
        connect311(c, cleanSession);
        return c;
    }

    private Mqtt3BlockingClient hive3(String clientId) {
        Mqtt3BlockingClient c = Mqtt3Client.builder().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        broker.track(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        c.connectWith().cleanSession(true).send();
        return c;
    }

    private Mqtt5BlockingClient hive5(String clientId) {
        Mqtt5BlockingClient c = Hive5.client(broker, clientId);
        c.connectWith().cleanStart(true).send();
        return c;
    }

    private static <T> List<T> awaitSize(List<T> received, int count) {
        await(count + " messages").atMost(WAIT).until(() -> received.size() >= count);
        return List.copyOf(received);
    }

    private static MqttProperties allProperties() {
        MqttProperties p = new MqttProperties();
        p.setUserProperties(List.of(new UserProperty("k", "v")));
        p.setContentType("text/plain");
        p.setPayloadFormat(true);
        p.setResponseTopic("interop/mixed/reply");
        p.setCorrelationData(new byte[] {1});
        p.setMessageExpiryInterval(600L);
        return p;
    }

    private static org.eclipse.paho.mqttv5.common.MqttMessage message5(String payload, int qos, boolean retained,
                                                                        MqttProperties properties) {
        org.eclipse.paho.mqttv5.common.MqttMessage m =
                new org.eclipse.paho.mqttv5.common.MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        m.setRetained(retained);
        m.setProperties(properties);
        return m;
    }

    /** Asserts that a message Paho mqttv5 received carries no PUBLISH properties at all. */
    private static void assertNoProperties(MqttProperties p) {
        assertThat(p.getUserProperties()).isEmpty();
        assertThat(p.getContentType()).isNull();
        assertThat(p.getPayloadFormat()).isFalse();
        assertThat(p.getResponseTopic()).isNull();
        assertThat(p.getCorrelationData()).isNull();
        assertThat(p.getMessageExpiryInterval()).isNull();
    }

    @Test
    @DisplayName("a Paho mqttv3 (3.1.1) subscriber gets a Paho mqttv5 publisher's message, every property dropped, "
            + "at QoS 0, 1 and 2")
    void paho5ToPaho3() throws Exception {
        List<Received3> received = new CopyOnWriteArrayList<>();
        MqttClient old = paho3("paho3-sub", true, received);
        old.subscribe("interop/mixed/to3/#", 2);
        Paho5 modern = new Paho5(broker, "paho5-pub").connect();

        for (int qos = 0; qos <= 2; qos++) {
            modern.publish("interop/mixed/to3/" + qos, message5("from 5 at " + qos, qos, false, allProperties()));
        }

        assertThat(awaitSize(received, 3)).containsExactly(
                new Received3("interop/mixed/to3/0", "from 5 at 0", 0, false),
                new Received3("interop/mixed/to3/1", "from 5 at 1", 1, false),
                new Received3("interop/mixed/to3/2", "from 5 at 2", 2, false));
        assertThat(old.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a Paho mqttv5 subscriber gets a HiveMQ MQTT 3 publisher's message with no properties")
    void hive3ToPaho5() throws Exception {
        Paho5 modern = new Paho5(broker, "paho5-sub").connect();
        modern.subscribe("interop/mixed/to5", 2);
        Mqtt3BlockingClient old = hive3("hive3-pub");

        old.publishWith().topic("interop/mixed/to5").qos(MqttQos.EXACTLY_ONCE)
                .payload("from 3".getBytes(StandardCharsets.UTF_8)).send();

        Arrived got = modern.awaitReceived(1).get(0);
        assertThat(got.payload()).isEqualTo("from 3");
        assertThat(got.message().getQos()).isEqualTo(2);
        assertNoProperties(got.properties());
    }

    @Test
    @DisplayName("MQTT.js at 3.1.1 gets a HiveMQ MQTT 5 publisher's message without properties; MQTT.js at 5 gets "
            + "an MQTT.js 3.1.1 publisher's message with none")
    void mqttJsBothWays() throws Exception {
        MqttJs js = broker.track(MqttJs.start(broker.port()));
        js.connect("old", Map.of("clientId", "js-311", "protocolVersion", 4));
        js.subscribe("old", Map.of("interop/mixed/js/to3", Map.of("qos", 1)), Map.of());
        js.connect("modern", Map.of("clientId", "js-5"));
        js.subscribe("modern", Map.of("interop/mixed/js/to5", Map.of("qos", 1)), Map.of());
        Mqtt5BlockingClient hive = hive5("hive5-pub");

        hive.publishWith().topic("interop/mixed/js/to3").qos(MqttQos.AT_LEAST_ONCE).contentType("text/plain")
                .userProperties(Mqtt5UserProperties.builder().add("k", "v").build()).messageExpiryInterval(600)
                .payload("from hive 5".getBytes(StandardCharsets.UTF_8)).send();
        js.publish("old", "interop/mixed/js/to5", "from mqtt.js 3.1.1", Map.of("qos", 1));

        JsonNode toOld = js.awaitMessages("old", 1).get(0);
        assertThat(toOld.get("payload").asText()).isEqualTo("from hive 5");
        assertThat(toOld.get("qos").asInt()).isEqualTo(1);
        assertThat(toOld.get("properties").size()).as(toOld.toString()).isZero();
        JsonNode toModern = js.awaitMessages("modern", 1).get(0);
        assertThat(toModern.get("payload").asText()).isEqualTo("from mqtt.js 3.1.1");
        assertThat(toModern.get("properties").size()).as(toModern.toString()).isZero();
    }

    @Test
    @DisplayName("the will of an MQTT 5 client, with will properties and a will delay of 0, reaches a 3.1.1 "
            + "subscriber as a plain message")
    void v5WillToV3() throws Exception {
        List<Received3> received = new CopyOnWriteArrayList<>();
        paho3("paho3-will-watch", true, received).subscribe("interop/mixed/will", 1);
        MqttJs js = broker.track(MqttJs.start(broker.port()));
        js.connect("dying", Map.of("clientId", "js-will", "will", Map.of("topic", "interop/mixed/will",
                "payload", "gone", "qos", 1, "properties", Map.of("contentType", "text/plain",
                        "userProperties", Map.of("k", "v")))));

        js.ok("dying", "crash", Map.of());

        assertThat(awaitSize(received, 1)).containsExactly(new Received3("interop/mixed/will", "gone", 1, false));
    }

    @Test
    @DisplayName("a retained message from an MQTT 5 publisher reaches a later 3.1.1 subscriber without properties "
            + "and a later 5.0 subscriber with them")
    void retainedAcrossVersions() throws Exception {
        Paho5 modern = new Paho5(broker, "paho5-retain-pub").connect();
        modern.publish("interop/mixed/retained", message5("kept", 1, true, allProperties()));

        List<Received3> old = new CopyOnWriteArrayList<>();
        paho3("paho3-retain-sub", true, old).subscribe("interop/mixed/retained", 1);
        Mqtt5BlockingClient late = Hive5.client(broker, "hive5-retain-sub");
        late.connectWith().cleanStart(true).send();
        List<Mqtt5Publish> lateReceived = new CopyOnWriteArrayList<>();
        late.toAsync().publishes(MqttGlobalPublishFilter.ALL, lateReceived::add);
        late.subscribeWith().topicFilter("interop/mixed/retained").qos(MqttQos.AT_LEAST_ONCE).send();

        assertThat(awaitSize(old, 1)).containsExactly(new Received3("interop/mixed/retained", "kept", 1, true));
        Mqtt5Publish got = awaitSize(lateReceived, 1).get(0);
        assertThat(got.isRetain()).isTrue();
        assertThat(got.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                .containsExactly("k=v");
        assertThat(got.getContentType()).hasValueSatisfying(t -> assertThat(t).hasToString("text/plain"));
        assertThat(got.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(got.getResponseTopic()).hasValueSatisfying(t -> assertThat(t).hasToString("interop/mixed/reply"));
        assertThat(got.getCorrelationData()).isPresent();
        assertThat(got.getMessageExpiryInterval()).isPresent();
        assertThat(got.getMessageExpiryInterval().getAsLong()).isBetween(1L, 600L);
    }

    @Test
    @DisplayName("a 3.1.1 publisher's message reaches a 5.0 subscriber with that subscription's identifier and, "
            + "with Retain As Published, its RETAIN flag")
    void subscriptionOptionsApplyToV3Messages() throws Exception {
        Paho5 modern = new Paho5(broker, "paho5-opts").connect();
        MqttProperties id = new MqttProperties();
        id.setSubscriptionIdentifier(11);
        org.eclipse.paho.mqttv5.common.MqttSubscription s =
                new org.eclipse.paho.mqttv5.common.MqttSubscription("interop/mixed/opts/#", 1);
        s.setRetainAsPublished(true);
        modern.subscribe(id, s);
        Mqtt3BlockingClient old = hive3("hive3-opts");

        old.publishWith().topic("interop/mixed/opts/a").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("from 3".getBytes(StandardCharsets.UTF_8)).send();

        Arrived got = modern.awaitReceived(1).get(0);
        assertThat(got.payload()).isEqualTo("from 3");
        assertThat(got.message().isRetained()).isTrue();
        assertThat(got.properties().getSubscriptionIdentifiers()).containsExactly(11);
    }

    @Test
    @DisplayName("a message whose expiry interval passed while a 3.1.1 persistent session was offline is not "
            + "delivered to it; one without an interval is")
    void expiryAppliesToV3Subscribers() throws Exception {
        List<Received3> received = new CopyOnWriteArrayList<>();
        MqttClient old = paho3("paho3-away", false, received);
        old.subscribe("interop/mixed/away/#", 1);
        old.disconnect();
        Paho5 modern = new Paho5(broker, "paho5-away-pub").connect();
        MqttProperties shortLived = new MqttProperties();
        shortLived.setMessageExpiryInterval(1L);
        modern.publish("interop/mixed/away/short", message5("expires", 1, false, shortLived));
        modern.publish("interop/mixed/away/kept", message5("kept", 1, false, new MqttProperties()));
        long published = System.nanoTime();
        // the interval is the behaviour under test: let it pass
        await("one second and a bit").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> System.nanoTime() - published > TimeUnit.MILLISECONDS.toNanos(1_300));

        connect311(old, false);

        assertThat(awaitSize(received, 1)).extracting(Received3::payload).containsExactly("kept");
    }

    @Test
    @DisplayName("a client that comes back speaking MQTT 5 resumes the session it left at 3.1.1: Session Present, "
            + "and what was queued meanwhile arrives with its properties")
    void sessionFrom311To5() throws Exception {
        paho3("upgraded", false, new CopyOnWriteArrayList<>()).subscribe("interop/mixed/upgrade", 1);
        broker.broker().disconnect("upgraded");
        await("the 3.1.1 connection ended").atMost(WAIT).until(() -> broker.broker().session("upgraded")
                .map(s -> !s.connected()).orElse(false));
        Paho5 pub = new Paho5(broker, "paho5-upgrade-pub").connect();
        pub.publish("interop/mixed/upgrade", message5("queued at 3.1.1", 1, false, allProperties()));

        Paho5 modern = new Paho5(broker, "upgraded");
        assertThat(modern.connect(o -> {
            o.setCleanStart(false);
            o.setSessionExpiryInterval(60L);
        }).getSessionPresent()).isTrue();

        Arrived got = modern.awaitReceived(1).get(0);
        assertThat(got.payload()).isEqualTo("queued at 3.1.1");
        assertThat(got.properties().getUserProperties()).extracting(u -> u.getKey() + "=" + u.getValue())
                .containsExactly("k=v");
        assertThat(got.properties().getContentType()).isEqualTo("text/plain");
        assertThat(got.properties().getCorrelationData()).containsExactly(1);
    }

    @Test
    @DisplayName("a client that comes back speaking MQTT 3.1.1 resumes the session it left at 5.0: Session "
            + "Present, and what was queued meanwhile arrives intact, without properties")
    void sessionFrom5To311() throws Exception {
        Paho5 modern = new Paho5(broker, "downgraded");
        modern.connect(o -> {
            o.setCleanStart(true);
            o.setSessionExpiryInterval(600L);
        });
        modern.subscribe("interop/mixed/downgrade", 1);
        modern.disconnect();
        Paho5 pub = new Paho5(broker, "paho5-downgrade-pub").connect();
        pub.publish("interop/mixed/downgrade", message5("queued at 5.0", 1, false, allProperties()));

        List<Received3> received = new CopyOnWriteArrayList<>();
        MqttClient old = paho3Client("downgraded", received);

        assertThat(connect311(old, false).getSessionPresent()).isTrue();
        assertThat(awaitSize(received, 1)).containsExactly(
                new Received3("interop/mixed/downgrade", "queued at 5.0", 1, false));
        assertThat(old.isConnected()).isTrue();
    }
}
