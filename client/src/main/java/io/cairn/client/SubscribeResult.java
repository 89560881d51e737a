package io.cairn.client;

import java.util.List;

/**
 * The SUBACK for a SUBSCRIBE: one {@link SubscriptionGrant} per filter, in request order. A refused filter
 * ({@code 0x80}) is reported here, not as a failed future. Immutable.
 */
public final class SubscribeResult {

    private final List<SubscriptionGrant> grants;

    /** A result; created by the client. */
    public SubscribeResult(List<SubscriptionGrant> grants) {
        this.grants = List.copyOf(grants);
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

    @Override
    public String toString() {
        return "SubscribeResult" + grants;
    }
}
