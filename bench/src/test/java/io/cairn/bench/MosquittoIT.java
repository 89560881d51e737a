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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
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
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = temp.resolve("mosquitto.conf");
        // no in-flight limit: at QoS 2 Mosquitto drops what an MQTT 3.1.1 client sends beyond it
        Files.writeString(config, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n"
                + "set_tcp_nodelay true\nmax_inflight_messages 0\nmax_queued_messages 10000\n");
        mosquitto = new ProcessBuilder(MOSQUITTO.toString(), "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(temp.resolve("mosquitto.log").toFile()).start();
        await("mosquitto listening").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .failFast("mosquitto exited", () -> !mosquitto.isAlive())
                .until(MosquittoIT::listening);
    }

    private static boolean listening() {
        try {
            new Socket(InetAddress.getLoopbackAddress(), port).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stopMosquitto() throws InterruptedException {
        if (mosquitto != null) {
            mosquitto.destroy();
            if (!mosquitto.waitFor(10, TimeUnit.SECONDS)) {
                mosquitto.destroyForcibly();
            }
        }
    }

    @ParameterizedTest(name = "{0} QoS {1}, {2} clients, protocol {3}")
    @CsvSource({
        "pair,    0, 2, 4", "pair,    1, 2, 4", "pair,    2, 1, 3",
        "fanin,   1, 3, 4", "fanout,  1, 3, 4", "mesh,    2, 3, 4",
        "latency, 1, 2, 4"})
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
