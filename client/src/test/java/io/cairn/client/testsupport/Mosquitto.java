package io.cairn.client.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Mosquitto broker process on 127.0.0.1 for interoperability tests. Needs {@code /usr/sbin/mosquitto} (Debian
 * package mosquitto): without it a test is skipped, or fails when the {@code CI} environment variable is set.
 */
public final class Mosquitto implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final Process process;
    private final int port;
    private final List<String> output = new CopyOnWriteArrayList<>();

    private Mosquitto(Path dir, List<String> extraConfig) throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> config = new ArrayList<>(List.of("listener " + port + " 127.0.0.1", "allow_anonymous true",
                "persistence false", "log_dest stderr"));
        config.addAll(extraConfig);
        config.add("");
        Path file = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(file, String.join("\n", config));
        process = new ProcessBuilder(BINARY.toString(), "-c", file.toString()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("[reader stopped: " + e + "]");
            }
        }, "mosquitto-output-" + port);
        reader.setDaemon(true);
        reader.start();
        await("mosquitto listening on " + port).atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .failFast("mosquitto exited:\n" + String.join("\n", output), () -> !process.isAlive())
                .until(this::listening);
    }

    /**
     * Starts Mosquitto with a listener on a free port and {@code extraConfig} lines, after checking that the
     * binary exists (skips, or fails on CI, when it does not).
     */
    public static Mosquitto start(Path dir, String... extraConfig) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            String message = BINARY + " not found: install it with 'apt-get install mosquitto'";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        return new Mosquitto(dir, List.of(extraConfig));
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** Mosquitto's log lines so far. */
    public List<String> output() {
        return List.copyOf(output);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
