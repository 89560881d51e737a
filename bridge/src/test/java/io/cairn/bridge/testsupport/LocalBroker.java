package io.cairn.bridge.testsupport;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;

/** The real Cairn broker in-process on 127.0.0.1 (TCP transport, ephemeral port) for the local side of bridges. */
public final class LocalBroker {

    private LocalBroker() {
    }

    /** A broker on the memory stores. */
    public static EmbeddedBroker start() throws Exception {
        return start(new MemorySessionStore(), new MemoryRetainedStore());
    }

    /** A broker on the given stores. */
    public static EmbeddedBroker start(SessionStore sessions, RetainedStore retained) throws Exception {
        return EmbeddedBroker.builder()
                .settings(BrokerSettings.builder().build())
                .transport(new TcpTransport("local", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(sessions)
                .retainedStore(retained)
                .start();
    }

    /** {@code tcp://127.0.0.1:<port>} of the broker's listener, for Paho. */
    public static String uri(EmbeddedBroker broker) {
        return "tcp://127.0.0.1:" + broker.listeners().get(0).port();
    }
}
