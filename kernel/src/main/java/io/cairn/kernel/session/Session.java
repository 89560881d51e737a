package io.cairn.kernel.session;

import io.cairn.api.bridge.BridgeContext;
import io.cairn.api.broker.DropReason;
import io.cairn.api.broker.SessionInfo;
import io.cairn.api.intercept.ClientView;
import io.cairn.api.intercept.DeliveryOutcome;
import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.auth.ReceiveCheck;
import io.cairn.kernel.delivery.Publication;
import io.cairn.kernel.delivery.SharedGroup;
import io.cairn.kernel.intercept.Interceptors;
import io.cairn.kernel.intercept.OfflineView;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one MQTT session: subscriptions, outgoing QoS flows (in-flight window and queue), incoming QoS 2
 * packet identifiers, and the will (MQTT 3.1.1 §4.1, §4.3).
 *
 * <p>Threading: a session lives on one event loop, its <em>home</em>: the loop of the connection attached to
 * it, or of the last one. Every method except the read-only accessors MUST be called on the home loop; others
 * hand work over with {@link #home()}. The home moves only in {@link #moveHome}, on the old home.
 */
public final class Session {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    private static final Object PRESENT = Boolean.TRUE;

    private final String clientId;
    /** Whether this is a bridge's session ({@code $bridge/}): its own queue limit and in-flight window. */
    private final boolean bridge;
    private long expiryInterval;
    private ScheduledFuture<?> expiryTask;
    private final SessionHost host;
    private volatile EventLoop home;
    private volatile Outlet outlet;
    private volatile boolean destroyed;
    private long disconnectedAt = System.currentTimeMillis();

    private final ConcurrentHashMap<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    // small initial sizes: most sessions are idle, and these grow on demand
    private final PacketIdMap<OutboundEntry> inflight = new PacketIdMap<>(4);
    private final ArrayDeque<OutboundEntry> queue = new ArrayDeque<>(4);
    private final PacketIdMap<Object> inboundQos2 = new PacketIdMap<>(2);
    private int queuedQos0;
    private int nextPacketId = 1;
    /** Sequences are reserved by the session's loop and, for stored deliveries, by publishers' threads. */
    private final AtomicLong nextSequence = new AtomicLong(1);
    private StoredWill will;
    private StoredWill pendingWill;
    private ScheduledFuture<?> willTask;

    private volatile int inflightCount;
    private volatile int queuedCount;
    private volatile long dropped;
    private volatile ReceiveCheck receiveCheck;
    /** The store this session was last written to whole (saved, restored from, or copied to at a switch). */
    private volatile SessionStore savedTo;

    /**
     * Creates an empty session.
     *
     * @param expiryInterval seconds it outlives its connection: 0 ends it with the connection (MQTT 3.1.1 clean
     *                       session 1), {@link SessionState#NEVER_EXPIRES} never (3.1.1 clean session 0)
     */
    public Session(String clientId, long expiryInterval, EventLoop home, SessionHost host) {
        this.clientId = clientId;
        this.bridge = clientId.startsWith(BridgeContext.CLIENT_ID_PREFIX);
        this.expiryInterval = expiryInterval;
        this.home = home;
        this.host = host;
    }

    /**
     * Rebuilds a session from a store: subscriptions (indexed), queued and in-flight messages and incoming QoS 2
     * state. The session is offline.
     */
    public static Session restore(SessionState state, EventLoop home, SessionHost host, SessionStore from) {
        Session s = new Session(state.clientId(), state.expiryInterval(), home, host);
        s.savedTo = from;
        s.disconnectedAt = state.disconnectedAt() > 0 ? state.disconnectedAt() : System.currentTimeMillis();
        for (Subscription sub : state.subscriptions()) {
            s.subscriptions.put(sub.topicFilter(), sub);
            host.index(s, sub);
        }
        for (OutboundMessage m : state.outbound()) {
            OutboundEntry e = new OutboundEntry(m.sequence(), Publication.of(m.message(), m.receivedAt()),
                    m.message().qos(), m.message().retain());
            e.packetId = m.packetId();
            e.state = m.state();
            e.subscriptionIds = OutboundEntry.ids(m.subscriptionIds());
            if (m.state() == OutboundState.QUEUED) {
                s.queue.add(e);
            } else {
                s.inflight.put(e.packetId, e);
            }
            s.nextSequence.accumulateAndGet(m.sequence() + 1, Math::max);
        }
        for (int id : state.inboundQos2()) {
            s.inboundQos2.put(id, PRESENT);
        }
        if (state.will() != null) {
            // the will of a connection that ended (or was cut by the broker's stop) and is not published yet
            s.pendingWill(state.will(), System.currentTimeMillis() - s.disconnectedAt);
        }
        s.updateCounts();
        s.scheduleExpiry(); // offline: it ends when its interval, counted from the disconnect, has passed
        return s;
    }

    /**
     * The authorization check for messages that reach this session through wildcard subscriptions, or
     * {@code null} when there is none (no client has connected to it yet). Read by the router on any thread.
     */
    public ReceiveCheck receiveCheck() {
        return receiveCheck;
    }

    /** Sets the check of the client that attaches; kept while the session is offline. */
    public void receiveCheck(ReceiveCheck check) {
        receiveCheck = check;
    }

    public String clientId() {
        return clientId;
    }

    /**
     * The store that holds this session whole: the one it was saved to, restored from or copied to at a store
     * switch; {@code null} if none. Only a session the current store holds can have its copies of a message
     * written by the router ({@link SessionStore#addDeliveries}); any other writes its own, after its copy.
     */
    public SessionStore savedTo() {
        return savedTo;
    }

    /** MQTT 5 Subscription Identifiers ({@code null} for none) as a store keeps them. */
    public static List<Integer> storedIds(int[] subscriptionIds) {
        return OutboundEntry.ids(subscriptionIds);
    }

    /** Records that {@code store} now holds this session whole. */
    public void savedTo(SessionStore store) {
        savedTo = store;
    }

    /** Whether it outlives its connection (a Session Expiry Interval above 0). */
    public boolean isPersistent() {
        return expiryInterval > 0;
    }

    /** The Session Expiry Interval in seconds; {@link SessionState#NEVER_EXPIRES} for never. */
    public long expiryInterval() {
        return expiryInterval;
    }

    /**
     * Sets the interval the current connection asked for: at CONNECT when it resumes the session, at an MQTT 5
     * DISCONNECT that changes it. It applies from the next detach. Call on the home loop.
     */
    public void expiryInterval(long seconds) {
        expiryInterval = seconds;
    }

    public EventLoop home() {
        return home;
    }

    /** The attached connection, or {@code null} while offline. Safe to read from any thread. */
    public Outlet outlet() {
        return outlet;
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    /** Moves the session to another event loop. Call on the current home, with no connection attached. */
    public void moveHome(EventLoop newHome) {
        assert home.inEventLoop() && outlet == null;
        // the timers belong to the old home; the connection attaching next ends both waits anyway
        cancelExpiry();
        cancelPendingWill();
        home = newHome;
    }

    // ---------------------------------------------------------------- connection

    /**
     * Attaches a connection: re-sends unacknowledged PUBLISH with DUP set and PUBREL for released QoS 2
     * messages, in their original order, then sends what is queued (MQTT 3.1.1 §4.4).
     */
    public void attach(Outlet connection) {
        this.outlet = connection;
        disconnectedAt = 0;
        cancelExpiry();
        cancelPendingWill(); // MQTT-3.1.3-9: reconnected before the will delay passed: the will is not sent
        if (isPersistent()) {
            if (savedTo != null) {
                host.store().updateConnection(clientId, 0, expiryInterval);
            } else {
                SessionStore store = host.store();
                store.save(snapshot()); // a new persistent session: the store learns of it here
                savedTo = store;
            }
        }
        if (!inflight.isEmpty()) {
            List<OutboundEntry> resend = new ArrayList<>(inflight.values());
            resend.sort(Comparator.comparingLong(e -> e.sequence));
            for (OutboundEntry e : resend) {
                if (e.awaitingSync) {
                    continue; // goes out when the store has it on disk (writeSynced)
                }
                if (e.state == OutboundState.RELEASED) {
                    connection.writePubrel(e.packetId, true);
                } else {
                    connection.writePublish(e.publication, e.qos, e.packetId, e.retainFlag, true, e.subscriptionIds);
                }
            }
        }
        drain();
    }

    /**
     * Detaches the connection {@code connection} if it is the one attached: a persistent session stays, a clean
     * one is destroyed.
     *
     * @return whether it was attached
     */
    public boolean detach(Outlet connection) {
        if (outlet != connection) {
            return false;
        }
        outlet = null;
        disconnectedAt = System.currentTimeMillis();
        if (isPersistent()) {
            host.store().updateConnection(clientId, disconnectedAt, expiryInterval);
            passOnShared(false);
            scheduleExpiry();
        } else {
            destroy();
        }
        return true;
    }

    /** While offline, arms the timer that ends the session when its interval has passed since the disconnect. */
    private void scheduleExpiry() {
        cancelExpiry();
        if (expiryInterval == SessionState.NEVER_EXPIRES || destroyed || outlet != null) {
            return;
        }
        long left = TimeUnit.SECONDS.toMillis(expiryInterval) - (System.currentTimeMillis() - disconnectedAt);
        expiryTask = home.schedule(this::expire, Math.max(0, left), TimeUnit.MILLISECONDS);
    }

    private void cancelExpiry() {
        if (expiryTask != null) {
            expiryTask.cancel(false);
            expiryTask = null;
        }
    }

    private void expire() {
        expiryTask = null;
        if (outlet == null && !destroyed) {
            LOG.debug("Session of client '{}' expired after {} s offline", clientId, expiryInterval);
            destroy();
            host.expired(this);
        }
    }

    /** Detaches whatever connection is attached without destroying the session (takeover). */
    public Outlet detachForTakeover() {
        Outlet o = outlet;
        outlet = null;
        disconnectedAt = System.currentTimeMillis();
        return o;
    }

    /** Ends the session: unindexes its subscriptions, releases its messages and removes it from the store. */
    public void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        cancelExpiry();
        StoredWill due = pendingWill;
        cancelPendingWill();
        if (due != null) {
            host.publishWill(due); // the session ends before the will delay passed: the will goes now
        }
        for (String filter : subscriptions.keySet()) {
            host.unindex(this, filter);
        }
        subscriptions.clear();
        passOnShared(true);
        releaseMessages();
        inboundQos2.clear();
        if (savedTo != null) {
            host.store().remove(clientId);
            savedTo = null;
        }
    }

    /**
     * Lets go of every message the session holds, without touching the store: the kernel is shutting down and
     * the store keeps what persists. Later deliveries are ignored.
     */
    public void dispose() {
        destroyed = true;
        releaseMessages();
    }

    private void releaseMessages() {
        for (OutboundEntry e : inflight.values()) {
            e.releasePayload();
        }
        inflight.clear();
        for (OutboundEntry e : queue) {
            e.releasePayload();
        }
        queue.clear();
        queuedQos0 = 0;
        updateCounts();
    }

    /**
     * Passes messages that came through shared subscriptions on to other members of their groups, so that a
     * member that went offline does not hold the group's messages: queued ones (delivery has not started) and
     * unacknowledged QoS 1 ones (MQTT 5.0 §4.8.2: the server SHOULD send them to another member). When the session
     * ends ({@code ending}) they go to an offline member if no other is connected; when only the connection ended,
     * only to a connected member. A QoS 2 message already sent never moves: it is completed with this client when
     * it returns (MQTT-4.8.2-4), and if its session ends first it goes to nobody else (MQTT-4.8.2-5). Packet ids
     * of moved in-flight QoS 1 messages are freed: a late PUBACK for them is ignored.
     */
    private void passOnShared(boolean ending) {
        boolean changed = false;
        for (Iterator<OutboundEntry> it = queue.iterator(); it.hasNext(); ) {
            OutboundEntry e = it.next();
            if (e.group != null && (ending || e.group.hasConnectedMember(this))
                    && host.passOn(e.group, e.publication, this)) {
                it.remove();
                if (e.qos == QoS.AT_MOST_ONCE) {
                    queuedQos0--;
                } else if (savedTo != null && !ending) {
                    host.store().removeOutbound(clientId, e.sequence);
                }
                e.releasePayload();
                changed = true;
            }
        }
        if (!inflight.isEmpty()) {
            List<OutboundEntry> moving = new ArrayList<>();
            for (OutboundEntry e : inflight.values()) {
                if (e.group != null && e.qos == QoS.AT_LEAST_ONCE) {
                    moving.add(e);
                }
            }
            moving.sort(Comparator.comparingLong(e -> e.sequence));
            for (OutboundEntry e : moving) {
                if ((ending || e.group.hasConnectedMember(this)) && host.passOn(e.group, e.publication, this)) {
                    inflight.remove(e.packetId);
                    if (savedTo != null && !ending) {
                        host.store().removeOutbound(clientId, e.sequence);
                    }
                    e.releasePayload();
                    changed = true;
                }
            }
        }
        if (changed) {
            updateCounts();
        }
    }

    // ---------------------------------------------------------------- will

    /** Sets or clears (with {@code null}) the will of the current connection. */
    public void setWill(StoredWill newWill) {
        will = newWill;
        if (isPersistent()) {
            host.store().setWill(clientId, newWill);
        }
    }

    /**
     * The connection ended without a DISCONNECT that discarded its will, and the will has a delay: it is
     * published once the delay has passed or the session ends, whichever comes first, and not at all if a
     * connection attaches before (MQTT-3.1.2-8, MQTT-3.1.3-9). Call on the home loop, after the detach.
     */
    public void willAfterDelay(StoredWill w) {
        will = null; // the store keeps it as the session's will while it waits: a restart publishes it still
        pendingWill(w, 0);
    }

    /** Waits for {@code w}'s delay, of which {@code elapsedMillis} have passed, or the session's end. */
    private void pendingWill(StoredWill w, long elapsedMillis) {
        cancelPendingWill();
        long delay = TimeUnit.SECONDS.toMillis(w.delaySeconds());
        if (expiryInterval != SessionState.NEVER_EXPIRES) {
            delay = Math.min(delay, TimeUnit.SECONDS.toMillis(expiryInterval));
        }
        pendingWill = w;
        willTask = home.schedule(this::publishPendingWill, Math.max(0, delay - elapsedMillis),
                TimeUnit.MILLISECONDS);
    }

    private void publishPendingWill() {
        willTask = null;
        StoredWill w = pendingWill;
        pendingWill = null;
        if (w != null) {
            host.publishWill(w);
            if (savedTo != null && will == null && !destroyed) {
                host.store().setWill(clientId, null); // published: a restart must not send it again
            }
        }
    }

    private void cancelPendingWill() {
        pendingWill = null;
        if (willTask != null) {
            willTask.cancel(false);
            willTask = null;
        }
    }

    /** Takes the will away from the session (to publish it, or because it was discarded). */
    public StoredWill takeWill() {
        StoredWill w = will;
        if (w != null) {
            setWill(null);
        }
        return w;
    }

    // ---------------------------------------------------------------- subscriptions

    /**
     * Adds or replaces a subscription (MQTT-3.8.4-3: a subscription to the same filter replaces the old one).
     *
     * @return whether a subscription to the same filter existed (MQTT 5 Retain Handling 1 asks)
     */
    public boolean subscribe(Subscription subscription) {
        boolean existed = subscriptions.put(subscription.topicFilter(), subscription) != null;
        host.index(this, subscription);
        if (isPersistent()) {
            host.store().putSubscription(clientId, subscription);
        }
        return existed;
    }

    /** Removes the subscription to exactly {@code topicFilter}; returns whether there was one. */
    public boolean unsubscribe(String topicFilter) {
        if (subscriptions.remove(topicFilter) == null) {
            return false;
        }
        host.unindex(this, topicFilter);
        if (isPersistent()) {
            host.store().removeSubscription(clientId, topicFilter);
        }
        return true;
    }

    // ---------------------------------------------------------------- outgoing messages

    /**
     * Delivers a message to this session at {@code qos}: written now when the connection can take it, queued
     * otherwise (QoS 0 is not kept for an offline session). Does not take over the caller's reference.
     *
     * @param retainFlag the retain flag to send (1 only for retained messages sent on subscribe)
     */
    public void offer(Publication publication, QoS qos, boolean retainFlag) {
        offer(publication, qos, retainFlag, null);
    }

    /** As {@link #offer(Publication, QoS, boolean)}, with MQTT 5 Subscription Identifiers (or {@code null}). */
    public void offer(Publication publication, QoS qos, boolean retainFlag, int[] subscriptionIds) {
        offer(publication, qos, retainFlag, subscriptionIds, null);
    }

    /**
     * As {@link #offer(Publication, QoS, boolean, int[])}, for a message that came through shared subscription
     * {@code group} (or {@code null} for none).
     */
    public void offer(Publication publication, QoS qos, boolean retainFlag, int[] subscriptionIds,
                      SharedGroup group) {
        offer(publication, qos, retainFlag, subscriptionIds, group, 0);
    }

    /**
     * A sequence number for a QoS 1/2 message to this session, unique in it. Callable from any thread: the
     * router reserves one when it writes the session's copy to the store on the publisher's thread
     * ({@link SessionStore#addDeliveries}), and hands it to {@link #offer} with the message.
     */
    public long reserveSequence() {
        return nextSequence.getAndIncrement();
    }

    /**
     * As {@link #offer(Publication, QoS, boolean, int[], SharedGroup)}, for a message whose copy the store
     * already holds under {@code storedSequence} (0: none, the session writes it itself): the session then only
     * records what becomes of it (sent, or dropped).
     */
    public void offer(Publication publication, QoS qos, boolean retainFlag, int[] subscriptionIds,
                      SharedGroup group, long storedSequence) {
        if (destroyed) {
            if (group != null) {
                host.passOn(group, publication, this); // the member left while the message was on its way
            }
            return;
        }
        Outlet o = outlet;
        Interceptors.Chains chains = host.interceptors().chains();
        if (!chains.delivery().isEmpty()) {
            ClientView subscriber = o instanceof ClientView connected ? connected : new OfflineView(clientId);
            DeliveryOutcome outcome = host.interceptors().deliver(chains, subscriber, publication.toMessage());
            if (outcome.dropped()) {
                forgetStored(storedSequence); // for this subscriber (a shared group's member: for the group)
                return;
            }
            if (outcome.replacement() != null) {
                Message m = outcome.replacement();
                // the store's copy (if the router wrote one) is the original: this session writes its own
                forgetStored(storedSequence);
                storedSequence = 0;
                qos = QoS.of(Math.min(qos.value(), m.qos().value()));
                publication = Publication.of(m, publication.receivedAt(), publication.publisher());
            }
        }
        if (o != null && !o.fits(publication, qos, subscriptionIds)) {
            host.dropped(clientId, publication.topic(), DropReason.TOO_LARGE); // MQTT-3.1.2-25: too large for this client: dropped, as if delivered
            forgetStored(storedSequence);
            return;
        }
        if (qos == QoS.AT_MOST_ONCE) {
            if (o == null) {
                host.dropped(clientId, publication.topic(), DropReason.OFFLINE_QOS0);
                return; // MQTT 3.1.1 §3.1.2.4: QoS 0 messages need not be stored for an offline session
            }
            if (queue.isEmpty() && o.isWritable()) {
                o.writePublish(publication, qos, 0, retainFlag, false, subscriptionIds);
                return;
            }
            OutboundEntry e = new OutboundEntry(0, publication.retainRef(), qos, retainFlag);
            e.subscriptionIds = subscriptionIds;
            e.group = group;
            enqueue(e);
            return;
        }
        boolean stored = storedSequence > 0;
        OutboundEntry e = new OutboundEntry(stored ? storedSequence : nextSequence.getAndIncrement(),
                publication.retainRef(), qos, retainFlag);
        e.subscriptionIds = subscriptionIds;
        e.group = group;
        if (o != null && queue.isEmpty() && inflight.size() < maxInflight(o) && o.isWritable()) {
            if (holdsForSync(e)) {
                assign(e);
                record(e, stored);
                writeWhenSynced(List.of(e));
            } else {
                send(o, e);
                if (isPersistent()) {
                    record(e, stored);
                }
            }
        } else if (enqueue(e)) {
            if (isPersistent() && !stored) {
                host.store().addOutbound(clientId, e.toStored());
            }
        } else {
            forgetStored(storedSequence); // the queue is full: dropped
        }
        updateCounts();
    }

    /** Writes the in-flight state of {@code e} to the store: added, or moved on if the store has it already. */
    private void record(OutboundEntry e, boolean stored) {
        if (stored) {
            host.store().updateOutbound(clientId, e.sequence, e.packetId, e.state);
        } else {
            host.store().addOutbound(clientId, e.toStored());
        }
    }

    /** Removes a copy the store holds under {@code storedSequence} (if any) of a message this session dropped. */
    private void forgetStored(long storedSequence) {
        if (storedSequence > 0) {
            host.store().removeOutbound(clientId, storedSequence);
        }
    }

    /** QoS 1/2 messages in flight at most: the server's limit, or the client's Receive Maximum if lower. */
    private int maxInflight(Outlet o) {
        // a bridge forwards as many as its remote takes: its Receive Maximum is the window
        return bridge ? o.receiveMaximum() : Math.min(host.settings().maxInflight(), o.receiveMaximum());
    }

    private boolean enqueue(OutboundEntry e) {
        int limit = bridge ? host.settings().bridgeMaxQueuedMessages() : host.settings().maxQueuedMessages();
        if (queue.size() >= limit) {
            if (queuedQos0 > 0) {
                dropOldestQos0();
            } else {
                drop(e);
                return false;
            }
        }
        queue.addLast(e);
        if (e.qos == QoS.AT_MOST_ONCE) {
            queuedQos0++;
        }
        updateCounts();
        return true;
    }

    private void dropOldestQos0() {
        Iterator<OutboundEntry> it = queue.iterator();
        while (it.hasNext()) {
            OutboundEntry e = it.next();
            if (e.qos == QoS.AT_MOST_ONCE) {
                it.remove();
                queuedQos0--;
                drop(e);
                return;
            }
        }
    }

    private void drop(OutboundEntry e) {
        String topic = e.publication.topic();
        e.releasePayload();
        dropped++;
        host.dropped(clientId, topic, DropReason.QUEUE_FULL);
        if (LOG.isDebugEnabled()) {
            LOG.debug("Queue of client '{}' full ({} messages): dropped a QoS {} message", clientId, queue.size(),
                    e.qos.value());
        }
    }

    private void send(Outlet o, OutboundEntry e) {
        assign(e);
        o.writePublish(e.publication, e.qos, e.packetId, e.retainFlag, false, e.subscriptionIds);
    }

    /** Puts {@code e} in flight under a new packet id, without writing it. */
    private void assign(OutboundEntry e) {
        int id = allocatePacketId();
        e.packetId = id;
        e.state = OutboundState.SENT;
        inflight.put(id, e);
    }

    /**
     * Whether the PUBLISH of {@code e} must wait until the store has its packet id on disk: a QoS 2 delivery of
     * a persistent session on a durable store. Otherwise a crash after the subscriber received it would make the
     * restarted broker send it again under another id (or after the subscriber completed it), and the
     * subscriber would deliver it twice.
     */
    private boolean holdsForSync(OutboundEntry e) {
        return e.qos == QoS.EXACTLY_ONCE && isPersistent() && host.store().durable();
    }

    /**
     * Writes the PUBLISH (state SENT) or PUBREL (state RELEASED) of {@code entries}, in order, once every change
     * made to the store so far is durable. Written to the connection attached then; while none is, the next
     * attach re-sends them. If the store fails, they stay unsent and the connection is closed, so the client
     * comes back and gets them from what the store holds.
     */
    private void writeWhenSynced(List<OutboundEntry> entries) {
        for (OutboundEntry e : entries) {
            e.awaitingSync = true;
        }
        host.store().sync().whenComplete((v, failure) -> home.execute(() -> writeSynced(entries, failure)));
    }

    private void writeSynced(List<OutboundEntry> entries, Throwable failure) {
        Outlet o = outlet;
        if (failure != null) {
            LOG.error("Session store could not make the delivery state of client '{}' durable ({}); closing its "
                    + "connection", clientId, failure.toString());
            for (OutboundEntry e : entries) {
                e.awaitingSync = false;
            }
            if (o != null) {
                o.closeByServer(ReasonCode.UNSPECIFIED_ERROR, "session store failure");
            }
            return;
        }
        for (OutboundEntry e : entries) {
            if (!e.awaitingSync || inflight.get(e.packetId) != e) {
                continue; // completed, dropped or re-sent meanwhile
            }
            e.awaitingSync = false;
            if (o == null || destroyed) {
                continue; // offline: the next attach re-sends it
            }
            if (e.state == OutboundState.RELEASED) {
                o.writePubrel(e.packetId, true);
            } else {
                o.writePublish(e.publication, e.qos, e.packetId, e.retainFlag, false, e.subscriptionIds);
            }
        }
    }

    private int allocatePacketId() {
        int id = nextPacketId;
        while (inflight.containsKey(id)) {
            id = id == 0xFFFF ? 1 : id + 1;
        }
        nextPacketId = id == 0xFFFF ? 1 : id + 1;
        return id;
    }

    /**
     * Sends queued messages while the connection can take them and the in-flight window has room. Call when the
     * connection becomes writable again or a slot in the window is freed.
     */
    public void drain() {
        Outlet o = outlet;
        if (o == null) {
            return;
        }
        int maxInflight = maxInflight(o);
        long now = System.currentTimeMillis();
        List<OutboundEntry> held = null;
        while (!queue.isEmpty() && o.isWritable()) {
            OutboundEntry head = queue.peekFirst();
            boolean expired = head.publication.expired(now);
            if (expired || !o.fits(head.publication, head.qos, head.subscriptionIds)) {
                // MQTT-3.3.2-5: its Message Expiry Interval passed before onward delivery began; or
                // MQTT-3.1.2-25: too large for the client now attached: dropped, as if delivered
                host.dropped(clientId, head.publication.topic(),
                        expired ? DropReason.EXPIRED : DropReason.TOO_LARGE);
                queue.pollFirst();
                if (head.qos == QoS.AT_MOST_ONCE) {
                    queuedQos0--;
                } else if (isPersistent()) {
                    host.store().removeOutbound(clientId, head.sequence);
                }
                head.releasePayload();
                continue;
            }
            if (head.qos == QoS.AT_MOST_ONCE) {
                queue.pollFirst();
                queuedQos0--;
                o.writePublish(head.publication, head.qos, 0, head.retainFlag, false, head.subscriptionIds);
                head.releasePayload();
            } else if (inflight.size() < maxInflight) {
                queue.pollFirst();
                if (holdsForSync(head)) {
                    assign(head);
                    if (held == null) {
                        held = new ArrayList<>();
                    }
                    held.add(head);
                } else {
                    send(o, head);
                }
                if (isPersistent()) {
                    host.store().updateOutbound(clientId, head.sequence, head.packetId, OutboundState.SENT);
                }
            } else {
                break;
            }
        }
        if (held != null) {
            writeWhenSynced(held);
        }
        updateCounts();
    }

    /** PUBACK from the client: the QoS 1 message {@code packetId} is delivered. */
    public void onPuback(int packetId) {
        OutboundEntry e = inflight.get(packetId);
        if (e == null || e.qos != QoS.AT_LEAST_ONCE) {
            LOG.debug("Client '{}' acknowledged unknown QoS 1 packet id {}", clientId, packetId);
            return;
        }
        complete(e);
    }

    /**
     * PUBREC from the client: the QoS 2 message {@code packetId} is received; answer with PUBREL (also for an id
     * we no longer know, so the client can finish its flow). An MQTT 5 PUBREC with a reason code of 0x80 or more
     * ({@code failed}) ends the flow instead: the message counts as acknowledged and no PUBREL follows (MQTT 5.0
     * §4.3.3), nor is it given to another member of a shared subscription (MQTT-4.8.2-6).
     */
    public void onPubrec(int packetId, boolean failed) {
        OutboundEntry e = inflight.get(packetId);
        if (failed) {
            if (e != null && e.qos == QoS.EXACTLY_ONCE && e.state == OutboundState.SENT) {
                complete(e);
            }
            return;
        }
        if (e != null && e.qos == QoS.EXACTLY_ONCE && e.state == OutboundState.SENT) {
            e.state = OutboundState.RELEASED;
            if (isPersistent()) {
                host.store().updateOutbound(clientId, e.sequence, packetId, OutboundState.RELEASED);
                if (holdsForSync(e)) {
                    // PUBREL frees the id at the subscriber: were RELEASED not on disk, a restarted broker would
                    // send the PUBLISH again and the subscriber would take it for a new message
                    writeWhenSynced(List.of(e));
                    return;
                }
            }
        } else if (e == null) {
            LOG.debug("Client '{}' sent PUBREC for unknown packet id {}", clientId, packetId);
        }
        Outlet o = outlet;
        if (o != null) {
            o.writePubrel(packetId, e != null);
        }
    }

    /** PUBCOMP from the client: the QoS 2 message {@code packetId} is complete. */
    public void onPubcomp(int packetId) {
        OutboundEntry e = inflight.get(packetId);
        if (e == null || e.state != OutboundState.RELEASED) {
            LOG.debug("Client '{}' sent PUBCOMP for unknown packet id {}", clientId, packetId);
            return;
        }
        complete(e);
    }

    private void complete(OutboundEntry e) {
        inflight.remove(e.packetId);
        e.releasePayload();
        if (isPersistent()) {
            host.store().removeOutbound(clientId, e.sequence);
        }
        drain();
    }

    // ---------------------------------------------------------------- incoming QoS 2

    /**
     * Records an incoming QoS 2 PUBLISH. Returns {@code false} if {@code packetId} is already held (a re-sent
     * PUBLISH before PUBREL): it MUST NOT be delivered again (MQTT 3.1.1 §4.3.3).
     */
    public boolean receiveQos2(int packetId) {
        return receiveQos2(packetId, false);
    }

    /**
     * As {@link #receiveQos2(int)}; with {@code routedWithIt} the caller writes the packet id to the store itself,
     * together with the message's copies ({@link SessionStore#addDeliveries}).
     */
    public boolean receiveQos2(int packetId, boolean routedWithIt) {
        if (inboundQos2.containsKey(packetId)) {
            return false;
        }
        inboundQos2.put(packetId, PRESENT);
        if (isPersistent() && !routedWithIt) {
            host.store().addInboundQos2(clientId, packetId);
        }
        return true;
    }

    /**
     * PUBREL from the client: the packet id of an incoming QoS 2 message is free again.
     *
     * @return whether the session held it
     */
    public boolean releaseQos2(int packetId) {
        if (inboundQos2.remove(packetId) == null) {
            return false;
        }
        if (isPersistent()) {
            host.store().removeInboundQos2(clientId, packetId);
        }
        return true;
    }

    /** Whether an incoming QoS 2 message with {@code packetId} awaits its PUBREL. */
    public boolean holdsQos2(int packetId) {
        return inboundQos2.containsKey(packetId);
    }

    /** Incoming QoS 2 messages awaiting PUBREL (against the server's Receive Maximum). */
    public int inboundQos2Count() {
        return inboundQos2.size();
    }

    // ---------------------------------------------------------------- views

    private void updateCounts() {
        inflightCount = inflight.size();
        queuedCount = queue.size();
    }

    /** Messages waiting in the queue (a moment old when read from another thread than the home loop). */
    public int queuedCount() {
        return queuedCount;
    }

    /** QoS 1/2 messages sent and not yet acknowledged (a moment old when read from another thread). */
    public int inflightCount() {
        return inflightCount;
    }

    /** The subscriptions, read from any thread. */
    public List<Subscription> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    /** A summary for the broker service; callable from any thread (counts may be a moment old). */
    public SessionInfo info() {
        return new SessionInfo(clientId, outlet != null, isPersistent(), subscriptions(), inflightCount, queuedCount,
                dropped);
    }

    /** The whole session as a store keeps it. Call on the home loop. */
    public SessionState snapshot() {
        List<OutboundMessage> outbound = new ArrayList<>();
        List<OutboundEntry> entries = new ArrayList<>(inflight.values());
        entries.sort(Comparator.comparingLong(e -> e.sequence));
        for (OutboundEntry e : entries) {
            outbound.add(e.toStored());
        }
        for (OutboundEntry e : queue) {
            if (e.qos != QoS.AT_MOST_ONCE) {
                outbound.add(e.toStored());
            }
        }
        Set<Integer> qos2 = new HashSet<>();
        inboundQos2.forEachKey(qos2::add);
        return new SessionState(clientId, expiryInterval, disconnectedAt, subscriptions(), outbound,
                qos2, will);
    }

    @Override
    public String toString() {
        return "Session[" + clientId + (isPersistent() ? ", expiry " + expiryInterval + " s" : "") + ']';
    }
}
