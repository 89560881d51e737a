package io.cairn.kernel.auth;

import io.cairn.api.auth.ClientIdentity;
import io.cairn.kernel.routing.Topics;

/**
 * Whether a session's client may receive a message through one of its wildcard subscriptions: asks the chain of
 * the listener the client last connected to, with the identity it had. Immutable; read by the router on any
 * thread.
 */
public final class ReceiveCheck {

    private final ListenerGuard guard;
    private final ClientIdentity identity;

    public ReceiveCheck(ListenerGuard guard, ClientIdentity identity) {
        this.guard = guard;
        this.identity = identity;
    }

    /**
     * Whether a message on {@code topic} that matched {@code filter} must not go to the client: only a wildcard
     * filter is checked (for one without wildcards the subscription's own check covers the topic), and only when
     * the chain has authorizers.
     */
    public boolean denies(String topic, String filter) {
        Chain chain = guard.chain();
        return chain.checksReceive() && Topics.hasWildcard(filter) && !chain.mayReceive(identity, topic);
    }
}
