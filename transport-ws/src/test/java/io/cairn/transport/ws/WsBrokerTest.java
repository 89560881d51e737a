package io.cairn.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tls.TlsSettings;
import io.cairn.transport.tls.testsupport.Pki;
import io.cairn.transport.ws.testsupport.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The WebSocket listener in front of the real, embedded kernel: Paho and the HiveMQ client over ws and wss, and a
 * hand-written WebSocket client for what the libraries never do (fragments, several packets per frame, text
 * frames, oversized frames, wrong paths, origins and sub-protocols).
 */
class WsBrokerTest {

    // MQTT 3.1.1 packets, field by field
    private static final byte[] CONNECT = {
            0x10, 0x0F,                         // CONNECT, remaining length 15
            0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name
            0x04,                               // protocol level 4 (3.1.1)
            0x02,                               // flags: clean session
            0x00, 0x3C,                         // keep alive 60 s
            0x00, 0x03, 'r', 'a', 'w'};         // client id "raw"
    private static final byte[] CONNACK = {0x20, 0x02, 0x00, 0x00}; // session present 0, return code 0
    private static final byte[] SUBSCRIBE = {
            (byte) 0x82, 0x0A,                  // SUBSCRIBE, remaining length 10
            0x00, 0x01,                         // packet id 1
            0x00, 0x05, 'r', 'a', 'w', '/', 't', // topic filter "raw/t"
            0x00};                              // QoS 0
    private static final byte[] SUBACK = {(byte) 0x90, 0x03, 0x00, 0x01, 0x00}; // packet id 1, granted QoS 0
    private static final byte[] PUBLISH = {
            0x30, 0x09,                         // PUBLISH QoS 0, remaining length 9
            0x00, 0x05, 'r', 'a', 'w', '/', 't', // topic "raw/t"
            'h', 'i'};                          // payload
    private static final byte[] PINGREQ = {(byte) 0xC0, 0x00};
    private static final byte[] PINGRESP = {(byte) 0xD0, 0x00};

    private static Pki.Issued ca;
    private static Pki.Issued server;

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private WsTransport transport;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void pki() {
        ca = Pki.ca("Cairn WebSocket Test CA");
        server = ca.server("localhost");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    private int start(WsSettings settings) throws Exception {
        transport = new WsTransport("web", "127.0.0.1", 0, WsTransport.DEFAULT_BACKLOG,
                ListenerSecurity.allProviders(true), settings);
        broker = EmbeddedBroker.builder().transport(transport).sessionStore(new MemorySessionStore())
                .retainedStore(new MemoryRetainedStore()).start();
        return transport.localAddress().getPort();
    }

    private WsSettings.Builder secure() throws Exception {
        return WsSettings.builder().tls(TlsSettings.builder("test")
                .certificateFile(server.writeChain(dir.resolve("server.pem")))
                .keyFile(server.writeKey(dir.resolve("server.key"))).build());
    }

    private SSLContext clientTls() throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, ca.trustManagers().getTrustManagers(), null);
        return context;
    }

    private RawWebSocket raw(int port, String path, String subprotocols, String origin) throws Exception {
        RawWebSocket ws = RawWebSocket.upgrade(port, path, subprotocols, origin);
        closeables.add(ws);
        return ws;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    // ------------------------------------------------------------------------------------------------ real clients

    /** A Paho v3 client, its received messages in a queue. */
    private final class Paho implements AutoCloseable {
        final MqttClient client;
        final BlockingQueue<String> received = new ArrayBlockingQueue<>(16);

        Paho(String uri, String id, SSLContext tls) throws MqttException {
            client = new MqttClient(uri, id, new MemoryPersistence());
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    received.add(topic + ":" + new String(message.getPayload(), StandardCharsets.UTF_8));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions options = new MqttConnectOptions();
            if (tls != null) {
                options.setSocketFactory(tls.getSocketFactory());
            }
            options.setConnectionTimeout(10);
            options.setCleanSession(true);
            client.connect(options);
            closeables.add(this);
        }

        void roundTrip(String topic, String text) throws Exception {
            client.subscribe(topic, 1);
            client.publish(topic, text.getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(topic + ":" + text);
        }

        @Override
        public void close() throws MqttException {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }

    @Test
    @DisplayName("Paho (MQTT 3.1.1) over ws:// publishes and receives; the listener is registered as ws")
    void pahoOverWs() throws Exception {
        int port = start(WsSettings.defaults());
        assertThat(broker.broker().listeners()).anySatisfy(l -> assertThat(l.uri()).startsWith("ws://127.0.0.1:"));

        new Paho("ws://127.0.0.1:" + port + "/mqtt", "paho-ws", null).roundTrip("ws/paho", "hello over ws");
    }

    @Test
    @DisplayName("Paho over wss:// (TLS 1.3, the server certificate checked) publishes and receives")
    void pahoOverWss() throws Exception {
        int port = start(secure().build());
        assertThat(transport.scheme()).isEqualTo("wss");
        assertThat(transport.certificate().getSerialNumber()).isEqualTo(server.serial());

        new Paho("wss://localhost:" + port + "/mqtt", "paho-wss", clientTls()).roundTrip("wss/paho", "hello over wss");
    }

    @ParameterizedTest(name = "tls = {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("the HiveMQ client (MQTT 5) over ws and wss publishes a 200 kB message and receives it")
    void hiveMq(boolean tls) throws Exception {
        int port = start(tls ? secure().build() : WsSettings.defaults());
        Mqtt5ClientBuilder builder = Mqtt5Client.builder().identifier("hive-" + tls).serverHost("localhost")
                .serverPort(port).webSocketConfig().serverPath("mqtt").applyWebSocketConfig();
        if (tls) {
            builder = builder.sslConfig().trustManagerFactory(ca.trustManagers()).applySslConfig();
        }
        Mqtt5BlockingClient client = builder.buildBlocking();
        client.connect();
        closeables.add(client::disconnect);
        byte[] payload = new byte[200_000];
        Arrays.fill(payload, (byte) 'x');
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter("ws/hive").qos(MqttQos.AT_LEAST_ONCE).send();
            client.publishWith().topic("ws/hive").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
            Mqtt5Publish got = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(got.getPayloadAsBytes()).isEqualTo(payload);
        }
    }

    // ------------------------------------------------------------------------------------------------ raw frames

    @Test
    @Tag("MQTT-6.0.0-2")
    @DisplayName("[MQTT-6.0.0-2] a CONNECT split across a binary frame and two continuation frames, then "
            + "SUBSCRIBE and PUBLISH in one frame, then a PUBLISH split across two messages")
    void fragmentsAndSeveralPacketsPerFrame() throws Exception {
        int port = start(WsSettings.defaults());
        RawWebSocket ws = raw(port, "/mqtt", "mqtt", null);
        assertThat(ws.status()).isEqualTo(101);
        assertThat(ws.header("sec-websocket-protocol")).isEqualTo("mqtt");

        ws.send(false, RawWebSocket.BINARY, Arrays.copyOfRange(CONNECT, 0, 3));
        ws.send(false, RawWebSocket.CONTINUATION, Arrays.copyOfRange(CONNECT, 3, 9));
        ws.send(true, RawWebSocket.CONTINUATION, Arrays.copyOfRange(CONNECT, 9, CONNECT.length));
        assertThat(ws.readBytes(CONNACK.length)).isEqualTo(CONNACK);

        ws.sendBinary(concat(SUBSCRIBE, PUBLISH));
        assertThat(ws.readBytes(SUBACK.length + PUBLISH.length)).isEqualTo(concat(SUBACK, PUBLISH));

        ws.sendBinary(Arrays.copyOfRange(PUBLISH, 0, 5));
        ws.sendBinary(concat(Arrays.copyOfRange(PUBLISH, 5, PUBLISH.length), PINGREQ));
        assertThat(ws.readBytes(PUBLISH.length + PINGRESP.length)).isEqualTo(concat(PUBLISH, PINGRESP));
    }

    @Test
    @DisplayName("a WebSocket ping is answered with a pong carrying the same data; the MQTT session goes on")
    void pingPong() throws Exception {
        int port = start(WsSettings.defaults());
        RawWebSocket ws = raw(port, "/mqtt?client=raw", "mqtt", null);
        assertThat(ws.status()).as("a query string after the path").isEqualTo(101);
        ws.sendBinary(CONNECT);
        assertThat(ws.readBytes(CONNACK.length)).isEqualTo(CONNACK);

        ws.send(true, RawWebSocket.PING, new byte[] {1, 2, 3});
        RawWebSocket.Frame pong = ws.read();
        assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
        assertThat(pong.payload()).containsExactly(1, 2, 3);
        ws.sendBinary(PINGREQ);
        assertThat(ws.readBytes(PINGRESP.length)).isEqualTo(PINGRESP);
    }

    @Test
    @Tag("MQTT-6.0.0-1")
    @DisplayName("[MQTT-6.0.0-1] a text frame closes the connection with status 1003")
    void textFrameCloses() throws Exception {
        int port = start(WsSettings.defaults());
        RawWebSocket ws = raw(port, "/mqtt", "mqtt", null);
        ws.sendBinary(CONNECT);
        assertThat(ws.readBytes(CONNACK.length)).isEqualTo(CONNACK);

        ws.send(true, RawWebSocket.TEXT, "hello".getBytes(StandardCharsets.UTF_8));

        RawWebSocket.Frame close = ws.read();
        assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
        assertThat(close.closeStatus()).isEqualTo(1003);
        assertThat(ws.closedByServer()).isTrue();
    }

    @Test
    @DisplayName("a frame larger than maxFrameSize closes the connection with status 1009; a smaller one is fine")
    void oversizedFrameCloses() throws Exception {
        int port = start(WsSettings.builder().maxFrameSize(1024).build());
        RawWebSocket ws = raw(port, "/mqtt", "mqtt", null);
        ws.sendBinary(CONNECT);
        assertThat(ws.readBytes(CONNACK.length)).isEqualTo(CONNACK);

        byte[] big = new byte[1025];
        big[0] = 0x30; // the start of a PUBLISH; the frame is refused before the packet is read
        ws.sendBinary(big);

        RawWebSocket.Frame close = ws.read();
        assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
        assertThat(close.closeStatus()).isEqualTo(1009);
        assertThat(ws.closedByServer()).isTrue();
    }

    @Test
    @DisplayName("another path gets 404; no sub-protocol, or only unknown ones, get 400; mqttv3.1 is accepted")
    void pathsAndSubprotocols() throws Exception {
        int port = start(WsSettings.defaults());

        assertThat(raw(port, "/other", "mqtt", null).status()).isEqualTo(404);
        assertThat(raw(port, "/mqtt/x", "mqtt", null).status()).isEqualTo(404);
        RawWebSocket none = raw(port, "/mqtt", null, null);
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.closedByServer()).isTrue();
        assertThat(raw(port, "/mqtt", "wamp, stomp", null).status()).isEqualTo(400);
        RawWebSocket v31 = raw(port, "/mqtt", "foo, mqttv3.1", null);
        assertThat(v31.status()).isEqualTo(101);
        assertThat(v31.header("sec-websocket-protocol")).isEqualTo("mqttv3.1");
    }

    @Test
    @DisplayName("with allowedOrigins set: a listed origin or a matching pattern is let in, another gets 403, "
            + "a client sending no Origin (not a browser) is let in")
    void origins() throws Exception {
        int port = start(WsSettings.builder().allowedOrigins(List.of("https://app.example.com", "*.example.org"))
                .build());

        assertThat(raw(port, "/mqtt", "mqtt", "https://evil.example.com").status()).isEqualTo(403);
        assertThat(raw(port, "/mqtt", "mqtt", "https://example.org").status()).isEqualTo(403);
        assertThat(raw(port, "/mqtt", "mqtt", "null").status()).isEqualTo(403);
        assertThat(raw(port, "/mqtt", "mqtt", "https://app.example.com").status()).isEqualTo(101);
        assertThat(raw(port, "/mqtt", "mqtt", "http://a.b.example.org:8080").status()).isEqualTo(101);
        RawWebSocket noOrigin = raw(port, "/mqtt", "mqtt", null);
        assertThat(noOrigin.status()).isEqualTo(101);
        noOrigin.sendBinary(CONNECT);
        assertThat(noOrigin.readBytes(CONNACK.length)).isEqualTo(CONNACK);
    }

    @Test
    @DisplayName("a Paho client on a wrong path is refused; the broker has no client")
    void pahoWrongPath() throws Exception {
        int port = start(WsSettings.builder().path("/ws").build());

        assertThatThrownBy(() -> new Paho("ws://127.0.0.1:" + port + "/mqtt", "lost", null))
                .isInstanceOf(MqttException.class);
        new Paho("ws://127.0.0.1:" + port + "/ws", "found", null).roundTrip("t", "x");
        assertThat(broker.broker().clients()).hasSize(1);
    }
}
