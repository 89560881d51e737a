package io.cairn.kernel.embedded;

import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.auth.ServerRedirector;
import io.cairn.kernel.protocol.AuthPlugins;

import io.cairn.api.broker.Broker;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.transport.Transport;
import io.cairn.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Cairn broker running in-process without OSGi.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = EmbeddedBroker.builder()
 *         .transport(new TcpTransport("default", "127.0.0.1", 1883))
 *         .sessionStore(new MemorySessionStore())
 *         .retainedStore(new MemoryRetainedStore())
 *         .start()) {
 *     ...
 * }
 * }</pre>
 *
 * Thread-safe. {@link #close()} stops the listeners, closes every connection and stops the event loops.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final Kernel kernel;
    private final List<Transport> transports;

    private EmbeddedBroker(Kernel kernel, List<Transport> transports) {
        this.kernel = kernel;
        this.transports = transports;
    }

    /** A builder with the default settings, no transport and no store. */
    public static Builder builder() {
        return new Builder();
    }

    /** The broker service: clients, sessions, listeners, counters, publish. */
    public Broker broker() {
        return kernel.broker();
    }

    /** The listeners open now, with their bound ports. */
    public List<ListenerInfo> listeners() {
        return kernel.broker().listeners();
    }

    @Override
    public void close() {
        for (Transport t : transports) {
            try {
                t.stop();
            } catch (RuntimeException e) {
                LOG.warn("Listener {} did not stop cleanly", t.name(), e);
            }
        }
        kernel.close();
    }

    /** Collects what the broker is made of. Not thread-safe. */
    public static final class Builder {
        private BrokerSettings settings = BrokerSettings.defaults();
        private final List<Transport> transports = new ArrayList<>();
        private SessionStore sessionStore;
        private RetainedStore retainedStore;
        private final List<EnhancedAuthenticator> authenticators = new ArrayList<>();
        private final List<ServerRedirector> redirectors = new ArrayList<>();

        private Builder() {
        }

        /** Adds an MQTT 5 authentication method; for one method, the first added is used. */
        public Builder enhancedAuthenticator(EnhancedAuthenticator value) {
            authenticators.add(Objects.requireNonNull(value, "authenticator"));
            return this;
        }

        /** Adds a server redirector; they are asked in the order added. */
        public Builder serverRedirector(ServerRedirector value) {
            redirectors.add(Objects.requireNonNull(value, "redirector"));
            return this;
        }

        public Builder settings(BrokerSettings value) {
            settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        /** Adds a listener; several may be added. */
        public Builder transport(Transport value) {
            transports.add(Objects.requireNonNull(value, "transport"));
            return this;
        }

        /** The session store; without one, sessions live in the kernel's memory only. */
        public Builder sessionStore(SessionStore value) {
            sessionStore = value;
            return this;
        }

        /** The retained store; without one, retained messages live in the kernel's memory only. */
        public Builder retainedStore(RetainedStore value) {
            retainedStore = value;
            return this;
        }

        /**
         * Starts the kernel, loads the stores and binds every transport.
         *
         * @throws Exception if a transport cannot bind; the broker is then stopped again
         */
        public EmbeddedBroker start() throws Exception {
            Kernel kernel = Kernel.start(settings);
            kernel.authPlugins(new AuthPlugins(authenticators, redirectors));
            List<Transport> started = new ArrayList<>();
            try {
                if (sessionStore != null) {
                    kernel.useSessionStore(sessionStore);
                }
                if (retainedStore != null) {
                    kernel.useRetainedStore(retainedStore);
                }
                for (Transport t : transports) {
                    t.start(kernel.transportContext());
                    started.add(t);
                }
            } catch (Exception | Error e) {
                new EmbeddedBroker(kernel, started).close();
                throw e;
            }
            return new EmbeddedBroker(kernel, List.copyOf(started));
        }
    }
}
