package io.cairn.api.auth;

import io.cairn.api.message.ReasonCode;
import java.util.Map;
import java.util.Objects;

/**
 * The server's answer to one step of an enhanced authentication exchange: send the client a challenge, accept
 * it, or refuse it. Immutable.
 */
public final class AuthStep {

    /** What the step decides. */
    public enum Kind {
        /** Send AUTH with reason 0x18 (Continue authentication) and {@link #data()}; the client answers. */
        CONTINUE,
        /** The client is authenticated: CONNACK 0x00 (or AUTH 0x00 after re-authentication) with {@link #data()}. */
        SUCCESS,
        /** The client is refused: CONNACK (or, after re-authentication, DISCONNECT) with {@link #reasonCode()}. */
        FAILURE
    }

    private final Kind kind;
    private final byte[] data;
    private final Map<String, String> attributes;
    private final ReasonCode reasonCode;
    private final String reasonString;

    private AuthStep(Kind kind, byte[] data, Map<String, String> attributes, ReasonCode reasonCode,
                     String reasonString) {
        this.kind = kind;
        this.data = data == null ? null : data.clone();
        this.attributes = Map.copyOf(attributes);
        this.reasonCode = reasonCode;
        this.reasonString = reasonString;
    }

    /** Asks the client for more: AUTH 0x18 carrying {@code data} as Authentication Data ({@code null}: none). */
    public static AuthStep challenge(byte[] data) {
        return new AuthStep(Kind.CONTINUE, data, Map.of(), ReasonCode.CONTINUE_AUTHENTICATION, null);
    }

    /**
     * Accepts the client, sending it {@code data} ({@code null}: none) and recording {@code attributes} as its
     * identity (for authorization and events).
     */
    public static AuthStep success(byte[] data, Map<String, String> attributes) {
        return new AuthStep(Kind.SUCCESS, data, Objects.requireNonNull(attributes, "attributes"), ReasonCode.SUCCESS,
                null);
    }

    /**
     * Refuses the client with {@code reasonCode}, which MUST be 0x80 or above (for example
     * {@link ReasonCode#NOT_AUTHORIZED} or {@link ReasonCode#BAD_USER_NAME_OR_PASSWORD}), and a reason string
     * for the client ({@code null}: none).
     */
    public static AuthStep failure(ReasonCode reasonCode, String reasonString) {
        Objects.requireNonNull(reasonCode, "reasonCode");
        if (reasonCode.code() < 0x80) {
            throw new IllegalArgumentException(reasonCode + " is not a failure (0x80 or above)");
        }
        return new AuthStep(Kind.FAILURE, null, Map.of(), reasonCode, reasonString);
    }

    public Kind kind() {
        return kind;
    }

    /** The Authentication Data for the client, or {@code null}. */
    public byte[] data() {
        return data == null ? null : data.clone();
    }

    /** The identity attributes of a successful step; empty otherwise. */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** The reason code the client gets. */
    public ReasonCode reasonCode() {
        return reasonCode;
    }

    /** The reason string of a failure, or {@code null}. */
    public String reasonString() {
        return reasonString;
    }

    @Override
    public String toString() {
        return "AuthStep[" + kind + (kind == Kind.FAILURE ? ", " + reasonCode : "") + ']';
    }
}
