package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.client.testsupport.Mosquitto;
import io.cairn.client.testsupport.Received;
import io.cairn.client.testsupport.TestCertificates;
import io.cairn.client.testsupport.TestCertificates.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

/**
 * The client over mutual TLS to Mosquitto (OpenSSL on the other side), whose listener requires a client
 * certificate of the test CA.
 *
 * <p>Needs {@code /usr/sbin/mosquitto} (Debian package mosquitto): without it the tests are skipped, or fail when
 * the {@code CI} environment variable is set.
 */
class ClientTlsMosquittoIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path temp;

    private static Mosquitto mosquitto;
    private static Path caFile;
    private static Path clientChain;
    private static Path clientKey;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void startMosquitto() throws Exception {
        // Mosquitto started as root drops to its own user before it reads the certificates: let it into the
        // directory (a test CA's throw-away files)
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Issued ca = TestCertificates.ca("Cairn Test CA");
        Issued server = ca.server("mosquitto");
        Issued client = ca.client("bridge");
        caFile = ca.writeCertificate(temp.resolve("ca.pem"));
        clientChain = client.writeChain(temp.resolve("client.pem"));
        clientKey = client.writeKey(temp.resolve("client.key"));
        mosquitto = Mosquitto.start(temp, "cafile " + caFile,
                "certfile " + server.writeChain(temp.resolve("server.pem")),
                "keyfile " + server.writeKey(temp.resolve("server.key")), "require_certificate true");
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

    private MqttClient client(String clientId, ClientTls tls) {
        MqttClient c = MqttClient.builder().host("127.0.0.1").port(mosquitto.port()).clientId(clientId).tls(tls)
                .reconnectPolicy(ReconnectPolicy.none()).build();
        clients.add(c);
        return c;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("mutual TLS to Mosquitto: QoS 1 and QoS 2 messages flow between two TLS clients")
    void mutualTlsRoundTrip() throws Exception {
        ClientTls tls = ClientTls.builder().trustPem(caFile).keyPair(clientChain, clientKey).build();
        MqttClient sub = client("tls-sub", tls);
        MqttClient pub = client("tls-pub", tls);
        Received received = new Received();
        get(sub.connect());
        get(sub.subscribe("tls/#", Qos.EXACTLY_ONCE, received));
        get(pub.connect());

        get(pub.publish("tls/a", "one", Qos.AT_LEAST_ONCE, false));
        get(pub.publish("tls/b", "two", Qos.EXACTLY_ONCE, false));

        await().atMost(WAIT).until(() -> received.count() == 2);
        assertThat(received.payloads()).containsExactly("one", "two");
    }

    @Test
    @DisplayName("Mosquitto refuses a client without a certificate: the connect fails naming the TLS handshake")
    void clientWithoutCertificateRefused() {
        MqttClient c = client("tls-anonymous", ClientTls.builder().trustPem(caFile).build());
        assertThat(c.connect()).failsWithin(WAIT).withThrowableThat().havingCause()
                .isInstanceOf(ConnectionLostException.class)
                .withMessageContaining("TLS handshake with 127.0.0.1:" + mosquitto.port() + " failed");
    }
}
