package io.cairn.kernel.testsupport;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.Broker;
import io.cairn.api.persistence.SessionStore;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.util.ArrayList;
import java.util.List;

/**
 * An embedded broker for one test or test class: the real kernel, without OSGi, listening on an ephemeral
 * loopback port with the TCP transport and the memory stores. Raw clients opened through it are closed with it.
 */
public final class TestBroker implements AutoCloseable {

    private final EmbeddedBroker embedded;
    private final int port;
    private final List<AutoCloseable> resources = new ArrayList<>();

    private TestBroker(EmbeddedBroker embedded) {
        this.embedded = embedded;
        this.port = embedded.listeners().get(0).port();
    }

    /** Starts a broker with {@code config} and the memory stores; returns once it listens. */
    public static TestBroker start(BrokerConfig config) throws Exception {
        return start(config, new MemorySessionStore());
    }

    /** Starts a broker with {@code config} and {@code sessionStore}; returns once it listens. */
    public static TestBroker start(BrokerConfig config, SessionStore sessionStore) throws Exception {
        EmbeddedBroker embedded = config.plugins(EmbeddedBroker.builder())
                .settings(config.toSettings())
                .transport(new TcpTransport("test", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(sessionStore)
                .retainedStore(new MemoryRetainedStore())
                .start();
        return new TestBroker(embedded);
    }

    /** The port the TCP listener is bound to on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The listener as a URI for client libraries: {@code tcp://127.0.0.1:port}. */
    public String tcpUri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The broker service: clients, sessions, statistics, disconnect. */
    public Broker broker() {
        return embedded.broker();
    }

    /** The embedded broker itself. */
    public EmbeddedBroker embedded() {
        return embedded;
    }

    /** Opens a raw connection (nothing sent yet), closed at the latest when this broker is. */
    public RawMqttClient rawClient(String name) {
        RawMqttClient c = RawMqttClient.open(name, port);
        track(c);
        return c;
    }

    /** Opens a raw connection and connects with {@code clientId} and a clean session. */
    public RawMqttClient connect(String clientId) {
        return rawClient(clientId).connect(clientId);
    }

    /** Opens a raw connection and sends {@code connect}, asserting it is accepted. */
    public RawMqttClient connect(Packets.Connect connect, String name) {
        return rawClient(name).connectAccepted(connect);
    }

    /** Closes {@code resource} before this broker closes (clients of any library). */
    public <T extends AutoCloseable> T track(T resource) {
        synchronized (resources) {
            resources.add(resource);
        }
        return resource;
    }

    /**
     * Closes every tracked resource, newest first, keeping the broker running.
     *
     * @throws IllegalStateException if a resource failed to close (after trying all of them)
     */
    public void closeResources() {
        List<AutoCloseable> toClose;
        synchronized (resources) {
            toClose = new ArrayList<>(resources);
            resources.clear();
        }
        IllegalStateException failure = null;
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (failure == null) {
                    failure = new IllegalStateException("could not close every test client", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes the tracked resources, then the broker. */
    @Override
    public void close() {
        try {
            closeResources();
        } finally {
            embedded.close();
        }
    }
}
