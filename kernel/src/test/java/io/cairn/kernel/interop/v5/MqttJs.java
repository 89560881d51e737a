package io.cairn.kernel.interop.v5;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Assumptions;

/**
 * MQTT.js (npm {@code mqtt} 5.x) under Node, driven from a test: one Node process running
 * {@code src/test/node/driver.mjs}, which holds any number of named MQTT.js clients and takes one JSON command per
 * line on stdin. Commands wait for their reply; messages, server DISCONNECTs and closes are recorded as events.
 *
 * <p>The build copies the Node project to {@code target/mqttjs} and runs {@code npm ci} there. Without Node or
 * without the installed packages the test is skipped, or fails when the {@code CI} environment variable is set.
 * Every failure message carries the process's whole output.
 */
final class MqttJs implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(15);
    private static final Path PROJECT = Path.of("target", "mqttjs");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer stdin;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final List<JsonNode> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    private MqttJs(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        reader(process.getInputStream(), "stdout", true);
        reader(process.getErrorStream(), "stderr", false);
    }

    /**
     * Skips the calling test (or class, from {@code @BeforeAll}) when Node or the installed MQTT.js is missing, or
     * fails it when {@code CI} is set. {@link #start} calls it first.
     */
    static void requireNode() {
        String problem = null;
        if (!Files.isRegularFile(PROJECT.resolve("node_modules/mqtt/package.json"))) {
            problem = "MQTT.js is not installed in " + PROJECT.toAbsolutePath()
                    + ": the build runs 'npm ci' there (process-test-resources), which needs node and npm";
        } else if (!onPath("node")) {
            problem = "node is not on the PATH: install Node 20 or later";
        }
        if (problem != null) {
            if (System.getenv("CI") != null) {
                throw new AssertionError(problem);
            }
            Assumptions.abort(problem);
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts a driver process whose clients connect to {@code port} on 127.0.0.1 unless told another port; skips
     * or fails as {@link #requireNode()} says when Node or MQTT.js is missing.
     */
    static MqttJs start(int port) throws IOException {
        requireNode();
        Process p = new ProcessBuilder("node", "driver.mjs", String.valueOf(port))
                .directory(PROJECT.toFile())
                .start();
        return new MqttJs(p);
    }

    private void reader(InputStream in, String name, boolean json) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(name + ": " + line);
                    if (json && line.startsWith("{")) {
                        try {
                            lines.add(JSON.readTree(line));
                        } catch (IOException e) {
                            output.add("[not JSON: " + e.getMessage() + "]");
                        }
                    }
                }
            } catch (IOException e) {
                output.add("[" + name + " reader stopped: " + e + "]");
            }
        }, "mqttjs-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** The process's output so far, for assertion messages. */
    String output() {
        return String.join("\n", output);
    }

    /**
     * Sends {@code op} for {@code client} with the given fields and waits for its reply.
     *
     * @throws AssertionError if no reply comes within {@link #WAIT} (the message holds the process output)
     */
    JsonNode command(String client, String op, Map<String, ?> fields) {
        ObjectNode command = JSON.createObjectNode();
        int id = ids.incrementAndGet();
        command.put("id", id).put("op", op).put("client", client);
        fields.forEach((k, v) -> command.set(k, JSON.valueToTree(v)));
        try {
            stdin.write(JSON.writeValueAsString(command) + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError("cannot write to the MQTT.js driver: " + e + "\n" + output(), e);
        }
        return awaitLine("the reply to " + command, l -> l.path("reply").asInt(-1) == id);
    }

    /** As {@link #command}, asserting the reply is a success. */
    JsonNode ok(String client, String op, Map<String, ?> fields) {
        JsonNode reply = command(client, op, fields);
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError("MQTT.js '" + op + "' for " + client + " failed: " + reply + "\n" + output());
        }
        return reply;
    }

    /** Connects {@code client} with MQTT 5 and these MQTT.js options; returns the CONNACK as the driver reports it. */
    JsonNode connect(String client, Map<String, ?> options) {
        return ok(client, "connect", Map.of("options", options)).get("connack");
    }

    /** Subscribes; returns the SUBACK's reason codes (refusals included). */
    List<Integer> subscribe(String client, Map<String, ?> subscriptions, Map<String, ?> options) {
        JsonNode reply = ok(client, "subscribe", Map.of("subscriptions", subscriptions, "options", options));
        return JSON.convertValue(reply.get("granted"), JSON.getTypeFactory().constructCollectionType(List.class,
                Integer.class));
    }

    /** Publishes a text payload with these MQTT.js publish options and waits for its flow to complete. */
    void publish(String client, String topic, String payload, Map<String, ?> options) {
        ok(client, "publish", Map.of("topic", topic, "payload", payload, "options", options));
    }

    /** The events of {@code type} for {@code client} so far. */
    List<JsonNode> events(String client, String type) {
        return lines.stream().filter(l -> type.equals(l.path("event").asText())
                && client.equals(l.path("client").asText())).toList();
    }

    /** Waits until {@code client} has seen {@code count} messages; returns them all. */
    List<JsonNode> awaitMessages(String client, int count) {
        within(count + " messages for " + client, () -> events(client, "message").size() >= count);
        return events(client, "message");
    }

    /** Waits for the first event of {@code type} for {@code client}. */
    JsonNode awaitEvent(String client, String type) {
        return awaitLine(type + " for " + client, l -> type.equals(l.path("event").asText())
                && client.equals(l.path("client").asText()));
    }

    private JsonNode awaitLine(String what, Predicate<JsonNode> match) {
        within(what, () -> lines.stream().anyMatch(match));
        return lines.stream().filter(match).findFirst().orElseThrow();
    }

    /** Waits for {@code condition}; a timeout or the process's end fails with the process output. */
    private void within(String what, Callable<Boolean> condition) {
        try {
            await(what).atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .failFast(() -> !process.isAlive() && !condition.call())
                    .until(condition);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError("MQTT.js: no " + what + " (" + e.getMessage() + "); driver output:\n"
                    + output(), e);
        }
    }

    /** {@code {"$hex": ...}} for a binary value in a command. */
    static Map<String, String> hex(byte[] bytes) {
        return Map.of("$hex", HexFormat.of().formatHex(bytes));
    }

    /** The bytes of a {@code {"$hex": ...}} value the driver printed. */
    static byte[] bytes(JsonNode hexValue) {
        return HexFormat.of().parseHex(hexValue.get("$hex").asText());
    }

    /** Ends the driver: stdin closed (its clients are closed), then the process, forcibly if it lingers. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // the process is gone already
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
