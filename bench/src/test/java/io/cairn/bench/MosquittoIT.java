package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs the scenarios against Eclipse Mosquitto ({@code /usr/sbin/mosquitto}, Debian package mosquitto) on a free
 * loopback port: the generator must work with a broker other than Cairn. Without the binary the tests are
 * skipped, or fail when the {@code CI} environment variable is set.
 */
class MosquittoIT {

    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

    @TempDir
    static Path temp;

    private static Process mosquitto;
    private static int port;

    @BeforeAll
    static void startMosquitto() throws Exception {
        if (!Files.isExecutable(MOSQUITTO)) {
            String message = MOSQUITTO + " not found: install it with 'apt-get install mosquitto'";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        port = freePort();
        // no in-flight limit: at QoS 2 Mosquitto drops what an MQTT 3.1.1 client sends beyond it
        mosquitto = start("mosquitto", port, "set_tcp_nodelay true\nmax_inflight_messages 0\n"
                + "max_queued_messages 10000\n");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts Mosquitto on {@code port} with {@code settings} added to an anonymous, in-memory listener. */
    private static Process start(String name, int port, String settings) throws IOException {
        Path config = temp.resolve(name + ".conf");
        Files.writeString(config, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n"
                + settings);
        Process p = new ProcessBuilder(MOSQUITTO.toString(), "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(temp.resolve(name + ".log").toFile()).start();
        await(name + " listening").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .failFast(name + " exited", () -> !p.isAlive())
                .until(() -> listening(port));
        return p;
    }

    private static boolean listening(int port) {
        try {
            new Socket(InetAddress.getLoopbackAddress(), port).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stopMosquitto() throws InterruptedException {
        stop(mosquitto);
    }

    private static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @ParameterizedTest(name = "{0} QoS {1}, {2} clients, protocol {3}")
    @CsvSource({
        "pair,    0, 2, 4", "pair,    1, 2, 4", "pair,    2, 1, 3",
        "fanin,   1, 3, 4", "fanout,  1, 3, 4", "mesh,    2, 3, 4",
        "latency, 1, 2, 4",
        "pair,    2, 2, 5", "fanin,   1, 3, 5", "fanout,  0, 3, 5",
        "latency, 2, 2, 5"})
    @DisplayName("scenarios verify against Mosquitto")
    void scenario(String scenario, int qos, int clients, int protocol) {
        BenchRun run = BenchRun.of(scenario, "--port", String.valueOf(port), "--qos", String.valueOf(qos),
                "--clients", String.valueOf(clients), "--protocol", String.valueOf(protocol), "--warmup", "0",
                "--duration", "1", "--threads", "2", "--broker-pid", String.valueOf(mosquitto.pid()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonObject json = run.json();
        assertThat(json.get("received").getAsLong()).isPositive();
        assertThat(json.get("lost").getAsLong()).isZero();
        assertThat(json.get("duplicated").getAsLong()).isZero();
        assertThat(json.get("out_of_order").getAsLong()).isZero();
        assertThat(json.get("broker_rss_kib").getAsLong()).isPositive();
        assertThat(json.get("protocol").getAsInt()).isEqualTo(protocol);
    }

    @Test
    @DisplayName("Mosquitto's default in-flight limit is its MQTT 5 Receive Maximum (20): QoS 2 with a window of"
            + " 256 is lowered to 20 and verifies")
    void receiveMaximumOfADefaultMosquitto() throws Exception {
        int defaultPort = freePort();
        Process defaults = start("mosquitto-defaults", defaultPort, "set_tcp_nodelay true\n");
        try {
            BenchRun run = BenchRun.of("pair", "--port", String.valueOf(defaultPort), "--qos", "2", "--protocol", "5",
                    "--warmup", "0", "--duration", "1", "--threads", "2");

            assertThat(run.exitCode()).as(run.toString()).isZero();
            JsonObject json = run.json();
            assertThat(json.get("receive_maximum").getAsInt()).isEqualTo(20);
            assertThat(json.get("window").getAsInt()).isEqualTo(20);
            assertThat(json.get("received").getAsLong()).isPositive();
            assertThat(json.get("lost").getAsLong()).isZero();
        } finally {
            stop(defaults);
        }
    }

    @Test
    @DisplayName("at MQTT 5 a password goes without a user name, and Mosquitto accepts it")
    void passwordWithoutUserName() {
        BenchRun run = BenchRun.of("pair", "--port", String.valueOf(port), "--qos", "1", "--protocol", "5",
                "--password", "secret", "--warmup", "0", "--duration", "1", "--threads", "2");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.json().get("ok").getAsBoolean()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ws", "wss", "tls"})
    @DisplayName("pair at QoS 1 over WebSocket (binary frames, subprotocol mqtt), secure WebSocket and TLS against"
            + " Mosquitto delivers every message once and in order")
    void pairOverWebSocketAndTls(String transport) throws Exception {
        Pki.Issued ca = Pki.ca("bench mosquitto CA");
        Pki.Issued server = ca.server("mosquitto");
        Path caFile = ca.writeCertificate(temp.resolve("ca-" + transport + ".pem"));
        Path cert = server.writeCertificate(temp.resolve("server-" + transport + ".pem"));
        Path key = server.writeKey(temp.resolve("server-" + transport + ".key"));
        int frontPort = freePort();
        // Mosquitto reads the key after dropping root to its own user, who cannot read the test's directory:
        // "user root" keeps it (a Mosquitto not started as root ignores the option)
        String settings = "user root\nset_tcp_nodelay true\nmax_inflight_messages 0\nmax_queued_messages 10000\n"
                + "listener " + frontPort + " 127.0.0.1\n"
                + (transport.startsWith("ws") ? "protocol websockets\n" : "")
                + (transport.equals("ws") ? "" : "certfile " + cert + "\nkeyfile " + key + "\n");
        Process front = start("mosquitto-" + transport, freePort(), settings);
        try {
            await("mosquitto " + transport + " listening").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100)).until(() -> listening(frontPort));
            List<String> args = new ArrayList<>(List.of("pair", "--port", String.valueOf(frontPort), "--qos", "1",
                    "--clients", "2", "--warmup", "0", "--duration", "1", "--threads", "2"));
            if (transport.startsWith("ws")) {
                args.addAll(List.of("--ws", "/mqtt"));
            }
            if (!transport.equals("ws")) {
                args.addAll(List.of("--tls", "--cafile", caFile.toString()));
            }
            BenchRun run = BenchRun.of(args.toArray(String[]::new));

            assertThat(run.exitCode()).as(run.toString()).isZero();
            JsonObject json = run.json();
            assertThat(json.get("transport").getAsString()).isEqualTo(transport);
            assertThat(json.get("received").getAsLong()).isPositive().isEqualTo(json.get("published").getAsLong());
            assertThat(json.get("lost").getAsLong()).isZero();
            assertThat(json.get("duplicated").getAsLong()).isZero();
            assertThat(json.get("out_of_order").getAsLong()).isZero();
            if (!transport.equals("ws")) {
                assertThat(json.get("tls_protocol").getAsString()).startsWith("TLSv1.");
            }
        } finally {
            stop(front);
        }
    }

    @Test
    @DisplayName("--ws on a plain MQTT port fails the run with the WebSocket handshake's problem")
    void webSocketOnAnMqttPort() {
        BenchRun run = BenchRun.of("pair", "--port", String.valueOf(port), "--ws", "/mqtt", "--warmup", "0",
                "--duration", "1", "--threads", "2");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(BenchException.CONNECT_FAILED);
        assertThat(run.err()).contains("ws handshake of");
    }

    @ParameterizedTest(name = "{0} connections")
    @CsvSource({"200"})
    @DisplayName("conns opens every connection to Mosquitto and reports its memory")
    void conns(int n) {
        BenchRun run = BenchRun.of("conns", "--port", String.valueOf(port), "--clients", String.valueOf(n),
                "--sources", "2", "--hold", "1", "--threads", "2", "--broker-pid", String.valueOf(mosquitto.pid()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.json().get("connections").getAsInt()).isEqualTo(n);
        assertThat(run.json().get("rss_after_kib").getAsLong()).isPositive();
    }
}
