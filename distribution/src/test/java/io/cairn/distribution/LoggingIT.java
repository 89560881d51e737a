package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logging in a running broker (a real Felix started from the assembled distribution): client events in
 * {@code log/events.log}, and {@code etc/logback.xml} applied again when it changes, without a restart.
 */
class LoggingIT {

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
    @DisplayName("an appender added to etc/logback.xml of a running broker starts writing, without a restart")
    void logbackReloadsItsConfiguration() throws Exception {
        Path home = Runtimes.copy(temp.resolve("cairn"));
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        Path config = home.resolve("etc/logback.xml");
        String shipped = Files.readString(config);
        assertThat(shipped).contains("scan=\"true\" scanPeriod=\"30 seconds\"");
        // the shipped file is re-read every 30 s; the test does not wait that long
        Files.writeString(config, shipped.replace("scanPeriod=\"30 seconds\"", "scanPeriod=\"1 seconds\""));
        cairn = Main.launch(home, Map.of());
        assertThat(cairn.awaitStartup(Duration.ofSeconds(90)).problems()).isEmpty();

        try (PahoClient first = new PahoClient(port, "before-edit")) {
            first.connect(true);
        }
        Path events = home.resolve("log/events.log");
        await("the connect in events.log").atMost(WAIT).until(() ->
                Files.readString(events).contains("Client 'before-edit' connected"));

        // a second file for client events
        String edited = Files.readString(config).replace("<logger name=\"event.client\" level=\"INFO\" additivity=\"false\">\n"
                        + "    <appender-ref ref=\"EVENTS\"/>",
                "<appender name=\"AUDIT\" class=\"ch.qos.logback.core.FileAppender\">\n"
                        + "    <file>${LOG_DIR}/audit.log</file>\n"
                        + "    <encoder><pattern>%logger - %msg%n</pattern></encoder>\n"
                        + "  </appender>\n"
                        + "  <logger name=\"event.client\" level=\"INFO\" additivity=\"false\">\n"
                        + "    <appender-ref ref=\"EVENTS\"/>\n"
                        + "    <appender-ref ref=\"AUDIT\"/>");
        assertThat(edited).contains("audit.log");
        Files.writeString(config, edited);

        Path audit = home.resolve("log/audit.log");
        AtomicInteger attempt = new AtomicInteger();
        await("client connects in the new log/audit.log").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    String id = "after-edit-" + attempt.incrementAndGet();
                    try (PahoClient client = new PahoClient(port, id)) {
                        client.connect(true);
                    }
                    return Files.exists(audit) && Files.readString(audit).contains("Client 'after-edit-");
                });
        assertThat(Files.readString(audit)).doesNotContain("before-edit");
        assertThat(Files.readString(events)).contains("Client 'after-edit-1' connected");
    }
}
