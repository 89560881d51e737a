package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint of the distribution (a real Felix started from the assembled runtime, the metrics bundle
 * from {@code deploy/} configured by {@code etc/io.cairn.metrics.cfg}), scraped over HTTP after known traffic.
 */
class MetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private Cairn cairn;

    @AfterEach
    void stop() {
        Runtimes.stop(cairn);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("after 5 QoS 1 and 3 QoS 0 messages to one subscriber, the scrape shows them by listener and QoS, "
            + "the clients, and every plugin active")
    void scrapeAfterKnownTraffic() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        int metricsPort = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        Path config = home.resolve("etc/io.cairn.metrics.cfg");
        Files.writeString(config, Files.readString(config).replaceAll("(?m)^port = .*$", "port = " + metricsPort));
        cairn = Main.launch(home, Map.of());
        assertThat(cairn.awaitStartup(Duration.ofSeconds(90)).problems()).isEmpty();
        await("metrics endpoint open").atMost(WAIT).until(() -> Runtimes.isOpen(metricsPort));

        try (PahoClient subscriber = new PahoClient(port, "subscriber");
             PahoClient publisher = new PahoClient(port, "publisher")) {
            subscriber.connect(true);
            subscriber.subscribe("plant/#", 1);
            publisher.connect(true);
            for (int i = 0; i < 5; i++) {
                publisher.publish("plant/line1", "q1-" + i, 1);
            }
            for (int i = 0; i < 3; i++) {
                publisher.publish("plant/line2", "q0-" + i, 0);
            }
            for (int i = 0; i < 8; i++) {
                assertThat(subscriber.next(30)).as("message %d at the subscriber", i).isNotNull();
            }

            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
            await("figures of the traffic").atMost(WAIT).untilAsserted(() -> {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                String body = response.body();
                assertThat(value(body, "cairn_messages_received_total", "listener=\"default\"", "qos=\"1\"")).isEqualTo(5);
                assertThat(value(body, "cairn_messages_received_total", "listener=\"default\"", "qos=\"0\"")).isEqualTo(3);
                assertThat(value(body, "cairn_messages_sent_total", "listener=\"default\"", "qos=\"1\"")).isEqualTo(5);
                assertThat(value(body, "cairn_messages_sent_total", "listener=\"default\"", "qos=\"0\"")).isEqualTo(3);
                assertThat(value(body, "cairn_clients_connected", "listener=\"default\"")).isEqualTo(2);
                assertThat(value(body, "cairn_subscriptions")).isEqualTo(1);
                assertThat(value(body, "cairn_plugin_up", "plugin=\"io.cairn.metrics\"")).isEqualTo(1);
                assertThat(value(body, "cairn_plugin_up", "plugin=\"io.cairn.transport.tcp\"")).isEqualTo(1);
                assertThat(body).contains("jvm_memory_used_bytes");
            });
        }
    }

    /** The value of the sample {@code name} whose labels include each of {@code labels}. */
    private static double value(String body, String name, String... labels) {
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = sample.matcher(body);
        while (m.find()) {
            String set = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= set.contains(label);
            }
            if (all) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no sample " + name + " with " + String.join(",", labels));
    }
}
