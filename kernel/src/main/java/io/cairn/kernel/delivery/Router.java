package io.cairn.kernel.delivery;

import io.cairn.api.message.QoS;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.routing.TopicTree;
import io.cairn.kernel.session.Session;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;

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

    public Router(TopicTree<Session, Subscription> subscriptions, SharedSubscriptions shared, Lanes lanes) {
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
        EventLoop home = session.home();
        if (home.inEventLoop()) {
            session.offer(publication, qos, retainFlag, subscriptionIds, group);
            return;
        }
        publication.retainRef();
        Barrier barrier = publication.barrier();
        if (barrier != null && !barrier.enter()) {
            barrier = null;
        }
        lanes.handOver(home, new HandOver(session, publication, qos, retainFlag, subscriptionIds, group, barrier));
    }

    /** A delivery in transit to another loop; owns one reference to its publication. */
    private final class HandOver implements Runnable {
        private final Session session;
        private final Publication publication;
        private final QoS qos;
        private final boolean retainFlag;
        private final int[] subscriptionIds;
        private final SharedGroup group;
        private final Barrier barrier;

        HandOver(Session session, Publication publication, QoS qos, boolean retainFlag, int[] subscriptionIds,
                 SharedGroup group, Barrier barrier) {
            this.barrier = barrier;
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
                session.offer(publication, qos, retainFlag, subscriptionIds, group);
            } finally {
                publication.release();
                if (barrier != null) {
                    barrier.leave(); // the session has written the message to the store
                }
            }
        }
    }
}
