package io.cairn.client;

import io.cairn.client.internal.ClientEngine;
import io.cairn.client.internal.ClientOptions;
import io.cairn.client.internal.Topics;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An MQTT 3.1.1 (or 3.1) client connection to one server, with its session.
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
 */
public final class MqttClient implements AutoCloseable {

    private final ClientEngine engine;
    private final String clientId;

    private MqttClient(ClientOptions options) {
        this.engine = new ClientEngine(options);
        this.clientId = options.clientId();
    }

    /** A builder with the defaults: localhost:1883, MQTT 3.1.1, clean session, keep-alive 60 s. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects. Completes with the CONNACK's result, or fails with {@link ConnectRefusedException} (return code
     * named), {@link ConnectionLostException} (no TCP connection) or {@link MqttClientException} (no CONNACK in
     * the connect timeout). A failed {@code connect()} is not retried by the reconnect policy, which covers only
     * connections lost after they were established. Already connected: completes with the current result;
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
        Topics.requireValidTopicName(topic);
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(qos, "qos");
        return engine.publish(topic, payload.slice(), qos, retain);
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
        Objects.requireNonNull(listener, "listener");
        List<Subscription> copy = List.copyOf(subscriptions);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a SUBSCRIBE needs at least one filter");
        }
        if (copy.stream().map(Subscription::filter).distinct().count() != copy.size()) {
            throw new IllegalArgumentException("a filter appears twice in " + copy);
        }
        return engine.subscribe(copy, listener);
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
        return engine.disconnect();
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

    /** The client identifier from the builder (empty if the server assigns one). */
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

        /** The largest packet accepted from the server; default the protocol maximum. */
        public Builder maxIncomingPacketSize(int bytes) {
            if (bytes < 2) {
                throw new IllegalArgumentException("maxIncomingPacketSize must be at least 2, not " + bytes);
            }
            this.maxIncomingPacketSize = bytes;
            return this;
        }

        /**
         * A client with these settings, not connected yet.
         *
         * @throws IllegalStateException if the settings contradict each other or the protocol version
         */
        public MqttClient build() {
            if (host.isEmpty()) {
                throw new IllegalStateException("host must not be empty");
            }
            if (password != null && username == null) {
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
            if (clientId.isEmpty() && !cleanSession) {
                throw new IllegalStateException("an empty client identifier needs a clean session (MQTT-3.1.3-7)");
            }
            return new MqttClient(new ClientOptions(host, port, clientId, username, password, keepAlive,
                    cleanSession, will, maxInflight, maxQueuedPublishes, connectTimeout, reconnectPolicy,
                    eventLoopGroup, protocolVersion, List.copyOf(connectionListeners), defaultListener,
                    maxIncomingPacketSize));
        }
    }
}
