package io.cairn.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.intercept.BrokerEventListener;
import io.cairn.api.intercept.ClientView;
import io.cairn.api.intercept.PublishInterceptor;
import io.cairn.api.intercept.PublishOutcome;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@code cairn:} commands as an operator types them: through Gogo's own command processor (the one the console
 * and the telnet port run), against a real broker with Paho clients connected.
 */
class ShellCommandsTest {

    private EmbeddedBroker broker;
    private ThreadIOImpl threadIO;
    private CommandProcessorImpl processor;
    private final List<MqttClient> clients = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.builder()
                .settings(BrokerSettings.builder().interceptorErrorBudget(2).build())
                .transport(new TcpTransport("default", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore())
                .retainedStore(new MemoryRetainedStore())
                .start();
        threadIO = new ThreadIOImpl();
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        processor.addCommand("cairn", new BrokerCommands(broker.broker(), (PluginInventory) null));
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttClient client : clients) {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1000);
            }
            client.close();
        }
        processor.stop();
        threadIO.stop();
        broker.close();
    }

    @Test
    @DisplayName("clients, sessions, subscriptions and listeners list what the connected Paho clients did")
    void listings() throws Exception {
        MqttClient alice = connect("alice", false, null);
        alice.subscribe("sensors/#", 1);
        MqttClient bob = connect("bob", true, null);
        bob.subscribe("alerts/+", 0);

        String clientsOut = run("cairn:clients");
        assertThat(lines(clientsOut)).anySatisfy(line -> assertThat(line).startsWith("alice ").contains("3.1.1")
                .contains("default").contains("127.0.0.1:").contains("60 s").endsWith("no"));
        assertThat(lines(clientsOut)).anySatisfy(line -> assertThat(line).startsWith("bob ").endsWith("yes"));
        assertThat(clientsOut).endsWith("2 clients connected\n");

        String sessionsOut = run("cairn:sessions");
        assertThat(lines(sessionsOut)).anySatisfy(line ->
                assertThat(line.split("\\s+")).containsExactly("alice", "yes", "yes", "1", "0", "0", "0"));
        assertThat(lines(sessionsOut)).anySatisfy(line ->
                assertThat(line.split("\\s+")).containsExactly("bob", "yes", "no", "1", "0", "0", "0"));

        assertThat(lines(run("cairn:subscriptions"))).contains("alice      sensors/#     1", "bob        alerts/+      0")
                .last().isEqualTo("2 subscriptions held");
        assertThat(lines(run("cairn:subscriptions alice"))).hasSize(3).contains("alice      sensors/#     1");
        assertThatThrownBy(() -> run("cairn:subscriptions nobody")).hasMessage("no session for client 'nobody'");

        int port = broker.listeners().get(0).port();
        assertThat(lines(run("cairn:listeners"))).anySatisfy(line -> assertThat(line.split("\\s+"))
                .containsExactly("default", "mqtt://127.0.0.1:" + port, "open", "2", "embedded"));

        // the session outlives alice's connection and still shows
        alice.disconnect();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lines(run("cairn:sessions")))
                .anySatisfy(line -> assertThat(line.split("\\s+"))
                        .containsExactly("alice", "no", "yes", "1", "0", "0", "0")));
        assertThat(run("cairn:clients")).endsWith("1 client connected\n");
    }

    @Test
    @DisplayName("publish reaches the subscribers with the QoS and retain flag asked for")
    void publish() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        MqttClient alice = connect("alice", true, (topic, message) ->
                received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8) + " qos"
                        + message.getQos() + (message.isRetained() ? " retained" : "")));
        alice.subscribe("sensors/#", 2);

        assertThat(run("cairn:publish -q 1 sensors/t1 hello")).isEqualTo("published to sensors/t1 (5 bytes, QoS 1)");
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("sensors/t1 hello qos1");

        run("cairn:publish --retain --qos 2 sensors/t2 \"kept for later\"");
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("sensors/t2 kept for later qos2");
        MqttClient late = connect("late", true, (topic, message) ->
                received.add("late " + topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8)
                        + (message.isRetained() ? " retained" : "")));
        late.subscribe("sensors/t2", 1);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("late sensors/t2 kept for later retained");

        assertThatThrownBy(() -> run("cairn:publish -q 3 sensors/t1 x")).hasMessage("QoS must be 0, 1 or 2, not 3");
        assertThatThrownBy(() -> run("cairn:publish sensors/+ x")).hasMessageContaining("is no topic name");
        assertThatThrownBy(() -> run("cairn:publish '$SYS/broker/version' x"))
                .hasMessageContaining("belong to the broker");
        assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    @DisplayName("kick closes a client's connection: it sees the connection lost and its will is published")
    void kick() throws Exception {
        AtomicReference<Throwable> lost = new AtomicReference<>();
        BlockingQueue<String> wills = new LinkedBlockingQueue<>();
        MqttClient watcher = connect("watcher", true, (topic, message) ->
                wills.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8)));
        watcher.subscribe("wills/#", 1);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setWill("wills/victim", "gone".getBytes(StandardCharsets.UTF_8), 1, false);
        MqttClient victim = connect("victim", options, null);
        victim.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.set(cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });

        assertThat(run("cairn:kick victim")).isEqualTo("disconnected victim");
        await().atMost(Duration.ofSeconds(10)).until(() -> lost.get() != null);
        assertThat(wills.poll(10, TimeUnit.SECONDS)).isEqualTo("wills/victim gone");
        assertThat(run("cairn:clients")).doesNotContain("victim").endsWith("1 client connected\n");
        assertThatThrownBy(() -> run("cairn:kick victim")).hasMessage("no client 'victim' is connected");
    }

    @Test
    @DisplayName("stats and bridges show the broker's counters; plugins explains that there is no framework")
    void statsAndBridges() throws Exception {
        MqttClient alice = connect("alice", true, null);
        alice.subscribe("t", 0);
        alice.publish("t", "abc".getBytes(StandardCharsets.UTF_8), 1, false);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(lines(run("cairn:stats")).stream().map(line -> line.replaceAll("  +", "|")))
                        .contains("messages received|1", "messages sent|1", "clients connected|1",
                                "subscriptions|1", "bytes sent|21"));
        assertThat(run("cairn:bridges")).endsWith("0 bridges running\n");
        assertThatThrownBy(() -> run("cairn:plugins")).hasMessageContaining("without an OSGi framework");
    }

    @Test
    @DisplayName("interceptors lists each plugin's interceptors and failures, and one quarantined after its budget")
    void interceptors() throws Exception {
        assertThat(run("cairn:interceptors")).endsWith("0 plugins with interceptors\n");
        broker.addInterceptor("audit", 0, new Audit(), java.util.Map.of());
        broker.addInterceptor("broken", 0, (PublishInterceptor) (client, message) -> {
            throw new IllegalStateException("no schema for " + message.topic());
        }, java.util.Map.of());
        assertThat(lines(run("cairn:interceptors"))).anySatisfy(line -> assertThat(line).startsWith("audit ")
                .contains(" publish, events ").endsWith(" active"));

        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        connect("dashboard", true, (topic, message) -> received.add(topic)).subscribe("#", 1);
        MqttClient device = connect("device", true, null);
        for (int i = 0; i < 3; i++) { // the third failure exceeds the budget of 2
            device.publish("plant/" + i, new byte[] {1}, 1, false);
            assertThat(received.poll(10, TimeUnit.SECONDS)).as("passed despite the failure").isEqualTo("plant/" + i);
        }
        String out = run("cairn:interceptors");
        assertThat(lines(out)).anySatisfy(line -> assertThat(line).startsWith("broken ")
                .contains(" 3 ", " 0 ", " quarantined ", "onPublish to 'plant/2' of client 'device' threw "
                        + "java.lang.IllegalStateException: no schema for plant/2"));
        assertThat(out).endsWith("2 plugins with interceptors\n");
    }

    /** A plugin that intercepts publications and hears events. */
    private static final class Audit implements PublishInterceptor, BrokerEventListener {
        @Override
        public PublishOutcome onPublish(ClientView publisher, io.cairn.api.message.Message message) {
            return PublishOutcome.pass();
        }
    }

    private String run(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            Object result = session.execute(command);
            return result == null ? out.toString(StandardCharsets.UTF_8) : result.toString();
        }
    }

    private static List<String> lines(String text) {
        return text.lines().toList();
    }

    private MqttClient connect(String id, boolean clean, Listener listener) throws Exception {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(clean);
        return connect(id, options, listener);
    }

    private MqttClient connect(String id, MqttConnectOptions options, Listener listener) throws Exception {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + broker.listeners().get(0).port(), id,
                new MemoryPersistence());
        clients.add(client);
        if (listener != null) {
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    listener.arrived(topic, message);
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
        }
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.connect(options);
        return client;
    }

    @FunctionalInterface
    private interface Listener {
        void arrived(String topic, MqttMessage message);
    }
}
