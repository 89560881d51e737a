package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.kernel.testsupport.ConfA5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 5 wills and DISCONNECT (MQTT 5.0 §3.1.2.5-§3.1.2.7, §3.1.3.2, §3.14): a will kept with the session and
 * published with its retain flag and User Properties as given, discarded by a normal DISCONNECT; the server's
 * own DISCONNECT (defined reason codes, no Session Expiry Interval, nothing after it, then the close), and a
 * malformed DISCONNECT from the client. Raw packets.
 */
class ConfAWillDisconnect5ConformanceTest {

    /** The DISCONNECT Reason Codes of MQTT 5.0 §3.14.2.1. */
    private static final Set<Integer> DISCONNECT_REASON_CODES = Set.of(0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87,
            0x89, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C,
            0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2);

    /** Subscription option: Retain As Published, so the watcher sees the retain flag the will was sent with. */
    private static final int RETAIN_AS_PUBLISHED = 0x08;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private RawMqttClient client(String clientId, byte[]... props) {
        return ConfA5.client(broker, clientId, true, props);
    }

    /** A client subscribed to "will/#" at QoS 1 with Retain As Published. */
    private RawMqttClient watcher() {
        RawMqttClient w = client("confa-watcher");
        w.send(ConfA5.subscribe(1, "will/#", 1 | RETAIN_AS_PUBLISHED));
        w.expect(Packets.SUBACK);
        return w;
    }

    /** Connects {@code clientId} with a will on {@code topic} and the will properties given. */
    private RawMqttClient willer(String clientId, String topic, boolean retain, byte[]... willProperties) {
        RawMqttClient c = broker.rawClient(clientId);
        ConfA5.connectAccepted(c, Packets.connect(clientId).mqtt5().willProperties(willProperties)
                .will(topic, "gone: " + clientId, 1, retain));
        return c;
    }

    /** Reads the next PUBLISH of {@code c} and acknowledges it. */
    private static Raw5.Publish receive(RawMqttClient c) {
        Raw5.Publish p = Raw5.expectPublish(c);
        if (p.qos() == 1) {
            c.send(Packets.puback(p.packetId()));
        }
        return p;
    }

    /** Subscribes a new client to {@code filter} and returns the first message, published after the SUBACK. */
    private Raw5.Publish firstAfterSubscribe(String filter, String markerTopic) {
        RawMqttClient late = client("confa-late");
        late.send(ConfA5.subscribe(1, filter, 1 | RETAIN_AS_PUBLISHED));
        late.expect(Packets.SUBACK);
        RawMqttClient marker = client("confa-marker");
        marker.send(ConfA5.publish(markerTopic, 0, false, 0, "marker"));
        Raw5.Publish p = receive(late);
        late.close();
        return p;
    }

    @Test
    @Tag("MQTT-3.1.2-7")
    @Tag("MQTT-3.1.2-14")
    @DisplayName("[MQTT-3.1.2-7] [MQTT-3.1.2-14] the will of a connection that ends without DISCONNECT is "
            + "published; with Will Retain 0 as a non-retained message")
    void willNotRetained() {
        RawMqttClient watcher = watcher();
        RawMqttClient c = willer("confa-will-plain", "will/plain", false);
        c.abort();
        Raw5.Publish will = receive(watcher);
        assertThat(will.topic()).isEqualTo("will/plain");
        assertThat(will.payloadText()).isEqualTo("gone: confa-will-plain");
        assertThat(will.retain()).as("retain flag as published").isFalse();
        assertThat(firstAfterSubscribe("will/plain", "will/plain").payloadText()).as("no retained will")
                .isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-3.1.2-15")
    @DisplayName("[MQTT-3.1.2-15] with Will Retain 1 the will is published as a retained message")
    void willRetained() {
        RawMqttClient watcher = watcher();
        RawMqttClient c = willer("confa-will-retained", "will/retained", true);
        c.abort();
        Raw5.Publish will = receive(watcher);
        assertThat(will.topic()).isEqualTo("will/retained");
        assertThat(will.retain()).as("retain flag as published").isTrue();
        Raw5.Publish retained = firstAfterSubscribe("will/retained", "will/retained");
        assertThat(retained.payloadText()).isEqualTo("gone: confa-will-retained");
        assertThat(retained.retain()).isTrue();
    }

    @Test
    @Tag("MQTT-3.1.3-10")
    @DisplayName("[MQTT-3.1.3-10] the will is published with its User Properties in the order they were given, "
            + "a repeated name included")
    void willUserPropertiesInOrder() {
        RawMqttClient watcher = watcher();
        RawMqttClient c = willer("confa-will-props", "will/props", false,
                ConfA5.userProperty("z", "first"), ConfA5.userProperty("a", "second"),
                ConfA5.userProperty("z", "third"), ConfA5.userProperty("m", ""), ConfA5.userProperty("a", "fifth"));
        c.abort();
        Raw5.Publish will = receive(watcher);
        assertThat(ConfA5.properties(will).userProperties()).containsExactly(List.of("z", "first"),
                List.of("a", "second"), List.of("z", "third"), List.of("m", ""), List.of("a", "fifth"));
    }

    @ParameterizedTest(name = "DISCONNECT bytes {0}")
    @ValueSource(strings = {"E0 00", "E0 01 00", "E0 02 00 00"})
    @Tag("MQTT-3.14.4-3")
    @DisplayName("[MQTT-3.14.4-3] DISCONNECT with reason 0x00 (also implied by a Remaining Length of 0) discards "
            + "the will: it is not published")
    void normalDisconnectDiscardsWill(String hex) {
        RawMqttClient watcher = watcher();
        RawMqttClient c = willer("confa-will-discarded", "will/discarded", false);
        String[] parts = hex.split(" ");
        byte[] disconnect = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            disconnect[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        c.send(disconnect);
        c.expectClosed();
        // the will, had it been kept, is published before the client leaves the broker's client list
        await("the server saw the client leave").atMost(Duration.ofSeconds(10)).until(() -> broker.broker()
                .clients().stream().noneMatch(info -> info.clientId().equals("confa-will-discarded")));
        RawMqttClient marker = client("confa-will-marker");
        marker.send(ConfA5.publish("will/marker", 0, false, 0, "marker"));
        assertThat(receive(watcher).topic()).as("the first message after the DISCONNECT").isEqualTo("will/marker");
    }

    @ParameterizedTest(name = "DISCONNECT first byte 0x{0}")
    @ValueSource(strings = {"E1", "E2", "E4", "E8", "EF"})
    @Tag("MQTT-3.14.1-1")
    @DisplayName("[MQTT-3.14.1-1] a DISCONNECT with non-zero reserved flags is malformed: the server answers "
            + "DISCONNECT 0x81 and closes, and the will is published as for any abnormal end")
    void disconnectReservedFlags(String firstByte) {
        RawMqttClient watcher = watcher();
        RawMqttClient c = willer("confa-bad-disconnect", "will/bad-disconnect", false);
        c.send(Wire.bytes(Integer.parseInt(firstByte, 16), 0x01, 0x00));
        ConfA5.expectDisconnect(c, 0x81);
        assertThat(receive(watcher).topic()).isEqualTo("will/bad-disconnect");
    }

    @Test
    @Tag("MQTT-3.14.2-1")
    @Tag("MQTT-3.14.2-2")
    @Tag("MQTT-4.13.2-1")
    @DisplayName("[MQTT-3.14.2-1] [MQTT-3.14.2-2] [MQTT-4.13.2-1] every DISCONNECT the server sends has a defined "
            + "reason code and no Session Expiry Interval, and the connection is closed after it")
    void serverDisconnects() {
        byte[] expiry = property(0x11, u32(300));
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<RawPacket> disconnects = new ArrayList<>();

        RawMqttClient twice = client("confa-d-twice", expiry);
        twice.send(Packets.connect("confa-d-twice").mqtt5(expiry).build());
        disconnects.add(twice.expect(Packets.DISCONNECT));
        twice.expectClosed();
        seen.put("second CONNECT", ConfA5.reason(disconnects.get(disconnects.size() - 1)));

        RawMqttClient malformed = client("confa-d-malformed", expiry);
        malformed.send(ConfA5.subscribeWith(0x80, 1, "x", 0));
        disconnects.add(malformed.expect(Packets.DISCONNECT));
        malformed.expectClosed();
        seen.put("malformed SUBSCRIBE", ConfA5.reason(disconnects.get(disconnects.size() - 1)));

        RawMqttClient taken = client("confa-d-taken", expiry);
        client("confa-d-taken", expiry);
        disconnects.add(taken.expect(Packets.DISCONNECT));
        taken.expectClosed();
        seen.put("session taken over", ConfA5.reason(disconnects.get(disconnects.size() - 1)));

        RawMqttClient alias = client("confa-d-alias", expiry);
        alias.send(ConfA5.publish(Wire.utf8("d/alias"), 0, false, 0, ConfA5.props(property(0x23, Wire.u16(0))),
                new byte[] {1}));
        disconnects.add(alias.expect(Packets.DISCONNECT));
        alias.expectClosed();
        seen.put("topic alias 0", ConfA5.reason(disconnects.get(disconnects.size() - 1)));

        assertThat(seen).containsExactly(Map.entry("second CONNECT", 0x82), Map.entry("malformed SUBSCRIBE", 0x81),
                Map.entry("session taken over", 0x8E), Map.entry("topic alias 0", 0x94));
        assertThat(seen.values()).allMatch(DISCONNECT_REASON_CODES::contains);
        for (RawPacket d : disconnects) {
            assertThat(d.flags()).isZero();
            assertThat(ConfA5.reasonProperties(d).has(0x11)).as("Session Expiry Interval in %s", d).isFalse();
        }
    }

    @Test
    @Tag("MQTT-3.14.2-4")
    @DisplayName("[MQTT-3.14.2-4] to a client with a small Maximum Packet Size, the server's DISCONNECT carries no "
            + "User Property that would not fit, and stays within the size")
    void disconnectWithinMaximumPacketSize() {
        // the client's maximum is the size of the server's CONNACK, so that the CONNACK itself fits
        RawMqttClient measure = broker.rawClient("confa-d-measure");
        int max = ConfA5.wireSize(ConfA5.connectAccepted(measure, Packets.connect("confa-d-measure").mqtt5()));
        RawMqttClient c = client("confa-d-small", property(0x27, u32(max)));
        c.send(Packets.connect("confa-d-small").mqtt5().build());
        RawPacket d = c.expect(Packets.DISCONNECT);
        assertThat(ConfA5.reason(d)).isEqualTo(0x82);
        assertThat(ConfA5.reasonProperties(d).ids()).as("DISCONNECT properties").doesNotContain(0x26);
        assertThat(ConfA5.wireSize(d)).isLessThanOrEqualTo(max);
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-3.14.4-1")
    @Tag("MQTT-3.14.4-2")
    @DisplayName("[MQTT-3.14.4-1] [MQTT-3.14.4-2] once the server has sent DISCONNECT it sends nothing more on "
            + "that connection, though messages for the client keep coming, and closes it")
    void nothingAfterServerDisconnect() {
        RawMqttClient c = client("confa-d-flood");
        c.send(ConfA5.subscribe(1, "flood/#", 0));
        c.expect(Packets.SUBACK);
        RawMqttClient publisher = client("confa-d-flood-pub");
        byte[][] burst = new byte[200][];
        for (int i = 0; i < burst.length; i++) {
            burst[i] = ConfA5.publish("flood/" + i, 0, false, 0, "message " + i);
        }
        publisher.send(burst);
        c.send(Packets.connect("confa-d-flood").mqtt5().build()); // a Protocol Error among the deliveries
        publisher.send(burst);
        int delivered = 0;
        while (true) {
            RawPacket p = c.receive();
            if (p.type() == Packets.DISCONNECT) {
                assertThat(ConfA5.reason(p)).isEqualTo(0x82);
                break;
            }
            assertThat(p.type()).as("before DISCONNECT: %s", p).isEqualTo(Packets.PUBLISH);
            delivered++;
        }
        c.expectClosed(); // fails if any packet follows the DISCONNECT
        assertThat(delivered).isLessThanOrEqualTo(400);
    }
}
