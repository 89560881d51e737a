package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.client.testsupport.Events;
import io.cairn.client.testsupport.FakeServer;
import io.cairn.client.testsupport.Received;
import io.cairn.client.testsupport.TestCertificates;
import io.cairn.client.testsupport.TestCertificates.Issued;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over TLS to a scripted server behind an SslHandler, with certificates made for the test. */
class ClientTlsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    private static Issued ca;
    private static Issued serverCert;
    private static Path caFile;
    private static Path clientChain;
    private static Path clientKey;

    private FakeServer server;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void certificates() {
        ca = TestCertificates.ca("Cairn Test CA");
        serverCert = ca.server("broker");
        Issued client = ca.client("bridge");
        caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        clientChain = client.writeChain(dir.resolve("client.pem"));
        clientKey = client.writeKey(dir.resolve("client.key"));
    }

    @AfterEach
    void stop() {
        clients.forEach(MqttClient::close);
        if (server != null) {
            server.close();
        }
    }

    /** A TLS server with {@link #serverCert}; {@code clientAuth} REQUIRE trusts client certificates of the CA. */
    private FakeServer startServer(ClientAuth clientAuth) throws Exception {
        SslContext context = SslContextBuilder.forServer(serverCert.keys().getPrivate(), serverCert.certificate())
                .sslProvider(SslProvider.JDK).trustManager(ca.certificate()).clientAuth(clientAuth).build();
        server = FakeServer.startTls(context);
        return server;
    }

    private MqttClient client(String id, ClientTls tls) {
        MqttClient c = MqttClient.builder().host("127.0.0.1").port(server.port()).clientId(id).tls(tls)
                .reconnectPolicy(ReconnectPolicy.none()).build();
        clients.add(c);
        return c;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    /** The cause of {@code connect()}'s failure. */
    private static Throwable connectFailure(MqttClient c) {
        return assertThat(c.connect()).failsWithin(WAIT).withThrowableThat().actual().getCause();
    }

    @Test
    @DisplayName("mutual TLS: the client trusts the CA, shows its certificate, and messages flow both ways")
    void mutualTls() throws Exception {
        startServer(ClientAuth.REQUIRE);
        MqttClient c = client("mtls", ClientTls.builder().trustPem(caFile).keyPair(clientChain, clientKey).build());
        Received received = new Received();

        assertThat(get(c.connect()).sessionPresent()).isFalse();
        get(c.subscribe("in/#", Qos.AT_LEAST_ONCE, received));
        get(c.publish("out/x", "over tls", Qos.AT_LEAST_ONCE, false));
        server.publish("in/y", "back", 1, 3, false);

        await().atMost(WAIT).until(() -> received.payloads().contains("back"));
        assertThat(server.received(MqttMessageType.PUBLISH).get(0).payloadAsString()).isEqualTo("over tls");
    }

    @Test
    @DisplayName("mutual TLS with a client key encrypted with a password")
    void encryptedClientKey() throws Exception {
        startServer(ClientAuth.REQUIRE);
        Issued client = ca.client("bridge-enc");
        Path chain = client.writeChain(dir.resolve("enc.pem"));
        Path key = client.writeEncryptedKey(dir.resolve("enc.key"), "s3cret");
        MqttClient c = client("mtls-enc", ClientTls.builder().trustPem(caFile).keyPair(chain, key, "s3cret").build());

        get(c.connect());
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a server certificate no trusted CA issued fails the connect: TLS handshake failed, not trusted; "
            + "no CONNECT was sent")
    void untrustedServer() throws Exception {
        startServer(ClientAuth.NONE);
        Path otherCa = TestCertificates.ca("Other CA").writeCertificate(dir.resolve("other-ca.pem"));
        MqttClient c = client("untrusting", ClientTls.builder().trustPem(otherCa).build());

        assertThat(connectFailure(c)).isInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("TLS handshake with 127.0.0.1:" + server.port() + " failed")
                .hasMessageContaining("not trusted");
        assertThat(c.state()).isEqualTo(ClientState.DISCONNECTED);
        assertThat(server.received()).isEmpty();
    }

    @Test
    @DisplayName("a server name the certificate does not carry fails, unless hostname verification is off")
    void hostnameMismatch() throws Exception {
        startServer(ClientAuth.NONE);
        MqttClient wrong = client("wrong-name", ClientTls.builder().trustPem(caFile).serverName("mqtt.example")
                .build());
        assertThat(connectFailure(wrong)).isInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("TLS handshake with 127.0.0.1:" + server.port() + " failed")
                .hasMessageContaining("does not match the server name 'mqtt.example'");

        MqttClient unverified = client("unverified", ClientTls.builder().trustPem(caFile).serverName("mqtt.example")
                .hostnameVerification(false).build());
        get(unverified.connect());
        assertThat(unverified.isConnected()).isTrue();
    }

    @Test
    @DisplayName("the server name defaults to the host (an IP address here) and may name a DNS name of the "
            + "certificate instead")
    void serverNameMatches() throws Exception {
        startServer(ClientAuth.NONE);
        get(client("by-ip", ClientTls.builder().trustPem(caFile).build()).connect());
        get(client("by-name", ClientTls.builder().trustPem(caFile).serverName("localhost").build()).connect());
        assertThat(server.received(MqttMessageType.CONNECT)).hasSize(2);
    }

    @Test
    @DisplayName("a server that requires a client certificate refuses a client without one: the connect fails "
            + "naming TLS")
    void clientCertificateRequired() throws Exception {
        startServer(ClientAuth.REQUIRE);
        MqttClient c = client("anonymous", ClientTls.builder().trustPem(caFile).build());

        assertThat(connectFailure(c)).isInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("TLS handshake with 127.0.0.1:" + server.port() + " failed");
    }

    @Test
    @DisplayName("after a lost connection, a server whose certificate is no longer trusted fails each reconnect "
            + "attempt with the TLS reason, and the reconnect policy keeps trying")
    void handshakeFailureDuringReconnect() throws Exception {
        startServer(ClientAuth.NONE);
        int port = server.port();
        Events events = new Events();
        MqttClient c = MqttClient.builder().host("127.0.0.1").port(port).clientId("re-tls")
                .tls(ClientTls.builder().trustPem(caFile).build()).connectionListener(events)
                .reconnectPolicy(ReconnectPolicy.exponentialBackoff(Duration.ofMillis(20), Duration.ofMillis(100),
                        2.0)).build();
        clients.add(c);
        get(c.connect());

        server.close();
        Issued impostor = TestCertificates.ca("Impostor CA").server("broker");
        server = FakeServer.startTls(SslContextBuilder.forServer(impostor.keys().getPrivate(),
                impostor.certificate()).sslProvider(SslProvider.JDK).build(), port);

        await().atMost(WAIT).until(() -> events.of("reconnecting").stream()
                .anyMatch(e -> e.cause().getMessage().contains("TLS handshake")));
        Events.Event refused = events.of("reconnecting").stream()
                .filter(e -> e.cause().getMessage().contains("TLS handshake")).findFirst().orElseThrow();
        assertThat(refused.cause()).isInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("not trusted");
        await().atMost(WAIT).until(() -> events.of("reconnecting").size() >= refused.attempt() + 2);
        assertThat(c.state()).isIn(ClientState.RECONNECTING, ClientState.CONNECTING);
        assertThat(server.received()).as("no CONNECT to the untrusted server").isEmpty();
    }

    @Test
    @DisplayName("build() checks the files now: a missing, empty or wrong file is an IllegalArgumentException "
            + "naming the file and the problem")
    void badFiles() throws Exception {
        Path missing = dir.resolve("missing-ca.pem");
        assertThatThrownBy(() -> ClientTls.builder().trustPem(missing).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CA file " + missing + ": cannot be read (NoSuchFileException)");

        Path notPem = Files.writeString(dir.resolve("not-a-ca.pem"), "hello\n");
        assertThatThrownBy(() -> ClientTls.builder().trustPem(notPem).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("CA file " + notPem + ": no certificate in it");

        assertThatThrownBy(() -> ClientTls.builder().keyPair(dir.resolve("nope.pem"), clientKey).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("certificate file " + dir.resolve("nope.pem") + ": cannot be read (NoSuchFileException)");

        assertThatThrownBy(() -> ClientTls.builder().keyPair(clientChain, caFile).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key file " + caFile + ": no PKCS#8 PEM private key in it");

        Path encrypted = ca.client("locked").writeEncryptedKey(dir.resolve("locked.key"), "right");
        assertThatThrownBy(() -> ClientTls.builder().keyPair(clientChain, encrypted).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key file " + encrypted + ": the key is encrypted and no key password was given");
        assertThatThrownBy(() -> ClientTls.builder().keyPair(clientChain, encrypted, "wrong").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key file " + encrypted + ": cannot decrypt the key with the password given");

        assertThatThrownBy(() -> ClientTls.builder().protocols("SSLv3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown TLS protocol 'SSLv3'");
    }
}
