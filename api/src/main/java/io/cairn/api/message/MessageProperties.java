package io.cairn.api.message;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * The MQTT 5 properties a PUBLISH carries to its subscribers (MQTT 5.0 §3.3.2.3). Immutable and thread-safe.
 * Messages received over MQTT 3.1 and 3.1.1 carry {@link #NONE}.
 */
public final class MessageProperties {

    /** Means "no Message Expiry Interval": the message does not expire. */
    public static final long NO_EXPIRY = -1;

    /** The properties of a message that has none. */
    public static final MessageProperties NONE = new MessageProperties(NO_EXPIRY, null, false, null, null, List.of());

    private final long messageExpiryInterval;
    private final String contentType;
    private final boolean utf8Payload;
    private final String responseTopic;
    private final byte[] correlationData;
    private final List<UserProperty> userProperties;

    private MessageProperties(long messageExpiryInterval, String contentType, boolean utf8Payload,
                              String responseTopic, byte[] correlationData, List<UserProperty> userProperties) {
        this.messageExpiryInterval = messageExpiryInterval;
        this.contentType = contentType;
        this.utf8Payload = utf8Payload;
        this.responseTopic = responseTopic;
        this.correlationData = correlationData;
        this.userProperties = userProperties;
    }

    /**
     * Creates properties.
     *
     * @param messageExpiryInterval seconds, or {@link #NO_EXPIRY}
     * @param contentType           may be {@code null}
     * @param utf8Payload           the Payload Format Indicator: {@code true} when the payload is UTF-8 text
     * @param responseTopic         may be {@code null}
     * @param correlationData       may be {@code null}; copied
     * @param userProperties        never {@code null}; copied
     * @throws IllegalArgumentException if the expiry interval is negative (other than {@link #NO_EXPIRY}) or
     *                                  exceeds the four-byte range of the wire format
     */
    public static MessageProperties of(long messageExpiryInterval, String contentType, boolean utf8Payload,
                                       String responseTopic, byte[] correlationData,
                                       List<UserProperty> userProperties) {
        if (messageExpiryInterval < NO_EXPIRY || messageExpiryInterval > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("message expiry interval out of range: " + messageExpiryInterval);
        }
        Objects.requireNonNull(userProperties, "userProperties");
        if (messageExpiryInterval == NO_EXPIRY && contentType == null && !utf8Payload && responseTopic == null
                && correlationData == null && userProperties.isEmpty()) {
            return NONE;
        }
        return new MessageProperties(messageExpiryInterval, contentType, utf8Payload, responseTopic,
                correlationData == null ? null : correlationData.clone(), List.copyOf(userProperties));
    }

    /** Seconds until the message expires, counted from its arrival, or {@link #NO_EXPIRY}. */
    public long messageExpiryInterval() {
        return messageExpiryInterval;
    }

    /** The Content Type, or {@code null}. */
    public String contentType() {
        return contentType;
    }

    /** The Payload Format Indicator: {@code true} when the sender declared the payload UTF-8 text. */
    public boolean utf8Payload() {
        return utf8Payload;
    }

    /** The Response Topic, or {@code null}. */
    public String responseTopic() {
        return responseTopic;
    }

    /** A read-only view of the Correlation Data, or {@code null}. */
    public ByteBuffer correlationData() {
        return correlationData == null ? null : ByteBuffer.wrap(correlationData).asReadOnlyBuffer();
    }

    /** The user properties in the order they were sent; an immutable list, empty when there are none. */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageProperties p
                && messageExpiryInterval == p.messageExpiryInterval
                && utf8Payload == p.utf8Payload
                && Objects.equals(contentType, p.contentType)
                && Objects.equals(responseTopic, p.responseTopic)
                && java.util.Arrays.equals(correlationData, p.correlationData)
                && userProperties.equals(p.userProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(messageExpiryInterval, contentType, utf8Payload, responseTopic,
                java.util.Arrays.hashCode(correlationData), userProperties);
    }

    @Override
    public String toString() {
        return "MessageProperties[expiry=" + messageExpiryInterval + ", contentType=" + contentType
                + ", utf8=" + utf8Payload + ", responseTopic=" + responseTopic
                + ", userProperties=" + userProperties + ']';
    }
}
