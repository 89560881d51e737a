package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tls.TlsSettings;
import io.cairn.transport.tls.TlsTransport;
import io.netty.handler.ssl.OpenSsl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scenarios over TLS against the embedded Cairn kernel behind {@link TlsTransport}, with both client providers:
 * messages counted end to end, the JSON naming the transport, the provider and the negotiated protocol, and the
 * certificate problems a user meets told as such. Certificates are made by {@link Pki} at test time.
 */
class TlsScenariosTest {

    @TempDir
    static Path dir;

    private static EmbeddedBroker broker;
    private static String port;
    private static Path caFile;
    private static Path otherCaFile;

    @BeforeAll
    static void startBroker() throws Exception {
        assertThat(OpenSsl.isAvailable()).as("OpenSSL (netty-tcnative) loads: %s", OpenSsl.unavailabilityCause())
                .isTrue();
        Pki.Issued ca = Pki.ca("bench test CA");
        Pki.Issued server = ca.server("bench test broker");
        caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        otherCaFile = Pki.ca("some other CA").writeCertificate(dir.resolve("other-ca.pem"));
        TlsSettings tls = TlsSettings.builder("TlsScenariosTest")
                .certificateFile(server.writeCertificate(dir.resolve("server.pem")))
                .keyFile(server.writeKey(dir.resolve("server.key")))
                .build();
        broker = EmbeddedBroker.builder()
                .transport(new TlsTransport("bench-tls", "127.0.0.1", 0, TlsTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true), tls))
                .sessionStore(new MemorySessionStore())
                .retainedStore(new MemoryRetainedStore())
                .start();
        port = String.valueOf(broker.listeners().get(0).port());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static BenchRun bench(String scenario, String... options) {
        List<String> args = new ArrayList<>(List.of(scenario, "--port", port, "--warmup", "0", "--threads", "2"));
        args.addAll(List.of(options));
        return BenchRun.of(args.toArray(String[]::new));
    }

    @ParameterizedTest(name = "client provider {0}, {1}")
    @CsvSource({"jdk, JDK, TLSv1.3", "openssl, OPENSSL, TLSv1.3", "jdk, JDK, TLSv1.2", "openssl, OPENSSL, TLSv1.2"})
    @DisplayName("pair at QoS 1 over TLS delivers every message once and in order, and the result says TLS, the"
            + " provider and the negotiated protocol")
    void pair(String option, String provider, String protocol) {
        BenchRun run = bench("pair", "--qos", "1", "--clients", "2", "--duration", "1", "--tls", "--cafile",
                caFile.toString(), "--tls-provider", option, "--tls-protocol", protocol);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonObject json = run.json();
        assertThat(json.get("transport").getAsString()).isEqualTo("tls");
        assertThat(json.get("tls_provider").getAsString()).isEqualTo(provider);
        assertThat(json.get("tls_protocol").getAsString()).isEqualTo(protocol);
        assertThat(json.get("tls_verified").getAsBoolean()).isTrue();
        assertThat(json.get("received").getAsLong()).isPositive().isEqualTo(json.get("published").getAsLong());
        assertThat(json.get("lost").getAsLong()).isZero();
        assertThat(json.get("duplicated").getAsLong()).isZero();
        assertThat(json.get("out_of_order").getAsLong()).isZero();
        assertThat(run.lines().get(0)).startsWith("pair qos=1 clients=2 size=64 mqtt=3.1.1 over tls (" + provider
                + " " + protocol + "):");
    }

    @Test
    @DisplayName("without --tls-protocol both versions are offered and TLS 1.3 is chosen; auto picks OpenSSL")
    void defaults() {
        BenchRun run = bench("pair", "--qos", "0", "--duration", "1", "--tls", "--cafile", caFile.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.json().get("tls_protocol").getAsString()).isEqualTo("TLSv1.3");
        assertThat(run.json().get("tls_provider").getAsString()).isEqualTo("OPENSSL");
    }

    @ParameterizedTest(name = "client provider {0}")
    @ValueSource(strings = {"jdk", "openssl"})
    @DisplayName("conns over TLS opens every connection with a TLS handshake and reports the rate")
    void conns(String provider) {
        int n = 40;
        BenchRun run = bench("conns", "--clients", String.valueOf(n), "--hold", "0", "--tls", "--cafile",
                caFile.toString(), "--tls-provider", provider);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonObject json = run.json();
        assertThat(json.get("connections").getAsInt()).isEqualTo(n);
        assertThat(json.get("connects_per_s").getAsDouble()).isPositive();
        assertThat(json.get("transport").getAsString()).isEqualTo("tls");
        assertThat(json.get("tls_provider").getAsString()).isEqualTo(provider.toUpperCase(java.util.Locale.ROOT));
        assertThat(json.get("tls_protocol").getAsString()).isEqualTo("TLSv1.3");
    }

    @Test
    @DisplayName("--tls without --cafile or --insecure is a usage error that names both")
    void tlsNeedsTrust() {
        BenchRun run = bench("pair", "--duration", "1", "--tls");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--tls needs --cafile PEM to check the broker's certificate, or --insecure"
                + " to accept any certificate");
    }

    @Test
    @DisplayName("--insecure accepts the broker's certificate unchecked, and the result says so")
    void insecure() {
        BenchRun run = bench("pair", "--duration", "1", "--tls", "--insecure", "--tls-provider", "jdk");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.json().get("tls_verified").getAsBoolean()).isFalse();
    }

    @ParameterizedTest(name = "client provider {0}")
    @ValueSource(strings = {"jdk", "openssl"})
    @DisplayName("a certificate from a CA not in --cafile fails the run (exit 3) with a message naming the"
            + " certificate problem")
    void wrongCa(String provider) {
        BenchRun run = bench("pair", "--duration", "1", "--tls", "--cafile", otherCaFile.toString(),
                "--tls-provider", provider);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(BenchException.CONNECT_FAILED);
        assertThat(run.err()).as(run.toString()).contains("tls handshake of")
                .contains("the broker's certificate was not accepted")
                .containsAnyOf("unable to find valid certification path", "PKIX path building failed");
    }

    @ParameterizedTest(name = "client provider {0}")
    @ValueSource(strings = {"jdk", "openssl"})
    @DisplayName("--sni sends a name and checks the certificate against it: localhost passes, another name fails")
    void sni(String provider) {
        BenchRun good = bench("pair", "--duration", "1", "--tls", "--cafile", caFile.toString(), "--sni", "localhost",
                "--tls-provider", provider);
        BenchRun bad = bench("pair", "--duration", "1", "--tls", "--cafile", caFile.toString(), "--sni",
                "broker.example", "--tls-provider", provider);

        assertThat(good.exitCode()).as(good.toString()).isZero();
        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(BenchException.CONNECT_FAILED);
        assertThat(bad.err()).as(bad.toString()).contains("the broker's certificate was not accepted")
                .contains("broker.example");
    }

    @Test
    @DisplayName("a --cafile that holds no certificate is a usage error naming the file")
    void unusableCaFile() {
        BenchRun run = bench("pair", "--duration", "1", "--tls", "--cafile", dir.resolve("server.key").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--cafile " + dir.resolve("server.key"));
    }
}
