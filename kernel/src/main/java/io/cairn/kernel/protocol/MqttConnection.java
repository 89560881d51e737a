package io.cairn.kernel.protocol;

import io.cairn.api.auth.AuthExchange;
import io.cairn.api.auth.AuthStep;
import io.cairn.api.auth.ConnectInfo;
import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.auth.ServerRedirector;
import io.cairn.api.broker.ClientInfo;
import io.cairn.api.intercept.ClientView;
import io.cairn.api.intercept.DisconnectInfo;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import io.cairn.api.transport.CertificateUsername;
import io.cairn.kernel.Kernel;
import io.cairn.kernel.auth.CertificateNames;
import io.cairn.kernel.auth.Chain;
import io.cairn.kernel.auth.Identity;
import io.cairn.kernel.auth.ListenerGuard;
import io.cairn.kernel.auth.ReceiveCheck;
import io.cairn.kernel.auth.Request;
import io.cairn.kernel.delivery.Flushable;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.delivery.SharedSubscriptions;
import io.cairn.kernel.intercept.Interceptors;
import io.cairn.kernel.routing.Topics;
import io.cairn.kernel.session.Outlet;
import io.cairn.kernel.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * One client connection's MQTT state machine: waits for CONNECT, attaches the session, then dispatches each
 * packet to its flow ({@link ConnectFlow}, {@link PublishFlow}, {@link SubscribeFlow}, the session's
 * acknowledgement handling). Not sharable; every method runs on the connection's event loop.
 *
 * <p>Protocol violations close this connection only, with one event-log line naming the client and the
 * violation ({@link #violation}); the will is then published, as for any close that is not a DISCONNECT.
 */
public final class MqttConnection extends ChannelInboundHandlerAdapter implements Outlet, Flushable, ClientView {

    enum State { AWAIT_CONNECT, CHECKING, AUTHENTICATING, CONNECTING, CONNECTED, CLOSED }

    /** The channel attribute in which Netty's MQTT codec keeps the protocol version of the connection. */
    private static final AttributeKey<MqttVersion> MQTT_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    final Kernel kernel;
    final String listener;
    /** The counters of the listener, this connection's among them. */
    final ListenerCounters counters;
    /** Whether {@link #counters} counted this connection as open. */
    private boolean counted;
    /** The listener's security: its chains as they stand at each packet. */
    final ListenerGuard guard;
    /** Who the client is, once its CONNECT was accepted. */
    Identity identity;
    // the last publish authorization, kept while the policy does not change: clients publish to few topics
    private String lastPublishTopic;
    private int lastPublishFlags = -1;
    private long lastPublishVersion;
    private boolean lastPublishAllowed;
    private long publishesDenied;
    ChannelHandlerContext ctx;
    State state = State.AWAIT_CONNECT;
    private boolean closing;
    private boolean dirty;
    /** Acknowledgements waiting for the store, in the order they are due; {@code null} until the first. */
    private ArrayDeque<HeldAck> heldAcks;
    private static final int MIN_BATCH = 256;
    private static final int MAX_BATCH = 16 * 1024;
    private ByteBuf batch;
    private int batchHint = MIN_BATCH;
    private final List<MqttMessage> pending = new ArrayList<>(2);
    /** Packets that came while a message waited for its asynchronous interceptors. */
    private final ArrayDeque<MqttMessage> deferred = new ArrayDeque<>(0);
    private boolean awaitingInterceptors;
    private final KeepAliveTimer keepAliveTimer = new KeepAliveTimer(this::silent);

    String clientId;
    String username;
    /** The reason code of the client's DISCONNECT, or {@code null} when it sent none. */
    private ReasonCode disconnectedBy;
    /** Set by the CONNECT interceptors, before the session begins; read by later interceptors. */
    Map<String, Object> attributes = Map.of();
    int protocolLevel;
    int keepAlive;
    boolean cleanSession;
    StoredWill will;
    // MQTT 5 CONNECT properties (defaults are the specification's for an absent property)
    long sessionExpiry;
    int clientReceiveMaximum = 65_535;
    long clientMaximumPacketSize = ConnectProperties5.PROTOCOL_MAX_PACKET_SIZE;
    int clientTopicAliasMaximum;
    boolean requestResponseInformation;
    boolean requestProblemInformation = true;
    boolean assignedClientId;
    boolean serverKeepAlive;
    // MQTT 5 enhanced authentication (MQTT 5.0 §4.12)
    String authMethod;
    byte[] authData;
    byte[] authSuccessData;
    private AuthExchange authExchange;
    private EnhancedAuthenticator authenticator;
    private MqttConnectMessage pendingConnect;
    private boolean authStepPending;
    private boolean reauthenticating;
    private Map<String, String> authAttributes = Map.of();
    private MqttProperties connAckProperties;
    Session session;
    private long connectedAt;
    private boolean readsHeld;
    private String[] inboundAliases;
    private byte[][] inboundAliasBytes;
    private OutboundAliases outboundAliases; // MQTT 5 clients that accept topic aliases

    public MqttConnection(Kernel kernel, String listener) {
        this.kernel = kernel;
        this.listener = listener;
        this.counters = kernel.listenerCounters(listener);
        this.guard = kernel.security().guard(listener);
    }

    /** The counters of this connection's listener. */
    public ListenerCounters counters() {
        return counters;
    }

    // ------------------------------------------------------------------ pipeline events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            // added behind a transport's handshake, or to a connection that waited for a transport: channelActive
            // may have passed already
            opened();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // an accepted TCP connection is active already when its pipeline is built, and then channelActive follows:
        // count and time it once
        opened();
        ctx.fireChannelActive();
    }

    /**
     * Counts the connection as opened and starts its CONNECT timer, once: handlerAdded and channelActive may both
     * say so.
     */
    private void opened() {
        if (!counted) {
            counted = true;
            counters.opened();
            startTimer();
        }
    }

    private void startTimer() {
        keepAliveTimer.start(ctx.executor(), TimeUnit.SECONDS.toNanos(kernel.settings().connectTimeoutSeconds()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        keepAliveTimer.read();
        if (!(msg instanceof MqttMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state == State.CONNECTING || state == State.CHECKING) {
            pending.add(m); // handled once the session is attached; keeps its reference until then
            return;
        }
        if (awaitingInterceptors) {
            deferred.add(m); // behind a message whose asynchronous interceptors have not answered yet
            return;
        }
        handle(m);
    }

    /**
     * A message of this client waits for its asynchronous interceptors: reads pause, and packets that arrive
     * meanwhile wait in order, so the client's messages are routed in the order it sent them.
     */
    void awaitInterceptors() {
        awaitingInterceptors = true;
        ctx.channel().config().setAutoRead(false);
    }

    /** The waiting message was decided: handles what waited behind it (until one waits again), then reads on. */
    void interceptorsDone() {
        awaitingInterceptors = false;
        while (!awaitingInterceptors && !deferred.isEmpty()) {
            handle(deferred.pollFirst());
        }
        if (!awaitingInterceptors && !readsHeld && ctx.channel().isActive()) {
            ctx.channel().config().setAutoRead(true);
        }
        ctx.flush();
    }

    private void handle(MqttMessage m) {
        if (closing || state == State.CLOSED) {
            ReferenceCountUtil.release(m);
            return;
        }
        if (m.decoderResult().isFailure()) {
            ReferenceCountUtil.release(m);
            decoderFailure(m.decoderResult().cause());
            return;
        }
        MqttMessageType type = m.fixedHeader().messageType();
        if (type == MqttMessageType.PUBLISH && state == State.CONNECTED) {
            PublishFlow.publish(this, (MqttPublishMessage) m); // takes over the payload
            return;
        }
        try {
            if (state == State.AUTHENTICATING) {
                switch (type) {
                    case AUTH -> onAuth(m);
                    case DISCONNECT -> {
                        closing = true;
                        ctx.close(); // the client gave up authenticating
                    }
                    default -> refuse(ReasonCode.PROTOCOL_ERROR, null,
                            "sent " + type + " while authenticating (only AUTH or DISCONNECT may come before CONNACK)");
                }
                return;
            }
            if (state == State.AWAIT_CONNECT) {
                if (type == MqttMessageType.CONNECT) {
                    ConnectFlow.connect(this, (MqttConnectMessage) m);
                } else {
                    violation("MQTT-3.1.0-1", "sent " + type + " before CONNECT");
                }
                return;
            }
            switch (type) {
                case PUBACK -> session.onPuback(packetId(m)); // a reason >= 0x80 also ends the flow (§4.3.2)
                case PUBREC -> session.onPubrec(packetId(m), reasonCode(m) >= 0x80);
                case PUBREL -> {
                    int id = packetId(m);
                    boolean known = session.releaseQos2(id);
                    if (known && session.isPersistent() && kernel.holdsAcks(false)) {
                        // the freed id must be on disk first: a restarted broker that still held it would take
                        // the client's next message under that id for a re-sent one and drop it
                        holdAck(Acks.PUBCOMP, id).release(true, false);
                    } else {
                        // MQTT 5: 0x92 tells the client the id was not held (MQTT 5.0 §3.7.2.1); 3.1.1 has none
                        writeAck(Acks.PUBCOMP, id, known ? 0 : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND.code());
                    }
                }
                case PUBCOMP -> session.onPubcomp(packetId(m));
                case SUBSCRIBE -> SubscribeFlow.subscribe(this, (MqttSubscribeMessage) m);
                case UNSUBSCRIBE -> SubscribeFlow.unsubscribe(this, (MqttUnsubscribeMessage) m);
                case PINGREQ -> Acks.pingresp(batch(2));
                case DISCONNECT -> disconnect(m);
                case AUTH -> onAuth(m);
                case CONNECT -> violation("MQTT-3.1.0-2", "sent a second CONNECT");
                default -> violation("MQTT-2.2.1", "sent " + type + ", which only a server may send");
            }
        } finally {
            ReferenceCountUtil.release(m);
        }
    }

    /** Whether PUBLISH packets may come straight from the framer: connected and not closing. */
    boolean takesRawPublish() {
        return state == State.CONNECTED && !closing;
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    /** The reason code of an MQTT 5 PUBACK, PUBREC, PUBREL or PUBCOMP; 0 when it has none (or is 3.1.1). */
    private static int reasonCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() & 0xFF : 0;
    }

    private void decoderFailure(Throwable cause) {
        if (state == State.AWAIT_CONNECT) {
            if (cause instanceof MqttUnacceptableProtocolVersionException) {
                MqttFramer framer = ctx.pipeline().get(MqttFramer.class);
                if (framer != null && framer.connectLevel() == 5) {
                    // level 5 with a wrong protocol name: answer in the form a version 5 client reads (0x84)
                    protocolLevel = 5;
                    ctx.channel().attr(MQTT_VERSION).set(MqttVersion.MQTT_5);
                }
                refuse(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, "MQTT-3.1.2-2",
                        "unsupported protocol name or level (" + cause.getMessage() + ")");
                return;
            }
            if (cause instanceof MqttIdentifierRejectedException) {
                refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "MQTT-3.1.3-9",
                        "client identifier rejected (MQTT 3.1 allows 1 to "
                                + kernel.settings().maxClientIdLength() + " characters)");
                return;
            }
        }
        if (cause instanceof PropertyScan.ProtocolErrorException) {
            if (state == State.AWAIT_CONNECT) {
                protocolLevel = 5; // only MQTT 5 packets have properties
                // the decoder never saw this CONNECT: tell Netty's encoder to write the CONNACK as MQTT 5 (the
                // attribute is the one MqttDecoder sets when it decodes a CONNECT)
                ctx.channel().attr(MQTT_VERSION).set(MqttVersion.MQTT_5);
                refuse(ReasonCode.PROTOCOL_ERROR, null, cause.getMessage());
            } else {
                violation(ReasonCode.PROTOCOL_ERROR, null, cause.getMessage());
            }
            return;
        }
        if (cause instanceof TooLongFrameException) {
            violation(ReasonCode.PACKET_TOO_LARGE, null, "packet larger than the maximum packet size of "
                    + kernel.settings().maxPacketSize() + " bytes");
            return;
        }
        violation(ReasonCode.MALFORMED_PACKET, "MQTT-4.8.0-1", "malformed packet: " + cause.getMessage());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        keepAliveTimer.readComplete();
        flushNow();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && session != null && state == State.CONNECTED) {
            session.drain();
            flushNow();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** The keep-alive timer saw no packet for its limit. */
    private void silent() {
        if (state == State.CLOSED || closing) {
            return;
        }
        if (state == State.AUTHENTICATING) {
            // the exchange did not finish within the connect timeout, whoever is waiting for whom
            counters.authFailed(ReasonCode.NOT_AUTHORIZED);
            refuse(ReasonCode.NOT_AUTHORIZED, null, "authentication did not complete within "
                    + kernel.settings().connectTimeoutSeconds() + " s");
        } else if (state == State.CHECKING) {
            // an authenticator's later answer (and its own timeout) outlasted the connect timeout
            refuseAuthentication(ReasonCode.SERVER_UNAVAILABLE, "authentication did not complete within "
                    + kernel.settings().connectTimeoutSeconds() + " s", "authentication unavailable");
        } else if (state == State.AWAIT_CONNECT) {
            violation("MQTT-3.1.0-1", "sent no CONNECT within " + kernel.settings().connectTimeoutSeconds() + " s");
        } else {
            // MQTT 5 clients are told why: 0x8D (MQTT 5.0 §3.1.2.10, as a network failure otherwise)
            violation(ReasonCode.KEEP_ALIVE_TIMEOUT, protocolLevel >= 5 ? "MQTT-3.1.2-22" : "MQTT-3.1.2-24",
                    "sent nothing for " + kernel.settings().keepAliveGrace() + " × its keep-alive of " + keepAlive
                            + " s");
        }
    }

    /**
     * A failed TLS handshake (a transport's SslHandler in front) goes to the event log with the client's address,
     * the listener and the reason, so an operator sees refused certificates, not only the client; the connection
     * closes.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            EventLog.AUTH.info("TLS handshake from {} on {} failed: {}", remoteAddress(), listener,
                    tlsReason(handshake.cause()));
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The innermost message of a TLS failure: what the peer or the certificate check said. */
    private static String tlsReason(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return t == cause ? text : text + " (" + cause.getClass().getSimpleName() + ")";
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            // reported by the handshake event (or, after it, a broken TLS record): not a broker bug
            EventLog.CLIENTS.debug("TLS error on the connection of client '{}' from {}: {}", clientId,
                    remoteAddress(), tlsReason(cause));
            ctx.close();
            return;
        }
        if (cause instanceof IOException) {
            // the network failed under us (reset, broken pipe): an abnormal close, the will goes out
            EventLog.CLIENTS.debug("Connection of client '{}' failed: {}", clientId, cause.getMessage());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        keepAliveTimer.stop();
        releaseBatch();
        for (MqttMessage m : pending) {
            ReferenceCountUtil.release(m);
        }
        pending.clear();
        for (MqttMessage m : deferred) {
            ReferenceCountUtil.release(m); // never handled: the connection is gone
        }
        deferred.clear();
        if (was == State.CONNECTED) {
            ended();
        }
        kernel.connectionClosed(this, was == State.CONNECTED);
        if (counted) {
            counted = false;
            counters.closed();
        }
        ctx.fireChannelInactive();
    }

    /** The connection of an attached session ended: publish the will unless DISCONNECT discarded it. */
    private void ended() {
        StoredWill w = will;
        will = null;
        boolean attached = session.outlet() == this;
        String willNote = "";
        if (w != null) {
            if (w.delaySeconds() == 0 || !session.isPersistent()) {
                kernel.publishWill(w); // no delay, or the session ends with this connection
                willNote = "; will published";
            } else if (!attached) {
                // taken over: a new connection to the session came before the delay passed (MQTT-3.1.3-9)
                willNote = "; will dropped (session taken over)";
                w = null;
            } else {
                willNote = "; will due in " + Math.min(w.delaySeconds(), sessionExpiry) + " s";
            }
        }
        boolean delayed = w != null && w.delaySeconds() > 0 && attached && session.isPersistent();
        if (attached && !delayed) {
            session.setWill(null);
        }
        kernel.sessions().disconnected(session, this);
        if (delayed) {
            session.willAfterDelay(w); // the store keeps it until it is published or the client returns
        }
        EventLog.CLIENTS.info("Client '{}' disconnected{}", clientId, willNote);
        Interceptors.Chains chains = kernel.interceptors().chains();
        if (!chains.disconnect().isEmpty() || !chains.events().isEmpty()) {
            boolean willPublished = willNote.startsWith("; will published") || delayed;
            kernel.interceptors().disconnected(chains, this, new DisconnectInfo(disconnectedBy != null,
                    disconnectedBy != null ? disconnectedBy : ReasonCode.UNSPECIFIED_ERROR, willPublished));
        }
    }

    // ------------------------------------------------------------------ connect

    /** Goes on with a CONNECT that {@link ConnectFlow} accepted: find or create the session, then CONNACK. */
    void beginSession() {
        if (protocolLevel >= 5) {
            connAckProperties = ConnAck5.properties(this);
            if (connAckProperties == null) {
                // MQTT-3.1.2-24: not even the CONNACK fits the client's Maximum Packet Size
                closing = true;
                EventLog.PROTOCOL.info("Closing connection from {} on {} (client '{}'): its Maximum Packet Size of {} "
                        + "bytes is too small for the CONNACK [MQTT-3.1.2-24]", remoteAddress(), listener, clientId,
                        clientMaximumPacketSize);
                ctx.close();
                return;
            }
        }
        state = State.CONNECTING;
        // MQTT-3.1.2-24: silent for 1.5 (the grace) times the keep-alive closes the connection; 0 turns it off
        keepAliveTimer.limit(keepAlive > 0
                ? (long) Math.ceil(keepAlive * kernel.settings().keepAliveGrace() * 1e9) : 0);
        kernel.sessions().connect(clientId, cleanSession, sessionExpiry, this, this::attached);
        if (state == State.CONNECTING) {
            // the session is not attached yet (a takeover in another loop): hold further reads until it is
            readsHeld = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void attached(Session s, Boolean sessionPresent) {
        session = s;
        if (state == State.CLOSED) {
            // the client went away while we looked for its session
            s.attach(this);
            StoredWill w = will;
            will = null;
            if (w != null) {
                kernel.publishWill(w);
            }
            kernel.sessions().disconnected(s, this);
            return;
        }
        state = State.CONNECTED;
        connectedAt = System.currentTimeMillis();
        if (protocolLevel >= 5 && clientTopicAliasMaximum > 0) {
            outboundAliases = new OutboundAliases(clientTopicAliasMaximum); // before the session's first PUBLISH
        }
        // MQTT-3.2.2-1: a 3.1 CONNACK has no session-present flag; MQTT-3.2.2-2/-3 for 3.1.1
        MqttMessageBuilders.ConnAckBuilder builder = MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(protocolLevel >= 4 && sessionPresent);
        if (protocolLevel >= 5) {
            builder.properties(connAckProperties);
        }
        MqttConnAckMessage connack = builder.build();
        write(connack);
        s.setWill(will);
        s.receiveCheck(new ReceiveCheck(guard, identity, kernel.security()));
        s.attach(this);
        kernel.connectionAttached(this);
        EventLog.CLIENTS.info("Client '{}' connected from {} on {} (MQTT {}, clean session {}, keep-alive {} s{})",
                clientId, remoteAddress(), listener, protocolLevel == 3 ? "3.1" : protocolLevel == 4 ? "3.1.1" : "5.0", cleanSession,
                keepAlive, sessionPresent ? ", session resumed" : "");
        Interceptors.Chains chains = kernel.interceptors().chains();
        if (!chains.events().isEmpty()) {
            if (!sessionPresent) {
                kernel.interceptors().event(chains, listener, "sessionCreated of client '" + clientId + "'",
                        l -> l.sessionCreated(clientId));
            }
            kernel.interceptors().connected(chains, this);
        }
        if (readsHeld) {
            readsHeld = false;
            ctx.channel().config().setAutoRead(true);
        }
        if (sessionPresent) {
            recheckSubscriptions(); // the policy may have changed while the session was offline
        }
        for (int i = 0; i < pending.size(); i++) {
            handle(pending.get(i)); // after a violation, handle() only releases what is left
        }
        pending.clear();
        ctx.flush();
    }

    /** Answers CONNECT with a refusal and closes (MQTT 3.1.1 §3.2.2.3). */
    /**
     * Answers CONNECT with a refusal and closes: MQTT 5 gets {@code reason} itself (and the reason string, if
     * the client did not turn problem information off), 3.1/3.1.1 the nearest return code.
     */
    void refuse(ReasonCode reason, String normativeId, String why) {
        refuse(reason, normativeId, why, null);
    }

    /** As {@link #refuse(ReasonCode, String, String)}, with MQTT 5 CONNACK properties besides the reason string. */
    void refuse(ReasonCode reason, String normativeId, String why, MqttProperties extra) {
        ReasonCode allowed = AckCodes.connack(reason); // MQTT-3.2.2-8: a plugin may name a code CONNACK lacks
        if (allowed != reason) {
            why += " (" + reason + " is no CONNACK reason code: " + allowed + " instead)";
            reason = allowed;
        }
        counters.refused(reason);
        MqttConnectReturnCode code = protocolLevel >= 5 ? MqttConnectReturnCode.valueOf((byte) reason.code())
                : ConnectFlow.returnCode(reason);
        EventLog.PROTOCOL.info("Refused connection from {} on {} (client '{}'): {} [CONNACK 0x{}{}]",
                remoteAddress(), listener, clientId, why, Integer.toHexString(code.byteValue() & 0xFF),
                normativeId == null ? "" : ", " + normativeId);
        closing = true;
        MqttMessageBuilders.ConnAckBuilder builder = MqttMessageBuilders.connAck().returnCode(code)
                .sessionPresent(false);
        if (protocolLevel >= 5) {
            MqttProperties properties = extra == null ? new MqttProperties() : extra;
            MqttProperties.MqttProperty<?> text = reasonString(why, 5 + extraSize(extra)) // fixed header, flags,
                    .getProperty(MqttProperties.REASON_STRING);                              // code, lengths
            if (text != null) {
                properties.add(text);
            }
            builder.properties(properties);
        }
        MqttConnAckMessage connack = builder.build();
        passBatch();
        ctx.writeAndFlush(connack).addListener(f -> ctx.close());
    }

    /**
     * Closes the connection for a protocol violation, with one event-log line that names the client, the
     * violation and the normative statement.
     */
    void violation(String normativeId, String what) {
        violation(ReasonCode.PROTOCOL_ERROR, normativeId, what);
    }

    /** Closes for a violation of the protocol; an MQTT 5 client is told {@code code} first. */
    void violation(ReasonCode code, String normativeId, String what) {
        if (closing || state == State.CLOSED) {
            return;
        }
        closing = true;
        EventLog.PROTOCOL.info("Closing connection from {} on {} (client '{}'): {}{}", remoteAddress(), listener,
                clientId == null ? "" : clientId, what, normativeId == null ? "" : " [" + normativeId + "]");
        sendDisconnect(code, what);
        flushNow();
        ctx.close();
    }

    private void disconnect(MqttMessage m) {
        int reason = 0;
        if (m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            reason = h.reasonCode() & 0xFF;
            MqttProperties.MqttProperty<?> expiry = h.properties().getProperty(MqttProperties.SESSION_EXPIRY_INTERVAL);
            if (expiry != null) {
                long seconds = ((Integer) expiry.value()) & 0xFFFF_FFFFL;
                if (sessionExpiry == 0 && seconds != 0) {
                    // MQTT 5.0 §3.14.2.2.2: a session that was to end with the connection cannot be kept now
                    violation(ReasonCode.PROTOCOL_ERROR, null,
                            "DISCONNECT sets a Session Expiry Interval after CONNECT set 0");
                    return;
                }
                sessionExpiry = seconds;
                if (session != null) {
                    session.expiryInterval(seconds);
                }
            }
        }
        disconnectedBy = disconnectReason(reason);
        if (reason == ReasonCode.NORMAL_DISCONNECTION.code()) {
            // MQTT-3.14.4-3: a normal DISCONNECT (every 3.1.1 one) discards the will; any other MQTT 5 reason
            // (0x04 asks for it, 0x80 and above report an error) leaves it to be published (MQTT 5.0 §3.1.2.5)
            will = null;
        }
        closing = true;
        flushNow();
        ctx.close();
    }

    /** The reason code of a DISCONNECT's code (0 is Normal disconnection there). */
    private static ReasonCode disconnectReason(int code) {
        if (code == ReasonCode.NORMAL_DISCONNECTION.code()) {
            return ReasonCode.NORMAL_DISCONNECTION;
        }
        for (ReasonCode r : ReasonCode.values()) {
            if (r.code() == code) {
                return r;
            }
        }
        return ReasonCode.UNSPECIFIED_ERROR;
    }

    // ------------------------------------------------------------------ authentication chain, authorization

    /** What the listener's authenticators are asked about this CONNECT. */
    Request connectRequest(byte[] password) {
        SocketAddress a = ctx.channel().remoteAddress();
        return new Request(clientId, username, password, peerCertificates(), listener,
                a instanceof InetSocketAddress i ? i : null, protocolLevel);
    }

    /**
     * On a listener that takes user names from client certificates ({@link CertificateUsername#ATTRIBUTE}): the
     * verified certificate's name replaces the CONNECT's user name. A client without a certificate keeps its own;
     * one whose certificate lacks the name is refused as not authorized.
     *
     * @return false if the connection was refused
     */
    boolean applyCertificateUsername() {
        CertificateUsername from = ctx.channel().attr(CertificateUsername.ATTRIBUTE).get();
        if (from == null) {
            return true;
        }
        List<X509Certificate> chain = peerCertificates();
        if (chain.isEmpty()) {
            return true;
        }
        String name = CertificateNames.of(chain.get(0), from);
        if (name == null) {
            refuseAuthentication(ReasonCode.NOT_AUTHORIZED, "client certificate "
                    + chain.get(0).getSubjectX500Principal() + " has no " + (from == CertificateUsername.CN
                    ? "common name (CN)" : "subject alternative name") + " to use as the user name",
                    "the client certificate has no name to use as the user name");
            return false;
        }
        username = name;
        return true;
    }

    /** The verified TLS client certificate chain, when the transport put a TLS handler in front; else empty. */
    private List<X509Certificate> peerCertificates() {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : tls.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of(); // no client certificate
        }
    }

    /** Whether the authenticator chain is still waiting for this connection's CONNECT to be decided. */
    boolean awaitsAuthentication() {
        return state == State.CHECKING && !closing;
    }

    /** Holds reads while an authenticator answers later: packets that come meanwhile wait in order. */
    void holdReads() {
        if (!readsHeld) {
            readsHeld = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** Fixes who the client is, once an authenticator (or anonymous access) let it in. */
    void identify(Request request, Map<String, String> attributes, boolean anonymous) {
        identity = new Identity(clientId, username, request.certificates(), listener, request.remoteAddress(),
                protocolLevel, attributes, anonymous);
    }

    /** Refuses the CONNECT for its credentials: the event log gets {@code why}, the client {@code clientText}. */
    void refuseAuthentication(ReasonCode reason, String why, String clientText) {
        counters.authFailed(reason);
        EventLog.AUTH.info("Refused client '{}' from {} on {}: {}", clientId, remoteAddress(), listener, why);
        refuse(reason, null, clientText == null ? reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                : clientText);
    }

    /**
     * Whether this client may publish {@code topic} at {@code qos} with {@code retain}, by the listener's chain
     * (the last decision is reused while the policy stands). A denial is logged, the first and every 1,000th.
     */
    boolean mayPublish(String topic, QoS qos, boolean retain) {
        if (topic.charAt(0) == '$' && Kernel.isSysTopic(topic)) {
            return denied(topic); // the broker's own tree: read-only for clients
        }
        Chain chain = guard.chain();
        if (chain.open()) {
            return true;
        }
        int flags = qos.value() | (retain ? 4 : 0);
        long version = kernel.security().policyVersion();
        if (version == lastPublishVersion && flags == lastPublishFlags && topic.equals(lastPublishTopic)) {
            return lastPublishAllowed || denied(topic);
        }
        boolean allowed = chain.mayPublish(identity, topic, qos, retain);
        lastPublishTopic = topic;
        lastPublishFlags = flags;
        lastPublishVersion = version;
        lastPublishAllowed = allowed;
        return allowed || denied(topic);
    }

    private boolean denied(String topic) {
        if (publishesDenied++ % 1000 == 0) {
            EventLog.AUTH.info("Client '{}' on {} may not publish to '{}' ({} publish(es) denied on this connection)",
                    clientId, listener, topic, publishesDenied);
        }
        return false;
    }

    /** Whether a retained or live message on {@code topic} may reach this client through wildcard {@code filter}. */
    boolean mayReceive(String topic, String filter) {
        Chain chain = guard.chain();
        return !chain.checksReceive() || !Topics.hasWildcard(filter) || chain.mayReceive(identity, topic);
    }

    /**
     * Checks this client's subscriptions against the listener's chain again (its policy changed): one that is no
     * longer allowed is removed, or, if the kernel is configured so, the client is disconnected with 0x87.
     */
    public void recheckSubscriptions() {
        if (state != State.CONNECTED || closing || session == null) {
            return;
        }
        Chain chain = guard.chain();
        if (chain.open()) {
            return;
        }
        for (Subscription s : session.subscriptions()) {
            String filter = SharedSubscriptions.isShared(s.topicFilter())
                    ? SharedSubscriptions.filterOf(s.topicFilter()) : s.topicFilter();
            if (chain.maySubscribe(identity, filter, s.qos())) {
                continue;
            }
            if (kernel.settings().disconnectRevoked()) {
                EventLog.AUTH.info("Client '{}' on {}: subscription to '{}' is no longer allowed; disconnecting",
                        clientId, listener, s.topicFilter());
                closeByServer(ReasonCode.NOT_AUTHORIZED, "subscription to '" + s.topicFilter()
                        + "' is no longer allowed");
                return;
            }
            session.unsubscribe(s.topicFilter());
            EventLog.AUTH.info("Client '{}' on {}: subscription to '{}' is no longer allowed and was removed",
                    clientId, listener, s.topicFilter());
        }
    }

    // ------------------------------------------------------------------ enhanced authentication

    /** What the authentication plugins are told of this client. */
    ConnectInfo connectInfo(boolean reauthentication) {
        SocketAddress a = ctx.channel().remoteAddress();
        return new ConnectInfo(clientId, username, protocolLevel, listener,
                a instanceof InetSocketAddress i ? i : null, reauthentication);
    }

    /** Refuses the CONNECT because a redirector sends the client elsewhere (MQTT 5.0 §4.11). */
    void redirect(ServerRedirector.Redirection to) {
        ReasonCode code = to.permanent() ? ReasonCode.SERVER_MOVED : ReasonCode.USE_ANOTHER_SERVER;
        if (protocolLevel >= 5) {
            MqttProperties properties = new MqttProperties();
            properties.add(new MqttProperties.StringProperty(MqttProperties.SERVER_REFERENCE, to.serverReference()));
            refuse(code, null, "redirected to " + to.serverReference(), properties);
        } else {
            refuse(ReasonCode.SERVER_UNAVAILABLE, null, "redirected to " + to.serverReference()
                    + " (MQTT " + (protocolLevel == 3 ? "3.1" : "3.1.1") + " cannot say where)");
        }
    }

    /**
     * Runs {@code a}'s exchange for the CONNECT {@code m} (which named its method); the CONNECT goes on with
     * {@link ConnectFlow#accept} once it succeeds.
     */
    void authenticate(EnhancedAuthenticator a, ConnectInfo info, MqttConnectMessage m) {
        state = State.AUTHENTICATING;
        authenticator = a;
        pendingConnect = m;
        try {
            authExchange = a.begin(info);
        } catch (RuntimeException e) {
            EventLog.PROTOCOL.warn("Authentication method '{}' failed to start for client '{}'", authMethod,
                    clientId, e);
            counters.authFailed(ReasonCode.NOT_AUTHORIZED);
            refuse(ReasonCode.NOT_AUTHORIZED, null, "authentication failed");
            return;
        }
        step(authData);
    }

    /** An AUTH packet from the client: the next step of an exchange, or a request to re-authenticate. */
    private void onAuth(MqttMessage m) {
        MqttReasonCodeAndPropertiesVariableHeader h = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        int reason = h.reasonCode() & 0xFF;
        MqttProperties.MqttProperty<?> method = h.properties().getProperty(MqttProperties.AUTHENTICATION_METHOD);
        MqttProperties.MqttProperty<?> data = h.properties().getProperty(MqttProperties.AUTHENTICATION_DATA);
        if (authMethod == null) {
            violation(ReasonCode.PROTOCOL_ERROR, "MQTT-4.12.0-7", "sent AUTH on a connection without an "
                    + "Authentication Method");
            return;
        }
        if (method == null || !authMethod.equals(method.value())) {
            authProtocolError("sent AUTH with Authentication Method " + (method == null ? "missing"
                    : "'" + method.value() + "'") + " on a connection authenticated by '" + authMethod + "'");
            return;
        }
        byte[] clientData = data == null ? null : (byte[]) data.value();
        if (reason == ReasonCode.RE_AUTHENTICATE.code() && state == State.CONNECTED && authExchange == null) {
            EnhancedAuthenticator a = kernel.authPlugins().authenticator(authMethod,
                    guard.chain().authenticatorSelector());
            if (a == null) {
                closeByServer(ReasonCode.BAD_AUTHENTICATION_METHOD, "authentication method '" + authMethod
                        + "' is no longer offered");
                return;
            }
            reauthenticating = true;
            authenticator = a;
            try {
                authExchange = a.begin(connectInfo(true));
            } catch (RuntimeException e) {
                EventLog.PROTOCOL.warn("Re-authentication by '{}' failed to start for client '{}'", authMethod,
                        clientId, e);
                closeByServer(ReasonCode.NOT_AUTHORIZED, "re-authentication failed");
                return;
            }
            step(clientData);
            return;
        }
        if (reason != ReasonCode.CONTINUE_AUTHENTICATION.code() || authExchange == null || authStepPending) {
            authProtocolError("sent AUTH with reason 0x" + Integer.toHexString(reason)
                    + (authExchange == null ? " with no authentication under way" : " out of turn"));
            return;
        }
        step(clientData);
    }

    private void authProtocolError(String what) {
        if (state == State.AUTHENTICATING) {
            refuse(ReasonCode.PROTOCOL_ERROR, null, what);
        } else {
            violation(ReasonCode.PROTOCOL_ERROR, null, what);
        }
    }

    /** Hands the client's data to the exchange; its answer comes back on this connection's loop. */
    private void step(byte[] clientData) {
        authStepPending = true;
        CompletableFuture<AuthStep> answer = new CompletableFuture<>();
        try {
            authExchange.step(clientData).whenComplete((s, e) -> {
                if (e != null) {
                    answer.completeExceptionally(e);
                } else {
                    answer.complete(s);
                }
            });
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
        answer.orTimeout(kernel.settings().connectTimeoutSeconds(), TimeUnit.SECONDS)
                .whenComplete((s, e) -> ctx.executor().execute(() -> stepDone(s, e)));
    }

    private void stepDone(AuthStep s, Throwable failure) {
        authStepPending = false;
        if (closing || state == State.CLOSED) {
            return;
        }
        if (failure != null || s == null) {
            EventLog.PROTOCOL.warn("Authentication method '{}' gave no answer for client '{}': {}", authMethod,
                    clientId, failure == null ? "null step" : failure.toString());
            s = AuthStep.failure(ReasonCode.NOT_AUTHORIZED, "authentication failed");
        }
        switch (s.kind()) {
            case CONTINUE -> writeAuth(ReasonCode.CONTINUE_AUTHENTICATION, s.data());
            case SUCCESS -> {
                authExchange = null;
                authAttributes = s.attributes();
                if (reauthenticating) {
                    reauthenticating = false;
                    writeAuth(ReasonCode.SUCCESS, s.data());
                    EventLog.CLIENTS.info("Client '{}' re-authenticated by '{}'", clientId, authMethod);
                } else {
                    authSuccessData = s.data();
                    identity = new Identity(clientId, username, peerCertificates(), listener,
                            ctx.channel().remoteAddress() instanceof InetSocketAddress i ? i : null, protocolLevel,
                            s.attributes(), false);
                    MqttConnectMessage m = pendingConnect;
                    pendingConnect = null;
                    state = State.AWAIT_CONNECT; // ConnectFlow goes on from the checked CONNECT
                    ConnectFlow.accept(this, m);
                }
            }
            case FAILURE -> {
                authExchange = null;
                String why = s.reasonString() != null ? s.reasonString()
                        : "authentication by '" + authMethod + "' failed";
                if (reauthenticating) {
                    closeByServer(s.reasonCode(), why); // MQTT 5.0 §4.12.1: a failed re-authentication ends it
                } else {
                    counters.authFailed(s.reasonCode());
                    refuse(s.reasonCode(), null, why);
                }
            }
        }
        flushNow();
    }

    /** Sends AUTH with {@code reason}, our Authentication Method and {@code data} (MQTT-4.12.0-5). */
    private void writeAuth(ReasonCode reason, byte[] data) {
        MqttProperties properties = new MqttProperties();
        properties.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, authMethod));
        if (data != null) {
            properties.add(new MqttProperties.BinaryProperty(MqttProperties.AUTHENTICATION_DATA, data));
        }
        write(MqttMessageBuilders.auth().reasonCode((byte) reason.code()).properties(properties).build());
    }

    /** The identity attributes the authentication method set, empty without enhanced authentication. */
    public Map<String, String> authAttributes() {
        return authAttributes;
    }

    // ------------------------------------------------------------------ writes

    /** Writes a message for Netty's encoder (CONNACK, SUBACK, UNSUBACK), after everything batched so far. */
    void write(Object msg) {
        passBatch();
        ctx.write(msg, ctx.voidPromise());
        markDirty();
    }

    /** Writes a PUBACK, PUBREC, PUBREL or PUBCOMP. */
    void writeAck(int type, int packetId) {
        Acks.ack(batch(Acks.ACK_SIZE), type, packetId);
    }

    /**
     * Writes a PUBACK, PUBREC, PUBREL or PUBCOMP with an MQTT 5 reason code; 3.1/3.1.1 get none. While
     * acknowledgements to this client wait for the store, a PUBACK, PUBREC or PUBCOMP queues up behind them.
     */
    void writeAck(int type, int packetId, int reason) {
        if (type != Acks.PUBREL && heldAcks != null && !heldAcks.isEmpty()) {
            heldAcks.addLast(HeldAck.ready(this, type, packetId, reason));
            return;
        }
        Acks.ack(batch(Acks.ACK_SIZE), type, packetId, protocolLevel >= 5 ? reason : 0);
    }

    /**
     * Holds an acknowledgement, in order behind those held before; the caller {@link HeldAck#release releases}
     * it once it has written what it promises to the store.
     */
    HeldAck holdAck(int type, int packetId) {
        HeldAck ack = new HeldAck(this, type, packetId, 0);
        if (heldAcks == null) {
            heldAcks = new ArrayDeque<>();
        }
        heldAcks.addLast(ack);
        return ack;
    }

    /** Forgets {@code ack}, whose message was not routed; those behind it go out when ready. */
    void abandonHeldAck(HeldAck ack) {
        heldAcks.remove(ack);
        releaseHeldAcks(ack);
    }

    /** On the loop: {@code synced} is ready; writes every acknowledgement at the head that is. */
    void releaseHeldAcks(HeldAck synced) {
        if (!ctx.channel().isActive()) {
            heldAcks.clear(); // gone: the client re-sends what it has no acknowledgement for
            return;
        }
        if (synced.failure() != null) {
            org.slf4j.LoggerFactory.getLogger(MqttConnection.class).error("Session store could not make a message of client '{}' durable ({}); closing the "
                    + "connection unacknowledged, so the client sends it again", clientId, synced.failure().toString());
            heldAcks.clear();
            closeByServer(ReasonCode.UNSPECIFIED_ERROR, "session store failure");
            return;
        }
        while (!heldAcks.isEmpty() && heldAcks.peekFirst().isReady()) {
            HeldAck ack = heldAcks.pollFirst();
            Acks.ack(batch(Acks.ACK_SIZE), ack.type, ack.packetId, protocolLevel >= 5 ? ack.reason : 0);
        }
    }

    /**
     * The outgoing batch with room for {@code bytes} more, marked for the flush at the end of this loop turn.
     * Small packets are encoded into one buffer per turn instead of a pooled buffer, an outbound entry and a pass
     * through the pipeline each; a batch goes to the channel when it is full, before a message for the encoder
     * and at the flush, so the order of writes is kept. Its first capacity is what the previous batch reached,
     * so a connection that gets one message per turn does not hold a large buffer.
     */
    private ByteBuf batch(int bytes) {
        ByteBuf b = batch;
        if (b != null && b.maxWritableBytes() >= bytes) {
            markDirty();
            return b;
        }
        passBatch();
        b = ctx.alloc().ioBuffer(Math.max(bytes, batchHint), Math.max(bytes, MAX_BATCH));
        batch = b;
        markDirty();
        return b;
    }

    /** Hands the batch, if any, to the channel (unflushed). */
    private void passBatch() {
        ByteBuf b = batch;
        if (b != null) {
            batch = null;
            batchHint = Math.min(Math.max(MIN_BATCH, b.writerIndex()), MAX_BATCH);
            ctx.write(b, ctx.voidPromise());
        }
    }

    private void releaseBatch() {
        ByteBuf b = batch;
        if (b != null) {
            batch = null;
            b.release();
        }
    }

    private void markDirty() {
        if (!dirty) {
            dirty = true;
            EventLoop loop = ctx.channel().eventLoop();
            if (!kernel.lanes().markDirty(loop, this)) {
                loop.execute(this::flushNow);
            }
        }
    }

    @Override
    public void flushNow() {
        if (dirty) {
            dirty = false;
            passBatch();
            ctx.flush();
        }
    }

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    /**
     * Whether the connection takes more writes now. When its buffer is over the high-water mark with unflushed
     * writes, they are flushed first: a long hand-over batch must not fill the buffer and then drop messages that
     * one flush would have made room for.
     */
    @Override
    public boolean isWritable() {
        if (ctx.channel().isWritable()) {
            return true;
        }
        if (dirty) {
            flushNow();
            return ctx.channel().isWritable();
        }
        return false;
    }

    /** The topic the client bound to MQTT 5 Topic Alias {@code alias} on this connection, or {@code null}. */
    String inboundAlias(int alias) {
        return inboundAliases == null ? null : inboundAliases[alias];
    }

    /** The UTF-8 bytes of the topic bound to {@code alias}; call only after {@link #inboundAlias(int)} found it. */
    byte[] inboundAliasBytes(int alias) {
        return inboundAliasBytes[alias];
    }

    /** Binds {@code alias}, in 1..topicAliasMaximum, to {@code topic} (whose UTF-8 bytes are {@code utf8}). */
    void inboundAlias(int alias, String topic, byte[] utf8) {
        if (inboundAliases == null) {
            inboundAliases = new String[kernel.settings().topicAliasMaximum() + 1];
            inboundAliasBytes = new byte[inboundAliases.length][];
        }
        inboundAliases[alias] = topic;
        inboundAliasBytes[alias] = utf8;
    }

    @Override
    public int receiveMaximum() {
        return protocolLevel >= 5 ? clientReceiveMaximum : 65_535;
    }

    @Override
    public boolean fits(Publication publication, QoS qos, int[] subscriptionIds) {
        if (protocolLevel < 5 || clientMaximumPacketSize >= ConnectProperties5.PROTOCOL_MAX_PACKET_SIZE) {
            return true;
        }
        long expiry = expiryNow(publication);
        int properties = PublishEncoder.propertiesLength(publication, expiry, subscriptionIds, 0);
        long size = PublishEncoder.headerSize(publication, qos, properties, 0) + (long) publication.payloadSize();
        return size <= clientMaximumPacketSize; // an alias, if any, is chosen to keep within it
    }

    /** The Message Expiry Interval to send with {@code publication} now, or -1 for none (no clock read then). */
    private static long expiryNow(Publication publication) {
        return publication.hasExpiry() ? publication.remainingExpiry(System.currentTimeMillis()) : -1;
    }

    @Override
    public void writePublish(Publication publication, QoS qos, int packetId, boolean retain, boolean dup,
                             int[] subscriptionIds) {
        counters.sent(qos);
        int properties = PublishEncoder.NO_PROPERTIES;
        long expiry = -1;
        int[] ids = null;
        int alias = 0;
        if (protocolLevel >= 5) {
            expiry = expiryNow(publication);
            ids = subscriptionIds;
            if (outboundAliases != null) {
                alias = outboundAlias(publication, qos, expiry, ids);
            }
            properties = PublishEncoder.propertiesLength(publication, expiry, ids, alias);
        }
        int header = PublishEncoder.headerSize(publication, qos, properties, alias);
        int payload = publication.payloadSize();
        if (payload <= PublishEncoder.COPY_THRESHOLD) {
            PublishEncoder.packet(batch(header + payload), publication, qos, packetId, retain, dup, properties,
                    expiry, ids, alias);
        } else {
            PublishEncoder.header(batch(header), publication, qos, packetId, retain, dup, properties, expiry, ids,
                    alias);
            passBatch();
            ctx.write(publication.payload().retainedDuplicate(), ctx.voidPromise());
        }
    }

    /** The Topic Alias for this PUBLISH, by the policy of {@link OutboundAliases}. */
    private int outboundAlias(Publication publication, QoS qos, long expiry, int[] ids) {
        // a binding adds three bytes: not where they would take the packet past the client's maximum
        boolean mayBind = clientMaximumPacketSize >= ConnectProperties5.PROTOCOL_MAX_PACKET_SIZE
                || PublishEncoder.headerSize(publication, qos, PublishEncoder.propertiesLength(publication, expiry,
                ids, 1), 1) + (long) publication.payloadSize() <= clientMaximumPacketSize;
        return outboundAliases.aliasFor(publication.topic(), publication.topicUtf8().length, mayBind);
    }

    @Override
    public void writePubrel(int packetId, boolean known) {
        writeAck(Acks.PUBREL, packetId, known ? 0 : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND.code());
    }

    @Override
    public void closeForTakeover() {
        EventLog.CLIENTS.info("Client '{}' connected again elsewhere; closing this connection from {}", clientId,
                remoteAddress());
        closing = true;
        sendDisconnect(ReasonCode.SESSION_TAKEN_OVER, "another connection took over the session");
        flushNow();
        ctx.close();
    }

    @Override
    public void closeByServer(ReasonCode code, String reason) {
        EventLog.CLIENTS.info("Closing connection of client '{}' from {}: {}", clientId, remoteAddress(), reason);
        closing = true;
        sendDisconnect(code, reason);
        flushNow();
        ctx.close();
    }

    /**
     * Tells an MQTT 5 client why the server closes its connection (MQTT 5.0 §3.14): DISCONNECT with the reason
     * code, and the reason string unless the client turned problem information off. Nothing for 3.1/3.1.1,
     * whose DISCONNECT goes only from client to server, nor before CONNACK (a refusal is a CONNACK).
     */
    private void sendDisconnect(ReasonCode code, String why) {
        if (protocolLevel < 5 || state != State.CONNECTED) {
            return;
        }
        MqttProperties properties = reasonString(why, 4); // fixed header, reason code, property length
        write(MqttMessageBuilders.disconnect().reasonCode((byte) code.code()).properties(properties).build());
    }

    /**
     * A Reason String property for a CONNACK or DISCONNECT of {@code packetBytes} without it, or none: when the
     * client turned problem information off, or when it would take the packet past the client's Maximum Packet
     * Size (MQTT-3.2.2-19, MQTT-3.14.2-3).
     */
    private MqttProperties reasonString(String why, int packetBytes) {
        if (why == null || !requestProblemInformation) {
            return MqttProperties.NO_PROPERTIES;
        }
        // the property (id, length, text) and up to three more bytes of Remaining Length and property length
        long size = packetBytes + 3L + ByteBufUtil.utf8Bytes(why) + 3;
        return size <= clientMaximumPacketSize ? reasonString(why) : MqttProperties.NO_PROPERTIES;
    }

    /** A rough size of the Server Reference in {@code extra}, the only extra property a refusal carries. */
    private static int extraSize(MqttProperties extra) {
        MqttProperties.MqttProperty<?> ref = extra == null ? null : extra.getProperty(MqttProperties.SERVER_REFERENCE);
        return ref == null ? 0 : 3 + ByteBufUtil.utf8Bytes((String) ref.value());
    }

    private static MqttProperties reasonString(String why) {
        MqttProperties properties = new MqttProperties();
        properties.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, why));
        return properties;
    }

    // ------------------------------------------------------------------ views

    @Override
    public String remoteAddress() {
        SocketAddress a = ctx.channel().remoteAddress();
        if (a instanceof InetSocketAddress i) {
            return i.getAddress() == null ? i.getHostString() + ':' + i.getPort()
                    : i.getAddress().getHostAddress() + ':' + i.getPort();
        }
        return String.valueOf(a);
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public String username() {
        return username;
    }

    @Override
    public String listener() {
        return listener;
    }

    @Override
    public int protocolLevel() {
        return protocolLevel;
    }

    /** The attributes the CONNECT interceptors set (empty when none). */
    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    /** A summary for the broker service. Safe from any thread: the fields are set before the client is listed. */
    public ClientInfo info() {
        return new ClientInfo(clientId, username, protocolLevel, remoteAddress(), listener, connectedAt, keepAlive,
                cleanSession);
    }
}
