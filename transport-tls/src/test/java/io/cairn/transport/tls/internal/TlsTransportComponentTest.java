package io.cairn.transport.tls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.transport.tls.TlsTransport;
import io.cairn.api.transport.testing.FakeTransportContext;
import io.cairn.api.transport.testing.ListenerFiles;
import io.cairn.transport.tls.testsupport.ErrorLog;
import io.cairn.transport.tls.testsupport.Pki;
import io.cairn.transport.tls.testsupport.TlsClients;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DS component: configuration files to listeners, and every bad key or certificate file rejected with one
 * ERROR line naming the configuration file, the key, the file and the problem.
 */
class TlsTransportComponentTest {

    private static final String CFG = "/opt/cairn/etc/io.cairn.transport.tls-secure.cfg";

    private static Pki.Issued ca;
    private static Pki.Issued server;

    @TempDir
    Path dir;

    private final FakeTransportContext context = new FakeTransportContext();
    private final TlsTransportComponent component = new TlsTransportComponent(context);
    private ErrorLog log;
    private Path cert;
    private Path key;

    @BeforeAll
    static void pki() {
        ca = Pki.ca("Component Test CA");
        server = ca.server("localhost");
    }

    @BeforeEach
    void files() {
        cert = server.writeChain(dir.resolve("server.pem"));
        key = server.writeKey(dir.resolve("server.key"));
        log = new ErrorLog();
    }

    @AfterEach
    void tearDown() {
        component.close();
        context.close();
        log.close();
    }

    private void apply(Object... keysAndValues) {
        List<Object> all = new ArrayList<>(List.of("port", "0"));
        all.addAll(List.of(keysAndValues));
        Map<String, Object> properties = ListenerFiles.fromFile(TlsTransportComponent.PID, CFG, all.toArray());
        component.apply(properties);
    }

    /** The serial of the certificate a fresh TLS connection to the listener is shown. */
    private BigInteger servedSerial() throws Exception {
        int port = component.transport().orElseThrow().localAddress().getPort();
        try (SSLSocket socket = (SSLSocket) TlsClients.context("TLSv1.3", ca.trustManagers(), null)
                .getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout(5_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            assertThat(in.readLine()).as("the fake kernel's greeting, through TLS").isEqualTo("secure");
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    @Test
    @DisplayName("a configuration file binds an mqtts listener named after the file, with its security keys")
    void bindsTheConfiguredListener() throws Exception {
        apply("certificateFile", cert.toString(), "keyFile", key.toString(), "allowAnonymous", "true",
                "authenticators", "file");

        assertThat(context.listeners()).containsOnlyKeys("secure");
        assertThat(context.listeners().get("secure").uri()).startsWith("mqtts://127.0.0.1:");
        assertThat(context.securities().get("secure")).isEqualTo(new ListenerSecurity(true, "file", ""));
        assertThat(servedSerial()).isEqualTo(server.serial());
        assertThat(log.errors()).isEmpty();
    }

    /** Exactly one "; " before the outcome: the restore message brings its own separator. */
    @Test
    @DisplayName("a missing certificate file: one error naming config file, key and file; no listener")
    void missingCertificate() {
        Path missing = dir.resolve("nope.pem");
        apply("certificateFile", missing.toString(), "keyFile", key.toString());

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line).contains(CFG)
                .contains("key certificateFile").contains(missing.toString()).contains("does not exist")
                .contains("listener not started").doesNotContain("; ;"));
    }

    @Test
    @DisplayName("an unreadable key file (garbage inside): one error naming config file, key and file; no listener")
    void unreadableKey() throws Exception {
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        apply("certificateFile", cert.toString(), "keyFile", key.toString());

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line).contains(CFG)
                .contains("key keyFile").contains(key.toString()).contains("no private key that can be read")
                .contains("listener not started"));
    }

    @Test
    @DisplayName("a certificate file without a certificate: one error naming config file, key and file")
    void notACertificate() throws Exception {
        Files.writeString(cert, "hello\n");
        apply("certificateFile", cert.toString(), "keyFile", key.toString());

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line).contains(CFG)
                .contains("key certificateFile").contains(cert.toString()).contains("certificate"));
    }

    @Test
    @DisplayName("an expired certificate: one error saying when it expired; no listener")
    void expiredCertificate() {
        Pki.Issued old = ca.expired("localhost", true);
        apply("certificateFile", old.writeChain(cert).toString(), "keyFile", old.writeKey(key).toString());

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line).contains(CFG)
                .contains("key certificateFile").contains(cert.toString()).contains("expired on")
                .contains("listener not started"));
    }

    @Test
    @DisplayName("a key that does not belong to the certificate: one error naming both files; no listener")
    void mismatchedKey() {
        Pki.Issued other = ca.server("localhost");
        apply("certificateFile", cert.toString(), "keyFile", other.writeKey(key).toString());

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line).contains(CFG)
                .contains("key keyFile").contains(key.toString()).contains("does not match the certificate")
                .contains(cert.toString()));
    }

    @Test
    @DisplayName("TLS 1.1 in protocols, clientAuth without caFile, or unknown clientAuth and usernameFrom values "
            + "are refused naming the key")
    void invalidTlsKeys() {
        apply("certificateFile", cert.toString(), "keyFile", key.toString(), "protocols", "TLSv1.2, TLSv1.1");
        apply("certificateFile", cert.toString(), "keyFile", key.toString(), "clientAuth", "required");
        apply("certificateFile", cert.toString(), "keyFile", key.toString(), "clientAuth", "sometimes");
        apply("certificateFile", cert.toString(), "keyFile", key.toString(), "usernameFrom", "login");

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).hasSize(4);
        assertThat(log.errors().get(0)).contains(CFG).contains("key protocols").contains("TLSv1.1");
        assertThat(log.errors().get(1)).contains(CFG).contains("key caFile").contains("clientAuth = required");
        assertThat(log.errors().get(2)).contains(CFG).contains("key clientAuth = 'sometimes' is none of none");
        assertThat(log.errors().get(3)).contains(CFG).contains("key usernameFrom = 'login' is none of none, cn, san");
    }

    @Test
    @DisplayName("a changed configuration naming an expired certificate is refused; the listener keeps its old one")
    void badReconfigurationKeepsTheListener() throws Exception {
        apply("certificateFile", cert.toString(), "keyFile", key.toString());
        int port = component.transport().orElseThrow().localAddress().getPort();
        Pki.Issued old = ca.expired("localhost", true);
        Path oldCert = old.writeChain(dir.resolve("old.pem"));
        Path oldKey = old.writeKey(dir.resolve("old.key"));

        apply("certificateFile", oldCert.toString(), "keyFile", oldKey.toString());

        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line).contains(CFG)
                .contains("key certificateFile").contains(oldCert.toString()).contains("expired on")
                .contains("keeps running on 127.0.0.1:" + port));
        assertThat(component.transport().orElseThrow().localAddress().getPort()).isEqualTo(port);
        assertThat(servedSerial()).isEqualTo(server.serial());
    }

    @Test
    @DisplayName("certificate files replaced by an expired certificate: one error, the old certificate stays")
    void badRotationKeepsTheOldCertificate() throws Exception {
        apply("certificateFile", cert.toString(), "keyFile", key.toString(), "reloadIntervalMillis", "50");
        TlsTransport transport = component.transport().orElseThrow();
        Pki.Issued old = ca.expired("localhost", true);

        old.writeKey(key);
        old.writeChain(cert);

        await("the error for the expired certificate").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> log.errors().stream().anyMatch(line -> line.contains("expired on")));
        assertThat(log.errors()).allSatisfy(line -> assertThat(line).contains(CFG)
                .contains("keeps its previous certificate"));
        assertThat(log.errors()).last().satisfies(line -> assertThat(line).contains("key certificateFile")
                .contains(cert.toString()).contains("expired on"));
        assertThat(transport.certificate().getSerialNumber()).isEqualTo(server.serial());
        assertThat(servedSerial()).isEqualTo(server.serial());

        Pki.Issued renewed = ca.server("localhost");
        renewed.writeKey(key);
        renewed.writeChain(cert);
        await("the renewed certificate").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> transport.certificate().getSerialNumber().equals(renewed.serial()));
        assertThat(servedSerial()).isEqualTo(renewed.serial());
        assertThat(component.transport().orElseThrow()).isSameAs(transport);
    }

    @Test
    @DisplayName("SNI keys: a host's certificate file is checked like the main one; a half-given host is refused")
    void sniKeys() {
        Path missing = dir.resolve("gone.pem");
        apply("certificateFile", cert.toString(), "keyFile", key.toString(),
                "sni.broker.example.com.certificateFile", missing.toString(),
                "sni.broker.example.com.keyFile", key.toString());
        apply("certificateFile", cert.toString(), "keyFile", key.toString(),
                "sni.broker.example.com.certificateFile", cert.toString());
        apply("certificateFile", cert.toString(), "keyFile", key.toString(), "sni.broker.example.com.keyfile", "x");

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).hasSize(3);
        assertThat(log.errors().get(0)).contains(CFG).contains("key sni.broker.example.com.certificateFile")
                .contains(missing.toString()).contains("does not exist");
        assertThat(log.errors().get(1)).contains(CFG).contains("key sni.broker.example.com.keyFile")
                .contains("is missing");
        assertThat(log.errors().get(2)).contains(CFG).contains("key sni.broker.example.com.keyfile");
    }

    @Test
    @DisplayName("SNI keys in a file bind a listener that serves the host's certificate")
    void sniFromConfiguration() throws Exception {
        Pki.Issued extra = ca.server("broker.example.com");
        apply("certificateFile", cert.toString(), "keyFile", key.toString(),
                "sni.broker.example.com.certificateFile", extra.writeChain(dir.resolve("b.pem")).toString(),
                "sni.broker.example.com.keyFile", extra.writeKey(dir.resolve("b.key")).toString());

        assertThat(log.errors()).isEmpty();
        assertThat(context.listeners()).containsOnlyKeys("secure");
        assertThat(component.transport().orElseThrow().tls().sni()).containsOnlyKeys("broker.example.com");
        // No handshake here: the fake kernel greets on channelActive, and an SniHandler (unlike an SslHandler)
        // does not hold writes back until the handshake, so the greeting would go out in clear text. The real
        // kernel writes nothing before CONNECT; TlsBrokerTest.sni covers the handshake against it.
    }
}
