package io.cairn.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MQTT.js's browser bundle in a real headless Chromium (Debian's {@code chromium}, driven by the npm package
 * {@code playwright-core}; both locked in {@code src/test/node}) against the WebSocket listener with an origin
 * check: the page, served by a small HTTP server here, connects over ws, subscribes, publishes and shows the
 * message it receives; this test reads the page's text.
 *
 * <p>Without Chromium, Node or the installed packages the test is skipped with the reason, or fails when
 * {@code CI} is set (as the project's other tool-dependent tests do).
 */
class BrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private EmbeddedBroker broker;
    private HttpServer web;

    @AfterEach
    void tearDown() {
        if (web != null) {
            web.stop(0);
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static Path project() {
        String problem = null;
        Path project = Path.of(System.getProperty("cairn.mqttjs.dir", "target/mqttjs"));
        if (!Files.isExecutable(CHROMIUM)) {
            problem = CHROMIUM + " is missing (Debian packages chromium chromium-driver)";
        } else if (!Files.isRegularFile(project.resolve("node_modules/mqtt/dist/mqtt.min.js"))
                || !Files.isRegularFile(project.resolve("node_modules/playwright-core/package.json"))) {
            problem = "MQTT.js and playwright-core are not installed in " + project.toAbsolutePath()
                    + ": the build runs 'npm ci' there (process-test-resources), which needs node and npm";
        }
        if (problem != null) {
            if (System.getenv("CI") != null) {
                throw new AssertionError(problem + " and CI is set");
            }
            Assumptions.abort(problem);
        }
        return project;
    }

    private static void serve(HttpExchange exchange, Path file, String type) throws IOException {
        byte[] body = Files.readAllBytes(file);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    @DisplayName("MQTT.js in headless Chromium connects over ws from an allowed origin, subscribes, publishes and "
            + "receives")
    void mqttJsInChromium() throws Exception {
        Path project = project();
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/")) {
                serve(exchange, project.resolve("page.html"), "text/html; charset=utf-8");
            } else if (path.equals("/mqtt.min.js")) {
                serve(exchange, project.resolve("node_modules/mqtt/dist/mqtt.min.js"), "text/javascript");
            } else {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
            }
        });
        web.start();
        int webPort = web.getAddress().getPort();
        WsTransport transport = new WsTransport("web", "127.0.0.1", 0, WsTransport.DEFAULT_BACKLOG,
                ListenerSecurity.allProviders(true), WsSettings.builder()
                .allowedOrigins(List.of("http://127.0.0.1:" + webPort)).build());
        broker = EmbeddedBroker.builder().transport(transport).sessionStore(new MemorySessionStore())
                .retainedStore(new MemoryRetainedStore()).start();
        String page = "http://127.0.0.1:" + webPort + "/?broker=ws://127.0.0.1:"
                + transport.localAddress().getPort() + "/mqtt";

        Process node = new ProcessBuilder("node", "browser.mjs", page, CHROMIUM.toString())
                .directory(project.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("the browser driver ends").isTrue();

        assertThat(output).as("the driver's report of the page")
                .isEqualTo("{\"received\":\"browser/hello:hello from the browser\",\"status\":\"connected\"}");
        assertThat(node.exitValue()).isZero();
    }
}
