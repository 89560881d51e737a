package io.cairn.kernel;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.broker.ListenerStatus;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.transport.FrontHandlers;
import io.cairn.api.transport.ListenerRegistration;
import io.cairn.kernel.protocol.MqttConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening sockets the kernel owns ({@link io.cairn.api.transport.TransportContext#bind}), and the connections
 * of every listener, counted by name.
 *
 * <p>A socket outlives the transport that asked for it: when its bundle stops, the transport hands it over and the
 * socket stops accepting (connection attempts wait in its accept queue); the next version of the transport binds the
 * same name and address and adopts it, and the waiting connections are accepted through the new version's front
 * handlers. The socket never closes in between, so a transport update refuses no connection on any platform; a
 * socket nobody adopts within its wait is closed. The connections a transport accepted belong to the kernel and stay
 * open across the swap, or are drained (closed with 0x8B, spread over a period) once the new version serves.
 */
final class KernelListeners {

    private static final Logger LOG = LoggerFactory.getLogger(KernelListeners.class);

    private final Kernel kernel;
    /** The sockets bound through the kernel, open or waiting for their next transport, by listener name. */
    private final Map<String, Bound> bound = new ConcurrentHashMap<>();
    /** The connections of every listener (bound here or by a transport itself), by listener name. */
    private final Map<String, ChannelGroup> connections = new ConcurrentHashMap<>();
    /** What serves each registered listener, by name. */
    private final Map<String, String> providers = new ConcurrentHashMap<>();

    KernelListeners(Kernel kernel) {
        this.kernel = kernel;
    }

    /** Counts {@code channel} as a connection of {@code listener} until it closes. */
    void track(Channel channel, String listener) {
        connections.computeIfAbsent(listener,
                n -> new DefaultChannelGroup("listener " + n, GlobalEventExecutor.INSTANCE)).add(channel);
    }

    /** Registers a listener so the broker lists it, with its security; see {@code registerListener}. */
    void register(ListenerInfo info, ListenerSecurity security, String provider) {
        if (kernel.listeners().putIfAbsent(info.name(), info) != null) {
            throw new IllegalStateException("a listener named '" + info.name() + "' is already open");
        }
        try {
            kernel.security().configure(info.name(), security);
        } catch (IllegalArgumentException e) {
            kernel.listeners().remove(info.name(), info);
            throw e;
        }
        providers.put(info.name(), provider);
    }

    /** Unregisters a listener: the broker no longer lists it. */
    boolean unregister(ListenerInfo info) {
        return kernel.listeners().remove(info.name(), info);
    }

    /** The listeners as the broker service shows them. */
    List<ListenerStatus> status() {
        List<ListenerStatus> list = new ArrayList<>();
        for (ListenerInfo info : kernel.listeners().values()) {
            list.add(new ListenerStatus(info, providers.getOrDefault(info.name(), "embedded"),
                    connectionCount(info.name()), ListenerStatus.State.OPEN));
        }
        for (Bound b : bound.values()) {
            ListenerInfo waiting = b.waitingInfo();
            if (waiting != null) {
                list.add(new ListenerStatus(waiting, b.provider, connectionCount(b.name),
                        ListenerStatus.State.HANDING_OVER));
            }
        }
        list.sort(Comparator.comparing((ListenerStatus s) -> s.listener().name()));
        return list;
    }

    private int connectionCount(String listener) {
        ChannelGroup g = connections.get(listener);
        return g == null ? 0 : g.size();
    }

    /** Binds a listener socket, or adopts the one a previous version of its transport handed over. */
    synchronized ListenerRegistration bind(long providerId, String provider, ListenerInfo requested, int backlog,
                                           ListenerSecurity security, FrontHandlers front) throws BindException {
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(front, "front");
        String name = requested.name();
        if (backlog < 1) {
            throw new IllegalArgumentException("listener " + name + ": backlog " + backlog + " is below 1");
        }
        if (kernel.listeners().containsKey(name)) {
            throw new IllegalStateException("a listener named '" + name + "' is already open");
        }
        Bound previous = bound.get(name);
        if (previous != null && previous.isWaiting()) {
            if (previous.serves(requested)) {
                return previous.adopt(providerId, provider, requested.scheme(), security, front);
            }
            previous.closeSocket("its transport came back for " + address(requested) + " instead");
        }
        InetSocketAddress address = new InetSocketAddress(requested.host(), requested.port());
        if (address.isUnresolved()) {
            throw new BindException("Listener " + name + " cannot bind " + address(requested) + ": unknown host "
                    + requested.host());
        }
        Bound b = new Bound(name, requested.host(), requested.port(), providerId, provider, front);
        ChannelFuture future = kernel.transportContext().newServerBootstrap()
                .option(ChannelOption.SO_BACKLOG, backlog)
                .childHandler(b.acceptor)
                .bind(address)
                .awaitUninterruptibly();
        if (!future.isSuccess()) {
            future.channel().close();
            Throwable cause = future.cause();
            String reason = cause == null ? "unknown cause"
                    : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            BindException failure = new BindException("Listener " + name + " cannot bind " + address(requested)
                    + ": " + reason);
            failure.initCause(cause);
            throw failure;
        }
        Channel server = future.channel();
        InetSocketAddress local = (InetSocketAddress) server.localAddress();
        ListenerInfo info = new ListenerInfo(name, requested.scheme(), local.getAddress().getHostAddress(),
                local.getPort());
        try {
            register(info, security, provider);
        } catch (RuntimeException e) {
            server.close().syncUninterruptibly();
            throw e;
        }
        b.server = server;
        b.info = info;
        bound.put(name, b);
        LOG.info("Listener {} open on {} ({})", name, info.uri(), provider);
        return b.new Registration(info);
    }

    /** Closes the sockets the uninstalled transport bundle {@code providerId} handed over: nobody will adopt them. */
    synchronized void providerUninstalled(long providerId) {
        for (Bound b : List.copyOf(bound.values())) {
            if (b.providerId == providerId && b.isWaiting()) {
                b.closeSocket("its transport bundle was uninstalled");
            }
        }
    }

    /** Closes every socket, waiting or not: the kernel stops. */
    synchronized void closeAll() {
        for (Bound b : List.copyOf(bound.values())) {
            b.closeSocket("the kernel stops");
        }
    }

    private static String address(ListenerInfo requested) {
        String host = requested.host();
        return (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + requested.port();
    }

    /** One socket the kernel bound for a listener, with the transport serving it now, if any. */
    private final class Bound {
        final String name;
        final String requestedHost;
        final int requestedPort;
        final ChannelInitializer<Channel> acceptor = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                accepted(channel);
            }
        };
        volatile Channel server;
        volatile ListenerInfo info;
        volatile long providerId;
        volatile String provider;
        /** The transport's handlers; null while the socket waits for the next transport (guarded by this). */
        private FrontHandlers front;
        /** Connections accepted while waiting, not yet served (guarded by this). */
        private List<Channel> held = new ArrayList<>();
        private ScheduledFuture<?> expiry;
        private Duration drain = Duration.ZERO;

        Bound(String name, String requestedHost, int requestedPort, long providerId, String provider,
              FrontHandlers front) {
            this.name = name;
            this.requestedHost = requestedHost;
            this.requestedPort = requestedPort;
            this.providerId = providerId;
            this.provider = provider;
            this.front = front;
        }

        synchronized boolean isWaiting() {
            return front == null && server != null && server.isOpen();
        }

        synchronized ListenerInfo waitingInfo() {
            return isWaiting() ? info : null;
        }

        /** Whether a transport asking for {@code requested} may adopt this socket. */
        boolean serves(ListenerInfo requested) {
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            return requested.host().equals(requestedHost)
                    && (requested.port() == 0 || requested.port() == port || requested.port() == requestedPort);
        }

        /** A connection the socket accepted: served by the transport now, or held until the next one comes. */
        private void accepted(Channel channel) {
            FrontHandlers f;
            synchronized (this) {
                f = front;
                if (f == null) {
                    channel.config().setAutoRead(false);
                    held.add(channel);
                    return;
                }
            }
            serve(channel, f);
        }

        private void serve(Channel channel, FrontHandlers f) {
            try {
                f.addTo(channel);
            } catch (Exception | LinkageError e) {
                LOG.warn("Listener {}: the transport's handlers failed for the connection from {}; closed",
                        name, channel.remoteAddress(), e);
                channel.close();
                return;
            }
            kernel.transportContext().initPipeline(channel, name);
        }

        /** The transport lets go: stop accepting, keep the socket for {@code wait}. */
        void handOver(Registration by, Duration wait, Duration drainOver) {
            synchronized (KernelListeners.this) {
                synchronized (this) {
                    if (front == null || server == null) {
                        return;
                    }
                    front = null;
                    drain = drainOver;
                    server.config().setAutoRead(false);
                    // not on the socket's loop: closing the socket waits for that loop while holding the lock
                    expiry = GlobalEventExecutor.INSTANCE.schedule(this::expire, wait.toNanos(),
                            TimeUnit.NANOSECONDS);
                }
                unregister(by.info);
            }
            LOG.info("Listener {} on {} handed over by {}: the socket stays open and waits up to {} ms for the next"
                    + " version; connection attempts wait meanwhile", name, by.info.uri(), provider, wait.toMillis());
        }

        /** A transport binds the same name and address: it serves the socket from now on. */
        ListenerRegistration adopt(long byId, String by, String scheme, ListenerSecurity security,
                                   FrontHandlers next) {
            InetSocketAddress local = (InetSocketAddress) server.localAddress();
            ListenerInfo adopted = new ListenerInfo(name, scheme, local.getAddress().getHostAddress(), local.getPort());
            register(adopted, security, by);
            String from = provider;
            List<Channel> waiting;
            List<Channel> before = List.of();
            Duration drainOver;
            synchronized (this) {
                if (expiry != null) {
                    expiry.cancel(false);
                    expiry = null;
                }
                drainOver = drain;
                if (!drainOver.isZero()) {
                    ChannelGroup open = connections.get(name);
                    before = open == null ? List.of() : List.copyOf(open);
                }
                info = adopted;
                providerId = byId;
                provider = by;
                front = next;
                waiting = held;
                held = new ArrayList<>();
            }
            for (Channel c : waiting) {
                c.eventLoop().execute(() -> {
                    if (c.isOpen()) {
                        serve(c, next);
                        c.config().setAutoRead(true);
                    }
                });
            }
            server.config().setAutoRead(true);
            LOG.info("Listener {} on {} taken over by {} from {}: {} waiting connection(s) accepted; {}", name,
                    adopted.uri(), by, from, waiting.size(), drainOver.isZero() ? "open connections kept"
                            : before.size() + " open connection(s) drained over " + drainOver.toMillis() + " ms");
            drain(before, drainOver);
            return new Registration(adopted);
        }

        /**
         * Closes {@code channels} one after the other, evenly over {@code over}: an MQTT connection with reason 0x8B,
         * one not yet past CONNECT at once.
         */
        private void drain(List<Channel> channels, Duration over) {
            int n = channels.size();
            for (int i = 0; i < n; i++) {
                Channel c = channels.get(i);
                long delay = over.toNanos() * i / n;
                c.eventLoop().schedule(() -> {
                    MqttConnection connection = c.pipeline().get(MqttConnection.class);
                    if (connection != null) {
                        connection.closeByServer(ReasonCode.SERVER_SHUTTING_DOWN,
                                "listener " + name + " changed its transport; reconnect");
                    } else {
                        c.close();
                    }
                }, delay, TimeUnit.NANOSECONDS);
            }
        }

        private void expire() {
            synchronized (KernelListeners.this) {
                if (isWaiting()) {
                    LOG.info("Listener {}: no transport took over its socket in time; closed", name);
                    closeSocket(null);
                }
            }
        }

        /** Closes the socket and the connections held on it; connections already served stay open. */
        void closeSocket(String why) {
            List<Channel> waiting;
            synchronized (this) {
                front = null;
                if (expiry != null) {
                    expiry.cancel(false);
                    expiry = null;
                }
                waiting = held;
                held = new ArrayList<>();
            }
            bound.remove(name, this);
            Channel s = server;
            if (s != null) {
                s.close().syncUninterruptibly();
            }
            for (Channel c : waiting) {
                c.close();
            }
            if (why != null) {
                LOG.info("Listener {}: closed the socket its previous transport handed over, as {}", name, why);
            }
        }

        /** What one transport holds: handing over or closing it makes it inert. */
        final class Registration implements ListenerRegistration {
            private final ListenerInfo info;
            private boolean done;

            Registration(ListenerInfo info) {
                this.info = info;
            }

            @Override
            public ListenerInfo listener() {
                return info;
            }

            @Override
            public synchronized void updateSecurity(ListenerSecurity changed) {
                if (!done) {
                    kernel.security().configure(name, changed);
                }
            }

            @Override
            public void handOver(Duration wait, Duration drainOver) {
                Objects.requireNonNull(wait, "wait");
                Objects.requireNonNull(drainOver, "drain");
                if (wait.isNegative() || wait.isZero()) {
                    throw new IllegalArgumentException("wait " + wait + " is not positive");
                }
                if (drainOver.isNegative()) {
                    throw new IllegalArgumentException("drain " + drainOver + " is negative");
                }
                synchronized (this) {
                    if (done) {
                        return;
                    }
                    done = true;
                }
                Bound.this.handOver(this, wait, drainOver);
            }

            @Override
            public void close() {
                synchronized (this) {
                    if (done) {
                        return;
                    }
                    done = true;
                }
                synchronized (KernelListeners.this) {
                    unregister(info);
                    closeSocket(null);
                }
                LOG.info("Listener {} closed", name);
            }
        }
    }
}
