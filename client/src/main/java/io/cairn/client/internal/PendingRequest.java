package io.cairn.client.internal;

import io.cairn.client.MessageListener;
import io.cairn.client.Subscription;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A SUBSCRIBE or UNSUBSCRIBE waiting for its acknowledgement. Confined to the event loop. */
abstract sealed class PendingRequest permits PendingRequest.Subscribe, PendingRequest.Unsubscribe {

    int packetId;

    abstract CompletableFuture<?> future();

    /** A SUBSCRIBE; {@code previous} holds the registry entries it replaced, to put back if it fails. */
    static final class Subscribe extends PendingRequest {
        final List<Subscription> subscriptions;
        /** The MQTT 5 Subscription Identifier, or 0 for none. */
        final int subscriptionId;
        final MessageListener listener;
        final SubscriptionRegistry.Entry[] previous;
        final CompletableFuture<io.cairn.client.SubscribeResult> future;
        /** Sent by the client itself to restore a session's subscriptions; no caller waits for it. */
        final boolean restore;

        Subscribe(List<Subscription> subscriptions, int subscriptionId, MessageListener listener,
                  CompletableFuture<io.cairn.client.SubscribeResult> future, boolean restore) {
            this.subscriptions = subscriptions;
            this.subscriptionId = subscriptionId;
            this.listener = listener;
            this.previous = new SubscriptionRegistry.Entry[subscriptions.size()];
            this.future = future;
            this.restore = restore;
        }

        @Override
        CompletableFuture<?> future() {
            return future;
        }
    }

    /** An UNSUBSCRIBE. */
    static final class Unsubscribe extends PendingRequest {
        final List<String> filters;
        final CompletableFuture<io.cairn.client.UnsubscribeResult> future;

        Unsubscribe(List<String> filters, CompletableFuture<io.cairn.client.UnsubscribeResult> future) {
            this.filters = filters;
            this.future = future;
        }

        @Override
        CompletableFuture<?> future() {
            return future;
        }
    }
}
