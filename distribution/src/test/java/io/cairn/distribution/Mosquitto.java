package io.cairn.distribution;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * An Eclipse Mosquitto broker process on a free port of 127.0.0.1, without persistence: the upstream of a bridge
 * (a trimmed copy of the bridge module's test helper {@code Upstream}, which this module cannot see). Needs
 * {@code /usr/sbin/mosquitto} (Debian package mosquitto): without it a test is skipped, or fails when the
 * {@code CI} environment variable is set.
 */
final class Mosquitto implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final int port;
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    /** Stops the process should the test JVM end without {@link #close()} (killed, timed out). */
    private final Thread reaper;

    private Mosquitto(Path dir) throws IOException {
        port = Runtimes.freePort();
        Path config = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(config, String.join("\n", "listener " + port + " 127.0.0.1", "allow_anonymous true",
                "persistence false", "log_dest stderr", "log_type error", "log_type warning", "log_type notice",
                "log_type information", "max_queued_messages 100000", "max_inflight_messages 0", ""));
        process = new ProcessBuilder(BINARY.toString(), "-c", config.toString()).redirectErrorStream(true).start();
        reaper = new Thread(process::destroyForcibly, "mosquitto-reaper-" + port);
        Runtime.getRuntime().addShutdownHook(reaper);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("[reader stopped: " + e + "]");
            }
        }, "mosquitto-output-" + port);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts Mosquitto on a free port and waits until it listens. */
    static Mosquitto start(Path dir) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            String message = BINARY + " not found: install it with 'apt-get install mosquitto'";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        Mosquitto m = new Mosquitto(dir);
        try {
            await("mosquitto listening on " + m.port).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                    .failFast("mosquitto exited:\n" + String.join("\n", m.output), () -> !m.process.isAlive())
                    .until(m::listening);
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
        return m;
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    int port() {
        return port;
    }

    /** {@code tcp://127.0.0.1:<port>}, for Paho. */
    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** {@code 127.0.0.1:<port>}, for a bridge's {@code address}. */
    String address() {
        return "127.0.0.1:" + port;
    }

    /** Mosquitto's log lines so far. */
    List<String> output() {
        return List.copyOf(output);
    }

    /** Stops the process (SIGTERM, then SIGKILL after 10 s) and waits for it. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }
}
