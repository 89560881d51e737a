package io.cairn.distribution;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** An Eclipse Paho MQTT 3.1.1 client that queues what it receives, for tests. */
final class PahoClient implements MqttCallback, AutoCloseable {

    /** A message received: topic, payload as UTF-8, QoS. */
    record Received(String topic, String payload, int qos) {
    }

    private final MqttClient client;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private final SocketFactory socketFactory;

    PahoClient(int port, String clientId) throws MqttException {
        this("tcp://127.0.0.1:" + port, clientId, null);
    }

    /**
     * A client of {@code uri} ({@code ssl://}, {@code ws://}, ...), connecting through {@code socketFactory} when
     * it is not {@code null} (for TLS: one that trusts the broker's certificate).
     */
    PahoClient(String uri, String clientId, SocketFactory socketFactory) throws MqttException {
        client = new MqttClient(uri, clientId, new MemoryPersistence());
        client.setCallback(this);
        this.socketFactory = socketFactory;
    }

    /** Connects with MQTT 3.1.1 and the given clean-session flag; returns the CONNACK's session-present flag. */
    boolean connect(boolean cleanSession) throws MqttException {
        return connect(cleanSession, null, null);
    }

    /** As {@link #connect(boolean)}, with a user name and password ({@code null}: none). */
    boolean connect(boolean cleanSession, String username, String password) throws MqttException {
        MqttConnectOptions options = new MqttConnectOptions();
        if (username != null) {
            options.setUserName(username);
        }
        if (password != null) {
            options.setPassword(password.toCharArray());
        }
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(cleanSession);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        // Paho counts a QoS 1 publish as in flight until its callback thread has handled the PUBACK, after the
        // synchronous publish() returned (eclipse-paho/paho.mqtt.java#551): with the default limit of 10, a burst of
        // one-at-a-time publishes can fail with "Too many publishes in progress" while the callback thread lags
        // (InterceptorDeployIT saw it in CI). Only one message is ever really in flight here.
        options.setMaxInflight(1000);
        if (socketFactory != null) {
            options.setSocketFactory(socketFactory);
        }
        return client.connectWithResult(options).getSessionPresent();
    }

    void subscribe(String filter, int qos) throws MqttException {
        client.subscribe(filter, qos);
    }

    void publish(String topic, String payload, int qos) throws MqttException {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(qos);
        client.publish(topic, message);
    }

    /** The next message received, waiting at most {@code seconds}; null when none came. */
    Received next(int seconds) throws InterruptedException {
        return received.poll(seconds, TimeUnit.SECONDS);
    }

    /**
     * Tries to connect with the given credentials and returns the CONNACK return code of the refusal (4: bad user
     * name or password, 5: not authorized), or 0 if the client was let in (it is then connected).
     */
    int tryConnect(String username, String password) throws MqttException {
        try {
            connect(true, username, password);
            return 0;
        } catch (MqttException e) {
            if (e.getReasonCode() >= 1 && e.getReasonCode() <= 5) {
                return e.getReasonCode();
            }
            throw e;
        }
    }

    boolean isConnected() {
        return client.isConnected();
    }

    void disconnect() throws MqttException {
        client.disconnect(5_000);
    }

    @Override
    public void connectionLost(Throwable cause) {
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos()));
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnectForcibly(1_000, 1_000);
        }
        client.close();
    }
}
