package io.cairn.persistence.file.internal;

import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The {@link SessionStore} of a file store: an in-memory index of every session over the log.
 *
 * <p>The index holds, per session, its header (expiry interval, disconnect time, will), its subscriptions, its
 * incoming QoS 2 packet identifiers and, per outgoing message, its sequence, packet identifier and state and the
 * location of its body in the log; message bodies stay on disk and are read back by {@link #load} and
 * {@link #forEach}. A queued message costs about 150 bytes of heap (its index entry of about 48 bytes, the
 * location of its record of about 40, a tree-map node of 40 and the boxed sequence of 16), and about 40 more
 * once an update moved it to SENT or RELEASED; payload and properties cost nothing.
 *
 * <p>Each session has its own lock: a change appends its record and updates the index under it, so log order
 * and index order agree, and a read copies the index of a session under it, so it sees the session whole.
 * Every change appends one record to the log and returns without waiting for the disk; {@link #sync()} waits.
 * Changes that name a session, subscription, message or packet identifier the store does not hold write
 * nothing.
 */
public final class FileSessionStore implements SessionStore {

    private final boolean durable;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private Log log;

    FileSessionStore(boolean durable) {
        this.durable = durable;
    }

    void attach(Log log) {
        this.log = log;
    }

    /** One outgoing message in the index. */
    private static final class Out {
        final long sequence;
        int packetId;
        OutboundState state;
        /** The record holding the body: an ADD_OUTBOUND record, or a SESSION_SAVE with {@link #item}. */
        final LogEntry body;
        /** The index of the message in a SESSION_SAVE record, or -1. */
        final int item;
        final int bodyBytes;
        /** The UPDATE_OUTBOUND record that set the current packet id and state, or null. */
        LogEntry stateEntry;

        Out(long sequence, int packetId, OutboundState state, LogEntry body, int item, int bodyBytes) {
            this.sequence = sequence;
            this.packetId = packetId;
            this.state = state;
            this.body = body;
            this.item = item;
            this.bodyBytes = bodyBytes;
        }
    }

    private record Sub(Subscription subscription, LogEntry entry) {
    }

    /** The index of one session. Guarded by its own monitor. */
    private static final class Session {
        final String clientId;
        boolean removed;
        long expiry;
        long disconnectedAt;
        StoredWill will;
        /** The SESSION_SAVE record the session was last saved (or compacted) with. */
        LogEntry base;
        int baseBytes;
        LogEntry header;
        LogEntry willEntry;
        final Map<String, Sub> subscriptions = new LinkedHashMap<>();
        /** Packet id to the ADD_INBOUND record that added it, or null if it came with the base. */
        final Map<Integer, LogEntry> inbound = new HashMap<>();
        final TreeMap<Long, Out> outbound = new TreeMap<>();

        Session(String clientId) {
            this.clientId = clientId;
        }

        /** Replaces everything with {@code state}, saved in {@code entry}. */
        void fill(SessionState state, LogEntry entry, int[] itemBytes) {
            release();
            expiry = state.expiryInterval();
            disconnectedAt = state.disconnectedAt();
            will = state.will();
            base = entry;
            int items = 0;
            for (int i = 0; i < itemBytes.length; i++) {
                items += itemBytes[i];
            }
            baseBytes = entry.length - items;
            entry.live(entry.length);
            for (Subscription s : state.subscriptions()) {
                subscriptions.put(s.topicFilter(), new Sub(s, null));
            }
            for (int id : state.inboundQos2()) {
                inbound.put(id, null);
            }
            int i = 0;
            for (OutboundMessage m : state.outbound()) {
                outbound.put(m.sequence(), new Out(m.sequence(), m.packetId(), m.state(), entry, i, itemBytes[i]));
                i++;
            }
        }

        /** Counts every record this session's state lives in as garbage and forgets the state. */
        void release() {
            if (base != null) {
                base.dead(baseBytes);
                base = null;
            }
            if (header != null) {
                header.dead(header.length);
                header = null;
            }
            if (willEntry != null) {
                willEntry.dead(willEntry.length);
                willEntry = null;
            }
            for (Sub s : subscriptions.values()) {
                if (s.entry != null) {
                    s.entry.dead(s.entry.length);
                }
            }
            subscriptions.clear();
            for (LogEntry e : inbound.values()) {
                if (e != null) {
                    e.dead(e.length);
                }
            }
            inbound.clear();
            for (Out o : outbound.values()) {
                release(o);
            }
            outbound.clear();
            will = null;
        }

        static void release(Out o) {
            o.body.dead(o.bodyBytes);
            if (o.stateEntry != null) {
                o.stateEntry.dead(o.stateEntry.length);
            }
        }

        /** Whether any state of this session lives in {@code segment}. */
        boolean references(Segment segment) {
            if (base != null && base.segment == segment || header != null && header.segment == segment
                    || willEntry != null && willEntry.segment == segment) {
                return true;
            }
            for (Sub s : subscriptions.values()) {
                if (s.entry != null && s.entry.segment == segment) {
                    return true;
                }
            }
            for (LogEntry e : inbound.values()) {
                if (e != null && e.segment == segment) {
                    return true;
                }
            }
            for (Out o : outbound.values()) {
                if (o.body.segment == segment || o.stateEntry != null && o.stateEntry.segment == segment) {
                    return true;
                }
            }
            return false;
        }

        Snapshot snapshot() {
            List<Out> out = new ArrayList<>(outbound.size());
            for (Out o : outbound.values()) {
                Out copy = new Out(o.sequence, o.packetId, o.state, o.body, o.item, o.bodyBytes);
                out.add(copy);
            }
            List<Subscription> subs = new ArrayList<>(subscriptions.size());
            for (Sub s : subscriptions.values()) {
                subs.add(s.subscription);
            }
            return new Snapshot(clientId, expiry, disconnectedAt, subs, out, List.copyOf(inbound.keySet()), will);
        }
    }

    /** A session's index copied under its lock; bodies are read afterwards. */
    private record Snapshot(String clientId, long expiry, long disconnectedAt, List<Subscription> subscriptions,
                            List<Out> outbound, List<Integer> inbound, StoredWill will) {
    }

    // ---- reads

    @Override
    public Optional<SessionState> load(String clientId) {
        Log l = log;
        l.segmentsLock.readLock().lock();
        try {
            Snapshot snapshot = snapshotOf(clientId);
            return snapshot == null ? Optional.empty() : Optional.of(materialize(snapshot, new IdentityHashMap<>()));
        } finally {
            l.segmentsLock.readLock().unlock();
        }
    }

    private Snapshot snapshotOf(String clientId) {
        for (int attempt = 0; attempt < 100; attempt++) {
            Session s = sessions.get(clientId);
            if (s == null) {
                return null;
            }
            synchronized (s) {
                if (!s.removed) {
                    return s.snapshot();
                }
            }
            // replaced by a save this instant: look again
        }
        return null;
    }

    @Override
    public void forEach(Consumer<SessionState> action) {
        Objects.requireNonNull(action, "action");
        Log l = log;
        for (Session s : sessions.values()) {
            SessionState state;
            l.segmentsLock.readLock().lock();
            try {
                Snapshot snapshot;
                synchronized (s) {
                    if (s.removed) {
                        continue;
                    }
                    snapshot = s.snapshot();
                }
                state = materialize(snapshot, new IdentityHashMap<>());
            } finally {
                l.segmentsLock.readLock().unlock();
            }
            action.accept(state);
        }
    }

    @Override
    public int size() {
        return sessions.size();
    }

    private SessionState materialize(Snapshot s, Map<LogEntry, Object> decoded) {
        List<OutboundMessage> outbound = new ArrayList<>(s.outbound.size());
        for (Out o : s.outbound) {
            OutboundMessage body = body(o, decoded);
            outbound.add(new OutboundMessage(o.sequence, body.message(), o.packetId, o.state, body.receivedAt(),
                    body.subscriptionIds()));
        }
        return new SessionState(s.clientId, s.expiry, s.disconnectedAt, s.subscriptions, outbound,
                java.util.Set.copyOf(s.inbound), s.will);
    }

    /** The message of {@code o} as its record holds it (packet id and state as they were when written). */
    @SuppressWarnings("unchecked")
    private OutboundMessage body(Out o, Map<LogEntry, Object> decoded) {
        Object value = decoded.get(o.body);
        if (value == null) {
            byte[] bytes = log.read(o.body);
            Codec.In in = new Codec.In(ByteBuffer.wrap(bytes, Codec.HEADER, bytes.length - Codec.HEADER));
            int type = in.u8();
            if (type == Codec.ADD_OUTBOUND) {
                in.strNonNull();
                value = Codec.outbound(in);
            } else if (type == Codec.SESSION_SAVE) {
                value = Codec.sessionSave(in, null).outbound();
            } else {
                throw new IllegalStateException("record " + o.body + " holds no message (type " + type + ")");
            }
            decoded.put(o.body, value);
        }
        return o.item < 0 ? (OutboundMessage) value : ((List<OutboundMessage>) value).get(o.item);
    }

    // ---- changes

    @Override
    public void save(SessionState session) {
        int[] itemBytes = new int[session.outbound().size()];
        byte[] record = Codec.sessionSave(session, itemBytes);
        save(session, itemBytes, record, null);
    }

    private void save(SessionState state, int[] itemBytes, byte[] record, LogEntry replayed) {
        sessions.compute(state.clientId(), (id, old) -> {
            Session fresh = new Session(id);
            if (old == null) {
                fresh.fill(state, replayed != null ? replayed : log.append(record), itemBytes);
            } else {
                synchronized (old) {
                    LogEntry entry = replayed != null ? replayed : log.append(record);
                    old.removed = true;
                    old.release();
                    fresh.fill(state, entry, itemBytes);
                }
            }
            return fresh;
        });
    }

    @Override
    public void remove(String clientId) {
        remove(clientId, null);
    }

    private void remove(String clientId, LogEntry replayed) {
        sessions.computeIfPresent(clientId, (id, old) -> {
            synchronized (old) {
                if (replayed == null) {
                    log.append(Codec.clientOnly(Codec.SESSION_REMOVE, id));
                }
                old.removed = true;
                old.release();
            }
            return null;
        });
    }

    /** Applies a change to the session of {@code clientId} if it holds it and {@code applies} says so. */
    private void change(String clientId, byte[] record, LogEntry replayed, Predicate<Session> applies,
                        BiConsumer<Session, LogEntry> mutate) {
        Session s = sessions.get(clientId);
        if (s == null) {
            return;
        }
        synchronized (s) {
            if (s.removed || !applies.test(s)) {
                return;
            }
            mutate.accept(s, replayed != null ? replayed : log.append(record));
        }
    }

    private static final Predicate<Session> ALWAYS = s -> true;

    @Override
    public void updateConnection(String clientId, long disconnectedAt, long expiryInterval) {
        updateConnection(clientId, disconnectedAt, expiryInterval,
                Codec.updateConnection(clientId, disconnectedAt, expiryInterval), null);
    }

    private void updateConnection(String clientId, long disconnectedAt, long expiry, byte[] record, LogEntry replayed) {
        change(clientId, record, replayed, ALWAYS, (s, e) -> {
            if (s.header != null) {
                s.header.dead(s.header.length);
            }
            s.header = e;
            e.live(e.length);
            s.disconnectedAt = disconnectedAt;
            s.expiry = expiry;
        });
    }

    @Override
    public void putSubscription(String clientId, Subscription subscription) {
        putSubscription(clientId, subscription, Codec.putSubscription(clientId, subscription), null);
    }

    private void putSubscription(String clientId, Subscription subscription, byte[] record, LogEntry replayed) {
        change(clientId, record, replayed, ALWAYS, (s, e) -> {
            Sub old = s.subscriptions.put(subscription.topicFilter(), new Sub(subscription, e));
            if (old != null && old.entry != null) {
                old.entry.dead(old.entry.length);
            }
            e.live(e.length);
        });
    }

    @Override
    public void removeSubscription(String clientId, String topicFilter) {
        removeSubscription(clientId, topicFilter, Codec.removeSubscription(clientId, topicFilter), null);
    }

    private void removeSubscription(String clientId, String topicFilter, byte[] record, LogEntry replayed) {
        change(clientId, record, replayed, s -> s.subscriptions.containsKey(topicFilter), (s, e) -> {
            Sub old = s.subscriptions.remove(topicFilter);
            if (old.entry != null) {
                old.entry.dead(old.entry.length);
            }
        });
    }

    @Override
    public void addOutbound(String clientId, OutboundMessage message) {
        addOutbound(clientId, message, Codec.addOutbound(clientId, message), null);
    }

    private void addOutbound(String clientId, OutboundMessage m, byte[] record, LogEntry replayed) {
        change(clientId, record, replayed, ALWAYS, (s, e) -> {
            Out old = s.outbound.put(m.sequence(),
                    new Out(m.sequence(), m.packetId(), m.state(), e, -1, e.length));
            if (old != null) {
                Session.release(old);
            }
            e.live(e.length);
        });
    }

    @Override
    public void updateOutbound(String clientId, long sequence, int packetId, OutboundState state) {
        updateOutbound(clientId, sequence, packetId, state,
                Codec.updateOutbound(clientId, sequence, packetId, state), null);
    }

    private void updateOutbound(String clientId, long sequence, int packetId, OutboundState state, byte[] record,
                                LogEntry replayed) {
        change(clientId, record, replayed, s -> s.outbound.containsKey(sequence), (s, e) -> {
            Out o = s.outbound.get(sequence);
            if (o.stateEntry != null) {
                o.stateEntry.dead(o.stateEntry.length);
            }
            o.stateEntry = e;
            e.live(e.length);
            o.packetId = packetId;
            o.state = state;
        });
    }

    @Override
    public void removeOutbound(String clientId, long sequence) {
        removeOutbound(clientId, sequence, Codec.removeOutbound(clientId, sequence), null);
    }

    private void removeOutbound(String clientId, long sequence, byte[] record, LogEntry replayed) {
        change(clientId, record, replayed, s -> s.outbound.containsKey(sequence),
                (s, e) -> Session.release(s.outbound.remove(sequence)));
    }

    @Override
    public void addInboundQos2(String clientId, int packetId) {
        addInbound(clientId, packetId, Codec.inbound(Codec.ADD_INBOUND, clientId, packetId), null);
    }

    private void addInbound(String clientId, int packetId, byte[] record, LogEntry replayed) {
        change(clientId, record, replayed, s -> !s.inbound.containsKey(packetId), (s, e) -> {
            s.inbound.put(packetId, e);
            e.live(e.length);
        });
    }

    @Override
    public void removeInboundQos2(String clientId, int packetId) {
        removeInbound(clientId, packetId, Codec.inbound(Codec.REMOVE_INBOUND, clientId, packetId), null);
    }

    private void removeInbound(String clientId, int packetId, byte[] record, LogEntry replayed) {
        change(clientId, record, replayed, s -> s.inbound.containsKey(packetId), (s, e) -> {
            LogEntry old = s.inbound.remove(packetId);
            if (old != null) {
                old.dead(old.length);
            }
        });
    }

    @Override
    public void setWill(String clientId, StoredWill will) {
        setWill(clientId, will, Codec.setWill(clientId, will), null);
    }

    private void setWill(String clientId, StoredWill will, byte[] record, LogEntry replayed) {
        change(clientId, record, replayed, s -> will != null || s.will != null, (s, e) -> {
            if (s.willEntry != null) {
                s.willEntry.dead(s.willEntry.length);
                s.willEntry = null;
            }
            s.will = will;
            if (will != null) {
                s.willEntry = e;
                e.live(e.length);
            }
        });
    }

    @Override
    public CompletionStage<Void> sync() {
        return log.sync();
    }

    @Override
    public boolean durable() {
        return durable;
    }

    // ---- recovery and compaction

    /** Applies one record read back from the log at open. */
    void replay(byte type, Codec.In in, LogEntry e) {
        switch (type) {
            case Codec.SESSION_SAVE -> {
                List<Integer> items = new ArrayList<>();
                SessionState state = Codec.sessionSave(in, items);
                save(state, items.stream().mapToInt(Integer::intValue).toArray(), null, e);
            }
            case Codec.SESSION_REMOVE -> remove(in.strNonNull(), e);
            case Codec.UPDATE_CONNECTION -> {
                String id = in.strNonNull();
                long disconnectedAt = in.i64();
                updateConnection(id, disconnectedAt, in.i64(), null, e);
            }
            case Codec.PUT_SUBSCRIPTION -> {
                String id = in.strNonNull();
                putSubscription(id, Codec.subscription(in), null, e);
            }
            case Codec.REMOVE_SUBSCRIPTION -> {
                String id = in.strNonNull();
                removeSubscription(id, in.strNonNull(), null, e);
            }
            case Codec.ADD_OUTBOUND -> {
                String id = in.strNonNull();
                addOutbound(id, Codec.outbound(in), null, e);
            }
            case Codec.UPDATE_OUTBOUND -> {
                String id = in.strNonNull();
                long sequence = in.i64();
                int packetId = in.u16();
                updateOutbound(id, sequence, packetId, Codec.state(in.u8()), null, e);
            }
            case Codec.REMOVE_OUTBOUND -> {
                String id = in.strNonNull();
                removeOutbound(id, in.i64(), null, e);
            }
            case Codec.ADD_INBOUND -> {
                String id = in.strNonNull();
                addInbound(id, in.u16(), null, e);
            }
            case Codec.REMOVE_INBOUND -> {
                String id = in.strNonNull();
                removeInbound(id, in.u16(), null, e);
            }
            case Codec.SET_WILL -> {
                String id = in.strNonNull();
                setWill(id, Codec.will(in), null, e);
            }
            default -> throw new IllegalArgumentException("not a session record: type " + type);
        }
    }

    /**
     * Re-appends, as one fresh SESSION_SAVE record each, every session that has any state in {@code segment}.
     * Bodies are read before the session's lock is taken, so a client's calls wait only for the encoding.
     */
    int relocate(Segment segment) {
        int moved = 0;
        for (Session s : sessions.values()) {
            List<Out> bodies;
            synchronized (s) {
                if (s.removed || !s.references(segment)) {
                    continue;
                }
                bodies = new ArrayList<>(s.outbound.values());
            }
            Map<LogEntry, Object> decoded = new IdentityHashMap<>();
            for (Out o : bodies) {
                body(o, decoded);
            }
            synchronized (s) {
                if (s.removed) {
                    continue;
                }
                Snapshot snapshot = s.snapshot();
                SessionState state = materialize(snapshot, decoded);
                int[] itemBytes = new int[state.outbound().size()];
                byte[] record = Codec.sessionSave(state, itemBytes);
                s.fill(state, log.append(record), itemBytes);
            }
            moved++;
        }
        return moved;
    }

    @Override
    public String toString() {
        return "FileSessionStore[sessions=" + sessions.size() + ']';
    }
}
