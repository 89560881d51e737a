package io.cairn.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ClientInfo;
import io.cairn.api.transport.CertificateUsername;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tls.testsupport.ErrorLog;
import io.cairn.transport.tls.testsupport.Pki;
import io.cairn.transport.tls.testsupport.TlsClients;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The TLS listener in front of the real, embedded kernel, with real clients: Paho, HiveMQ, Netty, mosquitto. */
class TlsBrokerTest {

    private static Pki.Issued ca;
    private static Pki.Issued server;
    private static Pki.Issued clientCa;
    private static Pki.Issued otherCa;

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private TlsTransport transport;
    private final Map<String, List<X509Certificate>> seen = new ConcurrentHashMap<>();
    /** The user names authenticators were asked about, by client id ("" for none). */
    private final Map<String, String> usernames = new ConcurrentHashMap<>();
    /** Records what it sees; lets in a client with a verified certificate, leaves the others to anonymous access. */
    private final Authenticator recorder = request -> {
        seen.put(request.clientId(), request.certificates());
        usernames.put(request.clientId(), request.username() == null ? "" : request.username());
        return request.certificates().isEmpty() ? Authentication.defer() : Authentication.accept();
    };
    private final List<AutoCloseable> closeables = new java.util.ArrayList<>();

    @BeforeAll
    static void pki() {
        ca = Pki.ca("Cairn Test Server CA");
        server = ca.server("localhost");
        clientCa = Pki.ca("Cairn Test Device CA");
        otherCa = Pki.ca("Someone Else's CA");
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

    private TlsSettings.Builder pem(Pki.Issued cert) {
        return TlsSettings.builder("test").certificateFile(cert.writeChain(dir.resolve("server.pem")))
                .keyFile(cert.writeKey(dir.resolve("server.key")));
    }

    private int start(TlsSettings settings) throws Exception {
        transport = new TlsTransport("tls", "127.0.0.1", 0, TlsTransport.DEFAULT_BACKLOG,
                ListenerSecurity.allProviders(true), settings);
        broker = EmbeddedBroker.builder().authenticator("recorder", recorder).transport(transport)
                .sessionStore(new MemorySessionStore()).retainedStore(new MemoryRetainedStore()).start();
        return transport.localAddress().getPort();
    }

    /** A Paho client connected over TLS, its received messages in a queue. */
    private final class Paho implements AutoCloseable {
        final MqttClient client;
        final TlsClients.Recording sockets;
        final BlockingQueue<String> received = new ArrayBlockingQueue<>(16);

        Paho(String id, int port, SSLContext tls) throws MqttException {
            sockets = new TlsClients.Recording(tls);
            client = new MqttClient("ssl://localhost:" + port, id, new MemoryPersistence());
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
            options.setSocketFactory(sockets);
            options.setConnectionTimeout(10);
            options.setCleanSession(true);
            client.connect(options);
            closeables.add(this);
        }

        /** Publishes to {@code topic} at QoS 1 and waits for this client's own subscription to deliver it. */
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

    @ParameterizedTest(name = "Paho over {0} with the {1} provider")
    @CsvSource({"TLSv1.2, JDK", "TLSv1.3, JDK", "TLSv1.2, OPENSSL", "TLSv1.3, OPENSSL"})
    @DisplayName("Paho connects over TLS 1.2 and 1.3, with either provider, and publishes and receives")
    void pahoOverTls(String protocol, TlsSettings.Provider provider) throws Exception {
        int port = start(pem(server).provider(provider).build());
        assertThat(transport.provider()).isEqualTo(provider.name());

        Paho paho = new Paho("paho-" + protocol, port, TlsClients.context(protocol, ca.trustManagers(), null));

        assertThat(paho.sockets.lastSession().getProtocol()).isEqualTo(protocol);
        assertThat(paho.sockets.lastServerCertificate().getSerialNumber()).isEqualTo(server.serial());
        paho.roundTrip("tls/paho", "hello over " + protocol);
        assertThat(seen.get("paho-" + protocol)).as("no client certificate was asked for").isEmpty();
    }

    @ParameterizedTest(name = "HiveMQ client, MQTT 5, over {0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    @DisplayName("the HiveMQ client connects over TLS 1.2 and 1.3 and publishes and receives")
    void hiveMqOverTls(String protocol) throws Exception {
        int port = start(pem(server).build());

        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("hive-" + protocol).serverHost("localhost")
                .serverPort(port).sslConfig().trustManagerFactory(ca.trustManagers()).protocols(List.of(protocol))
                .handshakeTimeout(10, TimeUnit.SECONDS).applySslConfig().buildBlocking();
        client.connect();
        closeables.add(client::disconnect);
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes =
                     client.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter("tls/hive").qos(MqttQos.AT_LEAST_ONCE).send();
            client.publishWith().topic("tls/hive").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(protocol.getBytes(StandardCharsets.UTF_8)).send();
            Mqtt5Publish got = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo(protocol);
        }
    }

    @Test
    @DisplayName("a client offering only TLS 1.1 is refused, though the same client completes TLS 1.1 elsewhere")
    void tls11Refused() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(OpenSsl.isAvailable(), "BoringSSL still speaks TLS 1.1");
        int port = start(pem(server).build());
        String cbc = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"; // TLS 1.1 has no AEAD suites
        SslContext tls11 = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).protocols("TLSv1.1")
                .ciphers(List.of(cbc)).trustManager(ca.certificate()).build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        closeables.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync());

        // control: a server that allows TLS 1.1 completes the handshake with this very client
        SslContext permissive = SslContextBuilder.forServer(server.keys().getPrivate(), server.certificate())
                .sslProvider(SslProvider.OPENSSL).protocols("TLSv1.1", "TLSv1.2").ciphers(List.of(cbc)).build();
        Channel control = new io.netty.bootstrap.ServerBootstrap().group(group)
                .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(permissive.newHandler(ch.alloc()));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        closeables.add(() -> control.close().sync());
        int controlPort = ((java.net.InetSocketAddress) control.localAddress()).getPort();
        assertThat(handshake(group, tls11, controlPort).await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(handshake(group, tls11, controlPort).sync().getNow().pipeline().get(SslHandler.class).engine()
                .getSession().getProtocol()).isEqualTo("TLSv1.1");

        Future<Channel> refused = handshake(group, tls11, port);
        assertThat(refused.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.isSuccess()).isFalse();
        assertThat(refused.cause()).isInstanceOf(javax.net.ssl.SSLException.class);
    }

    /** The handshake of a Netty client connecting to {@code port}; its result names the session's protocol. */
    private static Future<Channel> handshake(EventLoopGroup group, SslContext tls, int port) throws Exception {
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(tls.newHandler(c.alloc(), "localhost", port));
                    }
                }).connect("127.0.0.1", port).sync().channel();
        return ch.pipeline().get(SslHandler.class).handshakeFuture();
    }

    // ------------------------------------------------------------------------------------------------ mTLS

    private int startMutual(TlsSettings.ClientAuth mode) throws Exception {
        return start(pem(server).clientAuth(mode).caFile(clientCa.writeCertificate(dir.resolve("clients-ca.pem")))
                .build());
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    @DisplayName("clientAuth required: a good client certificate is accepted and the authenticator sees it")
    void mutualGoodCertificate(String protocol) throws Exception {
        int port = startMutual(TlsSettings.ClientAuth.REQUIRED);
        Pki.Issued device = clientCa.client("device-7");

        Paho paho = new Paho("device-7", port, TlsClients.context(protocol, ca.trustManagers(),
                device.keyManagers()));

        paho.roundTrip("devices/7", "up");
        assertThat(seen.get("device-7")).as("the chain the authenticator saw in ConnectRequest.certificates()")
                .isNotEmpty()
                .first().satisfies(c -> {
                    assertThat(c.getSerialNumber()).isEqualTo(device.serial());
                    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=device-7");
                });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"expired", "unknown CA", "none"})
    @DisplayName("clientAuth required: an expired certificate, one from another CA, or none is refused")
    void mutualBadCertificates(String which) throws Exception {
        int port = startMutual(TlsSettings.ClientAuth.REQUIRED);
        Pki.Issued cert = switch (which) {
            case "expired" -> clientCa.expired("old-device", false);
            case "unknown CA" -> otherCa.client("stranger");
            default -> null;
        };
        SSLContext tls = TlsClients.context("TLSv1.3", ca.trustManagers(), cert == null ? null : cert.keyManagers());

        try (ErrorLog log = new ErrorLog()) {
            assertThatThrownBy(() -> new Paho("bad-" + which.replace(' ', '-'), port, tls))
                    .isInstanceOf(MqttException.class);
            await("the failed handshake in the event log").atMost(Duration.ofSeconds(10))
                    .until(() -> log.lines().stream().anyMatch(line -> line.contains("event.auth")
                            && line.contains("TLS handshake from 127.0.0.1:") && line.contains(" on tls failed: ")));
        }
        assertThat(seen).as("no CONNECT reached the authenticators").isEmpty();
        assertThat(broker.broker().clients()).isEmpty();
    }

    @Test
    @DisplayName("clientAuth optional: a client without a certificate gets in, with no certificate to show")
    void optionalWithoutCertificate() throws Exception {
        int port = startMutual(TlsSettings.ClientAuth.OPTIONAL);

        new Paho("plain", port, TlsClients.context("TLSv1.3", ca.trustManagers(), null)).roundTrip("t", "x");
        Pki.Issued device = clientCa.client("device-8");
        new Paho("device-8", port, TlsClients.context("TLSv1.3", ca.trustManagers(), device.keyManagers()));

        assertThat(seen.get("plain")).isEmpty();
        assertThat(seen.get("device-8")).hasSize(2).first()
                .satisfies(c -> assertThat(c.getSerialNumber()).isEqualTo(device.serial()));
    }

    @ParameterizedTest(name = "usernameFrom = {0}")
    @ValueSource(strings = {"CN", "SAN"})
    @DisplayName("usernameFrom: the client certificate's CN or first SAN is the user name the broker uses; a client "
            + "without a certificate keeps its own")
    void usernameFromCertificate(String from) throws Exception {
        int port = start(pem(server).clientAuth(TlsSettings.ClientAuth.OPTIONAL)
                .caFile(clientCa.writeCertificate(dir.resolve("clients-ca.pem")))
                .usernameFrom(CertificateUsername.valueOf(from)).build());
        Pki.Issued device = clientCa.client("device-9");

        new Paho("d9", port, TlsClients.context("TLSv1.3", ca.trustManagers(), device.keyManagers()))
                .roundTrip("devices/9", "up");
        new Paho("plain", port, TlsClients.context("TLSv1.3", ca.trustManagers(), null)).roundTrip("t", "x");

        // Pki gives a client certificate one SAN, an e-mail address made from its CN
        String expected = from.equals("CN") ? "device-9" : "device-9@devices.example";
        assertThat(usernames).as("user names the authenticator saw")
                .containsExactlyInAnyOrderEntriesOf(Map.of("d9", expected, "plain", ""));
        assertThat(broker.broker().clients()).extracting(ClientInfo::clientId, ClientInfo::username)
                .containsExactlyInAnyOrder(tuple("d9", expected), tuple("plain", null));
    }

    // ------------------------------------------------------------------------------------------------ rotation

    @Test
    @DisplayName("replaced certificate files are used for new connections; an open connection keeps working")
    void rotation() throws Exception {
        int port = start(pem(server).reloadInterval(Duration.ofMillis(100)).build());
        SSLContext tls = TlsClients.context("TLSv1.3", ca.trustManagers(), null);
        Paho before = new Paho("before", port, tls);
        assertThat(before.sockets.lastServerCertificate().getSerialNumber()).isEqualTo(server.serial());

        Pki.Issued renewed = ca.server("localhost");
        renewed.writeKey(dir.resolve("server.key"));
        renewed.writeChain(dir.resolve("server.pem"));

        await("the renewed certificate in use").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> transport.certificate().getSerialNumber().equals(renewed.serial()));
        Paho after = new Paho("after", port, tls);
        assertThat(after.sockets.lastServerCertificate().getSerialNumber()).isEqualTo(renewed.serial());
        assertThat(before.client.isConnected()).isTrue();
        before.roundTrip("rotation/old", "still here");
        assertThat(before.sockets.lastServerCertificate().getSerialNumber()).isEqualTo(server.serial());
    }

    // ------------------------------------------------------------------------------------------------ SNI

    @Test
    @DisplayName("SNI: a client asking for an SNI host gets that host's certificate, wildcards match, others the main")
    void sni() throws Exception {
        Pki.Issued exact = ca.server("broker.example.com");
        Pki.Issued wildcard = ca.server("any.devices.example.com");
        int port = start(pem(server)
                .sni("broker.example.com", new TlsSettings.SniCertificate(exact.writeChain(dir.resolve("b.pem")),
                        exact.writeKey(dir.resolve("b.key")), null))
                .sni("*.devices.example.com", new TlsSettings.SniCertificate(
                        wildcard.writeChain(dir.resolve("w.pem")), wildcard.writeKey(dir.resolve("w.key")), null))
                .build());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        closeables.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync());
        // only the served certificate is of interest here: the test certificates name localhost, not these hosts
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .endpointIdentificationAlgorithm(null).trustManager(ca.certificate()).build();

        assertThat(servedTo(group, client, "broker.example.com", port)).isEqualTo(exact.serial());
        assertThat(servedTo(group, client, "Broker.Example.COM", port)).isEqualTo(exact.serial());
        assertThat(servedTo(group, client, "eu.devices.example.com", port)).isEqualTo(wildcard.serial());
        assertThat(servedTo(group, client, "elsewhere.example.org", port)).isEqualTo(server.serial());
        // and MQTT over the SNI-selected handler reaches the kernel, with the client's name
        Paho paho = new Paho("sni-paho", port, TlsClients.context("TLSv1.3", ca.trustManagers(), null));
        paho.roundTrip("sni/t", "x");
        assertThat(paho.sockets.lastServerCertificate().getSerialNumber()).isEqualTo(server.serial());
    }

    private static java.math.BigInteger servedTo(EventLoopGroup group, SslContext tls, String host, int port)
            throws Exception {
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(tls.newHandler(c.alloc(), host, port));
                    }
                }).connect("127.0.0.1", port).sync().channel();
        try {
            SslHandler handler = ch.pipeline().get(SslHandler.class);
            handler.handshakeFuture().sync();
            return ((X509Certificate) handler.engine().getSession().getPeerCertificates()[0]).getSerialNumber();
        } finally {
            ch.close().sync();
        }
    }

    // ------------------------------------------------------------------------------------------------ key store

    @Test
    @DisplayName("a PKCS#12 key store serves the same as PEM files")
    void pkcs12() throws Exception {
        int port = start(TlsSettings.builder("test").keyStore(server.writePkcs12(dir.resolve("server.p12"), "s3cret"))
                .keyStorePassword("s3cret").build());

        Paho paho = new Paho("p12", port, TlsClients.context("TLSv1.3", ca.trustManagers(), null));

        assertThat(paho.sockets.lastServerCertificate().getSerialNumber()).isEqualTo(server.serial());
    }

    // ------------------------------------------------------------------------------------------------ mosquitto

    @Test
    @DisplayName("mosquitto_pub --cafile publishes over TLS to a Paho subscriber")
    void mosquittoPub() throws Exception {
        Path binary = Path.of("/usr/bin/mosquitto_pub");
        if (!java.nio.file.Files.isExecutable(binary)) {
            if (System.getenv("CI") != null) {
                throw new AssertionError(binary + " is missing (Debian package mosquitto-clients) and CI is set");
            }
            org.junit.jupiter.api.Assumptions.abort(binary + " is missing (Debian package mosquitto-clients)");
        }
        int port = start(pem(server).build());
        Paho subscriber = new Paho("sub", port, TlsClients.context("TLSv1.3", ca.trustManagers(), null));
        subscriber.client.subscribe("mosquitto/tls", 1);
        Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));

        Process pub = new ProcessBuilder(binary.toString(), "-h", "localhost", "-p", Integer.toString(port),
                "--cafile", caFile.toString(), "-i", "mosquitto-pub", "-q", "1", "-t", "mosquitto/tls",
                "-m", "from mosquitto").redirectErrorStream(true).start();
        assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String output = new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pub.exitValue()).as(output).isZero();

        assertThat(subscriber.received.poll(10, TimeUnit.SECONDS)).isEqualTo("mosquitto/tls:from mosquitto");
    }
}
