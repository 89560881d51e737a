package io.cairn.kernel.delivery;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.Delivery;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.routing.TopicTree;
import io.cairn.kernel.session.Session;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Routes a message to the sessions whose subscriptions match its topic. Callable from any thread.
 *
 * <p>Matching is lock-free and allocation-free; each target gets the message at the lower of the publish QoS and
 * its highest granted QoS. A target on the current event loop gets it at once; targets on other loops get it
 * through their {@link Lanes lane}, batched. Live deliveries carry retain 0 (MQTT-3.3.1-9). Each matching shared
 * subscription gives the message to one of its members ({@link SharedGroup}).
 */
public final class Router {

    private final TopicTree<Session, Subscription> subscriptions;
    private final SharedSubscriptions shared;
    private final Lanes lanes;
    private final Supplier<SessionStore> store;
    private final FastThreadLocal<Targets> targets = new FastThreadLocal<>() {
        @Override
        protected Targets initialValue() {
            return new Targets();
        }
    };

    private final FastThreadLocal<SharedTargets> sharedTargets = new FastThreadLocal<>() {
        @Override
        protected SharedTargets initialValue() {
            return new SharedTargets();
        }
    };

    public Router(TopicTree<Session, Subscription> subscriptions, SharedSubscriptions shared, Lanes lanes,
                  Supplier<SessionStore> store) {
        this.store = store;
        this.subscriptions = subscriptions;
        this.shared = shared;
        this.lanes = lanes;
    }

    /**
     * Delivers {@code publication} to every matching subscriber. The caller keeps its reference.
     *
     * @return the number of sessions it went to
     */
    public int route(Publication publication) {
        if (publication.storedRouting() != null) {
            return routeStored(publication, publication.storedRouting());
        }
        Targets t = targets.get();
        try {
            t.publisher(publication.publisher());
            t.topic(publication.topic());
            subscriptions.match(publication.topic(), t);
            int n = t.size();
            QoS published = publication.qos();
            for (int i = 0; i < n; i++) {
                // the retain flag goes out as 0 on live deliveries (MQTT-3.3.1-9 in 3.1.1, -12 in 5.0), unless
                // a 5.0 subscription asked for Retain As Published (MQTT-3.3.1-13)
                deliver(t.session(i), publication, QoS.min(published, t.qos(i)),
                        publication.retain() && t.retainAsPublished(i), t.subscriptionIds(i), null);
            }
            return shared.isEmpty() ? n : n + routeShared(publication);
        } finally {
            t.clear();
        }
    }

    /** A target of a message routed with {@link StoredRouting}. */
    private record Target(Session session, QoS qos, boolean retainFlag, int[] subscriptionIds, SharedGroup group) {
    }

    /**
     * Routes as {@link #route(Publication)} does, but first writes the copies for persistent sessions, with the
     * publisher's QoS 2 packet id, to the session store in one change, on this thread; each session then gets
     * its message with the sequence its copy is stored under.
     */
    private int routeStored(Publication publication, StoredRouting routing) {
        List<Target> all = new ArrayList<>();
        Targets t = targets.get();
        try {
            t.publisher(publication.publisher());
            t.topic(publication.topic());
            subscriptions.match(publication.topic(), t);
            QoS published = publication.qos();
            for (int i = 0; i < t.size(); i++) {
                all.add(new Target(t.session(i), QoS.min(published, t.qos(i)),
                        publication.retain() && t.retainAsPublished(i), t.subscriptionIds(i), null));
            }
        } finally {
            t.clear();
        }
        if (!shared.isEmpty()) {
            shared.match(publication.topic(), (name, group) -> {
                SharedGroup.Member m = group.pick(null);
                if (m != null) {
                    Subscription s = m.subscription();
                    all.add(new Target(m.session(), QoS.min(publication.qos(), s.qos()),
                            publication.retain() && s.retainAsPublished(),
                            s.subscriptionIdentifier() > 0 ? new int[] {s.subscriptionIdentifier()} : null, group));
                }
            });
        }
        long[] sequences = new long[all.size()];
        List<Delivery> copies = new ArrayList<>(all.size());
        SessionStore current = store.get();
        Message message = null;
        for (int i = 0; i < all.size(); i++) {
            Target target = all.get(i);
            if (target.qos() == QoS.AT_MOST_ONCE || !target.session().isPersistent()
                    || target.session().isDestroyed() || target.session().savedTo() != current) {
                // a session the store does not hold whole yet (being copied at a store switch) writes its own
                continue;
            }
            if (message == null) {
                message = publication.toMessage();
            }
            sequences[i] = target.session().reserveSequence();
            copies.add(new Delivery(target.session().clientId(), new OutboundMessage(sequences[i],
                    message.withQos(target.qos()).withRetain(target.retainFlag()), 0, OutboundState.QUEUED,
                    publication.receivedAt(), Session.storedIds(target.subscriptionIds()))));
        }
        if (!copies.isEmpty() || routing.publisher() != null) {
            current.addDeliveries(routing.publisher(), routing.inboundPacketId(), copies);
            routing.markStored();
        }
        for (int i = 0; i < all.size(); i++) {
            Target target = all.get(i);
            deliver(target.session(), publication, target.qos(), target.retainFlag(), target.subscriptionIds(),
                    target.group(), sequences[i]);
        }
        return all.size();
    }

    /** Gives {@code publication} to one member of each matching shared subscription; returns how many. */
    private int routeShared(Publication publication) {
        SharedTargets st = sharedTargets.get();
        st.publication = publication;
        st.count = 0;
        try {
            shared.match(publication.topic(), st);
            return st.count;
        } finally {
            st.publication = null;
        }
    }

    /** Picks the member of each matching group in turn as the tree visits the groups. */
    private final class SharedTargets implements TopicTree.MatchVisitor<String, SharedGroup> {
        Publication publication;
        int count;

        @Override
        public void visit(String name, SharedGroup group) {
            if (passOn(group, publication, null)) {
                count++;
            }
        }
    }

    /**
     * Gives {@code publication} to a member of {@code group} other than {@code from}: at the lower of the
     * publish QoS and the member's granted QoS (MQTT-4.8.2-3), with its Retain As Published and Subscription
     * Identifier. The caller keeps its reference.
     *
     * @return whether there was a member to take it
     */
    public boolean passOn(SharedGroup group, Publication publication, Session from) {
        SharedGroup.Member m = group.pick(from);
        if (m == null) {
            return false;
        }
        Subscription s = m.subscription();
        deliver(m.session(), publication, QoS.min(publication.qos(), s.qos()),
                publication.retain() && s.retainAsPublished(),
                s.subscriptionIdentifier() > 0 ? new int[] {s.subscriptionIdentifier()} : null, group);
        return true;
    }

    /**
     * Delivers {@code publication} to one session at {@code qos}, on the session's home loop. The caller keeps
     * its reference.
     */
    public void deliver(Session session, Publication publication, QoS qos, boolean retainFlag,
                        int[] subscriptionIds, SharedGroup group) {
        deliver(session, publication, qos, retainFlag, subscriptionIds, group, 0);
    }

    /** As above, for a message whose copy the store holds under {@code storedSequence} (0: none). */
    private void deliver(Session session, Publication publication, QoS qos, boolean retainFlag,
                         int[] subscriptionIds, SharedGroup group, long storedSequence) {
        EventLoop home = session.home();
        if (home.inEventLoop()) {
            session.offer(publication, qos, retainFlag, subscriptionIds, group, storedSequence);
            return;
        }
        publication.retainRef();
        lanes.handOver(home, new HandOver(session, publication, qos, retainFlag, subscriptionIds, group,
                storedSequence));
    }

    /** A delivery in transit to another loop; owns one reference to its publication. */
    private final class HandOver implements Runnable {
        private final Session session;
        private final Publication publication;
        private final QoS qos;
        private final boolean retainFlag;
        private final int[] subscriptionIds;
        private final SharedGroup group;
        private final long storedSequence;

        HandOver(Session session, Publication publication, QoS qos, boolean retainFlag, int[] subscriptionIds,
                 SharedGroup group, long storedSequence) {
            this.storedSequence = storedSequence;
            this.session = session;
            this.publication = publication;
            this.qos = qos;
            this.retainFlag = retainFlag;
            this.subscriptionIds = subscriptionIds;
            this.group = group;
        }

        @Override
        public void run() {
            EventLoop home = session.home();
            if (!home.inEventLoop()) {
                // the session moved to another loop (its client reconnected there) while this was in transit
                lanes.handOver(home, this);
                return;
            }
            try {
                session.offer(publication, qos, retainFlag, subscriptionIds, group, storedSequence);
            } finally {
                publication.release();
            }
        }
    }
}
