package io.cairn.client;

import io.cairn.client.internal.ClientEngine;
import io.cairn.client.internal.ClientOptions;
import io.cairn.client.internal.Mqtt5Options;
import io.cairn.client.internal.TlsOptions;
import io.cairn.client.internal.Topics;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An MQTT 3.1.1 (or 3.1, or 5.0) client connection to one server, with its session.
 *
 * <pre>{@code
 * try (MqttClient client = MqttClient.builder().host("127.0.0.1").port(1883).clientId("sensor-1").build()) {
 *     client.connect().get(10, TimeUnit.SECONDS);
 *     client.subscribe("cmd/sensor-1/#", Qos.AT_LEAST_ONCE, m -> handle(m.payloadAsString())).get();
 *     client.publish("data/sensor-1", bytes, Qos.AT_LEAST_ONCE, false).get();
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> Every method may be called from any thread and returns without blocking, except
 * {@link #close()}. All protocol work runs on one Netty event loop thread of the client; futures complete and
 * listeners run on it, so callbacks MUST NOT block, and code on that thread MUST NOT wait on a future of this
 * client (it would wait for itself). Publishing from that thread (e.g. from a listener) needs no thread hop.
 *
 * <p><b>Publish.</b> QoS 0 completes once written to the socket, QoS 1 on PUBACK, QoS 2 on PUBCOMP. At most
 * {@link Builder#maxInflight(int) maxInflight} QoS 1/2 publishes await acknowledgement; later ones wait in a
 * local queue of at most {@link Builder#maxQueuedPublishes(int) maxQueuedPublishes}, and one beyond that fails at
 * once with {@link PublishQueueFullException}. Messages go out in the order they were published. The payload is
 * not copied: the caller MUST NOT modify it until the future completes.
 *
 * <p><b>Losing the connection.</b> The client reconnects on its own with its {@link ReconnectPolicy}
 * (not after {@link #disconnect()}). With a persistent session ({@code cleanSession(false)}) nothing pending
 * fails: after the reconnect, unacknowledged QoS 1/2 publishes are sent again in their original order (with DUP
 * and the same packet identifier if the server kept the session; as new messages if it did not), QoS 2 publishes
 * that got PUBREC continue with PUBREL, and unacknowledged SUBSCRIBE/UNSUBSCRIBE are sent again. With a clean
 * session every pending future fails with {@link ConnectionLostException} and nothing is re-sent: the server
 * forgot the session, so a re-send could duplicate a QoS 2 message; the caller decides. In both modes, if the new
 * connection has no session, the client subscribes again to every filter the server had granted, and
 * publishes made while reconnecting wait in the local queue.
 *
 * <p><b>MQTT 5.</b> With {@link Builder#protocolVersion(MqttProtocolVersion) protocolVersion(MQTT_5)} the client
 * sends and receives properties ({@link MessageProperties}, {@link ConnAckProperties}), reports reason codes in
 * the result objects, obeys the server's limits (Receive Maximum, Maximum QoS, Retain Available, Maximum Packet
 * Size, Server Keep Alive), uses topic aliases, and supports enhanced authentication
 * ({@link EnhancedAuthenticator}, {@link #reauthenticate()}). A session is kept across connections when Clean
 * Start is off ({@code cleanSession(false)}) and the Session Expiry Interval is above zero.
 */
public final class MqttClient implements AutoCloseable {

    private final ClientEngine engine;
    private final String clientId;
    private final MqttProtocolVersion version;
    private final boolean mqtt5;
    private final boolean hasAuthenticator;

    private MqttClient(ClientOptions options) {
        this.engine = new ClientEngine(options);
        this.clientId = options.clientId();
        this.version = options.protocolVersion();
        this.mqtt5 = version == MqttProtocolVersion.MQTT_5;
        this.hasAuthenticator = options.v5().authenticator() != null;
    }

    /** A builder with the defaults: localhost:1883, MQTT 3.1.1, clean session, keep-alive 60 s. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects. Completes with the CONNACK's result, or fails with {@link ConnectRefusedException} (return code
     * named), {@link ConnectionLostException} (no TCP connection, or a failed TLS handshake: the message says
     * "TLS handshake ... failed" and why) or {@link MqttClientException} (no CONNACK in the connect timeout). A
     * failed {@code connect()} is not retried by the reconnect policy, which covers only connections lost after
     * they were established. Already connected: completes with the current result;
     * connecting: completes with the attempt under way; reconnecting: tries at once.
     */
    public CompletableFuture<ConnectResult> connect() {
        return engine.connect();
    }

    /**
     * Publishes {@code payload} (not copied: do not modify it until the future completes).
     *
     * @throws IllegalArgumentException if {@code topic} is not a valid topic name (empty, wildcards, NUL, not
     *                                  UTF-8 encodable, longer than 65535 bytes)
     */
    public CompletableFuture<PublishResult> publish(String topic, byte[] payload, Qos qos, boolean retain) {
        Objects.requireNonNull(payload, "payload");
        return publish(topic, ByteBuffer.wrap(payload), qos, retain);
    }

    /**
     * Publishes the remaining bytes of {@code payload} (not copied, position untouched: do not modify them until
     * the future completes).
     *
     * @throws IllegalArgumentException if {@code topic} is not a valid topic name
     */
    public CompletableFuture<PublishResult> publish(String topic, ByteBuffer payload, Qos qos, boolean retain) {
        return publish(topic, payload, qos, retain, MessageProperties.none());
    }

    /**
     * Publishes {@code payload} with MQTT 5 message properties (not copied: do not modify it until the future
     * completes). The future fails at once with {@link MqttClientException} if the publish breaks a limit the
     * server announced: a QoS above its Maximum QoS (MQTT-3.2.2-11), retain when Retain Available is 0
     * (MQTT-3.2.2-14), or a packet larger than its Maximum Packet Size (MQTT-3.2.2-15).
     *
     * @throws IllegalArgumentException if {@code topic} is not a valid topic name, or properties other than
     *                                  {@link MessageProperties#none()} are given to an MQTT 3.1.1 client
     * @since 1.1.0
     */
    public CompletableFuture<PublishResult> publish(String topic, byte[] payload, Qos qos, boolean retain,
                                                    MessageProperties properties) {
        Objects.requireNonNull(payload, "payload");
        return publish(topic, ByteBuffer.wrap(payload), qos, retain, properties);
    }

    /**
     * Publishes the remaining bytes of {@code payload} with MQTT 5 message properties (not copied, position
     * untouched); see {@link #publish(String, byte[], Qos, boolean, MessageProperties)}.
     *
     * @since 1.1.0
     */
    public CompletableFuture<PublishResult> publish(String topic, ByteBuffer payload, Qos qos, boolean retain,
                                                    MessageProperties properties) {
        Topics.requireValidTopicName(topic);
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(properties, "properties");
        if (!properties.isEmpty() && !mqtt5) {
            throw new IllegalArgumentException("message properties need MQTT 5; this client speaks " + version);
        }
        return engine.publish(topic, payload.slice(), qos, retain, properties);
    }

    /** Publishes a UTF-8 string. */
    public CompletableFuture<PublishResult> publish(String topic, String payload, Qos qos, boolean retain) {
        return publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain);
    }

    /**
     * Subscribes {@code listener} to {@code filter}. The listener is registered at once, so messages that arrive
     * before the SUBACK reach it; if the server refuses the filter (0x80) it is removed again and the result says
     * so. Subscribing to a filter the client already has replaces its listener.
     *
     * @throws IllegalArgumentException if {@code filter} is not a valid topic filter
     */
    public CompletableFuture<SubscribeResult> subscribe(String filter, Qos qos, MessageListener listener) {
        return subscribe(List.of(Subscription.of(filter, qos)), listener);
    }

    /**
     * Subscribes {@code listener} to several filters in one SUBSCRIBE; the result has one grant per filter.
     *
     * @throws IllegalArgumentException if the list is empty or names a filter twice
     */
    public CompletableFuture<SubscribeResult> subscribe(List<Subscription> subscriptions, MessageListener listener) {
        return subscribe(subscriptions, 0, listener);
    }

    /**
     * Subscribes {@code listener} to several filters in one MQTT 5 SUBSCRIBE with a Subscription Identifier:
     * messages that match these filters carry it in {@link ReceivedMessage#subscriptionIdentifiers()}. The
     * future fails at once with {@link MqttClientException} if the server announced that it does not support
     * Subscription Identifiers, wildcard or shared subscriptions and the request needs them.
     *
     * @param subscriptionIdentifier 1 to 268435455, or 0 for none
     * @throws IllegalArgumentException if the list is empty or names a filter twice, the identifier is out of
     *                                  range, or an MQTT 3.1.1 client is given an identifier or MQTT 5 options
     * @since 1.1.0
     */
    public CompletableFuture<SubscribeResult> subscribe(List<Subscription> subscriptions, int subscriptionIdentifier,
                                                        MessageListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (subscriptionIdentifier < 0 || subscriptionIdentifier > 268_435_455) {
            throw new IllegalArgumentException("a Subscription Identifier is 1 to 268435455 (or 0 for none), not "
                    + subscriptionIdentifier);
        }
        if (!mqtt5 && (subscriptionIdentifier != 0 || subscriptions.stream().anyMatch(Subscription::hasOptions))) {
            throw new IllegalArgumentException("subscription identifiers and options need MQTT 5; this client "
                    + "speaks " + version);
        }
        List<Subscription> copy = List.copyOf(subscriptions);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a SUBSCRIBE needs at least one filter");
        }
        if (copy.stream().map(Subscription::filter).distinct().count() != copy.size()) {
            throw new IllegalArgumentException("a filter appears twice in " + copy);
        }
        return engine.subscribe(copy, subscriptionIdentifier, listener);
    }

    /**
     * Unsubscribes from the filters; their listeners are removed on UNSUBACK.
     *
     * @throws IllegalArgumentException if no filter is given or one is not a valid topic filter
     */
    public CompletableFuture<UnsubscribeResult> unsubscribe(String... filters) {
        List<String> list = new ArrayList<>(filters.length);
        for (String f : filters) {
            Topics.requireValidFilter(f);
            list.add(f);
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("an UNSUBSCRIBE needs at least one filter");
        }
        return engine.unsubscribe(List.copyOf(list));
    }

    /**
     * Sends DISCONNECT and closes the connection (the server then discards the will); the client does not
     * reconnect. With a clean session pending futures fail; with a persistent one they stay pending and continue
     * after the next {@link #connect()}. Completes when the connection is closed.
     */
    public CompletableFuture<Void> disconnect() {
        return engine.disconnect(DisconnectOptions.normal());
    }

    /**
     * Disconnects like {@link #disconnect()} with an MQTT 5 DISCONNECT that carries {@code options}: a reason code
     * ({@code 0x04} makes the server publish the will), a Reason String, User Properties and a new Session Expiry
     * Interval. The future fails with {@link MqttClientException}, and nothing is sent, if the options set a
     * non-zero Session Expiry Interval on a connection that began with 0 (MQTT 5.0 §3.14.2.2.2).
     *
     * @throws IllegalArgumentException if the client does not speak MQTT 5 and the options are not
     *                                  {@link DisconnectOptions#normal()}
     * @since 1.1.0
     */
    public CompletableFuture<Void> disconnect(DisconnectOptions options) {
        Objects.requireNonNull(options, "options");
        if (!mqtt5 && options != DisconnectOptions.normal()) {
            throw new IllegalArgumentException("DISCONNECT options need MQTT 5; this client speaks " + version);
        }
        return engine.disconnect(options);
    }

    /**
     * Re-authenticates on the live connection (MQTT 5.0 §4.12.1): sends AUTH {@code 0x19} with the
     * {@link EnhancedAuthenticator}'s method and {@link EnhancedAuthenticator#reauthenticationData()}, answers the
     * server's challenges, and completes on the server's AUTH {@code 0x00}. Other operations go on meanwhile. If
     * the server refuses, it closes the connection: the future fails with {@link ServerDisconnectedException}
     * (reason code included) and the reconnect policy applies.
     *
     * <p>Fails at once with {@link MqttClientException} if the client is not connected or another
     * re-authentication is under way.
     *
     * @throws IllegalStateException if the client has no {@link EnhancedAuthenticator} (MQTT-4.12.0-7)
     * @since 1.1.0
     */
    public CompletableFuture<AuthenticationResult> reauthenticate() {
        if (!hasAuthenticator) {
            throw new IllegalStateException("re-authentication needs an enhanced authenticator (MQTT-4.12.0-7)");
        }
        return engine.reauthenticate();
    }

    /**
     * The protocol version the client speaks.
     *
     * @since 1.1.0
     */
    public MqttProtocolVersion protocolVersion() {
        return version;
    }

    /**
     * Disconnects like {@link #disconnect()}, fails everything pending with {@link ClientClosedException} and
     * releases the threads the client owns (not a caller's event loop group). Waits a few seconds at most, and not
     * at all when called on the client's event loop.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** The connection state now. */
    public ClientState state() {
        return engine.state();
    }

    /** Whether the client is connected now. */
    public boolean isConnected() {
        return engine.state() == ClientState.CONNECTED;
    }

    /**
     * The client identifier from the builder (empty if the server assigns one; the assigned one is in
     * {@link ConnAckProperties#assignedClientIdentifier()}).
     */
    public String clientId() {
        return clientId;
    }

    /** The event loop the client's protocol work, futures and listeners run on. */
    public EventLoop eventLoop() {
        return engine.eventLoop();
    }

    @Override
    public String toString() {
        return "MqttClient[" + clientId + ", " + engine.state() + "]";
    }

    /** Collects the settings of a client. Not thread-safe; {@link #build()} may be called more than once. */
    public static final class Builder {
        private String host = "localhost";
        private int port = 1883;
        private String clientId = "";
        private String username;
        private byte[] password;
        private Duration keepAlive = Duration.ofSeconds(60);
        private boolean cleanSession = true;
        private Will will;
        private int maxInflight = 64;
        private int maxQueuedPublishes = 10_000;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private ReconnectPolicy reconnectPolicy = ReconnectPolicy.defaultPolicy();
        private EventLoopGroup eventLoopGroup;
        private MqttProtocolVersion protocolVersion = MqttProtocolVersion.MQTT_3_1_1;
        private final List<ConnectionListener> connectionListeners = new ArrayList<>();
        private MessageListener defaultListener;
        private int maxIncomingPacketSize = 268_435_455 + 5;
        private Duration sessionExpiryInterval;
        private int receiveMaximum;
        private int topicAliasMaximum;
        private Boolean requestResponseInformation;
        private Boolean requestProblemInformation;
        private final List<UserProperty> connectUserProperties = new ArrayList<>();
        private EnhancedAuthenticator authenticator;
        private boolean outgoingTopicAliases = true;
        private SocketAddress address;
        private ClientTls tls;
        private boolean manualAcknowledgement;

        private Builder() {
        }

        /** The server's host name or address; default {@code localhost}. */
        public Builder host(String value) {
            this.host = Objects.requireNonNull(value, "host");
            return this;
        }

        /** The server's port; default 1883. */
        public Builder port(int value) {
            if (value < 1 || value > 65535) {
                throw new IllegalArgumentException("port must be 1 to 65535, not " + value);
            }
            this.port = value;
            return this;
        }

        /**
         * Connects to {@code value} instead of {@link #host(String) host} and {@link #port(int) port}, every time
         * (reconnects too); default none. A Netty {@code io.netty.channel.local.LocalAddress} connects in-process
         * over a {@code LocalChannel} to a {@code LocalServerChannel} bound to it; any other address over a TCP
         * socket. The host, if set, still names the server as the TLS server name.
         *
         * <p>In Netty 4.2 local channels do not register with NIO or epoll event loops: with a LocalAddress the
         * client's own group runs a {@code LocalIoHandler}, and a group given to
         * {@link #eventLoopGroup(EventLoopGroup)} must be able to run them too (a
         * {@code MultiThreadIoEventLoopGroup} with {@code LocalIoHandler.newFactory()}), or {@link #build()} fails.
         * The server's {@code LocalServerChannel} needs such a group as well.
         *
         * @since 1.2.0
         */
        public Builder address(SocketAddress value) {
            this.address = value;
            return this;
        }

        /**
         * Speaks TLS with {@code value}'s settings; default {@code null}, plain TCP. The CONNECT is sent once the
         * TLS handshake succeeded; a failed handshake fails the connection attempt like a refused connection
         * (reconnects included), with a message that says why.
         *
         * @since 1.2.0
         */
        public Builder tls(ClientTls value) {
            this.tls = value;
            return this;
        }

        /**
         * Whether the application acknowledges received QoS 1 and QoS 2 messages itself, with
         * {@link ReceivedMessage#acknowledge()}, instead of the client when the listeners return; default false.
         * With true the client sends a message's PUBACK (QoS 1) or PUBREC (QoS 2) only once it is acknowledged,
         * and in the order the messages arrived; until then the server counts it as unacknowledged (its receive
         * window, and re-delivery when a persistent session resumes). A message that no listener receives is
         * acknowledged at once. Every QoS 1/2 message MUST eventually be acknowledged: one left unacknowledged
         * holds back the acknowledgements of all that arrived after it.
         *
         * @since 1.2.0
         */
        public Builder manualAcknowledgement(boolean value) {
            this.manualAcknowledgement = value;
            return this;
        }

        /** The client identifier; default empty, which MQTT 3.1.1 allows with a clean session only. */
        public Builder clientId(String value) {
            this.clientId = Objects.requireNonNull(value, "clientId");
            return this;
        }

        /** The user name sent in CONNECT; default none. */
        public Builder username(String value) {
            this.username = value;
            return this;
        }

        /** The password sent in CONNECT (copied); needs a user name. Default none. */
        public Builder password(byte[] value) {
            this.password = value == null ? null : value.clone();
            return this;
        }

        /** The keep-alive period, whole seconds up to 65535; zero turns keep-alive off. Default 60 s. */
        public Builder keepAlive(Duration value) {
            if (value.isNegative() || value.toSeconds() > 65535 || value.toNanos() % 1_000_000_000L != 0) {
                throw new IllegalArgumentException("keep-alive must be whole seconds from 0 to 65535, not " + value);
            }
            this.keepAlive = value;
            return this;
        }

        /** Whether the server starts a new session (true, the default) or resumes a persistent one. */
        public Builder cleanSession(boolean value) {
            this.cleanSession = value;
            return this;
        }

        /** The will message; default none. */
        public Builder will(Will value) {
            this.will = value;
            return this;
        }

        /** The most QoS 1/2 publishes awaiting acknowledgement at once, 1 to 65535; default 64. */
        public Builder maxInflight(int value) {
            if (value < 1 || value > 65535) {
                throw new IllegalArgumentException("maxInflight must be 1 to 65535, not " + value);
            }
            this.maxInflight = value;
            return this;
        }

        /** The most publishes waiting behind a full window or for a reconnect; default 10000. */
        public Builder maxQueuedPublishes(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("maxQueuedPublishes must not be negative, not " + value);
            }
            this.maxQueuedPublishes = value;
            return this;
        }

        /** How long the TCP connection and the CONNACK may take together; default 10 s. */
        public Builder connectTimeout(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("connect timeout must be positive, not " + value);
            }
            this.connectTimeout = value;
            return this;
        }

        /** Reconnecting after a lost connection; default {@link ReconnectPolicy#defaultPolicy()}. */
        public Builder reconnectPolicy(ReconnectPolicy value) {
            this.reconnectPolicy = Objects.requireNonNull(value, "reconnectPolicy");
            return this;
        }

        /**
         * A Netty event loop group to run on (the client uses one of its loops and never shuts it down); default
         * a one-thread group of the client's own (epoll where available), shut down by {@link #close()}.
         * Many clients may share one group.
         */
        public Builder eventLoopGroup(EventLoopGroup value) {
            this.eventLoopGroup = value;
            return this;
        }

        /** The protocol version; default MQTT 3.1.1. */
        public Builder protocolVersion(MqttProtocolVersion value) {
            this.protocolVersion = Objects.requireNonNull(value, "protocolVersion");
            return this;
        }

        /** Adds a connection state listener. */
        public Builder connectionListener(ConnectionListener value) {
            connectionListeners.add(Objects.requireNonNull(value, "connectionListener"));
            return this;
        }

        /**
         * Receives messages that match no subscription of this client, e.g. those of a persistent session that
         * arrive after a reconnect before the application subscribed again; default none (they are dropped, and
         * still acknowledged).
         */
        public Builder defaultListener(MessageListener value) {
            this.defaultListener = value;
            return this;
        }

        /**
         * The largest packet accepted from the server; default the protocol maximum. An MQTT 5 client sends it as
         * its Maximum Packet Size when it is lower, and a larger packet from the server makes it disconnect with
         * {@code 0x95} (packet too large).
         */
        public Builder maxIncomingPacketSize(int bytes) {
            if (bytes < 2) {
                throw new IllegalArgumentException("maxIncomingPacketSize must be at least 2, not " + bytes);
            }
            this.maxIncomingPacketSize = bytes;
            return this;
        }

        /**
         * MQTT 5: the Session Expiry Interval sent in CONNECT, whole seconds up to 4294967295
         * ({@code 0xFFFFFFFF} seconds: the session never expires); default none (0: the session ends with the
         * connection). With Clean Start off ({@code cleanSession(false)}) and a non-zero interval the session, and
         * the client's pending operations, survive a lost connection.
         *
         * @throws IllegalArgumentException if out of range or not whole seconds
         * @since 1.1.0
         */
        public Builder sessionExpiryInterval(Duration value) {
            if (value != null && (value.isNegative() || value.toSeconds() > 0xFFFF_FFFFL
                    || value.toNanos() % 1_000_000_000L != 0)) {
                throw new IllegalArgumentException("the session expiry interval must be whole seconds from 0 to "
                        + "4294967295, not " + value);
            }
            this.sessionExpiryInterval = value;
            return this;
        }

        /**
         * MQTT 5: the Receive Maximum sent in CONNECT, the most QoS 1/2 publishes the server may have
         * unacknowledged towards this client; 1 to 65535, default 65535 (not sent). A server that exceeds it gets
         * DISCONNECT {@code 0x93}.
         *
         * @since 1.1.0
         */
        public Builder receiveMaximum(int value) {
            if (value < 1 || value > 65535) {
                throw new IllegalArgumentException("receiveMaximum must be 1 to 65535, not " + value);
            }
            this.receiveMaximum = value;
            return this;
        }

        /**
         * MQTT 5: the Topic Alias Maximum sent in CONNECT, the highest topic alias the server may use towards
         * this client; 0 to 65535, default 0 (none).
         *
         * @since 1.1.0
         */
        public Builder topicAliasMaximum(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("topicAliasMaximum must be 0 to 65535, not " + value);
            }
            this.topicAliasMaximum = value;
            return this;
        }

        /**
         * MQTT 5: whether the client uses topic aliases towards the server when the server allows them (its
         * Topic Alias Maximum is above 0); default true. See docs/client.md for the policy.
         *
         * @since 1.1.0
         */
        public Builder outgoingTopicAliases(boolean value) {
            this.outgoingTopicAliases = value;
            return this;
        }

        /**
         * MQTT 5: Request Response Information in CONNECT; default false (not sent).
         *
         * @since 1.1.0
         */
        public Builder requestResponseInformation(boolean value) {
            this.requestResponseInformation = value;
            return this;
        }

        /**
         * MQTT 5: Request Problem Information in CONNECT; default true (not sent). With false the server sends
         * Reason Strings and User Properties only on PUBLISH, CONNACK and DISCONNECT.
         *
         * @since 1.1.0
         */
        public Builder requestProblemInformation(boolean value) {
            this.requestProblemInformation = value;
            return this;
        }

        /**
         * MQTT 5: appends a User Property to CONNECT; names may repeat, the order is kept.
         *
         * @since 1.1.0
         */
        public Builder userProperty(String name, String value) {
            connectUserProperties.add(new UserProperty(name, value));
            return this;
        }

        /**
         * MQTT 5: enhanced authentication with {@code value} (MQTT 5.0 §4.12); default none.
         *
         * @since 1.1.0
         */
        public Builder enhancedAuthentication(EnhancedAuthenticator value) {
            this.authenticator = value;
            return this;
        }

        /**
         * A client with these settings, not connected yet.
         *
         * @throws IllegalStateException if the settings contradict each other or the protocol version, or the
         *                               address is a LocalAddress and the event loop group cannot run local
         *                               channels
         */
        public MqttClient build() {
            if (host.isEmpty()) {
                throw new IllegalStateException("host must not be empty");
            }
            boolean mqtt5 = protocolVersion == MqttProtocolVersion.MQTT_5;
            if (!mqtt5) {
                requireNotSet(sessionExpiryInterval != null, "sessionExpiryInterval");
                requireNotSet(receiveMaximum != 0, "receiveMaximum");
                requireNotSet(topicAliasMaximum != 0, "topicAliasMaximum");
                requireNotSet(requestResponseInformation != null, "requestResponseInformation");
                requireNotSet(requestProblemInformation != null, "requestProblemInformation");
                requireNotSet(!connectUserProperties.isEmpty(), "userProperty");
                requireNotSet(authenticator != null, "enhancedAuthentication");
                requireNotSet(will != null && (!will.properties().isEmpty() || will.delayInterval().isPresent()),
                        "will properties and delay");
            }
            if (password != null && username == null && !mqtt5) {
                throw new IllegalStateException("a password needs a user name (MQTT-3.1.2-22)");
            }
            if (clientId.getBytes(StandardCharsets.UTF_8).length > 65535) {
                throw new IllegalStateException("the client identifier is longer than 65535 UTF-8 bytes");
            }
            if (protocolVersion == MqttProtocolVersion.MQTT_3_1
                    && (clientId.isEmpty() || clientId.length() > 23)) {
                throw new IllegalStateException("MQTT 3.1 needs a client identifier of 1 to 23 characters, not '"
                        + clientId + "'");
            }
            if (clientId.isEmpty() && !cleanSession && !mqtt5) {
                throw new IllegalStateException("an empty client identifier needs a clean session (MQTT-3.1.3-7)");
            }
            return new MqttClient(new ClientOptions(host, port, clientId, username, password, keepAlive,
                    cleanSession, will, maxInflight, maxQueuedPublishes, connectTimeout, reconnectPolicy,
                    eventLoopGroup, protocolVersion, List.copyOf(connectionListeners), defaultListener,
                    maxIncomingPacketSize, new Mqtt5Options(
                            sessionExpiryInterval == null ? 0 : sessionExpiryInterval.toSeconds(),
                            receiveMaximum == 0 ? 65535 : receiveMaximum, topicAliasMaximum,
                            Boolean.TRUE.equals(requestResponseInformation),
                            !Boolean.FALSE.equals(requestProblemInformation), List.copyOf(connectUserProperties),
                            authenticator, outgoingTopicAliases), address,
                    tls == null ? null : new TlsOptions(tls.context(), tls.serverName().orElse(host)),
                    manualAcknowledgement, ReceivedMessage.factory()));
        }

        private void requireNotSet(boolean set, String option) {
            if (set) {
                throw new IllegalStateException(option + " needs MQTT 5; the protocol version is " + protocolVersion);
            }
        }
    }
}
