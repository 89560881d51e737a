package io.cairn.client;

import io.cairn.client.internal.Topics;
import java.util.Objects;

/** A topic filter and the maximum QoS asked for it, one entry of a SUBSCRIBE. Immutable. */
public final class Subscription {

    private final String filter;
    private final Qos qos;

    private Subscription(String filter, Qos qos) {
        this.filter = filter;
        this.qos = qos;
    }

    /**
     * A subscription entry.
     *
     * @throws IllegalArgumentException if {@code filter} is not a valid topic filter
     */
    public static Subscription of(String filter, Qos qos) {
        Topics.requireValidFilter(filter);
        return new Subscription(filter, Objects.requireNonNull(qos, "qos"));
    }

    public String filter() {
        return filter;
    }

    /** The maximum QoS asked for. */
    public Qos qos() {
        return qos;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Subscription s && s.filter.equals(filter) && s.qos == qos;
    }

    @Override
    public int hashCode() {
        return filter.hashCode() * 31 + qos.hashCode();
    }

    @Override
    public String toString() {
        return filter + "@" + qos.value();
    }
}
