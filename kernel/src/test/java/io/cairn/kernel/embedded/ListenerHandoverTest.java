package io.cairn.kernel.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerStatus;
import io.cairn.kernel.testsupport.ConfA5;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A listener's socket handed from one transport to the next, as a transport bundle update does it: the socket stays
 * open, connection attempts in between wait instead of being refused, open connections stay (or are drained with
 * 0x8B once the new transport serves), and a socket nobody adopts closes after its wait.
 */
class ListenerHandoverTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ListenerSecurity ANONYMOUS = new ListenerSecurity(true, "", "");

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private EmbeddedBroker broker;
    private TcpTransport first;

    @AfterEach
    void close() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private int start() throws Exception {
        first = new TcpTransport("main", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG, ANONYMOUS);
        broker = EmbeddedBroker.builder().transport(first).sessionStore(new MemorySessionStore()).start();
        return first.localAddress().getPort();
    }

    private TcpTransport next(int port) throws Exception {
        TcpTransport t = new TcpTransport("main", "127.0.0.1", port, TcpTransport.DEFAULT_BACKLOG, ANONYMOUS);
        t.start(broker.transportContext());
        closeAfter.add(t::stop);
        return t;
    }

    private RawMqttClient open(String name, int port) {
        RawMqttClient c = RawMqttClient.open(name, port);
        closeAfter.add(c);
        return c;
    }

    private ListenerStatus status() {
        List<ListenerStatus> all = broker.broker().listenerStatus();
        assertThat(all).as("listeners of the broker").hasSize(1);
        return all.get(0);
    }

    @Test
    @DisplayName("a handed-over socket refuses no connection attempt; the next transport adopts it and open "
            + "connections stay")
    void adoptedSocketKeepsConnections() throws Exception {
        int port = start();
        RawMqttClient subscriber = open("subscriber", port).connectAccepted(
                Packets.connect("subscriber").cleanSession(false));
        subscriber.subscribe("swap/#", 1);
        assertThat(status().connections()).isEqualTo(1);

        first.handOver(WAIT, Duration.ZERO);
        assertThat(broker.listeners()).as("listed listeners while handing over").isEmpty();
        assertThat(status().state()).isEqualTo(ListenerStatus.State.HANDING_OVER);

        // the socket is still there: the TCP connection is made, and waits for a transport to serve it
        RawMqttClient late = open("late", port);
        late.send(Packets.connect("late").build());
        late.expectNoPacket(RawMqttClient.QUIET);

        TcpTransport second = next(port);
        assertThat(second.localAddress().getPort()).isEqualTo(port);
        assertThat(late.expectConnack().returnCode()).as("CONNACK of the connection that waited").isZero();
        assertThat(status().state()).isEqualTo(ListenerStatus.State.OPEN);
        await("both connections counted").atMost(WAIT).until(() -> status().connections() == 2);

        // the subscriber's connection, accepted by the first transport, still delivers
        late.publish("swap/after", 1, "after the swap", false);
        RawPacket.Publish p = subscriber.expectPublish();
        assertThat(p.topic()).isEqualTo("swap/after");
        assertThat(new String(p.payload(), StandardCharsets.UTF_8)).isEqualTo("after the swap");
        assertThat(broker.broker().session("subscriber")).hasValueSatisfying(s -> assertThat(s.connected()).isTrue());
    }

    @Test
    @DisplayName("with a drain, the connections of the previous transport are closed once the next one serves: "
            + "MQTT 5 with DISCONNECT 0x8B, MQTT 3.1.1 by closing")
    void drainClosesPreviousConnections() throws Exception {
        int port = start();
        RawMqttClient v5 = open("v5", port);
        ConfA5.connectAccepted(v5, Packets.connect("v5").cleanSession(false).mqtt5());
        RawMqttClient v311 = open("v311", port).connectAccepted(Packets.connect("v311").cleanSession(false));

        first.handOver(WAIT, Duration.ofMillis(200));
        v5.expectNoPacket(RawMqttClient.QUIET); // nothing happens to them before the next transport serves

        next(port);
        ConfA5.expectDisconnect(v5, 0x8B);
        v311.expectClosed();
        // they reconnect through the new transport; their sessions were kept
        RawMqttClient again = open("v311-again", port);
        assertThat(again.connect(Packets.connect("v311").cleanSession(false)).sessionPresent())
                .as("session present on reconnect").isTrue();
    }

    @Test
    @DisplayName("a handed-over socket nobody adopts closes after its wait, with the connections that waited on it")
    void unadoptedSocketCloses() throws Exception {
        int port = start();
        first.handOver(Duration.ofMillis(500), Duration.ZERO);
        RawMqttClient waiting = open("waiting", port);
        waiting.send(Packets.connect("waiting").build());
        waiting.expectClosed(WAIT);
        await("port closed").atMost(WAIT).untilAsserted(() ->
                assertThatThrownBy(() -> RawMqttClient.open("refused", port).close())
                        .isInstanceOf(UncheckedIOException.class));
        assertThat(broker.broker().listenerStatus()).isEmpty();
    }

    @Test
    @DisplayName("a next transport on another port closes the waiting socket and binds its own")
    void nextTransportElsewhere() throws Exception {
        int port = start();
        first.handOver(WAIT, Duration.ZERO);
        int elsewhere;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            elsewhere = probe.getLocalPort();
        }
        TcpTransport second = next(elsewhere);
        assertThat(second.localAddress().getPort()).isEqualTo(elsewhere);
        assertThatThrownBy(() -> RawMqttClient.open("old port", port).close())
                .isInstanceOf(UncheckedIOException.class);
        open("new port", second.localAddress().getPort()).connectAccepted(Packets.connect("x"));
        assertThat(status().listener().port()).isEqualTo(second.localAddress().getPort());
    }
}
