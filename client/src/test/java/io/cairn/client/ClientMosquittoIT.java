package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client against Mosquitto, a broker it was not written with: connect, QoS round trips, a persistent
 * session's queued messages and the will.
 *
 * <p>Needs {@code /usr/sbin/mosquitto} (Debian package mosquitto): without it the tests are skipped, or fail when
 * the {@code CI} environment variable is set.
 */
class ClientMosquittoIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path temp;

    private static Mosquitto mosquitto;
    private static int port;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void startMosquitto() throws Exception {
        mosquitto = Mosquitto.start(temp);
        port = mosquitto.port();
    }

    @AfterAll
    static void stopMosquitto() {
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(MqttClient::close);
    }

    private MqttClient.Builder builder(String clientId) {
        return MqttClient.builder().host("127.0.0.1").port(port).clientId(clientId)
                .reconnectPolicy(ReconnectPolicy.none());
    }

    private MqttClient track(MqttClient c) {
        clients.add(c);
        return c;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("connects to Mosquitto: accepted, no session present")
    void connect() throws Exception {
        MqttClient c = track(builder("mq-connect").build());
        ConnectResult result = get(c.connect());
        assertThat(result.returnCode()).isEqualTo(ConnectReturnCode.ACCEPTED);
        assertThat(result.sessionPresent()).isFalse();
        await().atMost(WAIT).until(() -> mosquitto.output().stream().anyMatch(l -> l.contains("mq-connect")));
    }

    @ParameterizedTest(name = "QoS {0}")
    @EnumSource(Qos.class)
    @DisplayName("round trip through Mosquitto between two clients, in order")
    void roundTrip(Qos qos) throws Exception {
        MqttClient subscriber = track(builder("mq-sub-" + qos.value()).build());
        MqttClient publisher = track(builder("mq-pub-" + qos.value()).build());
        get(subscriber.connect());
        get(publisher.connect());
        Received received = new Received();
        SubscribeResult granted = get(subscriber.subscribe("mq/" + qos.value() + "/+", qos, received));
        assertThat(granted.grant(0).grantedQos()).isEqualTo(qos);

        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(publisher.publish("mq/" + qos.value() + "/t", "m" + i, qos, false));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> received.count() == 20);
        assertThat(received.payloads()).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 20).mapToObj(i -> "m" + i).toList());
        assertThat(received.messages()).allMatch(m -> m.qos() == qos && m.topic().equals("mq/" + qos.value() + "/t"));
    }

    @Test
    @DisplayName("persistent session: Mosquitto's queued messages arrive after the reconnect")
    void persistentSession() throws Exception {
        Received received = new Received();
        MqttClient c = track(builder("mq-persistent").cleanSession(false).build());
        get(c.connect());
        get(c.subscribe("mq/persistent", Qos.AT_LEAST_ONCE, received));
        get(c.disconnect());

        MqttClient publisher = track(builder("mq-persistent-pub").build());
        get(publisher.connect());
        get(publisher.publish("mq/persistent", "queued 1", Qos.AT_LEAST_ONCE, false));
        get(publisher.publish("mq/persistent", "queued 2", Qos.EXACTLY_ONCE, false));

        assertThat(get(c.connect()).sessionPresent()).isTrue();
        await().atMost(WAIT).until(() -> received.count() == 2);
        assertThat(received.payloads()).containsExactly("queued 1", "queued 2");
    }

    @Test
    @DisplayName("Mosquitto publishes the will when the client's connection ends abruptly")
    void will() throws Exception {
        MqttClient watcher = track(builder("mq-watcher").build());
        get(watcher.connect());
        Received wills = new Received();
        get(watcher.subscribe("mq/will/#", Qos.AT_LEAST_ONCE, wills));

        EventLoopGroup doomed = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        MqttClient dying = track(builder("mq-dying").eventLoopGroup(doomed)
                .will(Will.of("mq/will/dying", "bye".getBytes(StandardCharsets.UTF_8), Qos.AT_LEAST_ONCE, false))
                .build());
        get(dying.connect());
        doomed.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();

        await().atMost(WAIT).until(() -> wills.count() == 1);
        assertThat(wills.messages().get(0).topic()).isEqualTo("mq/will/dying");
        assertThat(wills.payloads()).containsExactly("bye");
    }
}
