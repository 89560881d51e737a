package io.cairn.client;

import java.util.List;

/** The UNSUBACK for an UNSUBSCRIBE: the filters it covered. Later protocol versions add reason codes. */
public final class UnsubscribeResult {

    private final List<String> filters;

    /** A result; created by the client. */
    public UnsubscribeResult(List<String> filters) {
        this.filters = List.copyOf(filters);
    }

    /** The filters the UNSUBSCRIBE named, in request order. */
    public List<String> filters() {
        return filters;
    }

    @Override
    public String toString() {
        return "UnsubscribeResult" + filters;
    }
}
