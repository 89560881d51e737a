package io.cairn.kernel.testsupport;

import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * HiveMQ MQTT Client instances speaking MQTT 5 to the test broker, disconnected after the test. For the v5
 * conformance tests.
 */
public final class Hive5 {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Hive5() {
    }

    /** A client with {@code clientId}, not connected yet, disconnected (if still connected) after the test. */
    public static Mqtt5BlockingClient client(EmbeddedBrokerExtension broker, String clientId) {
        return client(broker, clientId, null);
    }

    /**
     * As {@link #client(EmbeddedBrokerExtension, String)}, recording in {@code serverDisconnect} the reason code
     * of a DISCONNECT the server sends it.
     */
    public static Mqtt5BlockingClient client(EmbeddedBrokerExtension broker, String clientId,
                                             AtomicReference<Mqtt5DisconnectReasonCode> serverDisconnect) {
        var builder = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(broker.port());
        if (serverDisconnect != null) {
            builder.addDisconnectedListener(ctx -> {
                if (ctx.getSource() == MqttDisconnectSource.SERVER
                        && ctx.getCause() instanceof Mqtt5DisconnectException e) {
                    serverDisconnect.set(e.getMqttMessage().getReasonCode());
                }
            });
        }
        Mqtt5BlockingClient c = builder.buildBlocking();
        broker.track(() -> {
            if (c.getState().isConnected()) {
                c.toAsync().disconnect().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        return c;
    }

    /** A client with {@code clientId}, connected with Clean Start, disconnected after the test. */
    public static Mqtt5BlockingClient connected(EmbeddedBrokerExtension broker, String clientId) {
        Mqtt5BlockingClient c = client(broker, clientId);
        c.connectWith().cleanStart(true).send();
        return c;
    }

    /** Subscribes {@code c} to {@code filter} at QoS 1; returns the list its messages are added to. */
    public static List<Mqtt5Publish> subscribe(Mqtt5BlockingClient c, String filter) {
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        return received;
    }

    /** Waits until {@code received} holds {@code count} messages; returns a copy of it. */
    public static List<Mqtt5Publish> awaitSize(List<Mqtt5Publish> received, int count) {
        await(count + " messages").atMost(WAIT).until(() -> received.size() >= count);
        return List.copyOf(received);
    }

    /** The payload of {@code p} as UTF-8 text. */
    public static String text(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }
}
