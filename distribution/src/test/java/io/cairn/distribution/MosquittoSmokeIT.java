package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Starts the assembled runtime as its own process with {@code bin/cairn} and talks to it with the Mosquitto
 * command-line clients, MQTT 3.1 and 3.1.1 at QoS 0, 1 and 2; then stops it with SIGTERM.
 *
 * <p>Needs {@code mosquitto_pub} and {@code mosquitto_sub} (Debian package mosquitto-clients): without them the
 * tests are skipped, or fail when the {@code CI} environment variable is set.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MosquittoSmokeIT {

    private static final int CLIENT_SECONDS = 20;

    @TempDir
    static Path temp;

    private static Path home;
    private static int port;
    private static Process broker;
    private static ProcessOutput output;

    @BeforeAll
    static void startBroker() throws Exception {
        if (onPath("mosquitto_pub").isEmpty() || onPath("mosquitto_sub").isEmpty() || onPath("stdbuf").isEmpty()) {
            String message = "mosquitto_pub, mosquitto_sub or stdbuf not found on PATH: install them with "
                    + "'apt-get install mosquitto-clients coreutils' (.ci/run does)";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        home = Runtimes.copy(temp.resolve("cairn"));
        port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);

        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/cairn").toString())
                .redirectErrorStream(true);
        builder.environment().put("JAVA_OPTS", "-Dio.netty.leakDetection.level=PARANOID -Xmx256m");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        broker = builder.start();
        output = new ProcessOutput(broker.getInputStream(), "cairn");
        await("ready line").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .failFast("bin/cairn exited:\n" + output.text(), () -> !broker.isAlive())
                .until(() -> output.contains(" ready ("));
        assertThat(output.lines()).as("listener line before the ready line")
                .anyMatch(line -> line.contains("Listener default open on mqtt://127.0.0.1:" + port));
    }

    @AfterAll
    static void killIfStillRunning() {
        if (broker != null && broker.isAlive()) {
            broker.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "{0} QoS {1}")
    @Order(1)
    @CsvSource({"mqttv31, 0", "mqttv31, 1", "mqttv31, 2", "mqttv311, 0", "mqttv311, 1", "mqttv311, 2"})
    @DisplayName("mosquitto_sub receives what mosquitto_pub publishes")
    void publishAndReceive(String version, int qos) throws Exception {
        String topic = "smoke/" + version + "/" + qos;
        String payload = "hello over " + version + " at QoS " + qos;
        // stdbuf: mosquitto_sub's debug lines must arrive line by line, not when it exits
        Process subscriber = new ProcessBuilder("stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-V", version, "-q", String.valueOf(qos), "-t", topic, "-i", "sub-" + version + "-" + qos,
                "-C", "1", "-W", String.valueOf(CLIENT_SECONDS), "-d")
                .redirectErrorStream(true).start();
        ProcessOutput subscriberOutput = new ProcessOutput(subscriber.getInputStream(), "mosquitto_sub");
        try {
            await("SUBACK").atMost(Duration.ofSeconds(CLIENT_SECONDS))
                    .failFast("mosquitto_sub exited:\n" + subscriberOutput.text(), () -> !subscriber.isAlive()
                            && !subscriberOutput.contains("SUBACK"))
                    .until(() -> subscriberOutput.contains("received SUBACK"));

            Process publisher = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(port),
                    "-V", version, "-q", String.valueOf(qos), "-t", topic, "-m", payload,
                    "-i", "pub-" + version + "-" + qos, "-d")
                    .redirectErrorStream(true).start();
            ProcessOutput publisherOutput = new ProcessOutput(publisher.getInputStream(), "mosquitto_pub");
            assertThat(publisher.waitFor(CLIENT_SECONDS, TimeUnit.SECONDS)).as("mosquitto_pub finished").isTrue();
            assertThat(publisher.exitValue()).as("mosquitto_pub exit code:\n" + publisherOutput.text()).isZero();
            await("mosquitto_pub output").atMost(Duration.ofSeconds(5))
                    .until(() -> publisherOutput.contains("DISCONNECT"));
            if (qos == 1) {
                assertThat(publisherOutput.text()).contains("received PUBACK");
            } else if (qos == 2) {
                assertThat(publisherOutput.text()).contains("received PUBREC").contains("received PUBCOMP");
            }

            assertThat(subscriber.waitFor(CLIENT_SECONDS, TimeUnit.SECONDS)).as("mosquitto_sub got a message")
                    .isTrue();
            assertThat(subscriber.exitValue()).as("mosquitto_sub exit code:\n" + subscriberOutput.text()).isZero();
            await("payload in mosquitto_sub output").atMost(Duration.ofSeconds(5))
                    .until(() -> subscriberOutput.contains(payload));
            assertThat(subscriberOutput.lines()).as("the PUBLISH arrives at QoS " + qos)
                    .anyMatch(line -> line.contains("received PUBLISH (d0, q" + qos + ", r0"));
            if (qos == 2) {
                assertThat(subscriberOutput.text()).contains("received PUBREL").contains("sending PUBCOMP");
            }
        } finally {
            subscriber.destroyForcibly();
        }
    }

    @Test
    @Order(2)
    @DisplayName("SIGTERM stops the broker cleanly: exit code 0 and a stopped line")
    void sigtermStopsCleanly() throws Exception {
        // SIGTERM through the handle: Process.destroy() would also close the output we still read
        assertThat(broker.toHandle().destroy()).isTrue();
        assertThat(broker.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s:\n" + output.text()).isTrue();
        assertThat(broker.exitValue()).as("exit code:\n" + output.text()).isZero();
        await("stopped line in:\n" + output.text()).atMost(Duration.ofSeconds(5))
                .until(() -> output.contains("Cairn stopped in"));
        List<String> log = Files.readAllLines(home.resolve("log/cairn.log"));
        assertThat(log).as("log/cairn.log has the ready line").anyMatch(line -> line.contains(" ready ("));
        assertThat(log).as("no Netty leak reports").noneMatch(line -> line.contains("LEAK:"));
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
