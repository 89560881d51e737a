package io.cairn.kernel.interop.v5;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.kernel.testsupport.BrokerConfig;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;

/**
 * An embedded broker that accepts one connection at a time, so that a second CONNECT is refused with CONNACK 0x89
 * (Server busy): a refusal every MQTT 5 client library knows, which the suite's standard broker never gives.
 */
final class BusyBroker implements AutoCloseable {

    private final EmbeddedBroker embedded;

    private BusyBroker(EmbeddedBroker embedded) {
        this.embedded = embedded;
    }

    /** Starts the broker on an ephemeral port of 127.0.0.1; returns once it listens. */
    static BusyBroker start() throws Exception {
        return new BusyBroker(EmbeddedBroker.builder()
                .settings(BrokerConfig.standard().toSettings().toBuilder().maxConnections(1).build())
                .transport(new TcpTransport("busy", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore())
                .retainedStore(new MemoryRetainedStore())
                .start());
    }

    /** The port of its listener on 127.0.0.1. */
    int port() {
        return embedded.listeners().get(0).port();
    }

    @Override
    public void close() {
        embedded.close();
    }
}
