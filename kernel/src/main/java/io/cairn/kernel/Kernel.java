package io.cairn.kernel;

import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.Authorizer;
import io.cairn.api.bridge.BridgeContext;
import io.cairn.api.broker.Broker;
import io.cairn.api.broker.DropReason;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import io.cairn.api.transport.TransportContext;
import io.cairn.kernel.auth.Provider;
import io.cairn.kernel.auth.Security;
import io.cairn.kernel.intercept.FaultBudget;
import io.cairn.kernel.intercept.Interceptors;
import io.cairn.kernel.delivery.Lanes;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.delivery.RetainedMessages;
import io.cairn.kernel.delivery.Router;
import io.cairn.kernel.delivery.SharedGroup;
import io.cairn.kernel.delivery.SharedSubscriptions;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.netty.EventLoops;
import io.cairn.kernel.protocol.AuthPlugins;
import io.cairn.kernel.protocol.ListenerCounters;
import io.cairn.kernel.protocol.MqttConnection;
import io.cairn.kernel.routing.TopicTree;
import io.cairn.kernel.session.Session;
import io.cairn.kernel.session.SessionHost;
import io.cairn.kernel.session.SessionRegistry;
import io.cairn.kernel.store.NoSessionStore;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker engine: owns the event loops, the session registry, the subscription index, the retained
 * messages and the stores in force, and wires them together. Used directly by {@code EmbeddedBroker} and by the
 * OSGi component; both are thin wrappers.
 */
public final class Kernel implements SessionHost, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Kernel.class);

    /** The in-process listener where bridges connect ({@link BridgeContext#localAddress()}). */
    public static final String BRIDGE_LISTENER = "$bridge";

    /** The kernel's version, as reported by the broker service and {@code $SYS}. */
    public static final String VERSION = versionOf();

    private final BrokerSettings settings;
    private final EventLoops loops;
    private final Lanes lanes;
    private final TopicTree<Session, Subscription> subscriptions = new TopicTree<>();
    private final SharedSubscriptions shared = new SharedSubscriptions();
    private final Router router;
    private final RetainedMessages retained = new RetainedMessages();
    private final SessionRegistry sessions;
    /** Each listener name's counters, kept while the kernel runs: a few names, never removed. */
    private final Map<String, ListenerCounters> listenerCounters = new ConcurrentHashMap<>();
    private final Set<MqttConnection> clients = ConcurrentHashMap.newKeySet();
    private final Map<String, ListenerInfo> listeners = new ConcurrentHashMap<>();
    private final KernelTransportContext transportContext;
    private final KernelListeners listenerSockets = new KernelListeners(this);
    private final KernelBroker broker;
    private final KernelBridges bridges = new KernelBridges(this);
    private final SysTopics sys = new SysTopics(this);
    private final AtomicLong clientIds = new AtomicLong();
    private final String clientIdPrefix = "cairn-" + Long.toHexString(System.nanoTime() & 0xFFFFFF) + '-';

    private volatile SessionStore sessionStore = NoSessionStore.INSTANCE;
    /** Whether a session store was ever in force: the first one is restored from, later ones are written to. */
    private boolean hadSessionStore;
    private final Security security = new Security(this::policyChanged);
    private volatile AuthPlugins authPlugins = AuthPlugins.NONE;
    /** Where an owner whose interceptors exhausted their error budget goes (OSGi: its bundle is stopped). */
    private volatile java.util.function.Consumer<FaultBudget> quarantine = owner -> { };
    private final Interceptors interceptors = new Interceptors(owner -> quarantine.accept(owner));

    private final LongAdder[] dropped = new LongAdder[DropReason.values().length];
    private final AtomicLong connections = new AtomicLong();

    private Kernel(BrokerSettings settings) {
        this.settings = settings;
        for (int i = 0; i < dropped.length; i++) {
            dropped[i] = new LongAdder();
        }
        this.loops = EventLoops.start(settings.ioThreads());
        // the loop of in-process connections (bridges) too: hand-overs to it and its flushes batch like the others
        this.lanes = new Lanes(loops.child(), loops.local());
        this.router = new Router(subscriptions, shared, lanes, () -> sessionStore);
        this.sessions = new SessionRegistry(this);
        this.transportContext = new KernelTransportContext(this);
        this.broker = new KernelBroker(this);
    }

    /** Starts a kernel: event loops up, no listener, no store. */
    public static Kernel start(BrokerSettings settings) {
        Kernel k = new Kernel(settings);
        k.bridges.open();
        k.sys.start(settings.sysIntervalSeconds());
        LOG.info("Cairn kernel {} started ({} I/O threads, {})", VERSION, settings.ioThreads() > 0
                ? settings.ioThreads() : Runtime.getRuntime().availableProcessors(),
                k.loops.epoll() ? "epoll" : "nio");
        return k;
    }

    private static String versionOf() {
        String v = Kernel.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0";
    }

    // ------------------------------------------------------------------ wiring

    @Override
    public BrokerSettings settings() {
        return settings;
    }

    /** Whether {@code topic} is in the {@code $SYS} tree, which clients may not publish to. */
    public static boolean isSysTopic(String topic) {
        return SysTopics.isSysTopic(topic);
    }

    KernelBridges bridges() {
        return bridges;
    }

    /** What bridges get from the kernel: the in-process endpoint and the list of running bridges. */
    public BridgeContext bridgeContext() {
        return bridges;
    }

    public EventLoops loops() {
        return loops;
    }

    public Lanes lanes() {
        return lanes;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public RetainedMessages retained() {
        return retained;
    }

    public TransportContext transportContext() {
        return transportContext;
    }

    public Broker broker() {
        return broker;
    }

    /** The counters of listener {@code name} (made at its first connection; kept while the kernel runs). */
    public ListenerCounters listenerCounters(String name) {
        ListenerCounters c = listenerCounters.get(name);
        return c != null ? c : listenerCounters.computeIfAbsent(name, ListenerCounters::new);
    }

    Collection<ListenerCounters> allListenerCounters() {
        return listenerCounters.values();
    }

    /** The interceptor chains. */
    @Override
    public Interceptors interceptors() {
        return interceptors;
    }

    /**
     * Sets what happens to an owner whose interceptors exhausted their error budget, after they were removed
     * from the chains (the default does nothing more).
     */
    public void quarantine(java.util.function.Consumer<FaultBudget> action) {
        this.quarantine = action;
    }

    /** The authentication and authorization chains of the listeners. */
    public Security security() {
        return security;
    }

    /**
     * Replaces the authenticators and authorizers (each listener's chains are rebuilt from them); connections see
     * the new chains from their next packet.
     */
    public void authProviders(List<Provider<Authenticator>> authenticators, List<Provider<Authorizer>> authorizers) {
        security.providers(authenticators, authorizers);
    }

    /** Some authorization policy changed: every connected client checks its subscriptions again. */
    private void policyChanged() {
        for (MqttConnection c : clients) {
            c.eventLoop().execute(c::recheckSubscriptions);
        }
    }

    /** The enhanced authenticators and server redirectors in force. */
    public AuthPlugins authPlugins() {
        return authPlugins;
    }

    /** Replaces the authentication plugins as one snapshot; connections that start later see the new one. */
    public void authPlugins(AuthPlugins plugins) {
        authPlugins = Objects.requireNonNull(plugins, "plugins");
    }

    Map<String, ListenerInfo> listeners() {
        return listeners;
    }

    /** The listening sockets the kernel owns, and the connections of each listener. */
    KernelListeners listenerSockets() {
        return listenerSockets;
    }

    /**
     * The transport context for the transport bundle {@code providerId}, shown as {@code provider} (symbolic name and
     * version).
     */
    public TransportContext transportContext(long providerId, String provider) {
        return transportContext.forProvider(providerId, provider);
    }

    /**
     * The transport bundle {@code providerId} was uninstalled: no next version will adopt the sockets it handed
     * over, so they close now instead of after their wait.
     */
    public void transportProviderUninstalled(long providerId) {
        listenerSockets.providerUninstalled(providerId);
    }

    Collection<MqttConnection> clients() {
        return clients;
    }

    // ------------------------------------------------------------------ SessionHost

    @Override
    public SessionStore store() {
        return sessionStore;
    }

    @Override
    public void index(Session session, Subscription subscription) {
        if (SharedSubscriptions.isShared(subscription.topicFilter())) {
            shared.put(session, subscription);
        } else {
            subscriptions.put(subscription.topicFilter(), session, subscription);
        }
    }

    @Override
    public void unindex(Session session, String topicFilter) {
        if (SharedSubscriptions.isShared(topicFilter)) {
            shared.remove(session, topicFilter);
        } else {
            subscriptions.remove(topicFilter, session);
        }
    }

    @Override
    public boolean passOn(SharedGroup group, Publication publication, Session from) {
        return router.passOn(group, publication, from);
    }

    @Override
    public void sessionExpired(String clientId) {
        Interceptors.Chains chains = interceptors.chains();
        if (!chains.events().isEmpty()) {
            interceptors.event(chains, null, "sessionExpired of client '" + clientId + "'",
                    l -> l.sessionExpired(clientId));
        }
    }

    @Override
    public void dropped(String clientId, String topic, DropReason reason) {
        dropped[reason.ordinal()].increment();
        Interceptors.Chains chains = interceptors.chains();
        if (!chains.events().isEmpty()) {
            interceptors.event(chains, null, "messageDropped for client '" + clientId + "'",
                    l -> l.messageDropped(clientId, topic, reason));
        }
    }

    /** Messages dropped for {@code reason} since the start. */
    long dropped(DropReason reason) {
        return dropped[reason.ordinal()].sum();
    }

    @Override
    public void expired(Session session) {
        sessions.expired(session);
    }

    int subscriptionCount() {
        return subscriptions.size() + shared.memberships();
    }

    // ------------------------------------------------------------------ messages

    /**
     * Publishes a message to its subscribers and, with retain set, updates the retained message of its topic.
     * The caller keeps its reference.
     *
     * @return the number of subscribers (sessions, and one per shared subscription) it went to
     */
    public int publish(Publication publication) {
        if (publication.retain()) {
            retained.update(publication);
        }
        return router.route(publication);
    }

    /**
     * Whether acknowledgements to a publisher wait for the stores: the session store in force is durable, or the
     * message is retained and the retained store is.
     */
    public boolean holdsAcks(boolean retain) {
        return sessionStore.durable() || retain && retained.durable();
    }

    /**
     * Completes when every change written so far to the session store (and, for a retained message, to the
     * retained store) is durable.
     */
    public CompletionStage<Void> sync(boolean retain) {
        CompletionStage<Void> sessions = sessionStore.sync();
        if (!retain || !retained.durable()) {
            return sessions;
        }
        return sessions.thenCombine(retained.sync(), (a, b) -> null);
    }

    /** Publishes a will (MQTT 3.1.1 §3.1.2.5) as its client would have. */
    @Override
    public void publishWill(StoredWill will) {
        Publication p = Publication.of(will.message(), System.currentTimeMillis());
        try {
            publish(p);
        } finally {
            p.release();
        }
    }

    /** A unique client identifier for a 3.1.1 client that sent an empty one (MQTT-3.1.3-6). */
    public String newClientId() {
        return clientIdPrefix + clientIds.incrementAndGet();
    }

    // ------------------------------------------------------------------ connections

    /** A client's CONNECT was accepted and its session attached. */
    public void connectionAttached(MqttConnection connection) {
        clients.add(connection);
        connections.incrementAndGet();
        connection.counters().attached();
    }

    public void connectionClosed(MqttConnection connection, boolean wasAttached) {
        if (wasAttached && clients.remove(connection)) {
            connections.decrementAndGet();
            connection.counters().detached();
        }
    }

    /** Clients connected now. */
    public long connectedCount() {
        return connections.get();
    }

    // ------------------------------------------------------------------ stores

    /**
     * Makes {@code store} the session store: sessions it holds that the kernel does not are restored, then every
     * persistent session of the kernel is written to it, each on its own event loop. No session is lost either
     * way.
     */
    public void useSessionStore(SessionStore store) {
        int[] restored = new int[1];
        if (!hadSessionStore) {
            // the kernel's first store: what it holds is the broker's state from before this start
            store.forEach(state -> {
                if (sessions.restore(state, loops.child(), store)) {
                    restored[0]++;
                }
            });
        } else {
            // a switch: the kernel's sessions are the truth; what else the new store holds is stale (from an
            // earlier time it was in force) and must not come back
            List<String> stale = new ArrayList<>();
            store.forEach(state -> {
                Session held = sessions.get(state.clientId());
                if (held == null || !held.isPersistent()) {
                    stale.add(state.clientId());
                }
            });
            stale.forEach(store::remove);
            if (!stale.isEmpty()) {
                LOG.info("Removed {} sessions from {} that it held from an earlier time and the broker no longer has",
                        stale.size(), store);
            }
        }
        hadSessionStore = true;
        sessionStore = store;
        CountDownLatch copied = new CountDownLatch(sessions.size());
        for (Session s : sessions.all()) {
            if (!s.isPersistent() || s.savedTo() == store) {
                copied.countDown(); // nothing to keep, or restored from this very store
                continue;
            }
            s.home().execute(() -> {
                try {
                    if (!s.isDestroyed() && sessionStore == store) {
                        store.save(s.snapshot());
                        s.savedTo(store);
                    }
                } finally {
                    copied.countDown();
                }
            });
        }
        try {
            if (!copied.await(30, TimeUnit.SECONDS)) {
                LOG.warn("Copying sessions to {} took longer than 30 s; it goes on in the background", store);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Sessions now kept by {} ({} restored from it, {} held)", store, restored[0], sessions.size());
    }

    /** Stops using {@code store} if it is in force; the kernel keeps every session in memory. */
    public void dropSessionStore(SessionStore store) {
        if (sessionStore == store) {
            sessionStore = NoSessionStore.INSTANCE;
            LOG.info("Session store {} removed; sessions are kept in memory only", store);
        }
    }

    public void useRetainedStore(RetainedStore store) {
        retained.useStore(store);
    }

    public void dropRetainedStore(RetainedStore store) {
        retained.dropStore(store);
    }

    // ------------------------------------------------------------------ lifecycle

    /** Closes every connection and stops the event loops. Listeners MUST be stopped before. */
    @Override
    public void close() {
        sys.stop();
        listenerSockets.closeAll(); // sockets handed over by transports that stopped: nobody will adopt them now
        // first every connection closes (wills go out), then every session lets go of its messages; each step
        // runs on the loops that own the state and is waited for, bounded
        List<Future<?>> closing = new ArrayList<>();
        for (MqttConnection c : clients) {
            closing.add(runOn(c.eventLoop(), () -> c.closeByServer(ReasonCode.SERVER_SHUTTING_DOWN, "broker shutting down")));
        }
        awaitAll(closing);
        List<Future<?>> disposing = new ArrayList<>();
        for (Session s : sessions.all()) {
            disposing.add(runOn(s.home(), s::dispose));
        }
        awaitAll(disposing);
        bridges.close();
        security.close();
        loops.close();
        LOG.info("Cairn kernel stopped");
    }

    /** Runs {@code task} on {@code loop}: at once when already there, otherwise as a task to wait for. */
    private static Future<?> runOn(EventLoop loop, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return loop.newSucceededFuture(null);
        }
        return loop.submit(task);
    }

    private static void awaitAll(List<Future<?>> futures) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Future<?> f : futures) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("Shutdown step did not finish cleanly: {}", e.toString());
            }
        }
    }
}
