package io.cairn.client.internal;

import io.cairn.client.ClientClosedException;
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
import io.cairn.client.ReceivedMessage;
import io.cairn.client.SubscribeResult;
import io.cairn.client.Subscription;
import io.cairn.client.SubscriptionGrant;
import io.cairn.client.UnsubscribeResult;
import io.cairn.client.Will;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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

    private final ClientOptions options;
    private final EventLoopGroup ownedGroup;
    private final EventLoop loop;
    private final Class<? extends Channel> channelType;
    private final long keepAliveNanos;
    private final Runnable flushTask = this::flushNow;

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
    private final BitSet inboundQos2 = new BitSet(PacketIds.MAX + 1);
    private final SubscriptionRegistry subscriptions = new SubscriptionRegistry();

    /** An engine for {@code options}; nothing is connected until {@link #connect()}. */
    public ClientEngine(ClientOptions options) {
        this.options = options;
        if (options.eventLoopGroup() == null) {
            this.ownedGroup = Transports.newOwnedGroup("cairn-client-" + safeName(options.clientId()));
            this.loop = ownedGroup.next();
        } else {
            this.ownedGroup = null;
            this.loop = options.eventLoopGroup().next();
        }
        this.channelType = Transports.channelType(loop);
        this.keepAliveNanos = options.keepAlive().toNanos();
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
    public CompletableFuture<PublishResult> publish(String topic, ByteBuffer payload, Qos qos, boolean retain) {
        CompletableFuture<PublishResult> f = new CompletableFuture<>();
        OutgoingPublish p = new OutgoingPublish(topic, payload, qos, retain, f);
        if (loop.inEventLoop()) {
            doPublish(p);
        } else {
            onLoop(() -> doPublish(p), f);
        }
        return f;
    }

    /** Subscribes {@code listener} to every filter of {@code list}. Validation is the caller's. */
    public CompletableFuture<SubscribeResult> subscribe(List<Subscription> list, MessageListener listener) {
        CompletableFuture<SubscribeResult> f = new CompletableFuture<>();
        onLoop(() -> doSubscribe(new PendingRequest.Subscribe(list, listener, f, false)), f);
        return f;
    }

    /** Unsubscribes the filters. Validation is the caller's. */
    public CompletableFuture<UnsubscribeResult> unsubscribe(List<String> filters) {
        CompletableFuture<UnsubscribeResult> f = new CompletableFuture<>();
        onLoop(() -> doUnsubscribe(new PendingRequest.Unsubscribe(filters, f)), f);
        return f;
    }

    /** Sends DISCONNECT, closes the connection and stops reconnecting. */
    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        onLoop(() -> doDisconnect(f), f);
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
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("decoder", new MqttDecoder(options.maxIncomingPacketSize()));
                        ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                        ch.pipeline().addLast("client", new ConnectionHandler());
                    }
                });
        ChannelFuture connecting;
        try {
            connecting = bootstrap.connect(options.host(), options.port());
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
        return options.host() + ":" + options.port();
    }

    private void sendConnect(Channel ch) {
        Will will = options.will();
        boolean hasPassword = options.password() != null;
        boolean hasUser = options.username() != null;
        MqttConnectVariableHeader header = new MqttConnectVariableHeader(
                options.protocolVersion().protocolName(), options.protocolVersion().level(), hasUser, hasPassword,
                will != null && will.retain(), will == null ? 0 : will.qos().value(), will != null,
                options.cleanSession(), (int) options.keepAlive().toSeconds());
        MqttConnectPayload payload = new MqttConnectPayload(options.clientId(), will == null ? null : will.topic(),
                will == null ? null : will.payload(), options.username(), options.password());
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
        cancel(connectTimer);
        connectTimer = null;
        int code = ack.variableHeader().connectReturnCode().byteValue() & 0xFF;
        if (code != 0) {
            fail(ch, new ConnectRefusedException(code));
            return;
        }
        boolean sessionPresent = ack.variableHeader().isSessionPresent() && !options.cleanSession();
        current = new ConnectResult(sessionPresent, ConnectReturnCode.ACCEPTED);
        setState(ClientState.CONNECTED);
        recovering = false;
        reconnectAttempt = 0;
        long now = System.nanoTime();
        lastReadNanos = now;
        pingOutstanding = false;
        if (!sessionPresent) {
            inboundQos2.clear();
            restoreSubscriptions();
        }
        for (PendingRequest r : requests.values()) {
            sendRequest(r);
        }
        for (OutgoingPublish p = inflightHead; p != null; p = p.next) {
            if (p.released) {
                write(pubRel(p.packetId));
            } else {
                write(publishMessage(p, sessionPresent));
            }
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
        List<Subscription> confirmed = subscriptions.confirmed();
        if (confirmed.isEmpty()) {
            return;
        }
        LOG.debug("Client {} restores {} subscription(s) on a new session", options.clientId(), confirmed.size());
        PendingRequest.Subscribe restore = new PendingRequest.Subscribe(confirmed, null, new CompletableFuture<>(),
                true);
        int id = packetIds.acquire();
        if (id == 0) {
            LOG.warn("Client {} cannot restore its subscriptions: all packet identifiers are in use",
                    options.clientId());
            return;
        }
        restore.packetId = id;
        requests.put(id, restore);
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
        boolean permanent = failure instanceof ConnectRefusedException r
                && (r.reason() == null || !r.reason().isTransient());
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
        if (options.cleanSession()) {
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
        if (options.cleanSession()) {
            failPending(new ConnectionLostException("the client is disconnected", cause));
        }
        notifyListeners(l -> l.disconnected(cause));
    }

    private void doDisconnect(CompletableFuture<Void> f) {
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
                goDisconnected(null);
                closeGracefully(ch, connected).addListener(done -> f.complete(null));
            }
        }
    }

    private ChannelFuture closeGracefully(Channel ch, boolean sendDisconnect) {
        if (sendDisconnect && ch.isActive()) {
            ch.write(DISCONNECT, ch.voidPromise());
            unflushed = false;
            ch.flush();
        }
        return ch.close();
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
        Channel ch = channel;
        channel = null;
        notifyListeners(ConnectionListener::closed);
        if (ch == null) {
            done.complete(null);
        } else {
            closeGracefully(ch, was == ClientState.CONNECTED).addListener(f -> done.complete(null));
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
        return p.qos == Qos.AT_MOST_ONCE || (inflightCount < options.maxInflight() && packetIds.inUse() < PacketIds.MAX);
    }

    private void drainQueue() {
        while (state == ClientState.CONNECTED && !queue.isEmpty() && canSendNow(queue.peekFirst())) {
            send(queue.pollFirst());
        }
    }

    private void send(OutgoingPublish p) {
        if (p.qos == Qos.AT_MOST_ONCE) {
            MqttPublishMessage m = publishMessage(p, false);
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
        write(publishMessage(p, false));
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

    private static MqttPublishMessage publishMessage(OutgoingPublish p, boolean dup) {
        MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(p.qos.value()),
                p.retain, 0);
        return new MqttPublishMessage(header, new MqttPublishVariableHeader(p.topic, p.packetId),
                Unpooled.wrappedBuffer(p.payload.duplicate()));
    }

    private void doSubscribe(PendingRequest.Subscribe s) {
        if (!acceptRequest(s)) {
            return;
        }
        for (int i = 0; i < s.subscriptions.size(); i++) {
            Subscription sub = s.subscriptions.get(i);
            s.previous[i] = subscriptions.put(sub.filter(), sub.qos(), s.listener);
        }
        requests.put(s.packetId, s);
        if (state == ClientState.CONNECTED) {
            sendRequest(s);
        }
    }

    private void doUnsubscribe(PendingRequest.Unsubscribe u) {
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
                        + options.keepAlive().toMillis() + " ms of a PINGREQ"));
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

    /** Handles one packet of the current connection; a PUBLISH is released here or by {@link #onPublish}. */
    private void onMessage(Channel ch, MqttMessage msg) {
        lastReadNanos = System.nanoTime();
        if (msg.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            fail(ch, new ConnectionLostException("malformed packet from " + address(), msg.decoderResult().cause()));
            return;
        }
        MqttMessageType type = msg.fixedHeader().messageType();
        if (state == ClientState.CONNECTING) {
            if (type == MqttMessageType.CONNACK) {
                onConnAck(ch, (MqttConnAckMessage) msg);
            } else {
                ReferenceCountUtil.release(msg);
                fail(ch, new ConnectionLostException("protocol violation: " + type + " from " + address()
                        + " before CONNACK"));
            }
            return;
        }
        switch (type) {
            case PUBLISH -> onPublish((MqttPublishMessage) msg);
            case PUBACK -> onPubAck(packetId(msg));
            case PUBREC -> onPubRec(packetId(msg));
            case PUBREL -> onPubRel(packetId(msg));
            case PUBCOMP -> onPubComp(packetId(msg));
            case SUBACK -> onSubAck((MqttSubAckMessage) msg);
            case UNSUBACK -> onUnsubAck(packetId(msg));
            case PINGRESP -> {
            }
            default -> fail(ch, new ConnectionLostException("protocol violation: unexpected " + type + " from "
                    + address()));
        }
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    private void onPublish(MqttPublishMessage m) {
        MqttPublishVariableHeader header = m.variableHeader();
        int qos = m.fixedHeader().qosLevel().value();
        int id = header.packetId();
        ReceivedMessage received;
        try {
            if (qos == 2 && inboundQos2.get(id)) {
                LOG.debug("Client {} got QoS 2 packet {} again before PUBREL; not delivered twice",
                        options.clientId(), id);
                write(ack(MqttMessageType.PUBREC, id));
                return;
            }
            received = new ReceivedMessage(header.topicName(), ByteBufUtil.getBytes(m.payload()), Qos.of(qos),
                    m.fixedHeader().isRetain(), m.fixedHeader().isDup());
        } finally {
            ReferenceCountUtil.release(m);
        }
        deliver(received);
        if (qos == 1) {
            write(ack(MqttMessageType.PUBACK, id));
        } else if (qos == 2) {
            inboundQos2.set(id);
            write(ack(MqttMessageType.PUBREC, id));
        }
    }

    private void deliver(ReceivedMessage message) {
        List<MessageListener> listeners = subscriptions.listenersFor(message.topic());
        if (listeners.isEmpty()) {
            MessageListener fallback = options.defaultListener();
            if (fallback == null) {
                LOG.debug("Client {} got a message on {} that no subscription matches; dropped", options.clientId(),
                        message.topic());
            } else {
                invoke(fallback, message);
            }
            return;
        }
        for (int i = 0; i < listeners.size(); i++) {
            invoke(listeners.get(i), message);
        }
    }

    private void invoke(MessageListener listener, ReceivedMessage message) {
        try {
            listener.onMessage(message);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            LOG.warn("Message listener {} of client {} failed on a message to {}", listener, options.clientId(),
                    message.topic(), e);
        }
    }

    private static MqttMessage ack(MqttMessageType type, int id) {
        return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id));
    }

    private static MqttMessage pubRel(int id) {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id));
    }

    private void onPubAck(int id) {
        OutgoingPublish p = inflightById[id];
        if (p == null || p.qos != Qos.AT_LEAST_ONCE) {
            LOG.debug("Client {} got PUBACK for unknown packet {}", options.clientId(), id);
            return;
        }
        removeInflight(p);
        p.future.complete(new PublishResult(p.qos, id));
        drainQueue();
    }

    private void onPubRec(int id) {
        OutgoingPublish p = inflightById[id];
        if (p == null || p.qos != Qos.EXACTLY_ONCE) {
            LOG.debug("Client {} got PUBREC for unknown packet {}; releasing it anyway", options.clientId(), id);
        } else {
            p.released = true;
        }
        write(pubRel(id));
    }

    private void onPubComp(int id) {
        OutgoingPublish p = inflightById[id];
        if (p == null || p.qos != Qos.EXACTLY_ONCE) {
            LOG.debug("Client {} got PUBCOMP for unknown packet {}", options.clientId(), id);
            return;
        }
        removeInflight(p);
        p.future.complete(new PublishResult(p.qos, id));
        drainQueue();
    }

    private void onPubRel(int id) {
        inboundQos2.clear(id);
        write(ack(MqttMessageType.PUBCOMP, id));
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
        s.future.complete(new SubscribeResult(grants));
    }

    private void onUnsubAck(int id) {
        if (!(requests.get(id) instanceof PendingRequest.Unsubscribe u)) {
            LOG.debug("Client {} got UNSUBACK for unknown packet {}", options.clientId(), id);
            return;
        }
        requests.remove(id);
        packetIds.release(id);
        for (String filter : u.filters) {
            subscriptions.remove(filter);
        }
        u.future.complete(new UnsubscribeResult(u.filters));
    }

    /** The pipeline's last handler: forwards the events of the current connection to the engine. */
    private final class ConnectionHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel && state == ClientState.CONNECTING) {
                sendConnect(ctx.channel());
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
                fail(ctx.channel(), new ConnectionLostException("connection to " + address() + " failed", cause));
            } else {
                LOG.debug("Client {}: error on a connection no longer in use", options.clientId(), cause);
                ctx.close();
            }
        }
    }
}
