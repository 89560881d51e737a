package io.cairn.transport.ws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.transport.testing.FakeTransportContext;
import io.cairn.api.transport.testing.ListenerFiles;
import io.cairn.kernel.netty.WebSocketFrames;
import io.cairn.transport.tls.testsupport.ErrorLog;
import io.cairn.transport.ws.WsTransport;
import io.cairn.transport.tls.testsupport.Pki;
import io.cairn.transport.ws.testsupport.RawWebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DS component: configuration files to listeners, and every bad key rejected with one ERROR line naming the
 * configuration file, the key and the problem, and no listener started (or the running one kept).
 */
class WsTransportComponentTest {

    private static final String CFG = "/opt/cairn/etc/io.cairn.transport.ws-web.cfg";

    @TempDir
    Path dir;

    private final FakeTransportContext context = FakeTransportContext.quiet().webSocketFrames(WebSocketFrames.INSTANCE);
    private final WsTransportComponent component = new WsTransportComponent(context);
    private ErrorLog log;

    @BeforeEach
    void capture() {
        log = new ErrorLog();
    }

    @AfterEach
    void tearDown() {
        component.close();
        context.close();
        log.close();
    }

    private void apply(Object... keysAndValues) {
        List<Object> all = new ArrayList<>(List.of("port", "0"));
        all.addAll(List.of(keysAndValues));
        Map<String, Object> properties = ListenerFiles.fromFile(WsTransportComponent.PID, CFG, all.toArray());
        component.apply(properties);
    }

    private int upgrade(String path, String origin) throws Exception {
        int port = component.transport().orElseThrow().localAddress().getPort();
        try (RawWebSocket ws = RawWebSocket.upgrade(port, path, "mqtt", origin)) {
            return ws.status();
        }
    }

    @Test
    @DisplayName("a configuration file binds a ws listener named after the file, with its keys")
    void bindsTheConfiguredListener() throws Exception {
        apply("path", "/ws", "allowedOrigins", "https://app.example.com, *.example.org", "maxFrameSize", "4096",
                "allowAnonymous", "true", "authenticators", "file");

        assertThat(log.errors()).isEmpty();
        assertThat(context.listeners()).containsOnlyKeys("web");
        assertThat(context.listeners().get("web").uri()).startsWith("ws://127.0.0.1:");
        assertThat(context.securities().get("web")).isEqualTo(new ListenerSecurity(true, "file", ""));
        WsTransport t = component.transport().orElseThrow();
        assertThat(t.settings().maxFrameSize()).isEqualTo(4096);
        assertThat(upgrade("/ws", "https://a.example.org")).isEqualTo(101);
        assertThat(upgrade("/ws", "https://elsewhere.example")).isEqualTo(403);
        assertThat(upgrade("/mqtt", null)).isEqualTo(404);
    }

    @Test
    @DisplayName("tls = true with certificate files binds a wss listener")
    void bindsAWssListener() {
        Pki.Issued server = Pki.ca("Component CA").server("localhost");
        apply("tls", "true", "certificateFile", server.writeChain(dir.resolve("s.pem")).toString(),
                "keyFile", server.writeKey(dir.resolve("s.key")).toString());

        assertThat(log.errors()).isEmpty();
        assertThat(context.listeners().get("web").uri()).startsWith("wss://127.0.0.1:");
        assertThat(component.transport().orElseThrow().certificate().getSerialNumber()).isEqualTo(server.serial());
    }

    @Test
    @DisplayName("bad path, origin pattern, maxFrameSize, tls value: one error each, naming file and key; no listener")
    void badKeys() {
        apply("path", "mqtt");
        apply("allowedOrigins", "https://ok.example.com, example.com");
        apply("maxFrameSize", "12");
        apply("maxFrameSize", "big");
        apply("tls", "yes");

        assertThat(context.listeners()).isEmpty();
        List<String> errors = log.errors();
        assertThat(errors).hasSize(5).allSatisfy(line -> assertThat(line).contains(CFG)
                .contains("listener not started"));
        assertThat(errors.get(0)).contains("key path = 'mqtt'");
        assertThat(errors.get(1)).contains("key allowedOrigins").contains("'example.com'");
        assertThat(errors.get(2)).contains("key maxFrameSize = '12'").contains("outside 125..268435456");
        assertThat(errors.get(3)).contains("key maxFrameSize = 'big'").contains("is not a number");
        assertThat(errors.get(4)).contains("key tls = 'yes'").contains("neither true nor false");
    }

    @Test
    @DisplayName("wss with a missing certificate file: one error naming config file, key and file; no listener")
    void wssMissingCertificate() {
        Pki.Issued server = Pki.ca("Component CA").server("localhost");
        Path missing = dir.resolve("nope.pem");
        apply("tls", "true", "certificateFile", missing.toString(),
                "keyFile", server.writeKey(dir.resolve("s.key")).toString());
        apply("tls", "true");

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).hasSize(2);
        assertThat(log.errors().get(0)).contains(CFG).contains("key certificateFile").contains(missing.toString())
                .contains("does not exist").contains("listener not started");
        assertThat(log.errors().get(1)).contains(CFG).contains("key certificateFile").contains("missing");
    }

    @Test
    @DisplayName("a TLS key in a ws listener's file is refused rather than ignored")
    void tlsKeyWithoutTls() {
        apply("certificateFile", "server.pem");

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line).contains(CFG)
                .contains("key certificateFile").contains("tls is false").contains("listener not started"));
    }

    @Test
    @DisplayName("a bad change keeps the running listener on its address and path")
    void badChangeKeepsTheListener() throws Exception {
        apply("path", "/ws");
        int port = component.transport().orElseThrow().localAddress().getPort();

        apply("path", "/ws", "allowedOrigins", "*");

        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line).contains(CFG)
                .contains("key allowedOrigins").contains("keeps running on 127.0.0.1:" + port));
        assertThat(upgrade("/ws", null)).isEqualTo(101);
    }
}
