package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.RandomAccessFile;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store's data in a real broker: a segment damaged in the middle (flipped bytes) and torn at its end
 * does not keep the broker from starting; the log names the file and what was dropped, and the broker serves
 * what was intact. A second broker pointed at the same data directory is refused by its lock and says why.
 */
class StoreDamageIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration HOT = Duration.ofSeconds(30);
    private static final int RETAINED = 300;

    @TempDir
    Path temp;

    private Cairn cairn;
    private Process second;

    @AfterEach
    void stop() throws Exception {
        if (second != null && second.isAlive()) {
            second.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (cairn != null) {
            assertThat(cairn.stop(Duration.ofSeconds(30))).as("framework stopped within 30 s").isTrue();
        }
    }

    @Test
    @DisplayName("flipped bytes in the middle and a torn tail: the broker starts, logs what it dropped and serves "
            + "the rest")
    void damagedSegment() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        cairn = Main.launch(home, Map.of());
        cairn.awaitStartup(STARTUP);
        MqttClient publisher = new MqttClient("tcp://127.0.0.1:" + port, "writer", new MemoryPersistence());
        publisher.connect();
        for (int i = 0; i < RETAINED; i++) {
            publisher.publish("keep/" + i, ("retained " + i).getBytes(StandardCharsets.UTF_8), 1, true);
        }
        publisher.disconnect();
        publisher.close();
        assertThat(cairn.stop(Duration.ofSeconds(30))).isTrue();
        cairn = null;

        Path segment = onlySegment(home.resolve("data/store"));
        long size = Files.size(segment);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.seek(size / 2);
            file.write(new byte[] {0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55});
            file.setLength(size - 7); // the last record torn
        }

        cairn = Main.launch(home, Map.of());
        Startup startup = cairn.awaitStartup(STARTUP);
        assertThat(startup.problems()).isEmpty();
        await("listener open").atMost(HOT).until(() -> Runtimes.isOpen(port));
        List<String> warnings = Files.readAllLines(home.resolve("log/cairn.log")).stream()
                .filter(l -> l.contains("WARN") && l.contains("File store recovery") && l.contains(segment.toString()))
                .toList();
        assertThat(warnings).as("recovery warnings naming %s", segment).hasSize(2)
                .anyMatch(l -> l.contains("damaged bytes") && l.contains("skipped"))
                .anyMatch(l -> l.contains("truncated at the last good record") && l.contains("bytes dropped"));

        Set<String> received = ConcurrentHashMap.newKeySet();
        MqttClient reader = new MqttClient("tcp://127.0.0.1:" + port, "reader", new MemoryPersistence());
        reader.connect();
        reader.subscribe("keep/#", 1, (topic, m) -> received.add(topic));
        await("the intact retained messages").atMost(HOT).until(() -> received.size() >= RETAINED - 3);
        assertThat(received).as("retained messages served after the damage").hasSizeLessThan(RETAINED)
                .contains("keep/0", "keep/" + (RETAINED - 2));

        reader.publish("keep/new", "after".getBytes(StandardCharsets.UTF_8), 1, true);
        await("a new message flows").atMost(HOT).until(() -> received.contains("keep/new"));
        reader.disconnect();
        reader.close();
    }

    @Test
    @DisplayName("a second broker on the same data directory is refused by the lock, with a line naming it")
    void secondBrokerIsLockedOut() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        cairn = Main.launch(home, Map.of());
        cairn.awaitStartup(STARTUP);
        Path data = home.resolve("data/store").toAbsolutePath();

        Path other = Runtimes.copy(temp.resolve("other"));
        int otherPort = Runtimes.freePort();
        Runtimes.setDefaultPort(other, otherPort);
        Files.writeString(other.resolve("etc/io.cairn.persistence.file.cfg"), "directory = " + data + "\n");
        Path console = temp.resolve("other-console.log");
        ProcessBuilder pb = new ProcessBuilder(other.resolve("bin/cairn").toString()).directory(other.toFile())
                .redirectErrorStream(true).redirectOutput(Redirect.to(console.toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        second = pb.start();

        await("the second broker refuses the locked directory").atMost(STARTUP).until(() ->
                Files.readString(console).contains("is in use: another broker holds its lock"));
        assertThat(Files.readAllLines(console)).anyMatch(l -> l.contains("ERROR")
                && l.contains(other.resolve("etc/io.cairn.persistence.file.cfg").toString())
                && l.contains(data.toString()));
        assertThat(Runtimes.isOpen(otherPort)).as("the second broker opened no listener").isFalse();
        assertThat(Runtimes.isOpen(port)).as("the first broker serves on").isTrue();
    }

    private static Path onlySegment(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> segments = files.filter(f -> f.getFileName().toString().startsWith("segment-")).toList();
            assertThat(segments).hasSize(1);
            return segments.get(0);
        }
    }
}
