package io.cairn.bridge.testsupport;

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
 * An Eclipse Mosquitto broker process on 127.0.0.1 as the upstream of a bridge: a fixed port for its whole life,
 * so it can be stopped (SIGTERM: it saves its sessions and messages with {@code persistence true}) and started
 * again where the bridge reconnects. Needs {@code /usr/sbin/mosquitto} (Debian package mosquitto): without it a
 * test is skipped, or fails when the {@code CI} environment variable is set.
 */
public final class Upstream implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final Path config;
    private final int port;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;

    private Upstream(Path dir, boolean persistent, List<String> extraConfig) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> lines = new ArrayList<>(List.of("listener " + port + " 127.0.0.1", "allow_anonymous true",
                "log_dest stderr", "log_type error", "log_type warning", "log_type notice", "log_type information",
                "max_queued_messages 100000", "max_inflight_messages 0"));
        if (persistent) {
            Path data = dir.resolve("mosquitto-data-" + port);
            Files.createDirectories(data);
            // started as root, Mosquitto would switch to the user "mosquitto", which cannot write in a test's
            // directory: it stays the user it is started as
            lines.addAll(List.of("persistence true", "persistence_location " + data + "/", "autosave_interval 0",
                    "user " + System.getProperty("user.name")));
        } else {
            lines.add("persistence false");
        }
        lines.addAll(extraConfig);
        lines.add("");
        config = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(config, String.join("\n", lines));
    }

    /** Starts Mosquitto on a free port, without persistence. */
    public static Upstream start(Path dir, String... extraConfig) throws Exception {
        return start(dir, false, extraConfig);
    }

    /** Starts Mosquitto on a free port; with {@code persistent}, its state survives {@link #stop()}. */
    public static Upstream start(Path dir, boolean persistent, String... extraConfig) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            String message = BINARY + " not found: install it with 'apt-get install mosquitto'";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        Upstream u = new Upstream(dir, persistent, List.of(extraConfig));
        u.start();
        return u;
    }

    /** Starts the process again (after {@link #stop()}) on the same port. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("mosquitto runs already");
        }
        Process p = new ProcessBuilder(BINARY.toString(), "-c", config.toString()).redirectErrorStream(true).start();
        process = p;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
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
        // the port may still be in TIME_WAIT from the previous run: Mosquitto sets SO_REUSEADDR
        await("mosquitto listening on " + port).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .failFast("mosquitto exited:\n" + String.join("\n", output), () -> !p.isAlive())
                .until(this::listening);
    }

    /** Stops the process with SIGTERM (Mosquitto saves its persistent state) and waits for it. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /** {@code tcp://127.0.0.1:<port>}, for Paho. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Mosquitto's log lines so far. */
    public List<String> output() {
        return List.copyOf(output);
    }

    @Override
    public void close() {
        stop();
    }
}
