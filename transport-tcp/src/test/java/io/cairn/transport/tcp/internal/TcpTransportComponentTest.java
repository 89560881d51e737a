package io.cairn.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.transport.testing.FakeTransportContext;
import io.cairn.api.transport.testing.ListenerFiles;
import io.cairn.transport.tcp.Sockets;
import io.cairn.transport.tcp.TcpTransport;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TcpTransportComponentTest {

    private static final String FILE = "/opt/cairn/etc/io.cairn.transport.tcp-default.cfg";

    private final FakeTransportContext context = new FakeTransportContext();
    private final TcpTransportComponent component = new TcpTransportComponent(context);
    private final ErrorLog log = new ErrorLog();

    @AfterEach
    void tearDown() {
        component.close();
        context.close();
        log.close();
    }

    private void apply(Map<String, Object> properties) {
        component.apply(properties);
    }

    private int boundPort() {
        return component.localAddress().orElseThrow().getPort();
    }

    @Test
    @DisplayName("a configuration file binds a listener with its name, host and port")
    void bindsTheConfiguredListener() throws Exception {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "host", "127.0.0.1", "port", "0"));

        assertThat(context.listeners()).containsOnlyKeys("default");
        try (Sockets.Client client = Sockets.connect(boundPort())) {
            assertThat(client.readLine()).isEqualTo("default");
        }
        assertThat(log.errors()).isEmpty();
    }

    @Test
    @DisplayName("without a name key the listener is named after its configuration file")
    void nameDefaultsToTheFactoryName() {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, "/etc/io.cairn.transport.tcp-edge.cfg", "port", "0"));
        assertThat(context.listeners()).containsOnlyKeys("edge");
        assertThat(context.listeners().get("edge").host()).isEqualTo("127.0.0.1");
    }

    @Test
    @DisplayName("a port outside 0..65535 logs one error naming the file and the key, and no listener starts")
    void portOutOfRange() {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", "70000"));

        assertThat(context.listeners()).isEmpty();
        assertThat(component.localAddress()).isEmpty();
        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line)
                .contains(FILE).contains("key port").contains("70000").contains("listener not started"));
    }

    @Test
    @DisplayName("a port that is not a number logs one error naming the file and the key")
    void portNotANumber() {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", "18x3"));

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line)
                .contains(FILE).contains("key port").contains("18x3").contains("not a number"));
    }

    @Test
    @DisplayName("an empty host or name logs one error naming the file and the key")
    void emptyHostAndName() {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "host", " ", "port", "0"));
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "", "port", "0"));

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).hasSize(2);
        assertThat(log.errors().get(0)).contains(FILE).contains("key host").contains("must not be empty");
        assertThat(log.errors().get(1)).contains(FILE).contains("key name").contains("must not be empty");
    }

    @Test
    @DisplayName("a backlog below 1 logs one error naming the file and the key")
    void backlogBelowOne() {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "port", "0", "backlog", "0"));

        assertThat(context.listeners()).isEmpty();
        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line)
                .contains(FILE).contains("key backlog"));
    }

    @Test
    @DisplayName("a configuration not created from a file is named by its PID in the error")
    void errorNamesThePidWithoutAFile() {
        apply(Map.of("service.pid", "io.cairn.transport.tcp~api", "name", "api", "port", "-5"));

        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line)
                .contains("io.cairn.transport.tcp~api").contains("key port"));
    }

    @Test
    @DisplayName("a port in use logs one error naming the file and the cause; the listener is not started")
    void portInUse() throws Exception {
        try (FakeTransportContext other = new FakeTransportContext()) {
            TcpTransport holder = new TcpTransport("holder", "127.0.0.1", 0);
            holder.start(other);
            try {
                int taken = holder.localAddress().getPort();
                apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", String.valueOf(taken)));

                assertThat(context.listeners()).isEmpty();
                assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line)
                        .contains(FILE).contains("127.0.0.1:" + taken).contains("Address already in use")
                        .contains("listener not started"));
            } finally {
                holder.stop();
            }
        }
    }

    @Test
    @DisplayName("a changed port rebinds: the old port closes and the new one opens")
    void modifiedPortRebinds() throws Exception {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", "0"));
        int oldPort = boundPort();
        int newPort = Sockets.freePort();

        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", String.valueOf(newPort)));

        assertThat(boundPort()).isEqualTo(newPort);
        Sockets.awaitClosed(oldPort);
        try (Sockets.Client client = Sockets.connect(newPort)) {
            assertThat(client.readLine()).isEqualTo("default");
        }
        assertThat(context.listeners().get("default").port()).isEqualTo(newPort);
        assertThat(context.events()).containsExactly("open mqtt://127.0.0.1:" + oldPort,
                "closed mqtt://127.0.0.1:" + oldPort, "open mqtt://127.0.0.1:" + newPort);
    }

    @Test
    @DisplayName("an unchanged configuration does not rebind")
    void unchangedConfigurationKeepsTheSocket() {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", "0", "host", "127.0.0.1"));
        int port = boundPort();

        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", "0", "host", "127.0.0.1"));

        assertThat(boundPort()).isEqualTo(port);
        assertThat(context.events()).containsExactly("open mqtt://127.0.0.1:" + port);
    }

    @Test
    @DisplayName("an invalid change is rejected and the running listener keeps its address")
    void invalidChangeKeepsTheOldListener() throws Exception {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", "0"));
        int port = boundPort();

        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", "99999"));

        assertThat(boundPort()).isEqualTo(port);
        assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line)
                .contains(FILE).contains("key port").contains("keeps running"));
        try (Sockets.Client client = Sockets.connect(port)) {
            assertThat(client.readLine()).isEqualTo("default");
        }
    }

    @Test
    @DisplayName("a change to a port in use is logged and the previous address is bound again")
    void changeToPortInUseRestoresTheOldAddress() throws Exception {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", "0"));
        int port = boundPort();
        int registrations = context.events().size();
        try (FakeTransportContext other = new FakeTransportContext()) {
            TcpTransport holder = new TcpTransport("holder", "127.0.0.1", 0);
            holder.start(other);
            try {
                int taken = holder.localAddress().getPort();
                apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", String.valueOf(taken)));

                assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line)
                        .contains(FILE).contains("Address already in use").contains("kept on"));
                assertThat(boundPort()).isEqualTo(port);
                assertThat(context.listeners().get("default").port()).isEqualTo(port);
                assertThat(context.events()).hasSize(registrations + 2);
                try (Sockets.Client client = Sockets.connect(port)) {
                    assertThat(client.readLine()).isEqualTo("default");
                }
            } finally {
                holder.stop();
            }
        }
    }

    @Test
    @DisplayName("close unregisters the listener and releases the port")
    void closeReleasesThePort() {
        apply(ListenerFiles.fromFile(TcpTransportComponent.PID, FILE, "name", "default", "port", "0"));
        int port = boundPort();

        component.close();

        assertThat(component.localAddress()).isEmpty();
        assertThat(context.listeners()).isEmpty();
        Sockets.awaitClosed(port);
    }
}
