package io.cairn.client;

import io.cairn.client.internal.Topics;
import java.util.Objects;

/**
 * A topic filter and the maximum QoS asked for it, one entry of a SUBSCRIBE; for MQTT 5 also its subscription
 * options No Local, Retain As Published and Retain Handling (MQTT 5.0 §3.8.3.1). Immutable.
 */
public final class Subscription {

    private final String filter;
    private final Qos qos;
    private final boolean noLocal;
    private final boolean retainAsPublished;
    private final RetainHandling retainHandling;

    private Subscription(String filter, Qos qos, boolean noLocal, boolean retainAsPublished,
                         RetainHandling retainHandling) {
        this.filter = filter;
        this.qos = qos;
        this.noLocal = noLocal;
        this.retainAsPublished = retainAsPublished;
        this.retainHandling = retainHandling;
    }

    /**
     * A subscription entry with the default options (what MQTT 3.1.1 does).
     *
     * @throws IllegalArgumentException if {@code filter} is not a valid topic filter
     */
    public static Subscription of(String filter, Qos qos) {
        Topics.requireValidFilter(filter);
        return new Subscription(filter, Objects.requireNonNull(qos, "qos"), false, false,
                RetainHandling.SEND_ON_SUBSCRIBE);
    }

    /**
     * This subscription with MQTT 5 No Local: the server does not send back messages this client published.
     *
     * @throws IllegalArgumentException for a shared subscription, where No Local is a protocol error
     *                                  (MQTT-3.8.3-4)
     * @since 1.1.0
     */
    public Subscription withNoLocal(boolean value) {
        if (value && filter.startsWith("$share/")) {
            throw new IllegalArgumentException("No Local on the shared subscription " + filter
                    + " is a protocol error (MQTT-3.8.3-4)");
        }
        return new Subscription(filter, qos, value, retainAsPublished, retainHandling);
    }

    /**
     * This subscription with MQTT 5 Retain As Published: forwarded messages keep the RETAIN flag they were
     * published with.
     *
     * @since 1.1.0
     */
    public Subscription withRetainAsPublished(boolean value) {
        return new Subscription(filter, qos, noLocal, value, retainHandling);
    }

    /**
     * This subscription with an MQTT 5 Retain Handling.
     *
     * @since 1.1.0
     */
    public Subscription withRetainHandling(RetainHandling value) {
        return new Subscription(filter, qos, noLocal, retainAsPublished,
                Objects.requireNonNull(value, "retainHandling"));
    }

    public String filter() {
        return filter;
    }

    /** The maximum QoS asked for. */
    public Qos qos() {
        return qos;
    }

    /**
     * The No Local option; false by default.
     *
     * @since 1.1.0
     */
    public boolean noLocal() {
        return noLocal;
    }

    /**
     * The Retain As Published option; false by default.
     *
     * @since 1.1.0
     */
    public boolean retainAsPublished() {
        return retainAsPublished;
    }

    /**
     * The Retain Handling option; {@link RetainHandling#SEND_ON_SUBSCRIBE} by default.
     *
     * @since 1.1.0
     */
    public RetainHandling retainHandling() {
        return retainHandling;
    }

    /** Whether any MQTT 5 option differs from its default. */
    boolean hasOptions() {
        return noLocal || retainAsPublished || retainHandling != RetainHandling.SEND_ON_SUBSCRIBE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Subscription s && s.filter.equals(filter) && s.qos == qos && s.noLocal == noLocal
                && s.retainAsPublished == retainAsPublished && s.retainHandling == retainHandling;
    }

    @Override
    public int hashCode() {
        return (filter.hashCode() * 31 + qos.hashCode()) * 31 + Objects.hash(noLocal, retainAsPublished,
                retainHandling);
    }

    @Override
    public String toString() {
        return filter + "@" + qos.value() + (noLocal ? " noLocal" : "") + (retainAsPublished ? " rap" : "")
                + (retainHandling == RetainHandling.SEND_ON_SUBSCRIBE ? "" : " rh=" + retainHandling.value());
    }
}
