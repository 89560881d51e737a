package io.cairn.client.internal;

import io.cairn.client.AuthenticationResult;
import io.cairn.client.ClientClosedException;
import io.cairn.client.ConnAckProperties;
import io.cairn.client.DisconnectOptions;
import io.cairn.client.EnhancedAuthenticator;
import io.cairn.client.MessageProperties;
import io.cairn.client.ReasonCodes;
import io.cairn.client.ServerDisconnectedException;
import io.cairn.client.ClientState;
import io.cairn.client.ConnectRefusedException;
import io.cairn.client.ConnectResult;
import io.cairn.client.ConnectReturnCode;
import io.cairn.client.ConnectionListener;
import io.cairn.client.ConnectionLostException;
import io.cairn.client.MessageListener;
import io.cairn.client.MqttClientException;
import io.cairn.client.PublishQueueFullException;
import io.cairn.client.PublishResult;
import io.cairn.client.Qos;
import io.cairn.client.SubscribeResult;
import io.cairn.client.Subscription;
import io.cairn.client.SubscriptionGrant;
import io.cairn.client.UnsubscribeResult;
import io.cairn.client.Will;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine behind an {@code MqttClient}: the connection, the session's outgoing and incoming QoS flows,
 * subscriptions, keep-alive and reconnects.
 *
 * <p>All state is confined to one event loop, the client's home loop; public methods hop onto it (or run inline
 * when already on it), so no state is locked. Writes are batched: a write schedules one flush task per loop
 * turn, and reads are flushed once per read batch.
 */
public final class ClientEngine {

    private static final Logger LOG = LoggerFactory.getLogger(ClientEngine.class);

    private static final MqttMessage PINGREQ =
            new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0));
    private static final MqttMessage DISCONNECT =
            new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0));
    private static final long CLOSE_WAIT_SECONDS = 5;
    /** The name of the TLS handler, first in the pipeline. */
    static final String TLS_HANDLER = "tls";
    /** The largest packet MQTT can frame: 1 + 4 + 268435455 bytes. */
    private static final int PROTOCOL_MAX_PACKET = 268_435_455 + 5;

    private final ClientOptions options;
    private final EventLoopGroup ownedGroup;
    private final EventLoop loop;
    private final Class<? extends Channel> channelType;
    private final Runnable flushTask = this::flushNow;
    /** Whether the client speaks MQTT 5. */
    private final boolean v5;
    /**
     * Whether the server keeps the session when the connection is lost, so pending operations survive: 3.1.1
     * without clean session, MQTT 5 without Clean Start and with a Session Expiry Interval above 0.
     */
    private final boolean sessionPersists;
    /** The enhanced authentication exchange, or null without an authenticator. */
    private final AuthExchange auth;

    private volatile ClientState state = ClientState.NEW;

    // ---- everything below is touched on the event loop only ----
    private Channel channel;
    private boolean recovering;
    private int reconnectAttempt;
    private CompletableFuture<ConnectResult> connectFuture;
    private ScheduledFuture<?> connectTimer;
    private ScheduledFuture<?> reconnectTimer;
    private ScheduledFuture<?> keepAliveTimer;
    private ConnectResult current;
    /** The keep-alive in force: the client's, or the server's Server Keep Alive (MQTT-3.2.2-21). */
    private long keepAliveNanos;
    /** The client identifier for the next CONNECT: the builder's, or the one the server assigned. */
    private String clientIdNow;
    /** The limits of the current (or last) MQTT 5 server. */
    private ConnAckProperties server = ConnAckProperties.defaults();
    /** The most QoS 1/2 publishes in flight: maxInflight, capped by the server's Receive Maximum. */
    private int inflightLimit;
    /** The Session Expiry Interval the current connection's CONNECT sent. */
    private long sessionExpirySeconds;
    private OutgoingAliases outAliases;

    private boolean flushScheduled;
    private boolean unflushed;
    private long lastWriteNanos;
    private long lastReadNanos;
    private long pingSentNanos;
    private boolean pingOutstanding;

    private final PacketIds packetIds = new PacketIds();
    private final OutgoingPublish[] inflightById = new OutgoingPublish[PacketIds.MAX + 1];
    private OutgoingPublish inflightHead;
    private OutgoingPublish inflightTail;
    private int inflightCount;
    private final ArrayDeque<OutgoingPublish> queue = new ArrayDeque<>();
    private final Map<Integer, PendingRequest> requests = new LinkedHashMap<>();
    private final SubscriptionRegistry subscriptions = new SubscriptionRegistry();
    private final InboundFlow inbound;

    /**
     * An engine for {@code options}; nothing is connected until {@link #connect()}.
     *
     * @throws IllegalStateException if the address is a {@code LocalAddress} and the caller's event loop group
     *                               cannot run {@code LocalChannel}s
     */
    public ClientEngine(ClientOptions options) {
        this.options = options;
        boolean local = options.address() instanceof LocalAddress;
        if (options.eventLoopGroup() == null) {
            this.ownedGroup = Transports.newOwnedGroup("cairn-client-" + safeName(options.clientId()), local);
            this.loop = ownedGroup.next();
        } else {
            this.ownedGroup = null;
            this.loop = options.eventLoopGroup().next();
            if (local && !Transports.runsLocalChannels(loop)) {
                throw new IllegalStateException("the client's address " + options.address() + " is a Netty "
                        + "LocalAddress, but the event loop group given cannot run LocalChannels ("
                        + loop.getClass().getSimpleName() + "); give a MultiThreadIoEventLoopGroup with "
                        + "LocalIoHandler.newFactory(), or no group");
            }
        }
        this.channelType = Transports.channelType(loop, options.address());
        this.keepAliveNanos = options.keepAlive().toNanos();
        this.v5 = options.mqtt5();
        this.sessionPersists = v5 ? !options.cleanSession() && options.v5().sessionExpirySeconds() > 0
                : !options.cleanSession();
        EnhancedAuthenticator authenticator = v5 ? options.v5().authenticator() : null;
        this.auth = authenticator == null ? null : new AuthExchange(authenticator, options.clientId(), loop,
                Math.max(1, options.connectTimeout().toMillis()), new AuthLink());
        this.inbound = new InboundFlow(options, subscriptions, new InboundLink());
        this.clientIdNow = options.clientId();
        this.inflightLimit = options.maxInflight();
    }

    private static String safeName(String clientId) {
        return clientId.isEmpty() ? "anonymous" : clientId.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The state as last published by the event loop. */
    public ClientState state() {
        return state;
    }

    /** The event loop all of this client's work runs on. */
    public EventLoop eventLoop() {
        return loop;
    }

    // ------------------------------------------------------------------------------------------------------
    // public operations: any thread
    // ------------------------------------------------------------------------------------------------------

    /** Connects, or joins the attempt under way; see {@code MqttClient#connect()}. */
    public CompletableFuture<ConnectResult> connect() {
        CompletableFuture<ConnectResult> f = new CompletableFuture<>();
        onLoop(() -> doConnect(f), f);
        return f;
    }

    /** Publishes; see {@code MqttClient#publish}. Validation is the caller's. */
    public CompletableFuture<PublishResult> publish(String topic, ByteBuffer payload, Qos qos, boolean retain,
                                                    MessageProperties properties) {
        CompletableFuture<PublishResult> f = new CompletableFuture<>();
        OutgoingPublish p = new OutgoingPublish(topic, payload, qos, retain, properties, f);
        if (loop.inEventLoop()) {
            doPublish(p);
        } else {
            onLoop(() -> doPublish(p), f);
        }
        return f;
    }

    /** Subscribes {@code listener} to every filter of {@code list}. Validation is the caller's. */
    public CompletableFuture<SubscribeResult> subscribe(List<Subscription> list, int subscriptionIdentifier,
                                                        MessageListener listener) {
        CompletableFuture<SubscribeResult> f = new CompletableFuture<>();
        onLoop(() -> doSubscribe(new PendingRequest.Subscribe(list, subscriptionIdentifier, listener, f, false)), f);
        return f;
    }

    /** Unsubscribes the filters. Validation is the caller's. */
    public CompletableFuture<UnsubscribeResult> unsubscribe(List<String> filters) {
        CompletableFuture<UnsubscribeResult> f = new CompletableFuture<>();
        onLoop(() -> doUnsubscribe(new PendingRequest.Unsubscribe(filters, f)), f);
        return f;
    }

    /** Sends DISCONNECT (with {@code how}, for MQTT 5), closes the connection and stops reconnecting. */
    public CompletableFuture<Void> disconnect(DisconnectOptions how) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        onLoop(() -> doDisconnect(f, how), f);
        return f;
    }

    /** Starts a re-authentication; see {@code MqttClient#reauthenticate()}. */
    public CompletableFuture<AuthenticationResult> reauthenticate() {
        CompletableFuture<AuthenticationResult> f = new CompletableFuture<>();
        onLoop(() -> doReauthenticate(f), f);
        return f;
    }

    /**
     * Disconnects, fails what is pending with {@link ClientClosedException} and shuts down the event loop group
     * if the client owns it. Waits up to a few seconds for that unless called on the event loop.
     */
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> doClose(done), done);
        boolean onLoop = loop.inEventLoop();
        if (!onLoop) {
            try {
                done.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.debug("Client {} did not close within {} s", options.clientId(), CLOSE_WAIT_SECONDS, e);
            }
        }
        if (ownedGroup != null) {
            Future<?> terminated = ownedGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (!onLoop) {
                terminated.awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private void onLoop(Runnable task, CompletableFuture<?> f) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new ClientClosedException("the client's event loop has shut down"));
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // connection life cycle
    // ------------------------------------------------------------------------------------------------------

    private void setState(ClientState s) {
        state = s;
    }

    private void doConnect(CompletableFuture<ConnectResult> f) {
        switch (state) {
            case CLOSED -> f.completeExceptionally(new ClientClosedException("the client is closed"));
            case CONNECTED -> f.complete(current);
            case CONNECTING -> joinConnect(f);
            case RECONNECTING -> {
                cancel(reconnectTimer);
                reconnectTimer = null;
                joinConnect(f);
                startAttempt();
            }
            case NEW, DISCONNECTED -> {
                recovering = false;
                joinConnect(f);
                startAttempt();
            }
        }
    }

    private void joinConnect(CompletableFuture<ConnectResult> f) {
        if (connectFuture == null) {
            connectFuture = f;
        } else {
            connectFuture.whenComplete((r, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(r);
                }
            });
        }
    }

    private void startAttempt() {
        setState(ClientState.CONNECTING);
        long timeoutMillis = Math.max(1, options.connectTimeout().toMillis());
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        TlsOptions tls = options.tls();
                        if (tls != null) {
                            // SNI and endpoint identification name the server; the port only keys session reuse
                            int port = options.address() instanceof InetSocketAddress a ? a.getPort() : options.port();
                            SslHandler ssl = tls.context().newHandler(ch.alloc(), tls.serverName(), port);
                            ssl.setHandshakeTimeoutMillis(timeoutMillis);
                            ch.pipeline().addLast(TLS_HANDLER, ssl);
                        }
                        ch.pipeline().addLast("decoder", new MqttDecoder(options.maxIncomingPacketSize()));
                        ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                        ch.pipeline().addLast("client", new ConnectionHandler());
                    }
                });
        if (Transports.isSocket(channelType)) {
            bootstrap.option(ChannelOption.TCP_NODELAY, true);
        }
        ChannelFuture connecting;
        try {
            connecting = options.address() != null ? bootstrap.connect(options.address())
                    : bootstrap.connect(options.host(), options.port());
        } catch (RuntimeException e) {
            attemptFailed(new ConnectionLostException("cannot connect to " + address(), e));
            return;
        }
        Channel ch = connecting.channel();
        channel = ch;
        connectTimer = loop.schedule(() -> {
            if (channel == ch && state == ClientState.CONNECTING) {
                fail(ch, new MqttClientException("no CONNACK from " + address() + " within "
                        + options.connectTimeout().toMillis() + " ms"));
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        connecting.addListener(done -> {
            if (!done.isSuccess() && channel == ch) {
                fail(ch, new ConnectionLostException("cannot connect to " + address(), done.cause()));
            }
        });
    }

    private String address() {
        if (options.address() != null) {
            return options.address().toString();
        }
        return options.host() + ":" + options.port();
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Why a TLS handshake failed, in words: the certificate check that failed, then the JDK's message. */
    private String tlsFailure(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        String why;
        if (detail.contains("PKIX path") || detail.contains("certification path")) {
            why = "the server's certificate is not trusted (no trusted CA issued it)";
        } else if (detail.contains("No subject alternative") || detail.contains("No name matching")) {
            why = "the server's certificate does not match the server name '" + options.tls().serverName() + "'";
        } else if (detail.startsWith("Received fatal alert")) {
            why = "the server refused it (a bad_certificate or certificate_required alert means it wants a client "
                    + "certificate it trusts)";
        } else if (root instanceof javax.net.ssl.SSLHandshakeException || root instanceof SslHandshakeTimeoutException
                || cause instanceof SslHandshakeTimeoutException) {
            why = "the handshake did not complete";
        } else {
            why = "the TLS connection broke";
        }
        return "TLS handshake with " + address() + " failed: " + why + ": " + detail;
    }

    private void sendConnect(Channel ch) {
        Will will = options.will();
        boolean hasPassword = options.password() != null;
        boolean hasUser = options.username() != null;
        MqttProperties properties = MqttProperties.NO_PROPERTIES;
        MqttProperties willProperties = MqttProperties.NO_PROPERTIES;
        if (v5) {
            String authMethod = null;
            byte[] authData = null;
            if (auth != null) {
                authMethod = auth.begin();
                authData = auth.initialData();
            }
            properties = Properties5.connect(options, PROTOCOL_MAX_PACKET, authMethod, authData);
            if (will != null) {
                willProperties = Properties5.will(will);
            }
            sessionExpirySeconds = options.v5().sessionExpirySeconds();
        }
        MqttConnectVariableHeader header = new MqttConnectVariableHeader(
                options.protocolVersion().protocolName(), options.protocolVersion().level(), hasUser, hasPassword,
                will != null && will.retain(), will == null ? 0 : will.qos().value(), will != null,
                options.cleanSession(), (int) options.keepAlive().toSeconds(), properties);
        MqttConnectPayload payload = new MqttConnectPayload(clientIdNow, willProperties,
                will == null ? null : will.topic(), will == null ? null : will.payload(), options.username(),
                options.password());
        MqttConnectMessage connect = new MqttConnectMessage(
                new MqttFixedHeader(MqttMessageType.CONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0), header, payload);
        ch.writeAndFlush(connect).addListener(done -> {
            if (!done.isSuccess()) {
                fail(ch, new ConnectionLostException("cannot send CONNECT to " + address(), done.cause()));
            }
        });
        lastWriteNanos = System.nanoTime();
    }

    private void onConnAck(Channel ch, MqttConnAckMessage ack) {
        int code = ack.variableHeader().connectReturnCode().byteValue() & 0xFF;
        if (v5) {
            onConnAck5(ch, ack, code);
            return;
        }
        cancel(connectTimer);
        connectTimer = null;
        if (code != 0) {
            fail(ch, new ConnectRefusedException(code));
            return;
        }
        boolean sessionPresent = ack.variableHeader().isSessionPresent() && !options.cleanSession();
        connected(new ConnectResult(sessionPresent, ConnectReturnCode.ACCEPTED));
    }

    /** An MQTT 5 CONNACK: the reason code, the server's limits and properties (MQTT 5.0 §3.2). */
    private void onConnAck5(Channel ch, MqttConnAckMessage ack, int code) {
        MqttProperties p = ack.variableHeader().properties();
        ConnAckProperties props = Properties5.connAck(p);
        if (code != 0) {
            cancel(connectTimer);
            connectTimer = null;
            if (auth != null) {
                auth.refused(code, props.reasonString().orElse(null));
            }
            fail(ch, new ConnectRefusedException(code, props)); // MQTT-4.13.2-1: the connection is closed
            return;
        }
        String violation = Properties5.connAckViolation(p);
        if (violation == null && ack.variableHeader().isSessionPresent() && options.cleanSession()) {
            violation = "CONNACK with Session Present 1 answers a CONNECT with Clean Start 1 (MQTT-3.2.2-4)";
        }
        if (violation == null && auth != null) {
            violation = auth.connAckViolation(props.authenticationMethod().orElse(null));
        }
        if (violation == null && auth == null && props.authenticationMethod().isPresent()) {
            violation = "CONNACK with an Authentication Method the client did not send";
        }
        if (violation != null) {
            cancel(connectTimer);
            connectTimer = null;
            protocolError(ch, ReasonCodes.PROTOCOL_ERROR, violation);
            return;
        }
        cancel(connectTimer);
        connectTimer = null;
        server = props;
        props.assignedClientIdentifier().ifPresent(id -> clientIdNow = id);
        keepAliveNanos = props.serverKeepAlive().map(Duration::toNanos).orElse(options.keepAlive().toNanos());
        inflightLimit = Math.min(options.maxInflight(), props.receiveMaximum());
        outAliases = options.v5().outgoingTopicAliases() && props.topicAliasMaximum() > 0
                ? new OutgoingAliases(props.topicAliasMaximum()) : null;
        if (auth != null) {
            auth.succeeded(props.authenticationData().orElse(null));
        }
        boolean sessionPresent = ack.variableHeader().isSessionPresent();
        if (!sessionPresent) {
            // MQTT-3.2.2-5: the server has no session; a QoS 2 message it acknowledged with PUBREC is its
            // own now, and the PUBREL/PUBCOMP of the lost session cannot follow
            for (OutgoingPublish q = inflightHead; q != null; ) {
                OutgoingPublish next = q.next;
                if (q.released) {
                    int id = q.packetId;
                    removeInflight(q);
                    q.future.complete(new PublishResult(q.qos, id, q.ackCode, q.ackReason, q.ackUser));
                }
                q = next;
            }
        }
        connected(new ConnectResult(sessionPresent, ConnectReturnCode.ACCEPTED, props));
    }

    /** The connection is accepted: re-send what the session needs, then report. */
    private void connected(ConnectResult result) {
        current = result;
        boolean sessionPresent = result.sessionPresent();
        inbound.newConnection();
        setState(ClientState.CONNECTED);
        recovering = false;
        reconnectAttempt = 0;
        long now = System.nanoTime();
        lastReadNanos = now;
        pingOutstanding = false;
        if (!sessionPresent) {
            inbound.newSession();
            restoreSubscriptions();
        }
        inbound.sendAcknowledged();
        for (PendingRequest r : requests.values()) {
            sendRequest(r);
        }
        for (OutgoingPublish p = inflightHead; p != null; p = p.next) {
            if (p.released) {
                write(pubRel(p.packetId));
            } else {
                write(publishMessage(p, sessionPresent));
            }
            // a connection-specific check (packet size, QoS, retain) cannot fail a message already in flight:
            // the server accepted it under the session's earlier terms
        }
        drainQueue();
        flushNow();
        if (keepAliveNanos > 0) {
            scheduleKeepAlive(keepAliveNanos);
        }
        CompletableFuture<ConnectResult> f = connectFuture;
        connectFuture = null;
        LOG.debug("Client {} connected to {} (session present: {})", options.clientId(), address(), sessionPresent);
        notifyListeners(l -> l.connected(current));
        if (f != null) {
            f.complete(current);
        }
    }

    /** A new session: subscribe again to what the client had, in one SUBSCRIBE the caller does not wait for. */
    private void restoreSubscriptions() {
        for (Iterator<PendingRequest> it = requests.values().iterator(); it.hasNext(); ) {
            if (it.next() instanceof PendingRequest.Subscribe s && s.restore) {
                packetIds.release(s.packetId);
                it.remove();
            }
        }
        List<SubscriptionRegistry.Entry> confirmed = subscriptions.confirmed();
        if (confirmed.isEmpty()) {
            return;
        }
        LOG.debug("Client {} restores {} subscription(s) on a new session", options.clientId(), confirmed.size());
        // one SUBSCRIBE per Subscription Identifier (MQTT 5 has one per packet; 3.1.1 only ever has 0)
        Map<Integer, List<Subscription>> bySubscriptionId = new LinkedHashMap<>();
        for (SubscriptionRegistry.Entry e : confirmed) {
            bySubscriptionId.computeIfAbsent(e.subscriptionId, k -> new ArrayList<>()).add(e.subscription);
        }
        for (Map.Entry<Integer, List<Subscription>> group : bySubscriptionId.entrySet()) {
            PendingRequest.Subscribe restore = new PendingRequest.Subscribe(group.getValue(), group.getKey(), null,
                    new CompletableFuture<>(), true);
            int id = packetIds.acquire();
            if (id == 0) {
                LOG.warn("Client {} cannot restore its subscriptions: all packet identifiers are in use",
                        options.clientId());
                return;
            }
            restore.packetId = id;
            requests.put(id, restore);
        }
    }

    /**
     * Ends the connection because the server broke the protocol: an MQTT 5 client first sends DISCONNECT with
     * {@code reasonCode} (MQTT 5.0 §4.13), then closes.
     */
    private void protocolError(Channel ch, int reasonCode, String what) {
        LOG.warn("Client {}: protocol violation by {}: {}; disconnecting", options.clientId(), address(), what);
        disconnectWith(ch, reasonCode, new ConnectionLostException("protocol violation by the server: " + what
                + (v5 ? " (DISCONNECT " + ReasonCodes.describe(reasonCode) + ")" : "")));
    }

    /** Sends an MQTT 5 DISCONNECT with {@code reasonCode} on {@code ch}, then closes it because of {@code cause}. */
    private void disconnectWith(Channel ch, int reasonCode, Throwable cause) {
        if (v5 && ch == channel && ch.isActive()) {
            ch.write(Packets5.disconnect(reasonCode, null, List.of(), -1), ch.voidPromise());
            unflushed = false;
            ch.flush();
        }
        fail(ch, cause);
    }

    /** Closes {@code ch} because of {@code cause}, if it is still the current connection. */
    private void fail(Channel ch, Throwable cause) {
        if (ch != channel) {
            ch.close();
            return;
        }
        channel = null;
        ch.close();
        if (state == ClientState.CONNECTING) {
            attemptFailed(cause);
        } else if (state == ClientState.CONNECTED) {
            connectionLost(cause);
        }
    }

    private void attemptFailed(Throwable cause) {
        cancel(connectTimer);
        connectTimer = null;
        channel = null;
        MqttClientException failure = cause instanceof MqttClientException m ? m
                : new ConnectionLostException("cannot connect to " + address(), cause);
        LOG.debug("Client {} could not connect to {}: {}", options.clientId(), address(), failure.toString());
        CompletableFuture<ConnectResult> f = connectFuture;
        connectFuture = null;
        boolean permanent = failure instanceof ConnectRefusedException r && !r.isTransient();
        // the state changes first: whoever the failed future wakes sees the client's next state, not CONNECTING
        if (recovering && !permanent && options.reconnectPolicy().isEnabled()) {
            scheduleReconnect(failure);
        } else {
            goDisconnected(failure);
        }
        if (f != null) {
            f.completeExceptionally(failure);
        }
    }

    private void connectionLost(Throwable cause) {
        stopConnectionTimers();
        channel = null;
        LOG.info("Client {} lost its connection to {}: {}", options.clientId(), address(), cause.toString());
        if (auth != null) {
            auth.connectionEnded(cause);
        }
        if (!sessionPersists) {
            failPending(new ConnectionLostException("the connection to " + address() + " was lost", cause));
        }
        notifyListeners(l -> l.connectionLost(cause));
        if (options.reconnectPolicy().isEnabled()) {
            recovering = true;
            reconnectAttempt = 0;
            scheduleReconnect(cause);
        } else {
            goDisconnected(cause);
        }
    }

    private void scheduleReconnect(Throwable cause) {
        setState(ClientState.RECONNECTING);
        int attempt = ++reconnectAttempt;
        Duration delay = options.reconnectPolicy().delay(attempt);
        notifyListeners(l -> l.reconnecting(attempt, delay, cause));
        reconnectTimer = loop.schedule(() -> {
            reconnectTimer = null;
            if (state == ClientState.RECONNECTING) {
                startAttempt();
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops connecting; {@code cause} is null after disconnect(). */
    private void goDisconnected(Throwable cause) {
        recovering = false;
        setState(ClientState.DISCONNECTED);
        if (!sessionPersists) {
            failPending(new ConnectionLostException("the client is disconnected", cause));
        }
        notifyListeners(l -> l.disconnected(cause));
    }

    private void doDisconnect(CompletableFuture<Void> f, DisconnectOptions how) {
        if (v5 && state == ClientState.CONNECTED && how.sessionExpiryInterval().isPresent()
                && sessionExpirySeconds == 0 && how.sessionExpiryInterval().get().toSeconds() != 0) {
            f.completeExceptionally(new MqttClientException("the connection began with a Session Expiry Interval of"
                    + " 0; DISCONNECT cannot set a non-zero one (MQTT 5.0 §3.14.2.2.2)"));
            return;
        }
        switch (state) {
            case CLOSED -> f.complete(null);
            case NEW, DISCONNECTED -> f.complete(null);
            case RECONNECTING -> {
                cancel(reconnectTimer);
                reconnectTimer = null;
                goDisconnected(null);
                f.complete(null);
            }
            case CONNECTING, CONNECTED -> {
                Channel ch = channel;
                boolean connected = state == ClientState.CONNECTED;
                channel = null;
                stopConnectionTimers();
                CompletableFuture<ConnectResult> cf = connectFuture;
                connectFuture = null;
                if (cf != null) {
                    cf.completeExceptionally(new ConnectionLostException("disconnect() was called while connecting"));
                }
                if (auth != null) {
                    auth.connectionEnded(new ConnectionLostException("disconnect() was called"));
                }
                goDisconnected(null);
                closeGracefully(ch, connected, how).addListener(done -> f.complete(null));
            }
        }
    }

    private ChannelFuture closeGracefully(Channel ch, boolean sendDisconnect, DisconnectOptions how) {
        if (sendDisconnect && ch.isActive()) {
            // MQTT-3.14.4-1, -2: nothing after DISCONNECT, then close
            ch.write(v5 && how != DisconnectOptions.normal() ? disconnect5(how) : DISCONNECT, ch.voidPromise());
            unflushed = false;
            ch.flush();
        }
        return ch.close();
    }

    /**
     * The client's MQTT 5 DISCONNECT; the Reason String and User Properties are left out if they would make it
     * larger than the server's Maximum Packet Size (MQTT-3.14.2-3, -4).
     */
    private MqttMessage disconnect5(DisconnectOptions how) {
        return Packets5.disconnectWithin(server.maximumPacketSize().orElse(0), how.reasonCode(),
                how.reasonString().orElse(null), how.userProperties(),
                how.sessionExpiryInterval().map(Duration::toSeconds).orElse(-1L));
    }

    private void doClose(CompletableFuture<Void> done) {
        if (state == ClientState.CLOSED) {
            done.complete(null);
            return;
        }
        ClientState was = state;
        setState(ClientState.CLOSED);
        recovering = false;
        cancel(reconnectTimer);
        reconnectTimer = null;
        stopConnectionTimers();
        ClientClosedException closed = new ClientClosedException("the client was closed");
        CompletableFuture<ConnectResult> cf = connectFuture;
        connectFuture = null;
        if (cf != null) {
            cf.completeExceptionally(closed);
        }
        failPending(closed);
        if (auth != null) {
            auth.connectionEnded(closed);
        }
        Channel ch = channel;
        channel = null;
        notifyListeners(ConnectionListener::closed);
        if (ch == null) {
            done.complete(null);
        } else {
            closeGracefully(ch, was == ClientState.CONNECTED, DisconnectOptions.normal())
                    .addListener(f -> done.complete(null));
        }
    }

    private void stopConnectionTimers() {
        cancel(connectTimer);
        connectTimer = null;
        cancel(keepAliveTimer);
        keepAliveTimer = null;
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void notifyListeners(Consumer<ConnectionListener> event) {
        for (ConnectionListener l : options.connectionListeners()) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("Connection listener {} of client {} failed", l, options.clientId(), e);
            }
        }
    }

    /** Fails every pending publish and request with {@code cause} and forgets the session's outgoing state. */
    private void failPending(MqttClientException cause) {
        List<CompletableFuture<?>> toFail = new ArrayList<>();
        for (OutgoingPublish p = inflightHead; p != null; ) {
            OutgoingPublish next = p.next;
            inflightById[p.packetId] = null;
            packetIds.release(p.packetId);
            p.prev = null;
            p.next = null;
            toFail.add(p.future);
            p = next;
        }
        inflightHead = null;
        inflightTail = null;
        inflightCount = 0;
        for (OutgoingPublish p; (p = queue.pollFirst()) != null; ) {
            toFail.add(p.future);
        }
        List<PendingRequest> pending = new ArrayList<>(requests.values());
        requests.clear();
        for (int i = pending.size() - 1; i >= 0; i--) {
            PendingRequest r = pending.get(i);
            packetIds.release(r.packetId);
            if (r instanceof PendingRequest.Subscribe s && !s.restore) {
                for (int j = s.subscriptions.size() - 1; j >= 0; j--) {
                    subscriptions.restore(s.subscriptions.get(j).filter(), s.previous[j]);
                }
            }
        }
        for (PendingRequest r : pending) {
            toFail.add(r.future());
        }
        for (CompletableFuture<?> f : toFail) {
            f.completeExceptionally(cause);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // outgoing
    // ------------------------------------------------------------------------------------------------------

    private void doPublish(OutgoingPublish p) {
        switch (state) {
            case CLOSED -> {
                p.future.completeExceptionally(new ClientClosedException("the client is closed"));
                return;
            }
            case NEW, DISCONNECTED -> {
                p.future.completeExceptionally(new ConnectionLostException("the client is not connected: "
                        + (state == ClientState.NEW ? "call connect() first" : "it was disconnected")));
                return;
            }
            default -> {
            }
        }
        if (v5 && state == ClientState.CONNECTED) {
            String broken = ServerLimits.publish(server, p);
            if (broken != null) {
                p.future.completeExceptionally(new MqttClientException(broken));
                return;
            }
        }
        if (state == ClientState.CONNECTED && queue.isEmpty() && canSendNow(p)) {
            send(p);
            return;
        }
        if (queue.size() >= options.maxQueuedPublishes()) {
            p.future.completeExceptionally(new PublishQueueFullException("cannot publish to " + p.topic
                    + ": the in-flight window of " + options.maxInflight() + " is full and "
                    + options.maxQueuedPublishes() + " publishes already wait behind it"));
            return;
        }
        queue.addLast(p);
    }

    private boolean canSendNow(OutgoingPublish p) {
        // MQTT-3.3.4-7, MQTT-4.9.0-2: at most the server's Receive Maximum QoS 1/2 publishes unacknowledged
        return p.qos == Qos.AT_MOST_ONCE || (inflightCount < inflightLimit && packetIds.inUse() < PacketIds.MAX);
    }

    private void drainQueue() {
        while (state == ClientState.CONNECTED && !queue.isEmpty() && canSendNow(queue.peekFirst())) {
            OutgoingPublish p = queue.pollFirst();
            String broken = v5 ? ServerLimits.publish(server, p) : null;
            if (broken != null) {
                p.future.completeExceptionally(new MqttClientException(broken));
            } else {
                send(p);
            }
        }
    }

    private void send(OutgoingPublish p) {
        if (p.qos == Qos.AT_MOST_ONCE) {
            MqttPublishMessage m = v5 ? publishMessage5(p, false) : publishMessage(p, false);
            channel.write(m).addListener(done -> {
                if (done.isSuccess()) {
                    p.future.complete(PublishResult.atMostOnce());
                } else {
                    p.future.completeExceptionally(new ConnectionLostException("could not write the QoS 0 PUBLISH to "
                            + p.topic, done.cause()));
                }
            });
            unflushed = true;
            scheduleFlush();
            return;
        }
        int id = packetIds.acquire();
        p.packetId = id;
        inflightById[id] = p;
        p.prev = inflightTail;
        if (inflightTail == null) {
            inflightHead = p;
        } else {
            inflightTail.next = p;
        }
        inflightTail = p;
        inflightCount++;
        write(v5 ? publishMessage5(p, false) : publishMessage(p, false));
    }

    private void removeInflight(OutgoingPublish p) {
        if (p.prev == null) {
            inflightHead = p.next;
        } else {
            p.prev.next = p.next;
        }
        if (p.next == null) {
            inflightTail = p.prev;
        } else {
            p.next.prev = p.prev;
        }
        p.prev = null;
        p.next = null;
        inflightById[p.packetId] = null;
        packetIds.release(p.packetId);
        inflightCount--;
    }

    private MqttPublishMessage publishMessage(OutgoingPublish p, boolean dup) {
        if (v5) {
            return publishMessage5(p, dup);
        }
        MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(p.qos.value()),
                p.retain, 0);
        return new MqttPublishMessage(header, new MqttPublishVariableHeader(p.topic, p.packetId),
                Unpooled.wrappedBuffer(p.payload.duplicate()));
    }

    /** An MQTT 5 PUBLISH with the message's properties and, by the alias policy, a Topic Alias. */
    private MqttPublishMessage publishMessage5(OutgoingPublish p, boolean dup) {
        String topic = p.topic;
        int alias = 0;
        if (outAliases != null) {
            int topicBytes = Topics.utf8Length(topic);
            boolean roomForAlias = true;
            if (server.maximumPacketSize().isPresent()) {
                long size = Properties5.publishSize(topicBytes, p.qos != Qos.AT_MOST_ONCE,
                        Properties5.length(p.properties) + 3, p.payload.remaining());
                roomForAlias = size <= server.maximumPacketSize().getAsLong();
            }
            int a = outAliases.aliasFor(topic, topicBytes, roomForAlias);
            if (a > 0) {
                alias = a;
                topic = "";
            } else if (a < 0) {
                alias = -a;
            }
        }
        MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(p.qos.value()),
                p.retain, 0);
        return new MqttPublishMessage(header, new MqttPublishVariableHeader(topic, p.packetId,
                Properties5.message(p.properties, alias)), Unpooled.wrappedBuffer(p.payload.duplicate()));
    }

    private void doSubscribe(PendingRequest.Subscribe s) {
        if (v5) {
            String unsupported = ServerLimits.subscribe(server, s.subscriptions, s.subscriptionId);
            if (unsupported != null) {
                s.future.completeExceptionally(new MqttClientException(unsupported));
                return;
            }
        }
        if (!acceptRequest(s)) {
            return;
        }
        for (int i = 0; i < s.subscriptions.size(); i++) {
            Subscription sub = s.subscriptions.get(i);
            s.previous[i] = subscriptions.put(sub, s.subscriptionId, s.listener);
        }
        requests.put(s.packetId, s);
        if (state == ClientState.CONNECTED) {
            sendRequest(s);
        }
    }

    private void doUnsubscribe(PendingRequest.Unsubscribe u) {
        String tooLarge = v5 ? ServerLimits.unsubscribe(server, u.filters) : null;
        if (tooLarge != null) {
            u.future.completeExceptionally(new MqttClientException(tooLarge));
            return;
        }
        if (!acceptRequest(u)) {
            return;
        }
        requests.put(u.packetId, u);
        if (state == ClientState.CONNECTED) {
            sendRequest(u);
        }
    }

    /** Fails the request if the state does not allow it, or else gives it a packet identifier. */
    private boolean acceptRequest(PendingRequest r) {
        switch (state) {
            case CLOSED -> {
                r.future().completeExceptionally(new ClientClosedException("the client is closed"));
                return false;
            }
            case NEW, DISCONNECTED -> {
                r.future().completeExceptionally(new ConnectionLostException("the client is not connected: "
                        + (state == ClientState.NEW ? "call connect() first" : "it was disconnected")));
                return false;
            }
            default -> {
            }
        }
        int id = packetIds.acquire();
        if (id == 0) {
            r.future().completeExceptionally(new MqttClientException("all 65535 packet identifiers are in use"));
            return false;
        }
        r.packetId = id;
        return true;
    }

    private void sendRequest(PendingRequest r) {
        if (v5) {
            sendRequest5(r);
            return;
        }
        if (r instanceof PendingRequest.Subscribe s) {
            List<MqttTopicSubscription> topics = new ArrayList<>(s.subscriptions.size());
            for (Subscription sub : s.subscriptions) {
                topics.add(new MqttTopicSubscription(sub.filter(), MqttQoS.valueOf(sub.qos().value())));
            }
            write(new MqttSubscribeMessage(
                    new MqttFixedHeader(MqttMessageType.SUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                    MqttMessageIdVariableHeader.from(s.packetId), new MqttSubscribePayload(topics)));
        } else if (r instanceof PendingRequest.Unsubscribe u) {
            write(new MqttUnsubscribeMessage(
                    new MqttFixedHeader(MqttMessageType.UNSUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                    MqttMessageIdVariableHeader.from(u.packetId), new MqttUnsubscribePayload(u.filters)));
        }
    }

    /** An MQTT 5 SUBSCRIBE (options per filter, Subscription Identifier) or UNSUBSCRIBE. */
    private void sendRequest5(PendingRequest r) {
        if (r instanceof PendingRequest.Subscribe s) {
            write(Packets5.subscribe(s.packetId, s.subscriptions, s.subscriptionId));
        } else if (r instanceof PendingRequest.Unsubscribe u) {
            write(Packets5.unsubscribe(u.packetId, u.filters));
        }
    }

    private void write(Object message) {
        if (channel == null) {
            // a listener disconnected or closed the client while a packet was being handled
            ReferenceCountUtil.release(message);
            return;
        }
        channel.write(message, channel.voidPromise());
        unflushed = true;
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        if (unflushed && channel != null) {
            unflushed = false;
            lastWriteNanos = System.nanoTime();
            channel.flush();
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // keep-alive
    // ------------------------------------------------------------------------------------------------------

    private void scheduleKeepAlive(long delayNanos) {
        keepAliveTimer = loop.schedule(this::keepAliveCheck, Math.max(delayNanos, TimeUnit.MILLISECONDS.toNanos(1)),
                TimeUnit.NANOSECONDS);
    }

    /**
     * Sends PINGREQ when nothing was written, or nothing read, for a keep-alive period; declares the connection
     * lost when a PINGREQ got no packet back within a further period.
     */
    private void keepAliveCheck() {
        keepAliveTimer = null;
        Channel ch = channel;
        if (state != ClientState.CONNECTED || ch == null) {
            return;
        }
        long now = System.nanoTime();
        if (pingOutstanding) {
            if (lastReadNanos - pingSentNanos >= 0) {
                pingOutstanding = false;
            } else if (now - pingSentNanos >= keepAliveNanos) {
                fail(ch, new ConnectionLostException("no PINGRESP or other packet from " + address() + " within "
                        + TimeUnit.NANOSECONDS.toMillis(keepAliveNanos) + " ms of a PINGREQ"));
                return;
            }
        }
        if (!pingOutstanding && (now - lastWriteNanos >= keepAliveNanos || now - lastReadNanos >= keepAliveNanos)) {
            write(PINGREQ);
            flushNow();
            pingSentNanos = now;
            pingOutstanding = true;
        }
        long deadline = pingOutstanding ? pingSentNanos + keepAliveNanos
                : Math.min(lastWriteNanos, lastReadNanos) + keepAliveNanos;
        scheduleKeepAlive(deadline - now);
    }

    // ------------------------------------------------------------------------------------------------------
    // incoming
    // ------------------------------------------------------------------------------------------------------

    /** Handles one packet of the current connection; a PUBLISH is released by the inbound flow. */
    private void onMessage(Channel ch, MqttMessage msg) {
        lastReadNanos = System.nanoTime();
        if (msg.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            Throwable cause = msg.decoderResult().cause();
            if (v5) {
                // MQTT 5.0 §4.13: DISCONNECT 0x95 for a packet above the client's Maximum Packet Size, else 0x81
                boolean tooLarge = cause instanceof TooLongFrameException;
                protocolError(ch, tooLarge ? ReasonCodes.PACKET_TOO_LARGE : ReasonCodes.MALFORMED_PACKET,
                        (tooLarge ? "a packet larger than the client's Maximum Packet Size: " : "malformed packet: ")
                                + cause.getMessage());
                return;
            }
            fail(ch, new ConnectionLostException("malformed packet from " + address(), cause));
            return;
        }
        MqttMessageType type = msg.fixedHeader().messageType();
        if (state == ClientState.CONNECTING) {
            if (type == MqttMessageType.CONNACK) {
                onConnAck(ch, (MqttConnAckMessage) msg);
            } else if (v5 && type == MqttMessageType.AUTH) {
                onAuth(ch, msg);
            } else if (v5 && type == MqttMessageType.DISCONNECT) {
                onServerDisconnect(ch, msg);
            } else {
                ReferenceCountUtil.release(msg);
                if (v5) {
                    protocolError(ch, ReasonCodes.PROTOCOL_ERROR, type + " before CONNACK");
                } else {
                    fail(ch, new ConnectionLostException("protocol violation: " + type + " from " + address()
                            + " before CONNACK"));
                }
            }
            return;
        }
        if (v5 && !options.v5().requestProblemInformation() && hasProblemInformation(type, msg)) {
            ReferenceCountUtil.release(msg);
            // MQTT 5.0 §3.1.2.11.7: with Request Problem Information 0 only PUBLISH, CONNACK and DISCONNECT may
            // carry a Reason String or User Properties
            protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "a Reason String or User Property on " + type
                    + " after Request Problem Information 0");
            return;
        }
        switch (type) {
            case PUBLISH -> inbound.onPublish(ch, (MqttPublishMessage) msg);
            case PUBACK -> onPubAck(msg);
            case PUBREC -> onPubRec(msg);
            case PUBREL -> inbound.onPubRel(packetId(msg));
            case PUBCOMP -> onPubComp(msg);
            case SUBACK -> onSubAck((MqttSubAckMessage) msg);
            case UNSUBACK -> onUnsubAck(msg);
            case PINGRESP -> {
            }
            case DISCONNECT -> {
                if (v5) {
                    onServerDisconnect(ch, msg);
                } else {
                    fail(ch, new ConnectionLostException("protocol violation: unexpected " + type + " from "
                            + address()));
                }
            }
            case AUTH -> onAuth(ch, msg);
            default -> {
                if (v5) {
                    protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "unexpected " + type);
                } else {
                    fail(ch, new ConnectionLostException("protocol violation: unexpected " + type + " from "
                            + address()));
                }
            }
        }
    }

    /** Whether a packet other than PUBLISH, CONNACK and DISCONNECT carries a Reason String or User Property. */
    private static boolean hasProblemInformation(MqttMessageType type, MqttMessage m) {
        MqttProperties p;
        if (m.variableHeader() instanceof MqttPubReplyMessageVariableHeader v) {
            p = v.properties();
        } else if (m.variableHeader() instanceof MqttMessageIdAndPropertiesVariableHeader v) {
            p = v.properties();
        } else if (type == MqttMessageType.AUTH
                && m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader v) {
            p = v.properties();
        } else {
            return false;
        }
        return p.getProperty(MqttProperties.REASON_STRING) != null
                || !p.getProperties(MqttProperties.USER_PROPERTY).isEmpty();
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    /** The reason code of an MQTT 5 acknowledgement; 0 when the server left it out (or for 3.1.1). */
    private static int reasonCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader v ? v.reasonCode() & 0xFF : 0;
    }

    private static MqttProperties ackProperties(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader v ? v.properties()
                : MqttProperties.NO_PROPERTIES;
    }

    private static MqttMessage pubRel(int id) {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id));
    }

    private PublishResult result(OutgoingPublish p, int id, MqttMessage ack) {
        if (!v5) {
            return new PublishResult(p.qos, id);
        }
        MqttProperties props = ackProperties(ack);
        return new PublishResult(p.qos, id, reasonCode(ack), Properties5.string(props, MqttProperties.REASON_STRING),
                Properties5.userProperties(props));
    }

    private void onPubAck(MqttMessage m) {
        int id = packetId(m);
        OutgoingPublish p = inflightById[id];
        if (p == null || p.qos != Qos.AT_LEAST_ONCE) {
            LOG.debug("Client {} got PUBACK for unknown packet {}", options.clientId(), id);
            return;
        }
        removeInflight(p);
        // MQTT-4.4.0-2: a reason code of 0x80 or above still acknowledges the message; the result reports it
        p.future.complete(result(p, id, m));
        drainQueue();
    }

    private void onPubRec(MqttMessage m) {
        int id = packetId(m);
        OutgoingPublish p = inflightById[id];
        if (v5) {
            int code = reasonCode(m);
            if (p == null || p.qos != Qos.EXACTLY_ONCE) {
                LOG.debug("Client {} got PUBREC for unknown packet {}", options.clientId(), id);
                write(Packets5.ack(MqttMessageType.PUBREL, id, ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND));
                return;
            }
            if (code >= 0x80) {
                // MQTT-4.3.3-4 (no PUBREL) and MQTT-4.4.0-2 (acknowledged, not sent again)
                removeInflight(p);
                p.future.complete(result(p, id, m));
                drainQueue();
                return;
            }
            MqttProperties props = ackProperties(m);
            p.ackCode = code;
            p.ackReason = Properties5.string(props, MqttProperties.REASON_STRING);
            p.ackUser = Properties5.userProperties(props);
            p.released = true;
            write(pubRel(id));
            return;
        }
        if (p == null || p.qos != Qos.EXACTLY_ONCE) {
            LOG.debug("Client {} got PUBREC for unknown packet {}; releasing it anyway", options.clientId(), id);
        } else {
            p.released = true;
        }
        write(pubRel(id));
    }

    private void onPubComp(MqttMessage m) {
        int id = packetId(m);
        OutgoingPublish p = inflightById[id];
        if (p == null || p.qos != Qos.EXACTLY_ONCE) {
            LOG.debug("Client {} got PUBCOMP for unknown packet {}", options.clientId(), id);
            return;
        }
        removeInflight(p);
        if (v5 && reasonCode(m) == 0 && ackProperties(m).isEmpty() && p.ackCode != 0) {
            // the PUBREC's success code (e.g. 0x10 no matching subscribers) says more than PUBCOMP's plain 0x00
            p.future.complete(new PublishResult(p.qos, id, p.ackCode, p.ackReason, p.ackUser));
        } else {
            p.future.complete(result(p, id, m));
        }
        drainQueue();
    }

    private void onSubAck(MqttSubAckMessage m) {
        int id = m.variableHeader().messageId();
        if (!(requests.get(id) instanceof PendingRequest.Subscribe s)) {
            LOG.debug("Client {} got SUBACK for unknown packet {}", options.clientId(), id);
            return;
        }
        requests.remove(id);
        packetIds.release(id);
        List<Integer> codes = m.payload().reasonCodes();
        if (codes.size() != s.subscriptions.size()) {
            for (int j = s.subscriptions.size() - 1; j >= 0 && !s.restore; j--) {
                subscriptions.restore(s.subscriptions.get(j).filter(), s.previous[j]);
            }
            s.future.completeExceptionally(new MqttClientException("protocol violation: SUBACK has " + codes.size()
                    + " return codes for " + s.subscriptions.size() + " filters"));
            return;
        }
        List<SubscriptionGrant> grants = new ArrayList<>(codes.size());
        for (int i = 0; i < codes.size(); i++) {
            Subscription sub = s.subscriptions.get(i);
            int code = codes.get(i);
            SubscriptionGrant grant = new SubscriptionGrant(sub, code);
            grants.add(grant);
            SubscriptionRegistry.Entry entry = subscriptions.get(sub.filter());
            if (grant.isGranted()) {
                if (entry != null) {
                    entry.confirmed = true;
                }
            } else if (s.restore) {
                LOG.warn("Client {}: the server refused to restore the subscription to {} ({})", options.clientId(),
                        sub.filter(), String.format("0x%02X", code));
                subscriptions.remove(sub.filter());
            } else {
                subscriptions.restore(sub.filter(), s.previous[i]);
            }
        }
        if (v5) {
            MqttProperties props = m.idAndPropertiesVariableHeader().properties();
            s.future.complete(new SubscribeResult(grants, Properties5.string(props, MqttProperties.REASON_STRING),
                    Properties5.userProperties(props)));
        } else {
            s.future.complete(new SubscribeResult(grants));
        }
    }

    private void onUnsubAck(MqttMessage m) {
        int id = packetId(m);
        if (!(requests.get(id) instanceof PendingRequest.Unsubscribe u)) {
            LOG.debug("Client {} got UNSUBACK for unknown packet {}", options.clientId(), id);
            return;
        }
        requests.remove(id);
        packetIds.release(id);
        if (!v5) {
            for (String filter : u.filters) {
                subscriptions.remove(filter);
            }
            u.future.complete(new UnsubscribeResult(u.filters));
            return;
        }
        List<Integer> codes = new ArrayList<>();
        if (m instanceof MqttUnsubAckMessage un && un.payload() != null) {
            for (Short c : un.payload().unsubscribeReasonCodes()) {
                codes.add(c & 0xFF);
            }
        }
        if (codes.size() != u.filters.size()) {
            u.future.completeExceptionally(new MqttClientException("protocol violation: UNSUBACK has "
                    + codes.size() + " reason codes for " + u.filters.size() + " filters"));
            return;
        }
        for (int i = 0; i < codes.size(); i++) {
            if (codes.get(i) < 0x80) {
                subscriptions.remove(u.filters.get(i)); // the server refused the others: they stay
            }
        }
        MqttProperties props = ((MqttMessageIdAndPropertiesVariableHeader) m.variableHeader()).properties();
        u.future.complete(new UnsubscribeResult(u.filters, codes, Properties5.string(props,
                MqttProperties.REASON_STRING), Properties5.userProperties(props)));
    }

    // ------------------------------------------------------------------------------------------------------
    // MQTT 5: server DISCONNECT and enhanced authentication
    // ------------------------------------------------------------------------------------------------------

    /** The server's DISCONNECT: the connection ends; the cause carries its reason code and string. */
    private void onServerDisconnect(Channel ch, MqttMessage m) {
        int code = 0;
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader v) {
            code = v.reasonCode() & 0xFF;
            props = v.properties();
        }
        String reason = Properties5.string(props, MqttProperties.REASON_STRING);
        ServerDisconnectedException cause = new ServerDisconnectedException(code, reason,
                Properties5.string(props, MqttProperties.SERVER_REFERENCE), Properties5.userProperties(props));
        LOG.info("Client {}: {}", options.clientId(), cause.getMessage());
        if (auth != null) {
            auth.refused(code, reason);
        }
        fail(ch, cause);
    }

    /** An AUTH from the server (MQTT 5.0 §3.15, §4.12); without enhanced authentication a protocol error. */
    private void onAuth(Channel ch, MqttMessage m) {
        MqttReasonCodeAndPropertiesVariableHeader v = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        int code = v == null ? 0 : v.reasonCode() & 0xFF;
        if (auth == null) {
            protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "AUTH " + ReasonCodes.describe(code)
                    + " without enhanced authentication");
            return;
        }
        auth.onAuth(ch, code, v == null ? MqttProperties.NO_PROPERTIES : v.properties());
    }

    private void doReauthenticate(CompletableFuture<AuthenticationResult> f) {
        if (state != ClientState.CONNECTED || channel == null) {
            f.completeExceptionally(state == ClientState.CLOSED ? new ClientClosedException("the client is closed")
                    : new MqttClientException("cannot re-authenticate: the client is not connected"));
            return;
        }
        auth.reauthenticate(channel, f);
    }

    /** What the inbound flow sends through the engine. */
    private final class InboundLink implements InboundFlow.Out {
        @Override
        public void write(Object message) {
            ClientEngine.this.write(message);
        }

        @Override
        public void protocolError(Channel ch, int reasonCode, String what) {
            ClientEngine.this.protocolError(ch, reasonCode, what);
        }

        @Override
        public boolean connected() {
            return state == ClientState.CONNECTED && channel != null;
        }

        @Override
        public void execute(Runnable task) {
            if (loop.inEventLoop()) {
                task.run();
                return;
            }
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                LOG.debug("Client {} is closed: an acknowledgement is not sent", options.clientId());
            }
        }
    }

    /** What the enhanced authentication exchange may do with the connection. */
    private final class AuthLink implements AuthExchange.Link {
        @Override
        public Channel channel() {
            return channel;
        }

        @Override
        public boolean connecting() {
            return state == ClientState.CONNECTING;
        }

        @Override
        public void send(Object message) {
            write(message);
            flushNow();
        }

        @Override
        public void disconnect(Channel ch, int reasonCode, String what, MqttClientException cause) {
            if (cause == null) {
                protocolError(ch, reasonCode, what);
            } else {
                disconnectWith(ch, reasonCode, cause);
            }
        }
    }

    /** The pipeline's last handler: forwards the events of the current connection to the engine. */
    private final class ConnectionHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            if (ch == channel && state == ClientState.CONNECTING) {
                SslHandler ssl = ch.pipeline().get(SslHandler.class);
                if (ssl == null) {
                    sendConnect(ch);
                } else {
                    // the CONNECT (credentials included) waits for a verified server
                    ssl.handshakeFuture().addListener(done -> {
                        if (ch != channel || state != ClientState.CONNECTING) {
                            return;
                        }
                        if (done.isSuccess()) {
                            sendConnect(ch);
                        } else {
                            fail(ch, new ConnectionLostException(tlsFailure(done.cause()), done.cause()));
                        }
                    });
                }
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ctx.channel() != channel || !(msg instanceof MqttMessage m)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            onMessage(ctx.channel(), m);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                flushNow();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                fail(ctx.channel(), new ConnectionLostException(state == ClientState.CONNECTING
                        ? "the server closed the connection before CONNACK" : "the server closed the connection"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.channel() == channel) {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                // a TLS 1.3 server checks the client's certificate after the client's side of the handshake is
                // done: its alert then arrives while the client waits for CONNACK
                if (ssl != null && (!ssl.handshakeFuture().isSuccess()
                        || state == ClientState.CONNECTING && hasCause(cause, SSLException.class))) {
                    fail(ctx.channel(), new ConnectionLostException(tlsFailure(cause), cause));
                    return;
                }
                fail(ctx.channel(), new ConnectionLostException("connection to " + address() + " failed", cause));
            } else {
                LOG.debug("Client {}: error on a connection no longer in use", options.clientId(), cause);
                ctx.close();
            }
        }
    }
}
