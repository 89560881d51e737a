package io.cairn.kernel.delivery;

import io.cairn.api.message.QoS;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.auth.ReceiveCheck;
import io.cairn.kernel.routing.TopicTree;
import io.cairn.kernel.session.Session;
import java.util.Arrays;

/**
 * The subscribers one message goes to, each once, at the highest QoS any of its matching subscriptions granted
 * (MQTT 3.1.1 §3.3.5: overlapping subscriptions deliver once at the highest QoS). One instance per thread,
 * reused for every message: after warm-up, collecting allocates nothing.
 */
final class Targets implements TopicTree.MatchVisitor<Session, Subscription> {

    private Session[] sessions = new Session[16];
    private QoS[] qos = new QoS[16];
    private boolean[] retainAsPublished = new boolean[16];
    private int[][] subscriptionIds = new int[16][];
    private String publisher;
    private String topic;
    private int size;
    // open-addressing identity set over indexes into sessions[], for de-duplication
    private int[] slots = new int[32];

    int size() {
        return size;
    }

    Session session(int i) {
        return sessions[i];
    }

    QoS qos(int i) {
        return qos[i];
    }

    /** Whether one of target {@code i}'s matching subscriptions asked for Retain As Published (MQTT 5). */
    boolean retainAsPublished(int i) {
        return retainAsPublished[i];
    }

    /** The Subscription Identifiers of target {@code i}'s matching subscriptions (MQTT 5), or {@code null}. */
    int[] subscriptionIds(int i) {
        return subscriptionIds[i];
    }

    private static int[] withId(int[] ids, int id) {
        if (id == 0) {
            return ids;
        }
        if (ids == null) {
            return new int[] {id};
        }
        int[] more = Arrays.copyOf(ids, ids.length + 1);
        more[ids.length] = id;
        return more;
    }

    /** The client that published the message being matched, for No Local; {@code null} for none. */
    void publisher(String clientId) {
        publisher = clientId;
    }

    /** The topic of the message being matched, for the authorization of wildcard subscriptions. */
    void topic(String value) {
        topic = value;
    }

    @Override
    public void visit(Session session, Subscription subscription) {
        if (subscription.noLocal() && publisher != null && publisher.equals(session.clientId())) {
            return; // MQTT 5 No Local: not to the publisher's own subscription (MQTT-3.8.3-3)
        }
        ReceiveCheck check = session.receiveCheck();
        if (check != null && check.denies(topic, subscription.topicFilter())) {
            return; // an authorizer does not let this client receive the topic through this wildcard filter
        }
        QoS granted = subscription.qos();
        int mask = slots.length - 1;
        int h = System.identityHashCode(session) & mask;
        for (;;) {
            int slot = slots[h];
            if (slot == 0) {
                break;
            }
            if (sessions[slot - 1] == session) {
                if (granted.value() > qos[slot - 1].value()) {
                    qos[slot - 1] = granted;
                }
                retainAsPublished[slot - 1] |= subscription.retainAsPublished();
                subscriptionIds[slot - 1] = withId(subscriptionIds[slot - 1], subscription.subscriptionIdentifier());
                return;
            }
            h = (h + 1) & mask;
        }
        if (size == sessions.length) {
            sessions = Arrays.copyOf(sessions, size * 2);
            qos = Arrays.copyOf(qos, size * 2);
            retainAsPublished = Arrays.copyOf(retainAsPublished, size * 2);
            subscriptionIds = Arrays.copyOf(subscriptionIds, size * 2);
        }
        sessions[size] = session;
        qos[size] = granted;
        retainAsPublished[size] = subscription.retainAsPublished();
        subscriptionIds[size] = withId(null, subscription.subscriptionIdentifier());
        size++;
        slots[h] = size;
        if (size * 2 > slots.length) {
            rehash();
        }
    }

    private void rehash() {
        slots = new int[slots.length * 2];
        int mask = slots.length - 1;
        for (int i = 0; i < size; i++) {
            int h = System.identityHashCode(sessions[i]) & mask;
            while (slots[h] != 0) {
                h = (h + 1) & mask;
            }
            slots[h] = i + 1;
        }
    }

    /** Forgets the last message's targets, keeping the arrays. */
    void clear() {
        publisher = null;
        topic = null;
        if (size == 0) {
            return;
        }
        if (size > 8) {
            Arrays.fill(slots, 0);
        } else {
            int mask = slots.length - 1;
            for (int i = 0; i < size; i++) {
                int h = System.identityHashCode(sessions[i]) & mask;
                while (slots[h] != 0) {
                    slots[h] = 0;
                    h = (h + 1) & mask;
                }
            }
        }
        Arrays.fill(sessions, 0, size, null);
        Arrays.fill(subscriptionIds, 0, size, null);
        size = 0;
    }
}
