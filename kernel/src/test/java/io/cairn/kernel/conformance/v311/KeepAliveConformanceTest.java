package io.cairn.kernel.conformance.v311;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 §3.1.2.10 Keep Alive and §3.12 PINGREQ/PINGRESP. The suite runs with a grace factor of 1.5. */
class KeepAliveConformanceTest {

    /** How much later than 1.5 x keep-alive the close may come on a loaded build machine. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @ParameterizedTest(name = "keep-alive {0} s")
    @ValueSource(ints = {1, 2})
    @Tag("MQTT-3.1.2-24")
    @DisplayName("[MQTT-3.1.2-24] a silent client is disconnected after 1.5 x its keep-alive, not before")
    void silentClientIsDisconnected(int keepAlive) {
        RawMqttClient c = broker.rawClient("c");
        long start = System.nanoTime();     // before the CONNECT: the server's idle time can only be shorter
        c.connectAccepted(Packets.connect("ka-silent-" + keepAlive).keepAlive(keepAlive));

        c.expectClosed(Duration.ofMillis(1500L * keepAlive).plus(SLACK));

        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(elapsed).as("closed before 1.5 x keep-alive")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1500L * keepAlive - 50));
    }

    @Test
    @Tag("MQTT-3.1.2-24")
    @Tag("MQTT-3.12.4-1")
    @DisplayName("[MQTT-3.1.2-24] [MQTT-3.12.4-1] PINGREQ inside the keep-alive keeps the connection open well past "
            + "1.5 x keep-alive")
    void pingreqKeepsTheConnectionOpen() {
        RawMqttClient c = broker.rawClient("c");
        c.connectAccepted(Packets.connect("ka-ping").keepAlive(1));
        long start = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            c.expectNoPacket(Duration.ofMillis(600));   // quiet for a while, well inside 1.5 s
            c.ping();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(3000));
    }

    @Test
    @Tag("MQTT-3.1.2-24")
    @DisplayName("[MQTT-3.1.2-24] any control packet from the client, not only PINGREQ, counts as activity")
    void anyPacketCountsAsActivity() {
        RawMqttClient c = broker.rawClient("c");
        c.connectAccepted(Packets.connect("ka-publish").keepAlive(1));
        for (int i = 0; i < 6; i++) {
            c.expectNoPacket(Duration.ofMillis(600));
            c.send(Packets.publish("ka/nobody", 0, "tick " + i).build());
        }
        c.ping();
    }

    @Test
    @Tag("MQTT-3.1.2-24")
    @DisplayName("[MQTT-3.1.2-24] only what the client sends counts: deliveries to a silent client do not keep it "
            + "connected")
    void deliveriesToTheClientDoNotCount() {
        RawMqttClient silent = broker.rawClient("silent");
        silent.connectAccepted(Packets.connect("ka-receiver").keepAlive(1));
        silent.subscribe("ka/feed", 0);
        long start = System.nanoTime();
        RawMqttClient feeder = broker.connect("ka-feeder");

        boolean closed = false;
        for (int i = 0; i < 20 && !closed; i++) {           // 20 x 300 ms bounds the loop at about 6 s
            feeder.expectNoPacket(Duration.ofMillis(300));  // paces the feed; the feeder itself gets nothing
            feeder.publish("ka/feed", 0, "feed " + i);
            Optional<RawPacket> p = silent.receiveUnlessClosed(RawMqttClient.TIMEOUT);
            closed = p.isEmpty();
        }
        assertThat(closed).as("closed although it received messages").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500).plus(SLACK));
    }

    @Test
    @Tag("MQTT-3.1.2-24")
    @DisplayName("[MQTT-3.1.2-24] keep-alive 0 turns the mechanism off: a silent client stays connected")
    void keepAliveZeroNeverExpires() {
        RawMqttClient c = broker.rawClient("c");
        c.connectAccepted(Packets.connect("ka-zero").keepAlive(0));
        c.expectNoPacket(Duration.ofMillis(2500));
        c.ping();
    }
}
