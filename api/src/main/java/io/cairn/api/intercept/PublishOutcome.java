package io.cairn.api.intercept;

import io.cairn.api.message.Message;
import io.cairn.api.message.ReasonCode;
import java.util.Objects;

/** What a {@link PublishInterceptor} decided about an inbound message. */
public final class PublishOutcome {

    private static final PublishOutcome PASS = new PublishOutcome(null, null);

    private final Message replacement;
    private final ReasonCode dropReason;

    private PublishOutcome(Message replacement, ReasonCode dropReason) {
        this.replacement = replacement;
        this.dropReason = dropReason;
    }

    /** Routes the message as it is (or as earlier interceptors of the chain made it). */
    public static PublishOutcome pass() {
        return PASS;
    }

    /** Routes {@code message} instead: the next interceptor of the chain sees it, and the subscribers get it. */
    public static PublishOutcome replace(Message message) {
        return new PublishOutcome(Objects.requireNonNull(message, "message"), null);
    }

    /**
     * Drops the message: no subscriber gets it, the chain ends here. {@code reason} is the PUBACK/PUBREC reason code
     * for an MQTT 5 client ({@link ReasonCode#SUCCESS} or {@link ReasonCode#NO_MATCHING_SUBSCRIBERS} to drop
     * silently, an error such as {@link ReasonCode#PAYLOAD_FORMAT_INVALID} to say why).
     */
    public static PublishOutcome drop(ReasonCode reason) {
        return new PublishOutcome(null, Objects.requireNonNull(reason, "reason"));
    }

    public boolean dropped() {
        return dropReason != null;
    }

    /** The reason code of a drop, or {@code null}. */
    public ReasonCode dropReason() {
        return dropReason;
    }

    /** The message that replaces the one seen, or {@code null} (pass or drop). */
    public Message replacement() {
        return replacement;
    }
}
