package io.cairn.bridge;

import io.cairn.api.bridge.Bridge;
import io.cairn.api.bridge.BridgeActivity;
import io.cairn.api.bridge.BridgeContext;
import io.cairn.api.bridge.BridgeRegistration;
import io.cairn.client.ClientClosedException;
import io.cairn.client.ClientState;
import io.cairn.client.ClientTls;
import io.cairn.client.ConnectResult;
import io.cairn.client.ConnectionListener;
import io.cairn.client.MessageProperties;
import io.cairn.client.MqttClient;
import io.cairn.client.MqttProtocolVersion;
import io.cairn.client.PublishQueueFullException;
import io.cairn.client.PublishResult;
import io.cairn.client.Qos;
import io.cairn.client.ReceivedMessage;
import io.cairn.client.ReconnectPolicy;
import io.cairn.client.RetainHandling;
import io.cairn.client.SubscribeResult;
import io.cairn.client.Subscription;
import io.cairn.client.SubscriptionGrant;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running bridge: two MQTT clients, one connected to the remote broker and one connected
 * in-process to this broker ({@link BridgeContext#localAddress()}) with the persistent session
 * {@code $bridge/<name>}, and the messages between them.
 *
 * <p><b>Store and forward.</b> The bridge acknowledges a message to the side it came from only once the other
 * side has acknowledged it (manual acknowledgement on both clients). A message for the remote therefore stays in
 * the bridge's local session until the remote has it: queued in order, bounded by the broker's
 * {@code maxQueuedMessages}, and on disk with a durable store, while the remote is unreachable and across a
 * restart of this broker. The local session allows {@code maxInflight} unacknowledged messages to the bridge; the
 * rest waits in the session.
 *
 * <p><b>Exactly once.</b> The remote client keeps its QoS 1/2 state across reconnects (a persistent remote
 * session), re-sending unacknowledged PUBLISH packets and PUBRELs under their packet ids; the local client does
 * the same with the broker. QoS 2 is exactly once across the bridge while both sessions persist.
 *
 * <p><b>Loops.</b> Local subscriptions use No Local, so what the bridge brings in never goes back out through it;
 * MQTT 5 remote subscriptions use No Local too. For an MQTT 3.1.1 remote, which has no No Local, the bridge
 * remembers what it sent on topics it also takes in (a minute, by topic and payload) and drops one echo of each.
 * Both use Retain As Published, so the retain flag crosses the bridge.
 *
 * <p>Threads: the remote client runs on the bridge's own event loop, where the bridge keeps its state; the local
 * client runs on the broker's loop for in-process connections ({@link BridgeContext#localEventLoops()}) and hands
 * what it receives over to the bridge's loop. Thread-safe.
 */
public final class MqttBridge implements Bridge, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttBridge.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** A topic filter no bridge subscribes to: unsubscribing from it is a round trip that changes nothing. */
    private static final String BARRIER = "$cairn-bridge/barrier";
    /** Session expiry of the local session: never (the bridge's configuration decides when it goes). */
    private static final Duration LOCAL_SESSION_NEVER_EXPIRES = Duration.ofSeconds(4_294_967_295L);

    private final BridgeSettings settings;
    private final BridgeContext context;
    private final String name;
    private final String localClientId;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final MqttClient remote;
    private final MqttClient local;
    private final EchoFilter echoes;
    private final List<String> staleLocalFilters;
    private final List<String> staleRemoteFilters;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean remoteConnected;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile boolean closed;
    /** Set when stopping: no new message is taken from either side; those under way are finished. */
    private volatile boolean stopping;
    /** Messages taken from one side whose acknowledgement by the other side has not come yet. */
    private final AtomicInteger underWay = new AtomicInteger();
    private final Object drainLock = new Object();
    private BridgeRegistration registration;
    private final io.cairn.client.MessageListener fromLocal = this::fromLocal;
    private final io.cairn.client.MessageListener fromRemote = this::fromRemote;

    // on the loop
    /** Messages for the remote that arrived while its client was stopped between attempts, in arrival order. */
    private final ArrayDeque<ReceivedMessage> waiting = new ArrayDeque<>();
    private boolean remoteSubscribed;
    private boolean localStarted;
    private boolean localSubscribed;
    private Qos remoteMaximumQos = Qos.EXACTLY_ONCE;
    private boolean remoteRetainAvailable = true;
    private int remoteRetries;
    private int localRetries;
    private String remoteProblem;
    private String localProblem;
    private ScheduledFuture<?> remoteRetry;
    private ScheduledFuture<?> localRetry;

    private MqttBridge(BridgeContext context, BridgeSettings settings, Collection<String> staleLocalFilters,
                       Collection<String> staleRemoteFilters) {
        this.context = Objects.requireNonNull(context, "context");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.name = settings.name();
        this.localClientId = BridgeContext.localClientId(name);
        this.staleLocalFilters = List.copyOf(staleLocalFilters);
        this.staleRemoteFilters = List.copyOf(staleRemoteFilters);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("cairn-bridge-" + name, true), io);
        this.loop = group.next();
        boolean both = settings.topics().stream().anyMatch(t -> t.direction().forwardsIn())
                && settings.topics().stream().anyMatch(t -> t.direction().forwardsOut());
        this.echoes = both && settings.protocol() != MqttProtocolVersion.MQTT_5
                ? new EchoFilter(Duration.ofMinutes(1), 100_000) : null;
        try {
            this.remote = remoteClient();
            this.local = localClient();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /**
     * Starts a bridge: it connects to the remote, then to this broker, and forwards until {@link #close()}.
     * Returns at once; connection problems are logged and retried, forever.
     *
     * @throws IllegalArgumentException if the TLS files cannot be used (the message names the file)
     */
    public static MqttBridge start(BridgeContext context, BridgeSettings settings) {
        return start(context, settings, List.of(), List.of());
    }

    /**
     * Starts a bridge that also removes subscriptions an earlier configuration left in its sessions: local topic
     * filters the bridge's local session holds but no mapping uses, and remote ones a previous configuration
     * subscribed to.
     */
    public static MqttBridge start(BridgeContext context, BridgeSettings settings,
                                   Collection<String> staleLocalFilters, Collection<String> staleRemoteFilters) {
        MqttBridge bridge = new MqttBridge(context, settings, staleLocalFilters, staleRemoteFilters);
        bridge.registration = context.register(bridge);
        LOG.info("Bridge {}: linking to {} as '{}' ({})", bridge.name, settings.remote(), settings.clientId(),
                describe(settings.topics()));
        bridge.loop.execute(bridge::connectRemote);
        return bridge;
    }

    private static String describe(List<TopicMapping> topics) {
        List<String> parts = new ArrayList<>();
        for (TopicMapping t : topics) {
            parts.add(t.toString());
        }
        return String.join("; ", parts);
    }

    /** The settings the bridge runs with. */
    public BridgeSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BridgeActivity activity() {
        return new BridgeActivity(settings.remote(), remoteConnected, sent.get(), received.get(), lastError,
                lastErrorAt);
    }

    /** Messages that matched no mapping or that the remote or the local broker refused, since start. */
    public long dropped() {
        return dropped.get();
    }

    // ------------------------------------------------------------------ clients

    private ReconnectPolicy backoff() {
        return ReconnectPolicy.exponentialBackoff(Duration.ofMillis(settings.reconnectMinMillis()),
                Duration.ofMillis(settings.reconnectMaxMillis()), 2.0).withJitter(0.25);
    }

    private MqttClient remoteClient() {
        boolean v5 = settings.protocol() == MqttProtocolVersion.MQTT_5;
        MqttClient.Builder b = MqttClient.builder()
                .host(settings.host())
                .port(settings.port())
                .clientId(settings.clientId())
                .protocolVersion(settings.protocol())
                .keepAlive(Duration.ofSeconds(settings.keepAliveSeconds()))
                .cleanSession(settings.cleanSession())
                .maxInflight(settings.maxInflight())
                // QoS 1/2 messages are bounded by the local session's window (maxInflight); QoS 0 ones may wait
                // here while the client reconnects
                .maxQueuedPublishes(settings.maxInflight() + 10_000)
                .reconnectPolicy(backoff())
                .eventLoopGroup(group)
                .manualAcknowledgement(true)
                // a resumed session delivers before the subscriptions are made again: without a listener then,
                // the client would acknowledge and drop those messages
                .defaultListener(fromRemote)
                .connectionListener(new RemoteEvents());
        if (v5) {
            b.sessionExpiryInterval(Duration.ofSeconds(settings.cleanSession() ? 0 : settings.sessionExpirySeconds()))
                    .receiveMaximum(settings.maxInflight());
        }
        if (settings.username() != null) {
            b.username(settings.username());
        }
        if (settings.password() != null) {
            b.password(settings.password().getBytes(StandardCharsets.UTF_8));
        }
        if (settings.tls() != null) {
            b.tls(clientTls(settings.tls()));
        }
        return b.build();
    }

    private static ClientTls clientTls(BridgeSettings.Tls tls) {
        ClientTls.Builder t = ClientTls.builder().hostnameVerification(tls.hostnameVerification());
        if (tls.caFile() != null) {
            t.trustPem(tls.caFile());
        }
        if (tls.certFile() != null) {
            if (tls.keyPassword() != null) {
                t.keyPair(tls.certFile(), tls.keyFile(), tls.keyPassword());
            } else {
                t.keyPair(tls.certFile(), tls.keyFile());
            }
        }
        if (tls.serverName() != null) {
            t.serverName(tls.serverName());
        }
        return t.build();
    }

    private MqttClient localClient() {
        return MqttClient.builder()
                .address(context.localAddress())
                .host("local")
                .clientId(localClientId)
                .protocolVersion(MqttProtocolVersion.MQTT_5)
                .cleanSession(false)
                .sessionExpiryInterval(LOCAL_SESSION_NEVER_EXPIRES)
                .keepAlive(Duration.ZERO) // in-process: no network to fail silently
                // loops that can run local channels (epoll and NIO loops cannot); not the endpoint's own loop
                .eventLoopGroup((EventLoopGroup) context.localEventLoops())
                .receiveMaximum(settings.maxInflight())
                .maxInflight(settings.maxInflight())
                .maxQueuedPublishes(settings.maxInflight() + 10_000)
                .reconnectPolicy(backoff())
                .manualAcknowledgement(true)
                .defaultListener(fromLocal)
                .connectionListener(new LocalEvents())
                .build();
    }

    // ------------------------------------------------------------------ connecting

    private void connectRemote() {
        if (closed) {
            return;
        }
        remoteRetry = null;
        remote.connect(); // the outcome arrives through RemoteEvents
    }

    private void remoteUp(ConnectResult result) {
        remoteConnected = true;
        remoteRetries = 0;
        remoteProblem = null;
        remoteMaximumQos = result.properties().maximumQos();
        remoteRetainAvailable = result.properties().retainAvailable();
        LOG.info("Bridge {}: connected to {} (remote session {})", name, settings.remote(),
                result.sessionPresent() ? "resumed" : "new");
        if (!remoteSubscribed) {
            remoteSubscribed = true;
            subscribeRemote();
        }
        if (!localStarted) {
            localStarted = true;
            connectLocal();
        }
        while (!waiting.isEmpty() && !stopping) {
            forwardOut(waiting.pollFirst());
        }
    }

    private void subscribeRemote() {
        boolean v5 = settings.protocol() == MqttProtocolVersion.MQTT_5;
        List<Subscription> subs = new ArrayList<>();
        for (TopicMapping t : settings.topics()) {
            if (t.direction().forwardsIn()) {
                Subscription s = Subscription.of(t.remoteFilter(), t.qos());
                if (v5) {
                    s = s.withNoLocal(true).withRetainAsPublished(true)
                            .withRetainHandling(RetainHandling.SEND_IF_NEW_SUBSCRIPTION);
                }
                subs.add(s);
            }
        }
        List<String> stale = staleRemoteFilters.stream()
                .filter(f -> subs.stream().noneMatch(s -> s.filter().equals(f))).toList();
        if (!stale.isEmpty()) {
            remote.unsubscribe(stale.toArray(String[]::new)).whenComplete((r, e) -> {
                if (e == null) {
                    LOG.info("Bridge {}: unsubscribed from {} at the remote (no longer mapped)", name, stale);
                }
            });
        }
        if (!subs.isEmpty()) {
            remote.subscribe(subs, fromRemote).whenComplete((r, e) -> reportGrants("remote", r, e));
        }
    }

    private void connectLocal() {
        if (closed) {
            return;
        }
        localRetry = null;
        local.connect();
    }

    private void localUp(ConnectResult result) {
        localRetries = 0;
        localProblem = null;
        LOG.debug("Bridge {}: connected to the local broker as '{}' (session {})", name, localClientId,
                result.sessionPresent() ? "resumed" : "new");
        if (!localSubscribed) {
            localSubscribed = true;
            List<Subscription> subs = new ArrayList<>();
            for (TopicMapping t : settings.topics()) {
                if (t.direction().forwardsOut()) {
                    subs.add(Subscription.of(t.localFilter(), t.qos()).withNoLocal(true).withRetainAsPublished(true)
                            .withRetainHandling(RetainHandling.SEND_IF_NEW_SUBSCRIPTION));
                }
            }
            List<String> stale = staleLocalFilters.stream()
                    .filter(f -> subs.stream().noneMatch(s -> s.filter().equals(f))).toList();
            if (!stale.isEmpty()) {
                local.unsubscribe(stale.toArray(String[]::new)).whenComplete((r, e) -> {
                    if (e == null) {
                        LOG.info("Bridge {}: unsubscribed its local session from {} (no longer mapped)", name,
                                stale);
                    }
                });
            }
            if (!subs.isEmpty()) {
                local.subscribe(subs, fromLocal).whenComplete((r, e) -> reportGrants("local", r, e));
            }
        }
    }

    private void reportGrants(String side, SubscribeResult result, Throwable failure) {
        if (failure != null) {
            if (!(unwrap(failure) instanceof ClientClosedException)) {
                problem("subscribing at the " + side + " broker failed: " + unwrap(failure).getMessage());
            }
            return;
        }
        for (SubscriptionGrant g : result.grants()) {
            if (!g.isGranted()) {
                problem("the " + side + " broker refused the subscription to " + g.requested().filter()
                        + " (reason code 0x" + Integer.toHexString(g.returnCode()) + ")");
            }
        }
    }

    /** Connecting again after the client stopped trying (a refusal, or the first attempt failed). */
    private void retryRemote(Throwable cause) {
        remoteConnected = false;
        if (closed) {
            return;
        }
        long delay = delay(++remoteRetries);
        String problem = describe(cause);
        if (!problem.equals(remoteProblem)) {
            remoteProblem = problem;
            problem("cannot connect to " + settings.remote() + ": " + problem + "; trying again, backing off up to "
                    + settings.reconnectMaxMillis() / 1000.0 + " s");
        } else {
            LOG.debug("Bridge {}: attempt {} to connect to {} failed: {}", name, remoteRetries, settings.remote(),
                    problem);
        }
        remoteRetry = loop.schedule(this::connectRemote, delay, TimeUnit.MILLISECONDS);
    }

    private void retryLocal(Throwable cause) {
        if (closed) {
            return;
        }
        long delay = delay(++localRetries);
        String problem = describe(cause);
        if (!problem.equals(localProblem)) {
            localProblem = problem;
            problem("cannot connect to the local broker: " + problem + "; trying again");
        }
        localRetry = loop.schedule(this::connectLocal, delay, TimeUnit.MILLISECONDS);
    }

    /** Exponential backoff with 25% jitter, like the clients' own reconnect policy. */
    private long delay(int attempt) {
        double nominal = settings.reconnectMinMillis() * Math.pow(2, Math.min(attempt - 1, 30));
        double capped = Math.min(nominal, settings.reconnectMaxMillis());
        return Math.max(1, (long) (capped * (1 - 0.25 * ThreadLocalRandom.current().nextDouble())));
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "disconnected";
        }
        Throwable c = unwrap(cause);
        String text = c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
        Throwable root = c.getCause();
        if (root != null && root.getMessage() != null && !text.contains(root.getMessage())) {
            text += " (" + root.getMessage() + ")";
        }
        return text;
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private void problem(String what) {
        lastError = what;
        lastErrorAt = Instant.now();
        LOG.warn("Bridge {}: {}", name, what);
    }

    // ------------------------------------------------------------------ messages

    /** A message the local broker delivered to the bridge's session (on the local loop): out to the remote. */
    private void fromLocal(ReceivedMessage m) {
        loop.execute(() -> outbound(m));
    }

    private void outbound(ReceivedMessage m) {
        if (stopping) {
            return; // not acknowledged: it stays in the local session
        }
        ClientState state = remote.state();
        if (!waiting.isEmpty() || state == ClientState.NEW || state == ClientState.DISCONNECTED) {
            // the remote client is between attempts of ours (it would refuse the message), or older messages wait
            // already: this one waits behind them, and they go in order when it connects. While the client
            // connects or reconnects by itself it queues messages in order itself.
            waiting.addLast(m);
            return;
        }
        forwardOut(m);
    }

    private void forwardOut(ReceivedMessage m) {
        TopicMapping mapping = outMapping(m.topic());
        if (mapping == null) {
            dropped.incrementAndGet();
            LOG.debug("Bridge {}: no mapping sends {} out; dropped", name, m.topic());
            m.acknowledge();
            return;
        }
        String topic = mapping.toRemote(m.topic());
        Qos qos = m.qos().value() > remoteMaximumQos.value() ? remoteMaximumQos : m.qos();
        boolean retain = m.retain() && remoteRetainAvailable;
        ByteBuffer payload = m.payloadBuffer(); // not copied
        if (echoes != null && inMapping(topic) != null) {
            echoes.sent(topic, payload);
        }
        MessageProperties properties = settings.protocol() == MqttProtocolVersion.MQTT_5 ? m.properties()
                : MessageProperties.none();
        underWay.incrementAndGet();
        remote.publish(topic, payload, qos, retain, properties).whenComplete((r, e) -> {
            try {
                sentOut(m, topic, r, e);
            } finally {
                done();
            }
        });
    }

    private void sentOut(ReceivedMessage m, String topic, PublishResult result, Throwable failure) {
        if (failure == null) {
            if (result.isSuccess()) {
                sent.incrementAndGet();
            } else {
                dropped.incrementAndGet();
                problem("the remote refused the message on " + topic + " (reason code 0x"
                        + Integer.toHexString(result.reasonCode()) + result.reasonString().map(s -> ": " + s)
                        .orElse("") + "); dropped");
            }
            m.acknowledge();
            return;
        }
        Throwable e = unwrap(failure);
        if (closed || e instanceof ClientClosedException) {
            return; // not acknowledged: the local session keeps it for the next start
        }
        if (e instanceof io.cairn.client.ConnectionLostException || e instanceof PublishQueueFullException) {
            if (m.qos() == Qos.AT_MOST_ONCE) {
                dropped.incrementAndGet();
                return;
            }
            loop.execute(() -> {
                if (remote.isConnected()) {
                    forwardOut(m);
                } else {
                    waiting.addLast(m);
                }
            });
            return;
        }
        // a limit of the remote (packet size, topic) that no retry changes
        dropped.incrementAndGet();
        problem("cannot send the message on " + topic + " to the remote: " + e.getMessage() + "; dropped");
        m.acknowledge();
    }

    /** A message from the remote: in to the local broker. On the loop. */
    private void fromRemote(ReceivedMessage m) {
        if (stopping) {
            return; // not acknowledged: the remote sends it again to the next start
        }
        if (echoes != null && echoes.isEcho(m.topic(), m.payloadBuffer())) {
            m.acknowledge(); // this bridge sent it; the remote sent it back (no No Local in MQTT 3.1.1)
            return;
        }
        TopicMapping mapping = inMapping(m.topic());
        if (mapping == null) {
            dropped.incrementAndGet();
            LOG.debug("Bridge {}: no mapping takes {} in; dropped", name, m.topic());
            m.acknowledge();
            return;
        }
        String topic = mapping.toLocal(m.topic());
        MessageProperties properties = settings.protocol() == MqttProtocolVersion.MQTT_5 ? m.properties()
                : MessageProperties.none();
        underWay.incrementAndGet();
        local.publish(topic, m.payloadBuffer(), m.qos(), m.retain(), properties).whenComplete((r, e) -> {
            done();
            if (e == null) {
                if (r.isSuccess()) {
                    received.incrementAndGet();
                } else {
                    dropped.incrementAndGet();
                    problem("the local broker refused the message on " + topic + " (reason code 0x"
                            + Integer.toHexString(r.reasonCode()) + "); dropped");
                }
                m.acknowledge();
            } else if (!closed && !(unwrap(e) instanceof ClientClosedException)) {
                // not acknowledged: the remote sends it again when the link is re-established
                problem("cannot pass the message on " + topic + " to the local broker: " + unwrap(e).getMessage());
            }
        });
    }

    private TopicMapping outMapping(String localTopic) {
        for (TopicMapping t : settings.topics()) {
            if (t.sendsOut(localTopic)) {
                return t;
            }
        }
        return null;
    }

    private TopicMapping inMapping(String remoteTopic) {
        for (TopicMapping t : settings.topics()) {
            if (t.takesIn(remoteTopic)) {
                return t;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ stopping

    /**
     * Stops the bridge and keeps its sessions: what is queued for the remote stays in the local session (on disk
     * with a durable store) for the next start, and the remote keeps a persistent session.
     */
    @Override
    public void close() {
        stop();
    }

    /**
     * Stops the bridge and ends its local session: messages still queued for the remote are discarded. For a
     * bridge whose configuration was deleted.
     */
    public void remove() {
        stop();
        try (MqttClient ender = MqttClient.builder().address(context.localAddress()).host("local")
                .clientId(localClientId).protocolVersion(MqttProtocolVersion.MQTT_5).cleanSession(true)
                .sessionExpiryInterval(Duration.ZERO).reconnectPolicy(ReconnectPolicy.none()).build()) {
            ender.connect().get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            ender.disconnect().get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Bridge {}: removed, with its local session", name);
        } catch (Exception e) {
            LOG.warn("Bridge {}: could not end its local session {}: {}", name, localClientId, e.toString());
        }
    }

    /** A message under way was acknowledged by the other side (or failed). */
    private void done() {
        if (underWay.decrementAndGet() == 0 && stopping) {
            synchronized (drainLock) {
                drainLock.notifyAll();
            }
        }
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        // first no new message is taken from either side, and those under way are finished, so that each side
        // has its acknowledgement before the connections go: a message acknowledged to the remote but not to the
        // local session would be sent again at the next start, and QoS 2 would arrive twice
        stopping = true;
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        synchronized (drainLock) {
            while (underWay.get() > 0 && System.nanoTime() < deadline) {
                try {
                    drainLock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (underWay.get() > 0) {
            LOG.warn("Bridge {}: stopping with {} message(s) not acknowledged yet; they are sent again at the next "
                    + "start", name, underWay.get());
        }
        // a round trip behind the acknowledgements: once it is answered, each broker has read them. Closing a
        // connection does not wait for that, and a broker drops what it had not read of a connection that the next
        // start of this bridge takes over
        if (local.isConnected()) {
            await(local.unsubscribe(BARRIER));
        }
        if (remote.isConnected()) {
            await(remote.unsubscribe(BARRIER));
        }
        closed = true;
        if (registration != null) {
            registration.close();
        }
        loop.execute(() -> {
            cancel(remoteRetry);
            cancel(localRetry);
            waiting.clear(); // not acknowledged: they stay in the local session
        });
        // the acknowledgements written above leave with the local client's DISCONNECT
        await(local.disconnect());
        await(remote.disconnect());
        local.close();
        remote.close();
        remoteConnected = false;
        group.shutdownGracefully(0, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(CLOSE_WAIT.toMillis() * 2);
        LOG.info("Bridge {}: stopped ({} sent, {} received)", name, sent.get(), received.get());
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private void await(java.util.concurrent.CompletableFuture<?> f) {
        try {
            f.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("Bridge {}: disconnecting: {}", name, e.toString());
        }
    }

    @Override
    public String toString() {
        return "MqttBridge[" + name + " to " + settings.remote() + "]";
    }

    // ------------------------------------------------------------------ connection events (on the loop)

    private final class RemoteEvents implements ConnectionListener {
        @Override
        public void connected(ConnectResult result) {
            remoteUp(result);
        }

        @Override
        public void connectionLost(Throwable cause) {
            remoteConnected = false;
            if (!closed) {
                remoteProblem = describe(cause);
                problem("lost the connection to " + settings.remote() + ": " + remoteProblem + "; reconnecting");
            }
        }

        @Override
        public void reconnecting(int attempt, Duration delay, Throwable cause) {
            String problem = describe(cause);
            if (attempt > 1 && !problem.equals(remoteProblem)) {
                remoteProblem = problem;
                problem("cannot reconnect to " + settings.remote() + ": " + problem + "; trying again");
            } else {
                LOG.debug("Bridge {}: reconnect attempt {} to {} in {} ms ({})", name, attempt, settings.remote(),
                        delay.toMillis(), problem);
            }
        }

        @Override
        public void disconnected(Throwable cause) {
            if (!closed) {
                retryRemote(cause);
            }
        }
    }

    /** The local client's events, on the broker's local loop: handled on the bridge's loop. */
    private final class LocalEvents implements ConnectionListener {
        @Override
        public void connected(ConnectResult result) {
            loop.execute(() -> localUp(result));
        }

        @Override
        public void connectionLost(Throwable cause) {
            if (!closed) {
                LOG.info("Bridge {}: the local broker closed the bridge's connection: {}; reconnecting", name,
                        describe(cause));
            }
        }

        @Override
        public void disconnected(Throwable cause) {
            if (!closed) {
                loop.execute(() -> retryLocal(cause));
            }
        }
    }
}
