package io.cairn.client.internal;

import io.cairn.client.MessageListener;
import io.cairn.client.Qos;
import io.cairn.client.Subscription;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client's subscriptions: filter to listener, and the listeners a received topic goes to. Filters without
 * wildcards are found by hash lookup, wildcard filters by scanning. Confined to the event loop.
 */
final class SubscriptionRegistry {

    /** One subscribed filter. */
    static final class Entry {
        final String filter;
        final String matchPart;
        final Qos qos;
        /** The subscription as requested, with its MQTT 5 options. */
        final Subscription subscription;
        /** The MQTT 5 Subscription Identifier it was made with, or 0. */
        final int subscriptionId;
        final MessageListener listener;
        /** Whether a SUBACK granted it (entries of a SUBSCRIBE still in flight are not confirmed). */
        boolean confirmed;

        Entry(Subscription subscription, int subscriptionId, MessageListener listener) {
            this.filter = subscription.filter();
            this.matchPart = Topics.matchPart(filter);
            this.qos = subscription.qos();
            this.subscription = subscription;
            this.subscriptionId = subscriptionId;
            this.listener = listener;
        }
    }

    private final Map<String, Entry> byFilter = new LinkedHashMap<>();
    private final Map<String, List<Entry>> exact = new HashMap<>();
    private final List<Entry> wildcards = new ArrayList<>();
    private final List<MessageListener> scratch = new ArrayList<>();

    /** Adds or replaces the entry for {@code filter}; returns the one it replaced, or {@code null}. */
    Entry put(Subscription subscription, int subscriptionId, MessageListener listener) {
        Entry previous = remove(subscription.filter());
        add(new Entry(subscription, subscriptionId, listener));
        return previous;
    }

    /** Puts {@code previous} back for {@code filter}, or removes the filter if {@code previous} is null. */
    void restore(String filter, Entry previous) {
        remove(filter);
        if (previous != null) {
            add(previous);
        }
    }

    /** The entry for {@code filter}, or {@code null}. */
    Entry get(String filter) {
        return byFilter.get(filter);
    }

    /** Removes the entry for {@code filter}; returns it, or {@code null}. */
    Entry remove(String filter) {
        Entry e = byFilter.remove(filter);
        if (e != null) {
            if (Topics.isExact(e.matchPart)) {
                List<Entry> list = exact.get(e.matchPart);
                list.remove(e);
                if (list.isEmpty()) {
                    exact.remove(e.matchPart);
                }
            } else {
                wildcards.remove(e);
            }
        }
        return e;
    }

    private void add(Entry e) {
        byFilter.put(e.filter, e);
        if (Topics.isExact(e.matchPart)) {
            exact.computeIfAbsent(e.matchPart, k -> new ArrayList<>(1)).add(e);
        } else {
            wildcards.add(e);
        }
    }

    /** The confirmed subscriptions, in the order they were made: what a new session must subscribe again. */
    List<Entry> confirmed() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : byFilter.values()) {
            if (e.confirmed) {
                out.add(e);
            }
        }
        return out;
    }

    Collection<Entry> entries() {
        return byFilter.values();
    }

    /**
     * The distinct listeners whose filters match {@code topic}, in a list reused by the next call; empty if
     * none matches.
     */
    List<MessageListener> listenersFor(String topic) {
        scratch.clear();
        List<Entry> direct = exact.get(topic);
        if (direct != null) {
            for (int i = 0; i < direct.size(); i++) {
                addDistinct(direct.get(i).listener);
            }
        }
        for (int i = 0; i < wildcards.size(); i++) {
            Entry e = wildcards.get(i);
            if (Topics.matches(e.matchPart, topic)) {
                addDistinct(e.listener);
            }
        }
        return scratch;
    }

    private void addDistinct(MessageListener l) {
        for (int i = 0; i < scratch.size(); i++) {
            if (scratch.get(i) == l) {
                return;
            }
        }
        scratch.add(l);
    }

    int size() {
        return byFilter.size();
    }
}
