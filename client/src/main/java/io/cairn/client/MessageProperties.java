package io.cairn.client;

import io.cairn.client.internal.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The MQTT 5 properties of an application message (MQTT 5.0 §3.3.2.3): Message Expiry Interval, Payload Format
 * Indicator, Content Type, Response Topic, Correlation Data and User Properties, in the order given. Used for
 * publishing, for the will, and on received messages. An MQTT 3.1.1 client cannot send them (publishing with
 * properties other than {@link #none()} fails). Immutable: the correlation data is copied in and out.
 *
 * <pre>{@code
 * MessageProperties p = MessageProperties.builder()
 *         .messageExpiryInterval(Duration.ofMinutes(5))
 *         .contentType("application/json").utf8Payload(true)
 *         .responseTopic("replies/sensor-7").correlationData(requestId)
 *         .userProperty("trace", traceId)
 *         .build();
 * }</pre>
 *
 * @since 1.1.0
 */
public final class MessageProperties {

    private static final MessageProperties NONE = new MessageProperties(new Builder());

    private final Duration messageExpiryInterval;
    private final boolean utf8Payload;
    private final String contentType;
    private final String responseTopic;
    private final byte[] correlationData;
    private final List<UserProperty> userProperties;

    private MessageProperties(Builder b) {
        this.messageExpiryInterval = b.messageExpiryInterval;
        this.utf8Payload = b.utf8Payload;
        this.contentType = b.contentType;
        this.responseTopic = b.responseTopic;
        this.correlationData = b.correlationData;
        this.userProperties = List.copyOf(b.userProperties);
    }

    /** No properties at all: what an MQTT 3.1.1 message has. */
    public static MessageProperties none() {
        return NONE;
    }

    /** A builder with no properties set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with these properties, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.messageExpiryInterval = messageExpiryInterval;
        b.utf8Payload = utf8Payload;
        b.contentType = contentType;
        b.responseTopic = responseTopic;
        b.correlationData = correlationData;
        b.userProperties.addAll(userProperties);
        return b;
    }

    /** Whether no property is set. */
    public boolean isEmpty() {
        return messageExpiryInterval == null && !utf8Payload && contentType == null && responseTopic == null
                && correlationData == null && userProperties.isEmpty();
    }

    /**
     * The Message Expiry Interval: the server drops the message when it has not been delivered within it. On a
     * received message it is the time that was left when the server sent it. Empty: the message does not expire.
     */
    public Optional<Duration> messageExpiryInterval() {
        return Optional.ofNullable(messageExpiryInterval);
    }

    /** The Payload Format Indicator: true if the payload is declared UTF-8 text (1), false if unspecified (0). */
    public boolean utf8Payload() {
        return utf8Payload;
    }

    /** The Content Type, e.g. a MIME type; empty if absent. */
    public Optional<String> contentType() {
        return Optional.ofNullable(contentType);
    }

    /** The Response Topic a receiver should publish an answer to; empty if absent. */
    public Optional<String> responseTopic() {
        return Optional.ofNullable(responseTopic);
    }

    /** A copy of the Correlation Data; empty if absent. */
    public Optional<byte[]> correlationData() {
        return correlationData == null ? Optional.empty() : Optional.of(correlationData.clone());
    }

    /** The User Properties in the order they were given or received; unmodifiable, empty if none. */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageProperties m && Objects.equals(m.messageExpiryInterval, messageExpiryInterval)
                && m.utf8Payload == utf8Payload && Objects.equals(m.contentType, contentType)
                && Objects.equals(m.responseTopic, responseTopic) && Arrays.equals(m.correlationData, correlationData)
                && m.userProperties.equals(userProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(messageExpiryInterval, utf8Payload, contentType, responseTopic,
                Arrays.hashCode(correlationData), userProperties);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("MessageProperties[");
        if (messageExpiryInterval != null) {
            s.append("expiry=").append(messageExpiryInterval.toSeconds()).append("s, ");
        }
        if (utf8Payload) {
            s.append("utf8, ");
        }
        if (contentType != null) {
            s.append("contentType=").append(contentType).append(", ");
        }
        if (responseTopic != null) {
            s.append("responseTopic=").append(responseTopic).append(", ");
        }
        if (correlationData != null) {
            s.append("correlationData=").append(correlationData.length).append(" bytes, ");
        }
        if (!userProperties.isEmpty()) {
            s.append("user=").append(userProperties).append(", ");
        }
        if (s.charAt(s.length() - 1) == ' ') {
            s.setLength(s.length() - 2);
        }
        return s.append(']').toString();
    }

    /** Collects message properties. Not thread-safe. */
    public static final class Builder {
        private Duration messageExpiryInterval;
        private boolean utf8Payload;
        private String contentType;
        private String responseTopic;
        private byte[] correlationData;
        private final List<UserProperty> userProperties = new ArrayList<>();

        private Builder() {
        }

        /**
         * The Message Expiry Interval, whole seconds from 0 to 4294967295; {@code null} for none (the default).
         *
         * @throws IllegalArgumentException if out of range or not whole seconds
         */
        public Builder messageExpiryInterval(Duration value) {
            if (value != null && (value.toNanos() % 1_000_000_000L != 0 || value.isNegative()
                    || value.toSeconds() > 0xFFFF_FFFFL)) {
                throw new IllegalArgumentException("the message expiry interval must be whole seconds from 0 to "
                        + "4294967295, not " + value);
            }
            this.messageExpiryInterval = value;
            return this;
        }

        /** Declares the payload UTF-8 text (Payload Format Indicator 1); default false (0, unspecified bytes). */
        public Builder utf8Payload(boolean value) {
            this.utf8Payload = value;
            return this;
        }

        /**
         * The Content Type; {@code null} for none.
         *
         * @throws IllegalArgumentException if it is not a valid MQTT UTF-8 string (MQTT-3.3.2-19)
         */
        public Builder contentType(String value) {
            if (value != null) {
                Topics.requireMqttString(value, "content type");
            }
            this.contentType = value;
            return this;
        }

        /**
         * The Response Topic; {@code null} for none.
         *
         * @throws IllegalArgumentException if it is not a valid topic name: no wildcards (MQTT-3.3.2-13, -14)
         */
        public Builder responseTopic(String value) {
            if (value != null) {
                Topics.requireValidTopicName(value);
            }
            this.responseTopic = value;
            return this;
        }

        /**
         * The Correlation Data (copied), at most 65535 bytes; {@code null} for none.
         *
         * @throws IllegalArgumentException if longer than 65535 bytes
         */
        public Builder correlationData(byte[] value) {
            if (value != null && value.length > 65535) {
                throw new IllegalArgumentException("correlation data is " + value.length
                        + " bytes long, more than 65535");
            }
            this.correlationData = value == null ? null : value.clone();
            return this;
        }

        /** Appends a User Property; names may repeat, the order is kept. */
        public Builder userProperty(String name, String value) {
            userProperties.add(new UserProperty(name, value));
            return this;
        }

        /** Appends User Properties in the order given. */
        public Builder userProperties(List<UserProperty> values) {
            for (UserProperty p : values) {
                userProperties.add(Objects.requireNonNull(p, "user property"));
            }
            return this;
        }

        /** The properties collected so far. */
        public MessageProperties build() {
            return new MessageProperties(this);
        }
    }
}
