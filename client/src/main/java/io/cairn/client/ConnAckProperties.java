package io.cairn.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an MQTT 5 server announced in its CONNACK (MQTT 5.0 §3.2.2.3): its limits, the features it offers, and
 * values it assigned. A property the server left out reads as the specification's default, so an MQTT 3.1.1
 * connection reports {@link #defaults()}. Immutable.
 *
 * <p>The client obeys these limits on its own: it caps its QoS 1/2 publishes in flight at {@link #receiveMaximum()},
 * fails a publish above {@link #maximumQos()}, with retain when {@link #retainAvailable()} is false, or larger than
 * {@link #maximumPacketSize()}, uses {@link #serverKeepAlive()} instead of its own keep-alive, and reconnects with
 * the {@link #assignedClientIdentifier()}.
 *
 * @since 1.1.0
 */
public final class ConnAckProperties {

    private static final ConnAckProperties DEFAULTS = builder().build();

    private final Duration sessionExpiryInterval;
    private final int receiveMaximum;
    private final Qos maximumQos;
    private final boolean retainAvailable;
    private final long maximumPacketSize;
    private final String assignedClientIdentifier;
    private final int topicAliasMaximum;
    private final String reasonString;
    private final List<UserProperty> userProperties;
    private final boolean wildcardSubscriptionAvailable;
    private final boolean subscriptionIdentifiersAvailable;
    private final boolean sharedSubscriptionAvailable;
    private final Duration serverKeepAlive;
    private final String responseInformation;
    private final String serverReference;
    private final String authenticationMethod;
    private final byte[] authenticationData;

    private ConnAckProperties(Builder b) {
        sessionExpiryInterval = b.sessionExpiryInterval;
        receiveMaximum = b.receiveMaximum;
        maximumQos = b.maximumQos;
        retainAvailable = b.retainAvailable;
        maximumPacketSize = b.maximumPacketSize;
        assignedClientIdentifier = b.assignedClientIdentifier;
        topicAliasMaximum = b.topicAliasMaximum;
        reasonString = b.reasonString;
        userProperties = List.copyOf(b.userProperties);
        wildcardSubscriptionAvailable = b.wildcardSubscriptionAvailable;
        subscriptionIdentifiersAvailable = b.subscriptionIdentifiersAvailable;
        sharedSubscriptionAvailable = b.sharedSubscriptionAvailable;
        serverKeepAlive = b.serverKeepAlive;
        responseInformation = b.responseInformation;
        serverReference = b.serverReference;
        authenticationMethod = b.authenticationMethod;
        authenticationData = b.authenticationData;
    }

    /** Every property at its default: what a CONNACK without properties (and MQTT 3.1.1) means. */
    public static ConnAckProperties defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults; used by the client (and tests) to describe a CONNACK. */
    public static Builder builder() {
        return new Builder();
    }

    /** The Session Expiry Interval the server imposed instead of the client's; empty if it kept the client's. */
    public Optional<Duration> sessionExpiryInterval() {
        return Optional.ofNullable(sessionExpiryInterval);
    }

    /** The most QoS 1/2 publishes the server accepts unacknowledged at once; default 65535. */
    public int receiveMaximum() {
        return receiveMaximum;
    }

    /** The highest QoS the server accepts in PUBLISH; default QoS 2. */
    public Qos maximumQos() {
        return maximumQos;
    }

    /** Whether the server supports retained messages; default true. */
    public boolean retainAvailable() {
        return retainAvailable;
    }

    /** The largest packet the server accepts, in bytes; empty if it set no limit beyond the protocol's. */
    public OptionalLong maximumPacketSize() {
        return maximumPacketSize == 0 ? OptionalLong.empty() : OptionalLong.of(maximumPacketSize);
    }

    /** The client identifier the server assigned because the client sent an empty one; empty otherwise. */
    public Optional<String> assignedClientIdentifier() {
        return Optional.ofNullable(assignedClientIdentifier);
    }

    /** The highest Topic Alias the client may send; 0 (the default) means none. */
    public int topicAliasMaximum() {
        return topicAliasMaximum;
    }

    /** The Reason String, a diagnostic text for humans; empty if absent. */
    public Optional<String> reasonString() {
        return Optional.ofNullable(reasonString);
    }

    /** The User Properties, in order; empty if none. */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    /** Whether the server supports wildcard subscriptions; default true. */
    public boolean wildcardSubscriptionAvailable() {
        return wildcardSubscriptionAvailable;
    }

    /** Whether the server supports Subscription Identifiers; default true. */
    public boolean subscriptionIdentifiersAvailable() {
        return subscriptionIdentifiersAvailable;
    }

    /** Whether the server supports shared subscriptions; default true. */
    public boolean sharedSubscriptionAvailable() {
        return sharedSubscriptionAvailable;
    }

    /** The keep-alive the server requires instead of the client's (MQTT-3.2.2-21); empty if absent. */
    public Optional<Duration> serverKeepAlive() {
        return Optional.ofNullable(serverKeepAlive);
    }

    /** The Response Information the client asked for with Request Response Information; empty if absent. */
    public Optional<String> responseInformation() {
        return Optional.ofNullable(responseInformation);
    }

    /** The Server Reference: another server the client may use; empty if absent. */
    public Optional<String> serverReference() {
        return Optional.ofNullable(serverReference);
    }

    /** The Authentication Method of enhanced authentication; empty if none was used. */
    public Optional<String> authenticationMethod() {
        return Optional.ofNullable(authenticationMethod);
    }

    /** A copy of the final Authentication Data; empty if absent. */
    public Optional<byte[]> authenticationData() {
        return authenticationData == null ? Optional.empty() : Optional.of(authenticationData.clone());
    }

    @Override
    public String toString() {
        return "ConnAckProperties[receiveMaximum=" + receiveMaximum + ", maximumQos=" + maximumQos.value()
                + ", retainAvailable=" + retainAvailable + ", maximumPacketSize="
                + (maximumPacketSize == 0 ? "none" : maximumPacketSize) + ", topicAliasMaximum=" + topicAliasMaximum
                + (assignedClientIdentifier == null ? "" : ", assignedClientIdentifier=" + assignedClientIdentifier)
                + (serverKeepAlive == null ? "" : ", serverKeepAlive=" + serverKeepAlive.toSeconds() + "s")
                + (sessionExpiryInterval == null ? "" : ", sessionExpiry=" + sessionExpiryInterval.toSeconds() + "s")
                + ", wildcard=" + wildcardSubscriptionAvailable + ", subscriptionIds="
                + subscriptionIdentifiersAvailable + ", shared=" + sharedSubscriptionAvailable
                + (reasonString == null ? "" : ", reason=" + reasonString)
                + (serverReference == null ? "" : ", serverReference=" + serverReference)
                + (userProperties.isEmpty() ? "" : ", user=" + userProperties) + "]";
    }

    /** Collects CONNACK properties, starting from the defaults. Not thread-safe. */
    public static final class Builder {
        private Duration sessionExpiryInterval;
        private int receiveMaximum = 65535;
        private Qos maximumQos = Qos.EXACTLY_ONCE;
        private boolean retainAvailable = true;
        private long maximumPacketSize;
        private String assignedClientIdentifier;
        private int topicAliasMaximum;
        private String reasonString;
        private final List<UserProperty> userProperties = new ArrayList<>();
        private boolean wildcardSubscriptionAvailable = true;
        private boolean subscriptionIdentifiersAvailable = true;
        private boolean sharedSubscriptionAvailable = true;
        private Duration serverKeepAlive;
        private String responseInformation;
        private String serverReference;
        private String authenticationMethod;
        private byte[] authenticationData;

        private Builder() {
        }

        public Builder sessionExpiryInterval(Duration value) {
            sessionExpiryInterval = value;
            return this;
        }

        /** @throws IllegalArgumentException unless 1 to 65535 */
        public Builder receiveMaximum(int value) {
            if (value < 1 || value > 65535) {
                throw new IllegalArgumentException("Receive Maximum must be 1 to 65535, not " + value);
            }
            receiveMaximum = value;
            return this;
        }

        public Builder maximumQos(Qos value) {
            maximumQos = Objects.requireNonNull(value, "maximumQos");
            return this;
        }

        public Builder retainAvailable(boolean value) {
            retainAvailable = value;
            return this;
        }

        /** @throws IllegalArgumentException unless 1 to 4294967295 */
        public Builder maximumPacketSize(long value) {
            if (value < 1 || value > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("Maximum Packet Size must be 1 to 4294967295, not " + value);
            }
            maximumPacketSize = value;
            return this;
        }

        public Builder assignedClientIdentifier(String value) {
            assignedClientIdentifier = value;
            return this;
        }

        /** @throws IllegalArgumentException unless 0 to 65535 */
        public Builder topicAliasMaximum(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("Topic Alias Maximum must be 0 to 65535, not " + value);
            }
            topicAliasMaximum = value;
            return this;
        }

        public Builder reasonString(String value) {
            reasonString = value;
            return this;
        }

        public Builder userProperty(UserProperty value) {
            userProperties.add(Objects.requireNonNull(value, "userProperty"));
            return this;
        }

        public Builder wildcardSubscriptionAvailable(boolean value) {
            wildcardSubscriptionAvailable = value;
            return this;
        }

        public Builder subscriptionIdentifiersAvailable(boolean value) {
            subscriptionIdentifiersAvailable = value;
            return this;
        }

        public Builder sharedSubscriptionAvailable(boolean value) {
            sharedSubscriptionAvailable = value;
            return this;
        }

        public Builder serverKeepAlive(Duration value) {
            serverKeepAlive = value;
            return this;
        }

        public Builder responseInformation(String value) {
            responseInformation = value;
            return this;
        }

        public Builder serverReference(String value) {
            serverReference = value;
            return this;
        }

        public Builder authenticationMethod(String value) {
            authenticationMethod = value;
            return this;
        }

        /** The data is copied. */
        public Builder authenticationData(byte[] value) {
            authenticationData = value == null ? null : value.clone();
            return this;
        }

        public ConnAckProperties build() {
            return new ConnAckProperties(this);
        }
    }
}
