package io.cairn.client;

import java.util.List;
import java.util.Optional;

/**
 * The SUBACK for a SUBSCRIBE: one {@link SubscriptionGrant} per filter, in request order. A refused filter
 * ({@code 0x80} in MQTT 3.1.1, any reason code from {@code 0x80} on in MQTT 5) is reported here, not as a failed
 * future. Immutable.
 */
public final class SubscribeResult {

    private final List<SubscriptionGrant> grants;
    private final String reasonString;
    private final List<UserProperty> userProperties;

    /** A result; created by the client. */
    public SubscribeResult(List<SubscriptionGrant> grants) {
        this(grants, null, List.of());
    }

    /**
     * A result with the Reason String and User Properties of an MQTT 5 SUBACK; created by the client.
     *
     * @since 1.1.0
     */
    public SubscribeResult(List<SubscriptionGrant> grants, String reasonString, List<UserProperty> userProperties) {
        this.grants = List.copyOf(grants);
        this.reasonString = reasonString;
        this.userProperties = List.copyOf(userProperties);
    }

    /** The answers, one per requested filter, in request order. */
    public List<SubscriptionGrant> grants() {
        return grants;
    }

    /** The answer for the {@code index}-th filter of the request. */
    public SubscriptionGrant grant(int index) {
        return grants.get(index);
    }

    /** Whether the server accepted every filter. */
    public boolean allGranted() {
        return grants.stream().allMatch(SubscriptionGrant::isGranted);
    }

    /**
     * The SUBACK's Reason String; empty if absent.
     *
     * @since 1.1.0
     */
    public Optional<String> reasonString() {
        return Optional.ofNullable(reasonString);
    }

    /**
     * The SUBACK's User Properties, in order.
     *
     * @since 1.1.0
     */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    @Override
    public String toString() {
        return "SubscribeResult" + grants + (reasonString == null ? "" : " (" + reasonString + ")");
    }
}
