package io.cairn.api.intercept;

import io.cairn.api.message.ReasonCode;
import java.util.Map;
import java.util.Objects;

/** What a {@link ConnectInterceptor} decided. */
public final class ConnectOutcome {

    private static final ConnectOutcome ACCEPT = new ConnectOutcome(null, null, Map.of());

    private final ReasonCode refusal;
    private final String reason;
    private final Map<String, Object> attributes;

    private ConnectOutcome(ReasonCode refusal, String reason, Map<String, Object> attributes) {
        this.refusal = refusal;
        this.reason = reason;
        this.attributes = attributes;
    }

    /** Lets the client in. */
    public static ConnectOutcome accept() {
        return ACCEPT;
    }

    /** Lets the client in and adds {@code attributes} to its connection's (later interceptors see them). */
    public static ConnectOutcome accept(Map<String, ?> attributes) {
        return attributes.isEmpty() ? ACCEPT : new ConnectOutcome(null, null, Map.copyOf(attributes));
    }

    /**
     * Refuses the client: CONNACK with {@code refusal} (an MQTT 5 CONNACK reason code; MQTT 3.1.1 clients get the
     * return code the broker derives from it) and {@code reason} in the event log.
     */
    public static ConnectOutcome refuse(ReasonCode refusal, String reason) {
        if (!Objects.requireNonNull(refusal, "refusal").isError()) {
            throw new IllegalArgumentException(refusal + " is no refusal");
        }
        return new ConnectOutcome(refusal, Objects.requireNonNull(reason, "reason"), Map.of());
    }

    public boolean accepted() {
        return refusal == null;
    }

    /** The CONNACK reason code of a refusal, or {@code null}. */
    public ReasonCode refusal() {
        return refusal;
    }

    /** Why it was refused, or {@code null}. */
    public String reason() {
        return reason;
    }

    public Map<String, Object> attributes() {
        return attributes;
    }
}
