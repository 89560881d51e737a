package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's shell in a running broker (a real Felix started from the assembled distribution): the Gogo shell
 * over the opt-in telnet port, with the {@code cairn:} commands, while Paho clients are connected; a plugin that
 * does not resolve is listed with the requirement it misses, in the shell and under {@code $SYS/broker/plugins/}.
 */
class ShellIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private Cairn cairn;
    private Telnet telnet;

    @AfterEach
    void stop() throws Exception {
        if (telnet != null) {
            telnet.close();
        }
        Runtimes.stop(cairn);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("over telnet on 127.0.0.1: clients, listeners, plugins (with the reason one does not resolve), "
            + "publish and kick act on the live broker; the plugins' states are under $SYS/broker/plugins/")
    void commandsOverTelnet() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        int telnetPort = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        Files.writeString(home.resolve("etc/io.cairn.management.cfg"), "telnetPort = " + telnetPort + "\n");
        cairn = Main.launch(home, Map.of());
        Startup startup = cairn.awaitStartup(STARTUP);
        assertThat(startup.problems()).isEmpty();
        await("telnet console open").atMost(WAIT).until(() -> Runtimes.isOpen(telnetPort));

        try (PahoClient sensor = new PahoClient(port, "sensor-1"); PahoClient watcher = new PahoClient(port, "watcher")) {
            sensor.connect(false);
            sensor.subscribe("site/#", 1);
            watcher.connect(true);
            watcher.subscribe("$SYS/broker/plugins/+/state", 0);

            telnet = new Telnet(telnetPort);
            String clients = telnet.run("cairn:clients", "clients connected");
            assertThat(clients.lines()).anySatisfy(line -> assertThat(line).startsWith("sensor-1 ")
                    .contains("3.1.1", "default", "127.0.0.1:"));
            assertThat(clients).contains("2 clients connected");

            assertThat(telnet.run("cairn:listeners", "listener open").lines()).anySatisfy(line ->
                    assertThat(line.split("  +")).startsWith("default", "mqtt://127.0.0.1:" + port, "open"));

            String plugins = telnet.run("cairn:plugins", "plugins installed");
            assertThat(plugins.lines()).anySatisfy(line -> assertThat(line).contains("io.cairn.transport.tcp")
                    .contains("active"));
            assertThat(plugins.lines()).anySatisfy(line -> assertThat(line).contains("io.cairn.management")
                    .contains("active"));
            assertThat(plugins).doesNotContain("io.cairn.kernel");

            // a plugin built for an API this broker does not have
            writeBundle(home.resolve("deploy/acme-too-new.jar"), "acme.toonew",
                    "io.cairn.api.broker;version=\"[9,10)\"");
            String missing = "does not resolve: missing requirement osgi.wiring.package; "
                    + "(&(osgi.wiring.package=io.cairn.api.broker)(version>=9.0.0)(!(version>=10.0.0)))";
            await("the unresolved plugin in cairn:plugins").atMost(WAIT).untilAsserted(() ->
                    assertThat(telnet.run("cairn:plugins", "plugins installed").lines()).anySatisfy(line ->
                            assertThat(line).contains("acme.toonew", "1.0.0", "installed", missing)));
            // a plugin that starts, but whose component waits for a service nobody offers
            writeBundle(home.resolve("deploy/acme-waiting.jar"), "acme.waiting", null);
            await("the waiting component in cairn:plugins").atMost(WAIT).untilAsserted(() ->
                    assertThat(telnet.run("cairn:plugins", "plugins installed").lines()).anySatisfy(line ->
                            assertThat(line).contains("acme.waiting", "active",
                                    "component acme.waiting waits for acme.Missing")));
            PahoClient.Received state;
            do {
                state = watcher.next(30);
                assertThat(state).as("$SYS/broker/plugins/acme.toonew/state").isNotNull();
            } while (!state.topic().equals("$SYS/broker/plugins/acme.toonew/state"));
            assertThat(state.payload()).isEqualTo("installed");

            assertThat(telnet.run("cairn:publish -q 1 site/a \"from the shell\"", "published"))
                    .contains("published to site/a (14 bytes, QoS 1)");
            PahoClient.Received message = sensor.next(30);
            assertThat(message).isNotNull();
            assertThat(message.topic()).isEqualTo("site/a");
            assertThat(message.payload()).isEqualTo("from the shell");

            assertThat(telnet.run("cairn:kick sensor-1", "disconnected")).contains("disconnected sensor-1");
            await("sensor-1 disconnected").atMost(WAIT).until(() -> !sensor.isConnected());
            assertThat(telnet.run("cairn:sessions", "sessions held").lines()).anySatisfy(line ->
                    assertThat(line.split("\\s+")).startsWith("sensor-1", "no", "yes", "1"));
        }
        // the event log has the plugins' lifecycle and what the operator did
        await("the kick in the event log").atMost(WAIT).until(() ->
                Files.readString(home.resolve("log/events.log")).contains("client sensor-1 disconnected from the shell"));
        String events = Files.readString(home.resolve("log/events.log"));
        assertThat(events).containsPattern("event.plugin - Plugin io.cairn.management \\S+ installed from "
                + "deploy/cairn-management-\\S+\\.jar");
        assertThat(events).containsPattern("event.plugin - Plugin io.cairn.management \\S+ started");
        assertThat(events).contains("event.plugin - Plugin acme.toonew 1.0.0 installed from deploy/acme-too-new.jar");
        assertThat(events).doesNotContain("Plugin io.cairn.kernel", "Plugin org.apache.felix");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("a plugin removed from deploy/ is stopped and uninstalled, as the event log tells")
    void pluginLifecycleInTheEventLog() throws Exception {
        cairn = Runtimes.launchReady(temp.resolve("cairn"), Runtimes.freePort());
        Path home = cairn.home();
        Files.delete(Runtimes.jar(home.resolve("deploy"), "cairn-bridge-"));
        Path events = home.resolve("log/events.log");
        await("the bridge plugin uninstalled").atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(events))
                .containsPattern("Plugin io.cairn.bridge \\S+ stopped")
                .containsPattern("Plugin io.cairn.bridge \\S+ uninstalled"));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("bin/cairn in the foreground on a terminal reads shell commands from it, and stops on SIGTERM with 0")
    void consoleOnATerminal() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        // script(1) gives bin/cairn a terminal, as a user's shell does
        Process script = new ProcessBuilder("script", "--quiet", "--return", "--command",
                home.resolve("bin/cairn").toString(), "/dev/null").redirectErrorStream(true).start();
        ProcessOutput output = new ProcessOutput(script.getInputStream(), "bin/cairn");
        try {
            await("the ready line").atMost(STARTUP).until(() -> output.contains(" ready (") || !script.isAlive());
            OutputStream keyboard = script.getOutputStream();
            keyboard.write("cairn:listeners\n".getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
            await("the listeners at the console").atMost(WAIT).until(() -> output.contains("1 listener open"));
            assertThat(output.lines()).anySatisfy(line -> assertThat(line)
                    .contains("default", "mqtt://127.0.0.1:" + port, "open", "io.cairn.transport.tcp"));

            long pid = Long.parseLong(Files.readString(home.resolve("data/cairn.pid")).strip());
            ProcessHandle.of(pid).orElseThrow().destroy(); // SIGTERM, as a service manager sends
            assertThat(script.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
            assertThat(script.exitValue()).as("exit code of bin/cairn:\n" + output.text()).isZero();
        } finally {
            script.destroyForcibly();
        }
    }

    /** A bundle that is only a manifest with {@code imports}, or ({@code null}) a manifest and a component. */
    private static void writeBundle(Path jar, String name, String imports) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", name);
        main.putValue("Bundle-Version", "1.0.0");
        if (imports != null) {
            main.putValue("Import-Package", imports);
        } else {
            main.putValue("Service-Component", "OSGI-INF/waiting.xml");
        }
        Path part = jar.resolveSibling(jar.getFileName() + ".part");
        try (OutputStream out = Files.newOutputStream(part); JarOutputStream bundle = new JarOutputStream(out, manifest)) {
            if (imports == null) {
                // a component that needs a service nobody offers (its class is never loaded)
                bundle.putNextEntry(new java.util.jar.JarEntry("OSGI-INF/waiting.xml"));
                bundle.write(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"acme.waiting\" "
                        + "immediate=\"true\">\n"
                        + "  <implementation class=\"acme.Waiting\"/>\n"
                        + "  <reference name=\"missing\" interface=\"acme.Missing\" cardinality=\"1..1\"/>\n"
                        + "</scr:component>\n").getBytes(StandardCharsets.UTF_8));
                bundle.closeEntry();
            }
            bundle.finish();
        }
        Files.move(part, jar); // FileInstall sees the finished jar only
    }

    /** A telnet session with the Gogo shell: sends a command, collects the output until a marker appears. */
    private static final class Telnet implements AutoCloseable {

        private final Socket socket;
        private final OutputStream out;
        private final StringBuffer output = new StringBuffer();

        Telnet(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            out = socket.getOutputStream();
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[4096];
                try (InputStream in = socket.getInputStream()) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException closed) {
                    // the session ended
                }
            }, "telnet-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** Runs {@code command} and returns what it printed, once {@code marker} appeared in it. */
        String run(String command, String marker) throws IOException {
            int from = output.length();
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            await("'" + marker + "' after " + command).atMost(WAIT)
                    .until(() -> output.substring(Math.min(from, output.length())).contains(marker));
            return output.substring(from);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
