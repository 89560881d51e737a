package io.cairn.client;

import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The UNSUBACK for an UNSUBSCRIBE: the filters it covered and, for MQTT 5, one reason code per filter. Immutable.
 */
public final class UnsubscribeResult {

    private final List<String> filters;
    private final List<Integer> reasonCodes;
    private final String reasonString;
    private final List<UserProperty> userProperties;

    /** A result; created by the client. */
    public UnsubscribeResult(List<String> filters) {
        this(filters, Collections.nCopies(filters.size(), ReasonCodes.SUCCESS), null, List.of());
    }

    /**
     * A result with the reason codes, Reason String and User Properties of an MQTT 5 UNSUBACK; created by the
     * client.
     *
     * @throws IllegalArgumentException if there is not one reason code per filter
     * @since 1.1.0
     */
    public UnsubscribeResult(List<String> filters, List<Integer> reasonCodes, String reasonString,
                             List<UserProperty> userProperties) {
        if (filters.size() != reasonCodes.size()) {
            throw new IllegalArgumentException(reasonCodes.size() + " reason codes for " + filters.size()
                    + " filters");
        }
        this.filters = List.copyOf(filters);
        this.reasonCodes = List.copyOf(reasonCodes);
        this.reasonString = reasonString;
        this.userProperties = List.copyOf(userProperties);
    }

    /** The filters the UNSUBSCRIBE named, in request order. */
    public List<String> filters() {
        return filters;
    }

    /**
     * One reason code per filter, in request order: {@code 0x00} success, {@code 0x11} no subscription existed,
     * or a failure from {@code 0x80} on. MQTT 3.1.1 has no codes: all read {@code 0x00}.
     *
     * @since 1.1.0
     */
    public List<Integer> reasonCodes() {
        return reasonCodes;
    }

    /**
     * Whether every filter was unsubscribed or had no subscription (all codes below 0x80).
     *
     * @since 1.1.0
     */
    public boolean allSucceeded() {
        return reasonCodes.stream().allMatch(c -> c < 0x80);
    }

    /**
     * The UNSUBACK's Reason String; empty if absent.
     *
     * @since 1.1.0
     */
    public Optional<String> reasonString() {
        return Optional.ofNullable(reasonString);
    }

    /**
     * The UNSUBACK's User Properties, in order.
     *
     * @since 1.1.0
     */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    @Override
    public String toString() {
        return "UnsubscribeResult" + filters + (reasonCodes.stream().allMatch(c -> c == 0) ? "" : " " + reasonCodes);
    }
}
