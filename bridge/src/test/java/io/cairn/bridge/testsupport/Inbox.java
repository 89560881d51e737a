package io.cairn.bridge.testsupport;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** An Eclipse Paho (MQTT 3.1.1) client that records what it receives: a client we did not write, on either side. */
public final class Inbox implements MqttCallback, AutoCloseable {

    /** One received message. */
    public record Received(String topic, String payload, int qos, boolean retained, boolean duplicate) {
    }

    private final MqttClient client;
    private final List<Received> messages = new CopyOnWriteArrayList<>();

    private Inbox(String uri, String clientId, boolean cleanSession) throws MqttException {
        client = new MqttClient(uri, clientId, new MemoryPersistence());
        client.setCallback(this);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(cleanSession);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay(500);
        o.setMaxInflight(1000);
        o.setKeepAliveInterval(30);
        client.connect(o);
    }

    /** A connected client with a clean session. */
    public static Inbox connect(String uri, String clientId) throws MqttException {
        return new Inbox(uri, clientId, true);
    }

    /** A connected client with a persistent session that reconnects by itself. */
    public static Inbox persistent(String uri, String clientId) throws MqttException {
        return new Inbox(uri, clientId, false);
    }

    public Inbox subscribe(String filter, int qos) throws MqttException {
        client.subscribe(filter, qos);
        return this;
    }

    public void publish(String topic, String payload, int qos, boolean retained) throws MqttException {
        client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retained);
    }

    public MqttClient client() {
        return client;
    }

    public List<Received> messages() {
        return List.copyOf(messages);
    }

    /** The messages received on {@code topic}. */
    public List<Received> on(String topic) {
        return messages.stream().filter(m -> m.topic().equals(topic)).toList();
    }

    /** Waits until a message arrived on {@code topic} and returns the first. */
    public Received awaitOn(String topic) {
        await("a message on " + topic).atMost(Duration.ofSeconds(20)).until(() -> !on(topic).isEmpty());
        return on(topic).get(0);
    }

    @Override
    public void connectionLost(Throwable cause) {
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        messages.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos(),
                message.isRetained(), message.isDuplicate()));
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(5000);
        }
        client.close(true);
    }
}
