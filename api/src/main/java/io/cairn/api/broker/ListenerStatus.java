package io.cairn.api.broker;

import java.util.Objects;

/**
 * A listener as the broker sees it now: where it listens, what serves it, how many connections it holds. Since
 * 1.1.
 *
 * @param listener    the listener's name, scheme and bound address
 * @param provider    what serves it: the transport bundle's symbolic name and version (for example
 *                    {@code io.cairn.transport.tcp 0.1.0.SNAPSHOT}), or {@code embedded} for a transport started by
 *                    an embedded broker
 * @param connections network connections open now that this listener accepted, by this or an earlier version of
 *                    its transport, including those not yet past CONNECT
 * @param state       whether it accepts connections now
 */
public record ListenerStatus(ListenerInfo listener, String provider, int connections, State state) {

    /** Whether a listener accepts connections. */
    public enum State {
        /** Accepting connections. */
        OPEN,
        /**
         * Its transport let go of it (a transport bundle being updated) and the socket waits for the next version:
         * connection attempts wait in the accept queue until then.
         */
        HANDING_OVER
    }

    public ListenerStatus {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(state, "state");
    }
}
