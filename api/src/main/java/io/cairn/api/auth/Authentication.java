package io.cairn.api.auth;

import io.cairn.api.message.ReasonCode;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * An {@link Authenticator}'s answer to a CONNECT: accept (with identity attributes), reject (with a reason code
 * and a reason string), defer to the next authenticator of the chain, or answer later. Immutable.
 */
public final class Authentication {

    /** What the answer decides. */
    public enum Kind {
        /** The client is let in; {@link #attributes()} become part of its {@link ClientIdentity}. */
        ACCEPT,
        /** The client is refused with {@link #reasonCode()}; the rest of the chain is not asked. */
        REJECT,
        /** This authenticator has no opinion (an unknown user, say): the next one of the chain is asked. */
        DEFER,
        /** The answer comes later: {@link #answer()}, within {@link #timeout()}, else {@link #fallback()}. */
        LATER
    }

    private static final Authentication DEFER = new Authentication(Kind.DEFER, Map.of(), null, null, null, null,
            null);

    private final Kind kind;
    private final Map<String, String> attributes;
    private final ReasonCode reasonCode;
    private final String reasonString;
    private final CompletionStage<Authentication> answer;
    private final Duration timeout;
    private final Authentication fallback;

    private Authentication(Kind kind, Map<String, String> attributes, ReasonCode reasonCode, String reasonString,
                           CompletionStage<Authentication> answer, Duration timeout, Authentication fallback) {
        this.kind = kind;
        this.attributes = attributes;
        this.reasonCode = reasonCode;
        this.reasonString = reasonString;
        this.answer = answer;
        this.timeout = timeout;
        this.fallback = fallback;
    }

    /** Accepts the client with no attributes. */
    public static Authentication accept() {
        return accept(Map.of());
    }

    /** Accepts the client, recording {@code attributes} (copied) as part of its identity. */
    public static Authentication accept(Map<String, String> attributes) {
        return new Authentication(Kind.ACCEPT, Map.copyOf(attributes), ReasonCode.SUCCESS, null, null, null, null);
    }

    /**
     * Refuses the client. MQTT 5 clients get {@code reasonCode} and {@code reasonString} in CONNACK; MQTT 3.1.1
     * clients get the nearest return code (0x86 Bad user name or password: 4; 0x87 Not authorized and 0x8A Banned:
     * 5; anything else: 3, Server unavailable).
     *
     * @param reasonCode   0x80 or above, for example {@link ReasonCode#BAD_USER_NAME_OR_PASSWORD}
     * @param reasonString for the client and the log, or {@code null}
     */
    public static Authentication reject(ReasonCode reasonCode, String reasonString) {
        Objects.requireNonNull(reasonCode, "reasonCode");
        if (reasonCode.code() < 0x80) {
            throw new IllegalArgumentException(reasonCode + " is not a failure (0x80 or above)");
        }
        return new Authentication(Kind.REJECT, Map.of(), reasonCode, reasonString, null, null, null);
    }

    /** No opinion: the next authenticator of the chain decides. */
    public static Authentication defer() {
        return DEFER;
    }

    /**
     * An answer that comes later, for a check that must not block a network thread (a database or an HTTP call).
     * If {@code answer} does not complete within {@code timeout}, or completes exceptionally, {@code fallback}
     * applies (typically a reject with {@link ReasonCode#SERVER_UNAVAILABLE}, or a defer).
     *
     * @param answer   completes with an accept, reject or defer (not another later)
     * @param timeout  how long the client's CONNECT may wait, positive
     * @param fallback the decision when no answer comes in time: accept, reject or defer
     */
    public static Authentication later(CompletionStage<Authentication> answer, Duration timeout,
                                       Authentication fallback) {
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(fallback, "fallback");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout " + timeout + " is not positive");
        }
        if (fallback.kind == Kind.LATER) {
            throw new IllegalArgumentException("the fallback must be a decision, not another later answer");
        }
        return new Authentication(Kind.LATER, Map.of(), null, null, answer, timeout, fallback);
    }

    public Kind kind() {
        return kind;
    }

    /** The identity attributes of an accept; empty otherwise. */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** The reason code of a reject ({@link ReasonCode#SUCCESS} for an accept); {@code null} for defer and later. */
    public ReasonCode reasonCode() {
        return reasonCode;
    }

    /** The reason string of a reject, or {@code null}. */
    public String reasonString() {
        return reasonString;
    }

    /** The pending answer of a later; {@code null} otherwise. */
    public CompletionStage<Authentication> answer() {
        return answer;
    }

    /** How long a later answer is waited for; {@code null} otherwise. */
    public Duration timeout() {
        return timeout;
    }

    /** The decision when a later answer does not come in time; {@code null} otherwise. */
    public Authentication fallback() {
        return fallback;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ACCEPT -> "Authentication[accept" + (attributes.isEmpty() ? "" : ", " + attributes) + ']';
            case REJECT -> "Authentication[reject " + reasonCode + (reasonString == null ? "" : ": " + reasonString)
                    + ']';
            case DEFER -> "Authentication[defer]";
            case LATER -> "Authentication[later, within " + timeout + ", else " + fallback + ']';
        };
    }
}
