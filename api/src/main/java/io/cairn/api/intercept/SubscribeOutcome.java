package io.cairn.api.intercept;

import io.cairn.api.message.ReasonCode;
import io.cairn.api.persistence.Subscription;
import java.util.Objects;

/** What a {@link SubscribeInterceptor} decided about one subscription. */
public final class SubscribeOutcome {

    private static final SubscribeOutcome PASS = new SubscribeOutcome(null, null);

    private final Subscription replacement;
    private final ReasonCode refusal;

    private SubscribeOutcome(Subscription replacement, ReasonCode refusal) {
        this.replacement = replacement;
        this.refusal = refusal;
    }

    public static SubscribeOutcome pass() {
        return PASS;
    }

    /** Grants {@code subscription} instead (the SUBACK carries its QoS). */
    public static SubscribeOutcome narrow(Subscription subscription) {
        return new SubscribeOutcome(Objects.requireNonNull(subscription, "subscription"), null);
    }

    /** Refuses it: the SUBACK carries {@code refusal} (MQTT 3.1.1: 0x80). */
    public static SubscribeOutcome refuse(ReasonCode refusal) {
        if (!Objects.requireNonNull(refusal, "refusal").isError()) {
            throw new IllegalArgumentException(refusal + " is no refusal");
        }
        return new SubscribeOutcome(null, refusal);
    }

    public boolean refused() {
        return refusal != null;
    }

    public ReasonCode refusal() {
        return refusal;
    }

    public Subscription replacement() {
        return replacement;
    }
}
