package io.cairn.kernel.interop.v5;

import static org.awaitility.Awaitility.await;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * An Eclipse Paho mqttv5 (1.2.5) asynchronous client for the tests, used with blocking waits: it records the
 * messages that arrive and the DISCONNECT the server sends, and is disconnected and closed after the test.
 */
final class Paho5 {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** A message as Paho delivered it. */
    record Arrived(String topic, MqttMessage message) {
        String payload() {
            return new String(message.getPayload(), StandardCharsets.UTF_8);
        }

        MqttProperties properties() {
            return message.getProperties();
        }
    }

    final MqttAsyncClient client;
    final List<Arrived> received = new CopyOnWriteArrayList<>();
    final AtomicReference<MqttDisconnectResponse> disconnected = new AtomicReference<>();

    /** A client of the test broker with {@code clientId}, not connected yet. */
    Paho5(EmbeddedBrokerExtension broker, String clientId) throws MqttException {
        this(broker, broker.port(), clientId);
    }

    /** A client of whatever listens on {@code port} (a {@link WireTap}, say), closed with {@code broker}'s test. */
    Paho5(EmbeddedBrokerExtension broker, int port, String clientId) throws MqttException {
        client = new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                disconnected.set(response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                // a failed operation fails its token, which the test waits on
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Arrived(topic, message));
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
                // publish() waits on its token
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                // connect() waits on its token
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
                // no enhanced authentication
            }
        });
        broker.track(() -> {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(WAIT.toMillis());
            }
            client.close(true);
        });
    }

    /** Options with automatic reconnect off, changed by {@code change}. */
    static MqttConnectionOptions options(Consumer<MqttConnectionOptions> change) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(30);
        change.accept(o);
        return o;
    }

    /** Connects and waits for CONNACK; the token holds Session Present and the CONNACK properties. */
    IMqttToken connect(Consumer<MqttConnectionOptions> change) throws MqttException {
        IMqttToken token = client.connect(options(change));
        token.waitForCompletion(WAIT.toMillis());
        return token;
    }

    /** Connects with Clean Start and no session expiry. */
    Paho5 connect() throws MqttException {
        connect(o -> o.setCleanStart(true));
        return this;
    }

    /** Subscribes and returns the SUBACK reason codes. */
    int[] subscribe(MqttProperties properties, MqttSubscription... subscriptions) throws MqttException {
        IMqttToken token = client.subscribe(subscriptions, null, null, properties);
        token.waitForCompletion(WAIT.toMillis());
        return token.getReasonCodes();
    }

    /** Subscribes to one filter at {@code qos} with no options. */
    int[] subscribe(String filter, int qos) throws MqttException {
        return subscribe(new MqttProperties(), new MqttSubscription(filter, qos));
    }

    /** Publishes and waits until the QoS flow is complete. */
    void publish(String topic, MqttMessage message) throws MqttException {
        client.publish(topic, message).waitForCompletion(WAIT.toMillis());
    }

    /** Publishes a text message at {@code qos}, without properties. */
    void publish(String topic, String payload, int qos) throws MqttException {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        publish(topic, m);
    }

    /** Waits until {@code count} messages have arrived; returns all that have. */
    List<Arrived> awaitReceived(int count) {
        await(count + " messages for " + client.getClientId()).atMost(WAIT).until(() -> received.size() >= count);
        return List.copyOf(received);
    }

    /** Sends DISCONNECT (reason 0) and waits until the client is disconnected. */
    void disconnect() throws MqttException {
        client.disconnect().waitForCompletion(WAIT.toMillis());
    }

    /** Closes the socket without DISCONNECT, as if the network or the process had failed. */
    void crash() throws MqttException {
        client.disconnectForcibly(0, 1_000, false);
    }
}
