package io.cairn.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.BridgeStatus;
import io.cairn.bridge.testsupport.Inbox;
import io.cairn.bridge.testsupport.LocalBroker;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import io.cairn.transport.tls.TlsSettings;
import io.cairn.transport.tls.TlsTransport;
import io.cairn.transport.tls.testsupport.Pki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Cairn brokers, the edge bridged to the upstream over mutual TLS with MQTT 5, both ways on the same topics:
 * every message reaches the other side once and none loops back.
 */
class CairnToCairnTest {

    @TempDir
    Path dir;

    private EmbeddedBroker edge;
    private EmbeddedBroker upstream;
    private MqttBridge bridge;
    private int tlsPort;
    private String upstreamTcp;
    private Pki.Issued ca;

    @BeforeEach
    void brokers() throws Exception {
        ca = Pki.ca("Cairn Test CA");
        Pki.Issued server = ca.server("localhost");
        TlsSettings tls = TlsSettings.builder("upstream").certificateFile(server.writeChain(dir.resolve("server.pem")))
                .keyFile(server.writeKey(dir.resolve("server.key")))
                .clientAuth(TlsSettings.ClientAuth.REQUIRED).caFile(ca.writeCertificate(dir.resolve("ca.pem")))
                .build();
        TlsTransport tlsTransport = new TlsTransport("tls", "127.0.0.1", 0, TlsTransport.DEFAULT_BACKLOG,
                ListenerSecurity.allProviders(true), tls);
        upstream = EmbeddedBroker.builder().transport(tlsTransport)
                .transport(new TcpTransport("tcp", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore()).retainedStore(new MemoryRetainedStore()).start();
        tlsPort = tlsTransport.localAddress().getPort();
        upstreamTcp = "tcp://127.0.0.1:" + upstream.listeners().stream().filter(l -> l.name().equals("tcp"))
                .findFirst().orElseThrow().port();
        edge = LocalBroker.start();
        Pki.Issued client = ca.client("edge-bridge");
        client.writeChain(dir.resolve("bridge.pem"));
        client.writeKey(dir.resolve("bridge.key"));
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        edge.close();
        upstream.close();
    }

    private BridgeSettings settings(String... extra) {
        Map<String, Object> p = new HashMap<>();
        p.put("name", "tls-up");
        p.put("address", "localhost:" + tlsPort);
        p.put("tls.caFile", "ca.pem");
        p.put("tls.certFile", "bridge.pem");
        p.put("tls.keyFile", "bridge.key");
        p.put("topic.1", "shared/# both 2 \"\" \"\"");
        p.put("reconnectMinMillis", "100");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            p.put(extra[i], extra[i + 1]);
        }
        return BridgeSettings.from(p, dir);
    }

    @Test
    @DisplayName("MQTT 5 over mutual TLS, both ways on the same topics: each message once on each side, no loop")
    void bothWaysWithoutLoop() throws Exception {
        bridge = MqttBridge.start(edge.bridgeContext(), settings());
        try (Inbox edgeSide = Inbox.connect(LocalBroker.uri(edge), "edge-client").subscribe("shared/#", 2);
             Inbox upSide = Inbox.connect(upstreamTcp, "up-client").subscribe("shared/#", 2)) {
            MosquittoBridgeTest.awaitLinked(edge, "tls-up", 1);
            MosquittoBridgeTest.awaitInbound(upSide, "shared/probe", edgeSide, "shared/probe");
            // the bridge's connection at the upstream is the TLS one, named by its certificate
            assertThat(upstream.broker().clients()).anyMatch(c -> c.clientId().equals("cairn-bridge-tls-up")
                    && c.listener().equals("tls"));

            for (int i = 0; i < 20; i++) {
                edgeSide.publish("shared/from-edge", "e" + i, 2, false);
                upSide.publish("shared/from-up", "u" + i, 2, false);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> upSide.on("shared/from-edge").size() >= 20
                    && edgeSide.on("shared/from-up").size() >= 20);
            // markers behind the traffic on both paths: a loop would have shown before them
            edgeSide.publish("shared/marker", "edge", 2, false);
            upSide.publish("shared/marker", "up", 2, false);
            await().atMost(Duration.ofSeconds(20)).until(() -> upSide.on("shared/marker").size() >= 2
                    && edgeSide.on("shared/marker").size() >= 2);
            assertThat(upSide.on("shared/from-edge")).hasSize(20);
            assertThat(edgeSide.on("shared/from-edge")).hasSize(20);
            assertThat(upSide.on("shared/from-up")).hasSize(20);
            assertThat(edgeSide.on("shared/from-up")).hasSize(20);
            assertThat(upSide.on("shared/marker")).hasSize(2);
            assertThat(edgeSide.on("shared/marker")).hasSize(2);

            BridgeStatus status = edge.broker().bridges().get(0);
            assertThat(status.remote()).isEqualTo("mqtts://localhost:" + tlsPort + " (MQTT 5)");
            assertThat(status.connected()).isTrue();
            assertThat(status.lastError()).isNull();
        }
    }

    @Test
    @DisplayName("TLS problems are reported in the bridge's status and it keeps trying")
    void untrustedServerIsReported() throws Exception {
        Pki.Issued other = Pki.ca("Someone Else's CA");
        other.writeCertificate(dir.resolve("other-ca.pem"));
        bridge = MqttBridge.start(edge.bridgeContext(), settings("tls.caFile", "other-ca.pem"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            BridgeStatus s = edge.broker().bridges().get(0);
            assertThat(s.connected()).isFalse();
            assertThat(s.lastError()).contains("cannot connect to mqtts://localhost:" + tlsPort);
        });
    }
}
