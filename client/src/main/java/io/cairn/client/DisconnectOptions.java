package io.cairn.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an MQTT 5 client puts in its DISCONNECT (MQTT 5.0 §3.14): a reason code, a Reason String, User Properties
 * and a new Session Expiry Interval. Immutable; each {@code with...} returns a changed copy.
 *
 * <pre>{@code
 * client.disconnect(DisconnectOptions.normal().withSessionExpiryInterval(Duration.ofHours(1)));
 * client.disconnect(DisconnectOptions.of(ReasonCodes.DISCONNECT_WITH_WILL_MESSAGE));
 * }</pre>
 *
 * @since 1.1.0
 */
public final class DisconnectOptions {

    /** The DISCONNECT reason codes a client may send (MQTT 5.0 §3.14.2.1, MQTT-3.14.2-1). */
    private static final Set<Integer> CLIENT_CODES = Set.of(0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x90, 0x93, 0x94,
            0x95, 0x96, 0x97, 0x98, 0x99);
    private static final DisconnectOptions NORMAL = new DisconnectOptions(0, null, List.of(), null);

    private final int reasonCode;
    private final String reasonString;
    private final List<UserProperty> userProperties;
    private final Duration sessionExpiryInterval;

    private DisconnectOptions(int reasonCode, String reasonString, List<UserProperty> userProperties,
                              Duration sessionExpiryInterval) {
        this.reasonCode = reasonCode;
        this.reasonString = reasonString;
        this.userProperties = List.copyOf(userProperties);
        this.sessionExpiryInterval = sessionExpiryInterval;
    }

    /** Normal disconnection ({@code 0x00}): the server discards the will. */
    public static DisconnectOptions normal() {
        return NORMAL;
    }

    /**
     * A DISCONNECT with {@code code}; {@link ReasonCodes#DISCONNECT_WITH_WILL_MESSAGE} asks the server to publish
     * the will.
     *
     * @throws IllegalArgumentException if a client may not send that code (MQTT-3.14.2-1)
     */
    public static DisconnectOptions of(int code) {
        if (!CLIENT_CODES.contains(code)) {
            throw new IllegalArgumentException("a client may not send DISCONNECT with "
                    + ReasonCodes.describe(code));
        }
        return new DisconnectOptions(code, null, List.of(), null);
    }

    /**
     * This DISCONNECT with a Reason String.
     *
     * @throws IllegalArgumentException if it is not a valid MQTT UTF-8 string
     */
    public DisconnectOptions withReasonString(String value) {
        if (value != null) {
            io.cairn.client.internal.Topics.requireMqttString(value, "reason string");
        }
        return new DisconnectOptions(reasonCode, value, userProperties, sessionExpiryInterval);
    }

    /** This DISCONNECT with one more User Property. */
    public DisconnectOptions withUserProperty(String name, String value) {
        List<UserProperty> list = new ArrayList<>(userProperties);
        list.add(new UserProperty(name, value));
        return new DisconnectOptions(reasonCode, reasonString, list, sessionExpiryInterval);
    }

    /**
     * This DISCONNECT with a new Session Expiry Interval, whole seconds up to 4294967295. A client that connected
     * with a Session Expiry Interval of 0 cannot set a non-zero one here: {@link MqttClient#disconnect} then
     * fails (MQTT 5.0 §3.14.2.2.2).
     *
     * @throws IllegalArgumentException if out of range or not whole seconds
     */
    public DisconnectOptions withSessionExpiryInterval(Duration value) {
        if (value != null && (value.isNegative() || value.toSeconds() > 0xFFFF_FFFFL
                || value.toNanos() % 1_000_000_000L != 0)) {
            throw new IllegalArgumentException("the session expiry interval must be whole seconds from 0 to "
                    + "4294967295, not " + value);
        }
        return new DisconnectOptions(reasonCode, reasonString, userProperties, value);
    }

    public int reasonCode() {
        return reasonCode;
    }

    public Optional<String> reasonString() {
        return Optional.ofNullable(reasonString);
    }

    public List<UserProperty> userProperties() {
        return userProperties;
    }

    /** The new Session Expiry Interval; empty to keep the one of CONNECT. */
    public Optional<Duration> sessionExpiryInterval() {
        return Optional.ofNullable(sessionExpiryInterval);
    }

    @Override
    public String toString() {
        return "DisconnectOptions[" + ReasonCodes.describe(reasonCode)
                + (reasonString == null ? "" : ", reason=" + reasonString)
                + (sessionExpiryInterval == null ? "" : ", sessionExpiry=" + sessionExpiryInterval.toSeconds() + "s")
                + (userProperties.isEmpty() ? "" : ", user=" + userProperties) + "]";
    }
}
