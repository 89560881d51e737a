package io.cairn.api.intercept;

import io.cairn.api.message.Message;
import java.util.Objects;

/** What a {@link DeliveryInterceptor} decided about a message for one subscriber. */
public final class DeliveryOutcome {

    private static final DeliveryOutcome PASS = new DeliveryOutcome(null, false);
    private static final DeliveryOutcome DROP = new DeliveryOutcome(null, true);

    private final Message replacement;
    private final boolean dropped;

    private DeliveryOutcome(Message replacement, boolean dropped) {
        this.replacement = replacement;
        this.dropped = dropped;
    }

    public static DeliveryOutcome pass() {
        return PASS;
    }

    /** Delivers {@code message} to this subscriber instead (its QoS is still capped by the subscription's). */
    public static DeliveryOutcome replace(Message message) {
        return new DeliveryOutcome(Objects.requireNonNull(message, "message"), false);
    }

    /** This subscriber does not get the message. */
    public static DeliveryOutcome drop() {
        return DROP;
    }

    public boolean dropped() {
        return dropped;
    }

    public Message replacement() {
        return replacement;
    }
}
