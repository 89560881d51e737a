package io.cairn.kernel.embedded;

import io.cairn.kernel.routing.Topics;

/**
 * The limits and timings of a broker. Immutable; {@link #defaults()} gives values fit for production, and
 * {@link #builder()} changes some of them.
 *
 * @param maxPacketSize         largest packet accepted from a client, in bytes (fixed header included); a
 *                              larger one closes the connection
 * @param maxInflight           outgoing QoS 1/2 messages in flight per client before further ones are queued
 * @param maxQueuedMessages     messages queued per session (offline, or online but slow) before messages are
 *                              dropped, QoS 0 first; every drop is counted
 * @param maxTopicLength        longest topic name or filter in UTF-8 bytes
 * @param maxTopicLevels        most levels in a topic name or filter
 * @param maxClientIdLength     longest client identifier accepted from an MQTT 3.1 client (3.1 allows 1-23)
 * @param keepAliveGrace        the factor on a client's keep-alive after which a silent connection is closed
 *                              (MQTT 3.1.1 §3.1.2.10: one and a half times)
 * @param connectTimeoutSeconds seconds a new connection may take to send CONNECT before it is closed
 * @param ioThreads             event-loop threads serving connections; 0 means one per core (the loops never block,
 *                              and a message between two loops costs a hand-over)
 * @param maxConnections        connections accepted at once; a CONNECT beyond it gets CONNACK 0x03 (server
 *                              unavailable); 0 means no limit
 * @param receiveMaximum        incoming QoS 2 messages an MQTT 5 client may have awaiting PUBREL at once (MQTT 5.0
 *                              §3.2.2.3.3, announced in CONNACK); one more closes its connection with reason 0x93
 * @param topicAliasMaximum     topic aliases an MQTT 5 client may set towards the broker on one connection (MQTT
 *                              5.0 §3.2.2.3.8, announced in CONNACK); 0 refuses them
 * @param maxKeepAlive          the longest keep-alive an MQTT 5 client may use, in seconds: a client asking for
 *                              more, or for none, is told this one as Server Keep Alive (MQTT 5.0 §3.2.2.3.14);
 *                              0 leaves the choice to the client. MQTT 3.1/3.1.1 clients cannot be told and keep
 *                              their own
 * @param responseInformation   the prefix of the Response Information given to an MQTT 5 client that asks for
 *                              it (MQTT 5.0 §3.2.2.3.15): the prefix, the client id and a {@code /}; empty gives
 *                              none
 * @param disconnectRevoked     what happens to a connected client's subscription that its authorizers no longer
 *                              allow (after a policy change): {@code false} removes the subscription, {@code true}
 *                              disconnects the client (MQTT 5 reason 0x87, Not authorized)
 * @param bridgeMaxQueuedMessages messages queued for each bridge ({@code $bridge/} sessions: what waits for an
 *                              unreachable remote) before messages are dropped, QoS 0 first; a bridge's session
 *                              also takes as many messages in flight as its Receive Maximum, not
 *                              {@code maxInflight}
 * @param sysIntervalSeconds    how often the {@code $SYS/broker/} tree is published (changed values only); 0 (the
 *                              default of an embedded broker) turns it off; the distribution sets 10
 * @param interceptorErrorBudget  how many failures (exceptions, overruns of the time budget) one bundle's
 *                              interceptors may have within a minute; one more quarantines them
 */
public record BrokerSettings(int maxPacketSize, int maxInflight, int maxQueuedMessages, int maxTopicLength,
                             int maxTopicLevels, int maxClientIdLength, double keepAliveGrace,
                             int connectTimeoutSeconds, int ioThreads, int maxConnections, int receiveMaximum,
                             int topicAliasMaximum, int maxKeepAlive, String responseInformation,
                             boolean disconnectRevoked, int bridgeMaxQueuedMessages,
                             int sysIntervalSeconds, int interceptorErrorBudget) {

    /** The largest Remaining Length MQTT can express, plus the five bytes of the largest fixed header. */
    public static final int PROTOCOL_MAX_PACKET_SIZE = 268_435_455 + 5;

    public BrokerSettings {
        requireRange("maxPacketSize", maxPacketSize, 16, PROTOCOL_MAX_PACKET_SIZE);
        requireRange("maxInflight", maxInflight, 1, 65_535);
        requireRange("maxQueuedMessages", maxQueuedMessages, 0, Integer.MAX_VALUE);
        requireRange("maxTopicLength", maxTopicLength, 1, 65_535);
        requireRange("maxTopicLevels", maxTopicLevels, 1, 65_535);
        requireRange("maxClientIdLength", maxClientIdLength, 23, 65_535);
        if (!(keepAliveGrace >= 1.0 && keepAliveGrace <= 10.0)) {
            throw new IllegalArgumentException("keepAliveGrace must be between 1.0 and 10.0, not " + keepAliveGrace);
        }
        requireRange("connectTimeoutSeconds", connectTimeoutSeconds, 1, 3600);
        requireRange("ioThreads", ioThreads, 0, 1024);
        requireRange("maxConnections", maxConnections, 0, Integer.MAX_VALUE);
        requireRange("receiveMaximum", receiveMaximum, 1, 65_535);
        requireRange("topicAliasMaximum", topicAliasMaximum, 0, 65_535);
        requireRange("maxKeepAlive", maxKeepAlive, 0, 65_535);
        requireRange("bridgeMaxQueuedMessages", bridgeMaxQueuedMessages, 0, Integer.MAX_VALUE);
        requireRange("sysIntervalSeconds", sysIntervalSeconds, 0, 86_400);
        requireRange("interceptorErrorBudget", interceptorErrorBudget, 0, Integer.MAX_VALUE);
        if (responseInformation == null) {
            throw new IllegalArgumentException("responseInformation must not be null (empty turns it off)");
        }
        String problem = responseInformation.isEmpty() ? null
                : Topics.validateTopicName(responseInformation + "x", 65_535, 65_535);
        if (problem != null) {
            throw new IllegalArgumentException("responseInformation '" + responseInformation
                    + "' cannot start a topic name: " + problem);
        }
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", not " + value);
        }
    }

    /**
     * The defaults: 1 MiB packets, 32 in flight, 1000 queued, 64 topic levels, 1.5 × keep-alive, Receive Maximum
     * 65,535, 64 topic aliases, the client's keep-alive, Response Information {@code response/<client id>/}.
     */
    public static BrokerSettings defaults() {
        return builder().build();
    }

    /** A builder that starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** This settings' values in a builder, to change some. */
    public Builder toBuilder() {
        return new Builder().maxPacketSize(maxPacketSize).maxInflight(maxInflight)
                .maxQueuedMessages(maxQueuedMessages).maxTopicLength(maxTopicLength)
                .maxTopicLevels(maxTopicLevels).maxClientIdLength(maxClientIdLength)
                .keepAliveGrace(keepAliveGrace).connectTimeoutSeconds(connectTimeoutSeconds)
                .ioThreads(ioThreads).maxConnections(maxConnections).receiveMaximum(receiveMaximum)
                .topicAliasMaximum(topicAliasMaximum).maxKeepAlive(maxKeepAlive)
                .responseInformation(responseInformation).disconnectRevoked(disconnectRevoked)
                .bridgeMaxQueuedMessages(bridgeMaxQueuedMessages).sysIntervalSeconds(sysIntervalSeconds)
                .interceptorErrorBudget(interceptorErrorBudget);
    }

    /** Builds {@link BrokerSettings}; every value starts at its default. Not thread-safe. */
    public static final class Builder {
        private int maxPacketSize = 1 << 20;
        private int maxInflight = 32;
        private int maxQueuedMessages = 1000;
        private int maxTopicLength = 65_535;
        private int maxTopicLevels = 64;
        private int maxClientIdLength = 23;
        private double keepAliveGrace = 1.5;
        private int connectTimeoutSeconds = 10;
        private int ioThreads = 0;
        private int maxConnections = 0;
        private int receiveMaximum = 65_535;
        private int topicAliasMaximum = 64;
        private int maxKeepAlive = 0;
        private String responseInformation = "response/";
        private boolean disconnectRevoked;
        private int bridgeMaxQueuedMessages = 100_000;
        private int sysIntervalSeconds = 0;
        private int interceptorErrorBudget = 100;

        private Builder() {
        }

        public Builder maxPacketSize(int v) { maxPacketSize = v; return this; }
        public Builder maxInflight(int v) { maxInflight = v; return this; }
        public Builder maxQueuedMessages(int v) { maxQueuedMessages = v; return this; }
        public Builder maxTopicLength(int v) { maxTopicLength = v; return this; }
        public Builder maxTopicLevels(int v) { maxTopicLevels = v; return this; }
        public Builder maxClientIdLength(int v) { maxClientIdLength = v; return this; }
        public Builder keepAliveGrace(double v) { keepAliveGrace = v; return this; }
        public Builder connectTimeoutSeconds(int v) { connectTimeoutSeconds = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder receiveMaximum(int v) { receiveMaximum = v; return this; }
        public Builder topicAliasMaximum(int v) { topicAliasMaximum = v; return this; }
        public Builder maxKeepAlive(int v) { maxKeepAlive = v; return this; }
        public Builder responseInformation(String v) { responseInformation = v; return this; }
        public Builder disconnectRevoked(boolean v) { disconnectRevoked = v; return this; }
        public Builder bridgeMaxQueuedMessages(int v) { bridgeMaxQueuedMessages = v; return this; }
        public Builder sysIntervalSeconds(int v) { sysIntervalSeconds = v; return this; }
        public Builder interceptorErrorBudget(int v) { interceptorErrorBudget = v; return this; }

        /**
         * Creates the settings.
         *
         * @throws IllegalArgumentException naming the first value out of range
         */
        public BrokerSettings build() {
            return new BrokerSettings(maxPacketSize, maxInflight, maxQueuedMessages, maxTopicLength,
                    maxTopicLevels, maxClientIdLength, keepAliveGrace, connectTimeoutSeconds, ioThreads,
                    maxConnections, receiveMaximum, topicAliasMaximum, maxKeepAlive, responseInformation,
                    disconnectRevoked, bridgeMaxQueuedMessages, sysIntervalSeconds, interceptorErrorBudget);
        }
    }
}
