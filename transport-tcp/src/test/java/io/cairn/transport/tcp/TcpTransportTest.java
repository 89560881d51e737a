package io.cairn.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.transport.testing.FakeTransportContext;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TcpTransportTest {

    private final FakeTransportContext context = new FakeTransportContext();
    private final TcpTransport first = new TcpTransport("first", "127.0.0.1", 0);

    @AfterEach
    void tearDown() {
        first.stop();
        context.close();
    }

    @Test
    @DisplayName("port 0 binds a free port and registers the listener with the port actually bound")
    void registersTheBoundPort() throws Exception {
        first.start(context);

        InetSocketAddress local = first.localAddress();
        assertThat(local.getPort()).isPositive();
        assertThat(context.listeners()).containsOnlyKeys("first");
        assertThat(context.listeners().get("first"))
                .isEqualTo(new ListenerInfo("first", "mqtt", "127.0.0.1", local.getPort()));
        assertThat(context.events()).containsExactly("open mqtt://127.0.0.1:" + local.getPort());
    }

    @Test
    @DisplayName("an accepted connection gets the kernel pipeline, initialised with the listener's name")
    void acceptedConnectionsGetTheKernelPipeline() throws Exception {
        first.start(context);

        try (Sockets.Client client = Sockets.connect(first.localAddress().getPort())) {
            assertThat(client.readLine()).isEqualTo("first");
            assertThat(client.echo("ping")).isEqualTo("ping");
        }
    }

    @Test
    @DisplayName("a host name is registered as the address literal it resolved to")
    void hostNameIsRegisteredAsLiteral() throws Exception {
        TcpTransport named = new TcpTransport("named", "localhost", 0);
        try {
            named.start(context);

            ListenerInfo info = context.listeners().get("named");
            assertThat(info.host()).isEqualTo(named.localAddress().getAddress().getHostAddress());
            assertThat(info.host()).doesNotContain("localhost");
        } finally {
            named.stop();
        }
    }

    @Test
    @DisplayName("stop unregisters the listener and releases the port, but accepted connections stay open")
    void stopClosesTheListenerButNotTheConnections() throws Exception {
        first.start(context);
        int port = first.localAddress().getPort();

        try (Sockets.Client client = Sockets.connect(port)) {
            assertThat(client.readLine()).isEqualTo("first");

            first.stop();

            assertThat(first.isStarted()).isFalse();
            assertThat(context.listeners()).isEmpty();
            assertThat(context.events()).containsExactly("open mqtt://127.0.0.1:" + port,
                    "closed mqtt://127.0.0.1:" + port);
            Sockets.awaitClosed(port);
            assertThatThrownBy(() -> Sockets.connect(port)).isInstanceOf(ConnectException.class);
            assertThat(client.echo("still served")).isEqualTo("still served");
        }
    }

    @Test
    @DisplayName("stop is idempotent and a stopped transport can be started again")
    void restart() throws Exception {
        first.stop();
        first.start(context);
        first.stop();
        first.stop();
        first.start(context);

        try (Sockets.Client client = Sockets.connect(first.localAddress().getPort())) {
            assertThat(client.readLine()).isEqualTo("first");
        }
        assertThat(context.listeners()).containsOnlyKeys("first");
    }

    @Test
    @DisplayName("a port in use fails start with a message naming listener, address and cause")
    void bindFailureNamesListenerAddressAndCause() throws Exception {
        first.start(context);
        int port = first.localAddress().getPort();
        TcpTransport second = new TcpTransport("second", "127.0.0.1", port);

        assertThatThrownBy(() -> second.start(context))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("Listener second")
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("Address already in use");
        assertThat(second.isStarted()).isFalse();
        assertThat(context.listeners()).containsOnlyKeys("first");
        try (Sockets.Client client = Sockets.connect(port)) {
            assertThat(client.readLine()).isEqualTo("first");
        }
    }

    @Test
    @DisplayName("a host that does not resolve fails start with a message naming it")
    void unknownHost() {
        TcpTransport unknown = new TcpTransport("nowhere", "no-such-host.invalid", 0);

        assertThatThrownBy(() -> unknown.start(context))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("Listener nowhere")
                .hasMessageContaining("no-such-host.invalid");
        assertThat(context.listeners()).isEmpty();
    }

    @Test
    @DisplayName("a name the kernel already has is refused and the socket is released again")
    void duplicateNameReleasesThePort() throws Exception {
        first.start(context);
        int port = Sockets.freePort();
        TcpTransport twin = new TcpTransport("first", "127.0.0.1", port);

        assertThatThrownBy(() -> twin.start(context))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("first");
        assertThat(twin.isStarted()).isFalse();
        Sockets.awaitClosed(port);
        assertThat(context.listeners().get("first").port()).isEqualTo(first.localAddress().getPort());
    }

    @Test
    @DisplayName("starting a started transport is refused and leaves it bound")
    void startTwice() throws Exception {
        first.start(context);
        int port = first.localAddress().getPort();

        assertThatThrownBy(() -> first.start(context)).isInstanceOf(IllegalStateException.class);
        assertThat(first.localAddress().getPort()).isEqualTo(port);
        assertThat(Sockets.isOpen(port)).isTrue();
    }

    @Test
    @DisplayName("localAddress before start is refused")
    void localAddressBeforeStart() {
        assertThatThrownBy(first::localAddress)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("first");
    }

    @Test
    @DisplayName("the constructor rejects blank names and hosts, ports outside 0..65535 and a backlog below 1")
    void constructorValidates() {
        assertThatThrownBy(() -> new TcpTransport(" ", "127.0.0.1", 1883))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> new TcpTransport("l", "", 1883))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host");
        assertThatThrownBy(() -> new TcpTransport("l", "127.0.0.1", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> new TcpTransport("l", "127.0.0.1", 65536))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
        assertThatThrownBy(() -> new TcpTransport("l", "127.0.0.1", 1883, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backlog");
        assertThat(new TcpTransport("l", "127.0.0.1", 1883).backlog()).isEqualTo(TcpTransport.DEFAULT_BACKLOG);
    }
}
