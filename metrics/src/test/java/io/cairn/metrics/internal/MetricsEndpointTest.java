package io.cairn.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.BrokerMetrics;
import io.cairn.api.broker.ListenerMetrics;
import io.cairn.api.intercept.PublishInterceptor;
import io.cairn.api.intercept.PublishOutcome;
import io.cairn.api.message.ReasonCode;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The endpoint against an embedded broker that real MQTT clients (Eclipse Paho) talk to: a scrape over HTTP, as
 * Prometheus makes it, shows exactly the traffic they made.
 */
class MetricsEndpointTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int QUEUE_LIMIT = 3;

    private EmbeddedBroker broker;
    private String mqttUri;
    private MetricsComponent metrics;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.builder().settings(BrokerSettings.builder().maxQueuedMessages(QUEUE_LIMIT)
                        .interceptorErrorBudget(2).build())
                .transport(new TcpTransport("main", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(false)))
                .authenticator("gate", request -> "mallory".equals(request.username())
                        ? Authentication.reject(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong password")
                        : Authentication.accept())
                .sessionStore(new MemorySessionStore()).retainedStore(new MemoryRetainedStore()).start();
        mqttUri = "tcp://127.0.0.1:" + broker.listeners().get(0).port();
    }

    @AfterEach
    void stop() throws Exception {
        if (metrics != null) {
            metrics.deactivate();
        }
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        }
        broker.close();
    }

    private String endpoint(String path) {
        InetSocketAddress a = metrics.address();
        return "http://127.0.0.1:" + a.getPort() + path;
    }

    private MqttClient paho(String id, boolean cleanSession) throws MqttException {
        MqttClient c = new MqttClient(mqttUri, id, new MemoryPersistence());
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(cleanSession);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        c.connect(o);
        return c;
    }

    @Test
    @DisplayName("a scrape shows the clients' messages by QoS, bytes, refusals, drops and queues exactly")
    void scrapeMatchesTraffic() throws Exception {
        metrics = new MetricsComponent(broker.broker(), null, Map.of("port", "0"));
        AtomicInteger got = new AtomicInteger();
        for (String id : List.of("sub-a", "sub-b")) {
            paho(id, true).subscribe("m/#", 2, (topic, message) -> got.incrementAndGet());
        }
        MqttClient slow = paho("slow", false);
        slow.subscribe("q/#", 1);
        slow.disconnect();
        MqttClient pub = paho("pub", true);
        byte[] payload = new byte[64];
        for (int qos = 0; qos <= 2; qos++) {
            for (int i = 0; i < 3 + qos; i++) { // 3 QoS 0, 4 QoS 1, 5 QoS 2 to two subscribers
                pub.publish("m/" + qos, payload, qos, false);
            }
        }
        for (int i = 0; i < QUEUE_LIMIT + 2; i++) { // to the offline session: 3 queued, 2 dropped
            pub.publish("q/1", payload, 1, false);
        }
        MqttClient mallory = new MqttClient(mqttUri, "mallory", new MemoryPersistence());
        clients.add(mallory);
        MqttConnectOptions credentials = new MqttConnectOptions();
        credentials.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        credentials.setUserName("mallory");
        credentials.setPassword("guess".toCharArray());
        assertThatThrownBy(() -> mallory.connect(credentials)).isInstanceOf(MqttException.class);
        await().atMost(WAIT).until(() -> got.get() == 24);
        await().atMost(WAIT).until(() -> broker.broker().metrics().inflightMessages() == 0
                && broker.broker().metrics().listeners().get(0).connectionsOpen() == 3);

        Scraped s = Scraped.get(endpoint("/metrics"));
        BrokerMetrics now = broker.broker().metrics();
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.contentType()).startsWith("text/plain; version=0.0.4");
        assertThat(s.value("cairn_messages_received_total", "listener", "main", "qos", "0")).isEqualTo(3);
        assertThat(s.value("cairn_messages_received_total", "listener", "main", "qos", "1")).isEqualTo(4 + 5);
        assertThat(s.value("cairn_messages_received_total", "listener", "main", "qos", "2")).isEqualTo(5);
        assertThat(s.value("cairn_messages_sent_total", "listener", "main", "qos", "0")).isEqualTo(6);
        assertThat(s.value("cairn_messages_sent_total", "listener", "main", "qos", "1")).isEqualTo(8);
        assertThat(s.value("cairn_messages_sent_total", "listener", "main", "qos", "2")).isEqualTo(10);
        assertThat(s.value("cairn_messages_dropped_total", "reason", "queue_full")).isEqualTo(2);
        assertThat(s.value("cairn_messages_dropped_total", "reason", "too_large")).isZero();
        assertThat(s.value("cairn_messages_dropped_total", "reason", "expired")).isZero();
        assertThat(s.value("cairn_messages_dropped_total", "reason", "offline_qos0")).isZero();
        assertThat(s.value("cairn_queued_messages")).isEqualTo(QUEUE_LIMIT);
        assertThat(s.value("cairn_queued_messages_max")).isEqualTo(QUEUE_LIMIT);
        assertThat(s.value("cairn_inflight_messages")).isZero();
        assertThat(s.value("cairn_sessions")).isEqualTo(4);
        assertThat(s.value("cairn_subscriptions")).isEqualTo(3);
        assertThat(s.value("cairn_connections_refused_total", "listener", "main", "reason",
                "bad_user_name_or_password")).isEqualTo(1);
        assertThat(s.value("cairn_auth_failures_total", "listener", "main", "reason", "bad_user_name_or_password"))
                .isEqualTo(1);
        assertThat(s.value("cairn_connections_accepted_total", "listener", "main")).isEqualTo(5);
        assertThat(s.value("cairn_connections_open", "listener", "main")).isEqualTo(3);
        assertThat(s.value("cairn_clients_connected", "listener", "main")).isEqualTo(3);
        assertThat(s.value("cairn_listener_up", "listener", "main")).isEqualTo(1);
        ListenerMetrics main = now.listeners().get(0);
        // bytes: 12 PUBLISH packets of 64 payload bytes in from the publisher and 5 more, 24 out to the subscribers
        assertThat(s.value("cairn_received_bytes_total", "listener", "main"))
                .isEqualTo((double) main.bytesReceived()).isGreaterThan(17 * 64);
        assertThat(s.value("cairn_sent_bytes_total", "listener", "main"))
                .isEqualTo((double) main.bytesSent()).isGreaterThan(24 * 64);
        assertThat(s.value("cairn_listener_info", "listener", "main", "url", "mqtt://127.0.0.1:"
                + broker.listeners().get(0).port(), "plugin", "embedded", "state", "open")).isEqualTo(1);
        assertThat(s.value("cairn_broker_info", "version", broker.broker().version())).isEqualTo(1);
        assertThat(s.types()).containsEntry("cairn_messages_received_total", "counter")
                .containsEntry("cairn_queued_messages", "gauge").containsEntry("cairn_received_bytes_total", "counter");
        // the JVM's figures come from the Prometheus client's instrumentation
        assertThat(s.value("jvm_memory_used_bytes", "area", "heap")).isPositive();
        assertThat(s.value("jvm_threads_current")).isPositive();
        assertThat(s.value("process_cpu_seconds_total")).isPositive();
        assertThat(s.series("jvm_gc_collection_seconds_count")).isNotEmpty();
    }

    @Test
    @DisplayName("a scrape shows each plugin's interceptor failures by kind, and one quarantined after its budget")
    void interceptorFailures() throws Exception {
        metrics = new MetricsComponent(broker.broker(), null, Map.of("port", "0"));
        broker.addInterceptor("validator", 0, (PublishInterceptor) (client, message) -> {
            if (message.topic().startsWith("bad/")) {
                throw new IllegalArgumentException("not JSON");
            }
            return PublishOutcome.pass();
        }, Map.of());
        broker.addInterceptor("audit", 0, (PublishInterceptor) (client, message) -> PublishOutcome.pass(),
                Map.of());
        MqttClient pub = paho("pub", true);
        pub.publish("good/1", new byte[] {1}, 1, false);
        pub.publish("bad/1", new byte[] {1}, 1, false);
        Scraped before = Scraped.get(endpoint("/metrics"));
        assertThat(before.value("cairn_interceptor_failures_total", "plugin", "validator", "kind", "exception"))
                .isEqualTo(1);
        assertThat(before.value("cairn_interceptor_failures_total", "plugin", "validator", "kind", "overrun"))
                .isZero();
        assertThat(before.value("cairn_interceptor_quarantined", "plugin", "validator")).isZero();
        pub.publish("bad/2", new byte[] {1}, 1, false);
        pub.publish("bad/3", new byte[] {1}, 1, false); // the third failure exceeds the budget of 2
        Scraped after = Scraped.get(endpoint("/metrics"));
        assertThat(after.value("cairn_interceptor_failures_total", "plugin", "validator", "kind", "exception"))
                .isEqualTo(3);
        assertThat(after.value("cairn_interceptor_quarantined", "plugin", "validator")).isEqualTo(1);
        assertThat(after.value("cairn_interceptor_quarantined", "plugin", "audit")).isZero();
        assertThat(after.types()).containsEntry("cairn_interceptor_failures_total", "counter")
                .containsEntry("cairn_interceptor_quarantined", "gauge");
    }

    @Test
    @DisplayName("OpenMetrics for a scraper that asks for it; 404 elsewhere, 405 for other methods, HEAD answers")
    void protocol() throws Exception {
        metrics = new MetricsComponent(broker.broker(), null, Map.of("port", 0, "path", "/stats"));
        Scraped open = Scraped.get(endpoint("/stats"), "application/openmetrics-text; version=1.0.0");
        assertThat(open.status()).isEqualTo(200);
        assertThat(open.contentType()).startsWith("application/openmetrics-text");
        assertThat(open.body()).endsWith("# EOF\n");
        assertThat(open.value("cairn_sessions")).isZero();

        assertThat(Scraped.get(endpoint("/metrics")).status()).isEqualTo(404);
        HttpResponse<String> post = Scraped.send(HttpRequest.newBuilder(URI.create(endpoint("/stats")))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        HttpResponse<String> head = Scraped.send(HttpRequest.newBuilder(URI.create(endpoint("/stats")))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(Scraped.get(endpoint("/stats?name[]=cairn_sessions")).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("by default the endpoint listens on 127.0.0.1 only")
    void loopbackByDefault() throws Exception {
        metrics = new MetricsComponent(broker.broker(), null, Map.of("port", 0));
        InetSocketAddress bound = metrics.address();
        assertThat(bound.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(Scraped.get(endpoint("/metrics")).status()).isEqualTo(200);
        InetAddress other = nonLoopbackAddress();
        Assumptions.assumeTrue(other != null, "this machine has no address besides loopback to try");
        try (Socket socket = new Socket()) {
            assertThatThrownBy(() -> socket.connect(new InetSocketAddress(other, bound.getPort()), 2000))
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    @DisplayName("an invalid value is one ERROR line naming the key; a running endpoint stays, a fixed file rebinds")
    void invalidConfiguration() throws Exception {
        String log = stderrOf(() -> metrics = new MetricsComponent(broker.broker(), null,
                Map.of("port", "ninety", "felix.fileinstall.filename", "file:/etc/cairn/io.cairn.metrics.cfg")));
        assertThat(metrics.address()).isNull();
        assertThat(log.lines().filter(l -> l.contains("ERROR")).toList()).singleElement().asString()
                .contains("/etc/cairn/io.cairn.metrics.cfg", "key port: value 'ninety' is not a whole number",
                        "does not start until the file is fixed");

        metrics.apply(Map.of("port", 0));
        InetSocketAddress first = metrics.address();
        assertThat(Scraped.get(endpoint("/metrics")).status()).isEqualTo(200);
        String second = stderrOf(() -> metrics.apply(Map.of("port", 70_000)));
        assertThat(second.lines().filter(l -> l.contains("ERROR")).toList()).singleElement().asString()
                .contains("key port: value '70000' is outside 0..65535", "stays on http://127.0.0.1:"
                        + first.getPort() + "/metrics");
        assertThat(metrics.address()).isEqualTo(first);

        metrics.apply(Map.of("port", 0, "path", "/other"));
        assertThat(Scraped.get(endpoint("/other")).status()).isEqualTo(200);
        assertThat(Scraped.get(endpoint("/metrics")).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("a port in use is one ERROR line; the broker goes on")
    void portInUse() throws Exception {
        metrics = new MetricsComponent(broker.broker(), null, Map.of("port", 0));
        int taken = metrics.address().getPort();
        MetricsComponent[] second = new MetricsComponent[1];
        String log = stderrOf(() -> second[0] = new MetricsComponent(broker.broker(), null, Map.of("port", taken)));
        assertThat(second[0].address()).isNull();
        assertThat(log.lines().filter(l -> l.contains("ERROR")).toList()).singleElement().asString()
                .contains("cannot listen on 127.0.0.1:" + taken);
        assertThat(Scraped.get(endpoint("/metrics")).status()).isEqualTo(200);
    }

    /** Runs {@code action} and returns what it logged (slf4j-simple writes to {@code System.err}). */
    private static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }

    private static InetAddress nonLoopbackAddress() throws Exception {
        Map<String, InetAddress> found = new HashMap<>();
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!n.isUp() || n.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(n.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    found.putIfAbsent(n.getName(), a);
                }
            }
        }
        return found.values().stream().findFirst().orElse(null);
    }
}
