package io.cairn.client.testsupport;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.util.function.UnaryOperator;

/** Starts the real Cairn broker in-process on 127.0.0.1 with the TCP transport and the memory stores. */
public final class Brokers {

    private Brokers() {
    }

    /** A broker with the default settings on an ephemeral port. */
    public static EmbeddedBroker start() throws Exception {
        return start(0, s -> s);
    }

    /** A broker on {@code port} (0 for ephemeral) with settings changed by {@code settings}. */
    public static EmbeddedBroker start(int port, UnaryOperator<BrokerSettings.Builder> settings) throws Exception {
        return EmbeddedBroker.builder()
                .settings(settings.apply(BrokerSettings.builder()).build())
                .transport(new TcpTransport("test", "127.0.0.1", port, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore())
                .retainedStore(new MemoryRetainedStore())
                .start();
    }

    /** The port the broker's TCP listener is bound to. */
    public static int port(EmbeddedBroker broker) {
        return broker.listeners().get(0).port();
    }
}
