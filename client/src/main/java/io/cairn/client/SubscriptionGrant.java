package io.cairn.client;

/**
 * What the server answered for one filter of a SUBSCRIBE: the granted QoS, or failure ({@code 0x80}).
 * Immutable.
 */
public final class SubscriptionGrant {

    /** The SUBACK return code for a refused filter. */
    public static final int FAILURE = 0x80;

    private final Subscription requested;
    private final int returnCode;

    /** A grant; created by the client. */
    public SubscriptionGrant(Subscription requested, int returnCode) {
        this.requested = requested;
        this.returnCode = returnCode;
    }

    /** The filter and QoS that were asked for. */
    public Subscription requested() {
        return requested;
    }

    /** The SUBACK return code: 0, 1 or 2 for the granted QoS, {@value #FAILURE} for failure. */
    public int returnCode() {
        return returnCode;
    }

    /** Whether the server accepted the subscription. */
    public boolean isGranted() {
        return returnCode >= 0 && returnCode <= 2;
    }

    /**
     * The granted QoS, which may be lower than the requested one.
     *
     * @throws IllegalStateException if the server refused the filter
     */
    public Qos grantedQos() {
        if (!isGranted()) {
            throw new IllegalStateException("the server refused " + requested.filter() + String.format(" (0x%02X)",
                    returnCode));
        }
        return Qos.of(returnCode);
    }

    @Override
    public String toString() {
        return requested.filter() + (isGranted() ? " granted QoS " + returnCode
                : String.format(" refused (0x%02X)", returnCode));
    }
}
