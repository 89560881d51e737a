package io.cairn.kernel.embedded;

import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.Authorizer;
import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.auth.ServerRedirector;
import io.cairn.api.bridge.BridgeContext;
import io.cairn.api.broker.Broker;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.transport.Transport;
import io.cairn.api.transport.TransportContext;
import io.cairn.kernel.Kernel;
import io.cairn.kernel.auth.Provider;
import io.cairn.kernel.intercept.FaultBudget;
import io.cairn.kernel.protocol.AuthPlugins;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
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
    private final Map<String, FaultBudget> faultBudgets = new HashMap<>();
    private final List<Transport> transports;
    private final List<Provider<Authenticator>> authenticators;
    private final List<Provider<Authorizer>> authorizers;
    private long order;

    private EmbeddedBroker(Kernel kernel, List<Transport> transports, List<Provider<Authenticator>> authenticators,
                           List<Provider<Authorizer>> authorizers) {
        this.kernel = kernel;
        this.transports = transports;
        this.authenticators = new ArrayList<>(authenticators);
        this.authorizers = new ArrayList<>(authorizers);
        this.order = authenticators.size() + authorizers.size();
    }

    /**
     * Adds an authenticator while the broker runs; each listener's chain is rebuilt and the next CONNECT sees it.
     *
     * @param name    the name listeners select it by ({@link io.cairn.api.auth.ListenerSecurity})
     * @param ranking its place in the chains: higher is asked first
     */
    public synchronized void addAuthenticator(String name, int ranking, Authenticator authenticator) {
        authenticators.add(Provider.ranked(Objects.requireNonNull(authenticator, "authenticator"), name, ranking,
                order++));
        kernel.authProviders(List.copyOf(authenticators), List.copyOf(authorizers));
    }

    /** Removes an authenticator while the broker runs; a listener left without one refuses clients. */
    public synchronized void removeAuthenticator(Authenticator authenticator) {
        authenticators.removeIf(p -> p.service() == authenticator);
        kernel.authProviders(List.copyOf(authenticators), List.copyOf(authorizers));
    }

    /** Adds an authorizer while the broker runs; connected clients' subscriptions are checked against it. */
    public synchronized void addAuthorizer(String name, int ranking, Authorizer authorizer) {
        authorizers.add(Provider.ranked(Objects.requireNonNull(authorizer, "authorizer"), name, ranking, order++));
        kernel.authProviders(List.copyOf(authenticators), List.copyOf(authorizers));
    }

    /** Removes an authorizer while the broker runs. */
    public synchronized void removeAuthorizer(Authorizer authorizer) {
        authorizers.removeIf(p -> p.service() == authorizer);
        kernel.authProviders(List.copyOf(authenticators), List.copyOf(authorizers));
    }

    /**
     * Adds an interceptor (an object implementing one or more {@code io.cairn.api.intercept} interfaces) while the
     * broker runs; the next packet of every client sees it. Interceptors added under one {@code name} share a fault
     * budget (the settings' {@code interceptorErrorBudget} per minute): the failure that exhausts it removes them
     * all, as a quarantined bundle's would be.
     *
     * @param properties the service properties it would have in OSGi ({@code io.cairn.api.intercept.InterceptorProperties})
     * @throws IllegalArgumentException if it implements no interceptor interface or a property is invalid
     */
    public synchronized void addInterceptor(String name, int ranking, Object interceptor, Map<String, ?> properties) {
        // interceptors added again after their quarantine get a fresh budget
        FaultBudget budget = faultBudgets.compute(name, (n, old) -> old != null && !old.exhausted() ? old
                : new FaultBudget(n, null, kernel.settings().interceptorErrorBudget(), TimeUnit.MINUTES.toNanos(1)));
        kernel.interceptors().add(Objects.requireNonNull(interceptor, "interceptor"), budget, ranking, order++,
                properties);
    }

    /** Removes an interceptor while the broker runs. */
    public synchronized void removeInterceptor(Object interceptor) {
        kernel.interceptors().remove(interceptor);
    }

    /** The fault budget of the interceptors added under {@code name}, or {@code null}. */
    public synchronized FaultBudget interceptorFaults(String name) {
        return faultBudgets.get(name);
    }

    /**
     * Moves the broker's sessions and retained messages to other stores while it runs: connected clients stay
     * connected, and every persistent session (with its queued and in-flight messages) and retained message is
     * written to the new stores, which from then on get every change. Whatever else the new stores held (from an
     * earlier time they were in force) is removed from them. The old stores are no longer written to.
     */
    public synchronized void switchStores(SessionStore sessions, RetainedStore retained) {
        kernel.useSessionStore(Objects.requireNonNull(sessions, "sessions"));
        kernel.useRetainedStore(Objects.requireNonNull(retained, "retained"));
    }

    /** A builder with the default settings, no transport and no store. */
    public static Builder builder() {
        return new Builder();
    }

    /** The broker service: clients, sessions, listeners, counters, publish. */
    public Broker broker() {
        return kernel.broker();
    }

    /**
     * What bridges get: the in-process endpoint a bridge's local client connects to and the list of running
     * bridges ({@code broker().bridges()}).
     */
    public BridgeContext bridgeContext() {
        return kernel.bridgeContext();
    }

    /**
     * The context a transport started while the broker runs binds through: {@code transport.start(
     * broker.transportContext())} adds a listener, and a transport that binds the name and address of one that was
     * handed over ({@link io.cairn.api.transport.ListenerRegistration#handOver}) adopts its socket. Transports
     * started this way are the caller's to stop; {@link #close()} closes their sockets with the kernel.
     */
    public TransportContext transportContext() {
        return kernel.transportContext();
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
        private final List<Map.Entry<String, EnhancedAuthenticator>> authenticators = new ArrayList<>();
        private final List<ServerRedirector> redirectors = new ArrayList<>();
        private final List<Provider<Authenticator>> passwordAuthenticators = new ArrayList<>();
        private final List<Provider<Authorizer>> authorizers = new ArrayList<>();

        private Builder() {
        }

        /** Adds an MQTT 5 authentication method; for one method, the first added is used. */
        public Builder enhancedAuthenticator(EnhancedAuthenticator value) {
            return enhancedAuthenticator("", value);
        }

        /**
         * Adds an MQTT 5 authentication method named {@code name}: a listener offers it when its
         * {@code authenticators} selector picks that name (one that selects all offers unnamed ones too).
         */
        public Builder enhancedAuthenticator(String name, EnhancedAuthenticator value) {
            authenticators.add(Map.entry(Objects.requireNonNull(name, "name"),
                    Objects.requireNonNull(value, "authenticator")));
            return this;
        }

        /**
         * Adds an authenticator named {@code name} (listeners select providers by name, see
         * {@link io.cairn.api.auth.ListenerSecurity}); authenticators are asked in the order added.
         */
        public Builder authenticator(String name, Authenticator value) {
            return authenticator(name, 0, value);
        }

        /** Adds an authenticator named {@code name}; those of higher {@code ranking} are asked first. */
        public Builder authenticator(String name, int ranking, Authenticator value) {
            passwordAuthenticators.add(Provider.ranked(Objects.requireNonNull(value, "authenticator"), name, ranking,
                    passwordAuthenticators.size() + authorizers.size()));
            return this;
        }

        /** Adds an unnamed authenticator (chosen by listeners that select all providers). */
        public Builder authenticator(Authenticator value) {
            return authenticator("", value);
        }

        /** Adds an authorizer named {@code name}; authorizers are asked in the order added. */
        public Builder authorizer(String name, Authorizer value) {
            return authorizer(name, 0, value);
        }

        /** Adds an authorizer named {@code name}; those of higher {@code ranking} are asked first. */
        public Builder authorizer(String name, int ranking, Authorizer value) {
            authorizers.add(Provider.ranked(Objects.requireNonNull(value, "authorizer"), name, ranking,
                    passwordAuthenticators.size() + authorizers.size()));
            return this;
        }

        /** Adds an unnamed authorizer (chosen by listeners that select all providers). */
        public Builder authorizer(Authorizer value) {
            return authorizer("", value);
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
            List<Provider<EnhancedAuthenticator>> methods = new ArrayList<>();
            for (int i = 0; i < authenticators.size(); i++) {
                methods.add(Provider.of(authenticators.get(i).getValue(), authenticators.get(i).getKey(), i));
            }
            kernel.authPlugins(new AuthPlugins(methods, redirectors));
            kernel.authProviders(passwordAuthenticators, authorizers);
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
                new EmbeddedBroker(kernel, started, List.of(), List.of()).close();
                throw e;
            }
            return new EmbeddedBroker(kernel, List.copyOf(started), passwordAuthenticators, authorizers);
        }
    }
}
