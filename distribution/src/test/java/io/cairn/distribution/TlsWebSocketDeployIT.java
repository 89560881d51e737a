package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS and WebSocket listeners of the distribution in a real Felix: each opened by a configuration file dropped
 * into {@code etc/} (the bundles are in {@code deploy/} already), TLS with a PKCS#12 key store made by
 * {@code keytool} and OpenSSL from the shipped netty-tcnative bundles, clients of both exchanging messages, and
 * the WebSocket listener closed by deleting its file while the TLS one serves on.
 */
class TlsWebSocketDeployIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration HOT = Duration.ofSeconds(30);
    private static final String PASSWORD = "cairn-test";

    @TempDir
    Path temp;

    private Cairn cairn;

    @AfterEach
    void stop() {
        if (cairn != null) {
            assertThat(cairn.stop(Duration.ofSeconds(30))).as("framework stopped within 30 s").isTrue();
        }
    }

    @Test
    @DisplayName("a TLS and a WebSocket listener opened by files in etc/ serve clients; OpenSSL serves the TLS one; "
            + "deleting the WebSocket file closes its port and leaves TLS clients connected")
    void tlsAndWebSocketListeners() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        Runtimes.setDefaultPort(home, Runtimes.freePort());
        Path keyStore = home.resolve("etc/tls/server.p12");
        Files.createDirectories(keyStore.getParent());
        keytool(keyStore);
        int tlsPort = Runtimes.freePort();
        int wsPort = Runtimes.freePort();
        Files.writeString(home.resolve("etc/io.cairn.transport.tls-secure.cfg"), """
                host = 127.0.0.1
                port = %d
                keyStore = etc/tls/server.p12
                keyStorePassword = %s
                allowAnonymous = true
                """.formatted(tlsPort, PASSWORD));
        Path wsFile = home.resolve("etc/io.cairn.transport.ws-web.cfg");
        Files.writeString(wsFile, """
                host = 127.0.0.1
                port = %d
                allowAnonymous = true
                """.formatted(wsPort));

        cairn = Main.launch(home, Map.of());
        cairn.awaitStartup(STARTUP);
        await("TLS and WebSocket listeners open").atMost(HOT)
                .until(() -> Runtimes.isOpen(tlsPort) && Runtimes.isOpen(wsPort));
        BrokerService broker = new BrokerService(cairn);
        assertThat(broker.listener("secure")).satisfies(l -> {
            assertThat(l.scheme()).isEqualTo("mqtts");
            assertThat(l.provider()).startsWith("io.cairn.transport.tls ");
        });
        assertThat(broker.listener("web")).satisfies(l -> {
            assertThat(l.scheme()).isEqualTo("ws");
            assertThat(l.provider()).startsWith("io.cairn.transport.ws ");
        });
        assertThat(Files.readString(home.resolve("log/cairn.log")))
                .as("the TLS listener's start line names OpenSSL (netty-tcnative loads inside Felix)")
                .containsPattern("Listener secure bound to mqtts://127\\.0\\.0\\.1:" + tlsPort
                        + " with the OPENSSL TLS provider");

        try (PahoClient tls = new PahoClient("ssl://localhost:" + tlsPort, "tls-client", trusting(keyStore));
             PahoClient ws = new PahoClient("ws://127.0.0.1:" + wsPort + "/mqtt", "ws-client", null)) {
            tls.connect(true);
            ws.connect(true);
            tls.subscribe("deploy/#", 1);
            ws.subscribe("deploy/#", 1);
            ws.publish("deploy/from-ws", "over WebSocket", 1);
            tls.publish("deploy/from-tls", "over TLS", 1);
            assertThat(List.of(tls.next(10), tls.next(10))).containsExactlyInAnyOrder(
                    new PahoClient.Received("deploy/from-ws", "over WebSocket", 1),
                    new PahoClient.Received("deploy/from-tls", "over TLS", 1));
            assertThat(List.of(ws.next(10), ws.next(10))).containsExactlyInAnyOrder(
                    new PahoClient.Received("deploy/from-ws", "over WebSocket", 1),
                    new PahoClient.Received("deploy/from-tls", "over TLS", 1));
            assertThat(broker.listener("secure").connections()).isEqualTo(1);

            Files.delete(wsFile);
            await("WebSocket port closed after its file was deleted").atMost(HOT)
                    .until(() -> !Runtimes.isOpen(wsPort));
            assertThat(broker.listener("web")).isNull();
            tls.publish("deploy/after", "TLS serves on", 1);
            assertThat(tls.next(10)).isEqualTo(new PahoClient.Received("deploy/after", "TLS serves on", 1));
        }
    }

    /** A PKCS#12 key store with an EC key and a self-signed certificate for localhost, made by the JDK's keytool. */
    private static void keytool(Path keyStore) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "broker", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(p.exitValue()).as("keytool: " + output).isZero();
    }

    /** A socket factory that trusts the certificate in {@code keyStore}. */
    private static javax.net.SocketFactory trusting(Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context.getSocketFactory();
    }
}
