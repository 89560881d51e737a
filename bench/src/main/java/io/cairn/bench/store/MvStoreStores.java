package io.cairn.bench.store;

import io.cairn.api.message.Message;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.StoredWill;
import io.cairn.api.persistence.Subscription;
import io.cairn.bench.store.MvCodec.Header;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * The H2 MVStore candidate for the broker's durable storage: a {@link SessionStore} and a {@link RetainedStore}
 * in one MVStore file ({@code cairn.mv.db} in the directory), for {@code StoreBench} to compare with the
 * project's own segmented log. A bench candidate, not a product module.
 *
 * <p>Layout, four MVMaps:
 * <ul>
 *   <li>{@code sessions}: client identifier → session header (a session key, expiry, disconnect time,
 *       subscriptions, incoming QoS 2 packet ids, will; {@link MvCodec#header});</li>
 *   <li>{@code outbound}: (session key, sequence) → outgoing message, so a session's messages are one key range
 *       in sequence order, and a state change rewrites one small value;</li>
 *   <li>{@code retained}: topic → message without its topic;</li>
 *   <li>{@code meta}: the open counter ({@code epoch}, the upper bits of session keys, so a key is never reused
 *       across restarts without any key bookkeeping per session) and the commit marker (below).</li>
 * </ul>
 * The session key, rather than the client identifier, in the outgoing-message key keeps that key at two
 * varints whatever the length of the client identifier.
 *
 * <p>Writes go into the maps (MVStore keeps them in memory and its background thread writes a chunk when about
 * 1 MiB is unsaved or a second has passed, and compacts the file). {@link SessionStore#sync()} is a group
 * commit: one committer thread takes every sync request made so far, calls {@link MVStore#commit()} and then
 * {@link MVStore#sync()} (which forces the file channel, {@code FileChannel.force(true)}), and only then
 * completes their futures; requests arriving while it works wait for the next round, so one fsync serves
 * many. Before each commit it puts a new value under the commit marker: {@code commit()} stores only when
 * there are unsaved changes, and when the background thread has just taken the changes into an asynchronous
 * write of its own, {@code commit()} would find none and return before that write reached the file; with
 * the marker there is always a change, and the commit's chunk is written (synchronously, by
 * {@code store(true)}) after every chunk queued before it on MVStore's single-threaded write pipeline. In
 * {@link Durability#PERIODIC} mode sync() returns a completed stage and the committer does the same round
 * every interval.
 *
 * <p>Thread safety: MVMaps are safe for concurrent use; in addition, every call that touches a session holds
 * one of 256 striped locks chosen by the client identifier, so that {@link SessionStore#load} and
 * {@link SessionStore#forEach} never see a session half-changed (its header and its messages are separate
 * map entries). A session change spans several map writes and MVStore has no atomic batch outside its
 * transaction layer, so a crash may leave a {@code save} or {@code remove} that was not yet synced half done;
 * everything synced is whole.
 */
public final class MvStoreStores implements AutoCloseable {

    /** When sync() completes: after the fsync of a group commit, or at once with a periodic fsync. */
    public enum Durability { SYNC, PERIODIC }

    /** The file in the store directory. */
    public static final String FILE_NAME = "cairn.mv.db";

    private static final String COMMIT_MARKER = "commit";
    private static final String EPOCH = "epoch";
    private static final int STRIPES = 256;

    private final Path file;
    private final MVStore store;
    private final MVMap<String, byte[]> headers;
    private final MVMap<OutKey, byte[]> outbound;
    private final MVMap<String, byte[]> retainedMap;
    private final MVMap<String, Long> meta;
    private final Durability durability;
    private final GroupCommitter committer;
    private final AtomicLong nextKey;
    private final Object[] stripes = new Object[STRIPES];
    private final Sessions sessions = new Sessions();
    private final Retained retained = new Retained();

    private MvStoreStores(Path directory, Durability durability, long intervalMillis) throws IOException {
        Files.createDirectories(directory);
        this.file = directory.resolve(FILE_NAME);
        this.durability = Objects.requireNonNull(durability, "durability");
        this.store = new MVStore.Builder().fileName(file.toString()).open();
        this.headers = store.openMap("sessions", new MVMap.Builder<String, byte[]>()
                .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        this.outbound = store.openMap("outbound", new MVMap.Builder<OutKey, byte[]>()
                .keyType(OutKeyType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        this.retainedMap = store.openMap("retained", new MVMap.Builder<String, byte[]>()
                .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        this.meta = store.openMap("meta");
        long epoch = meta.getOrDefault(EPOCH, 0L) + 1;
        meta.put(EPOCH, epoch);
        store.commit();
        store.sync();
        this.nextKey = new AtomicLong(epoch << 40);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
        this.committer = new GroupCommitter(durability == Durability.PERIODIC ? intervalMillis : 0);
    }

    /**
     * Opens (or creates) the store in {@code directory}.
     *
     * @param intervalMillis with {@link Durability#PERIODIC}, how often to commit and fsync; ignored with SYNC
     */
    public static MvStoreStores open(Path directory, Durability durability, long intervalMillis) throws IOException {
        return new MvStoreStores(directory, durability, intervalMillis);
    }

    /** Opens (or creates) the store in {@code directory} with group-committed sync(). */
    public static MvStoreStores open(Path directory) throws IOException {
        return open(directory, Durability.SYNC, 0);
    }

    public SessionStore sessions() {
        return sessions;
    }

    public RetainedStore retained() {
        return retained;
    }

    /** The size of the store file. */
    public long diskBytes() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites sparsely used chunks for up to {@code millis} and shrinks the file. */
    public void compactNow(int millis) {
        store.compactFile(millis);
    }

    /** Commits and fsyncs what is pending, completes every outstanding sync, and closes the file. */
    @Override
    public void close() {
        committer.close();
        store.close();
    }

    private Object stripe(String clientId) {
        return stripes[(clientId.hashCode() & 0x7FFF_FFFF) % STRIPES];
    }

    /** The session key of {@code clientId}, or -1 when the store holds no session of it. Hold its stripe. */
    private long keyOf(String clientId) {
        byte[] header = headers.get(clientId);
        return header == null ? -1 : MvCodec.headerKey(header);
    }

    private List<OutboundMessage> outboundOf(long key) {
        List<OutboundMessage> list = new ArrayList<>();
        Cursor<OutKey, byte[]> cursor = outbound.cursor(new OutKey(key, Long.MIN_VALUE));
        while (cursor.hasNext()) {
            OutKey k = cursor.next();
            if (k.session() != key) {
                break;
            }
            list.add(MvCodec.outbound(k.sequence(), cursor.getValue()));
        }
        return list;
    }

    private void removeOutboundOf(long key) {
        List<OutKey> keys = new ArrayList<>();
        Iterator<OutKey> it = outbound.keyIterator(new OutKey(key, Long.MIN_VALUE));
        while (it.hasNext()) {
            OutKey k = it.next();
            if (k.session() != key) {
                break;
            }
            keys.add(k);
        }
        for (OutKey k : keys) {
            outbound.remove(k);
        }
    }

    private CompletionStage<Void> syncRequest() {
        return durability == Durability.SYNC ? committer.request() : CompletableFuture.completedFuture(null);
    }

    /** The session side. */
    private final class Sessions implements SessionStore {

        @Override
        public Optional<SessionState> load(String clientId) {
            synchronized (stripe(clientId)) {
                byte[] bytes = headers.get(clientId);
                if (bytes == null) {
                    return Optional.empty();
                }
                Header h = MvCodec.header(bytes);
                return Optional.of(new SessionState(clientId, h.expiryInterval(), h.disconnectedAt(),
                        h.subscriptions(), outboundOf(h.key()), h.inboundQos2(), h.will()));
            }
        }

        @Override
        public void forEach(Consumer<SessionState> action) {
            Objects.requireNonNull(action, "action");
            // the key iterator walks the map as it was when it was created: every session held throughout is
            // visited once; each is read whole under its stripe, and skipped if it was removed meanwhile
            Iterator<String> ids = headers.keyIterator(null);
            while (ids.hasNext()) {
                load(ids.next()).ifPresent(action);
            }
        }

        @Override
        public int size() {
            return headers.size();
        }

        @Override
        public void save(SessionState session) {
            String id = session.clientId();
            synchronized (stripe(id)) {
                long key = keyOf(id);
                if (key >= 0) {
                    removeOutboundOf(key);
                } else {
                    key = nextKey.getAndIncrement();
                }
                headers.put(id, MvCodec.header(new Header(key, session.expiryInterval(), session.disconnectedAt(),
                        session.subscriptions(), session.inboundQos2(), session.will())));
                for (OutboundMessage m : session.outbound()) {
                    outbound.put(new OutKey(key, m.sequence()), MvCodec.outbound(m));
                }
            }
        }

        @Override
        public void remove(String clientId) {
            synchronized (stripe(clientId)) {
                byte[] old = headers.remove(clientId);
                if (old != null) {
                    removeOutboundOf(MvCodec.headerKey(old));
                }
            }
        }

        /** Rewrites the header of {@code clientId} if the store holds it and {@code change} returns another. */
        private void changeHeader(String clientId, UnaryOperator<Header> change) {
            synchronized (stripe(clientId)) {
                byte[] bytes = headers.get(clientId);
                if (bytes == null) {
                    return;
                }
                Header before = MvCodec.header(bytes);
                Header after = change.apply(before);
                if (after != before) {
                    headers.put(clientId, MvCodec.header(after));
                }
            }
        }

        @Override
        public void updateConnection(String clientId, long disconnectedAt, long expiryInterval) {
            changeHeader(clientId, h -> h.withConnection(disconnectedAt, expiryInterval));
        }

        @Override
        public void putSubscription(String clientId, Subscription subscription) {
            changeHeader(clientId, h -> {
                List<Subscription> list = new ArrayList<>(h.subscriptions().size() + 1);
                for (Subscription s : h.subscriptions()) {
                    if (!s.topicFilter().equals(subscription.topicFilter())) {
                        list.add(s);
                    }
                }
                list.add(subscription);
                return h.withSubscriptions(list);
            });
        }

        @Override
        public void removeSubscription(String clientId, String topicFilter) {
            changeHeader(clientId, h -> {
                List<Subscription> list = new ArrayList<>(h.subscriptions());
                return list.removeIf(s -> s.topicFilter().equals(topicFilter)) ? h.withSubscriptions(list) : h;
            });
        }

        @Override
        public void addOutbound(String clientId, OutboundMessage message) {
            synchronized (stripe(clientId)) {
                long key = keyOf(clientId);
                if (key >= 0) {
                    outbound.put(new OutKey(key, message.sequence()), MvCodec.outbound(message));
                }
            }
        }

        @Override
        public void updateOutbound(String clientId, long sequence, int packetId, OutboundState state) {
            synchronized (stripe(clientId)) {
                long key = keyOf(clientId);
                if (key < 0) {
                    return;
                }
                OutKey k = new OutKey(key, sequence);
                byte[] old = outbound.get(k);
                if (old != null) {
                    outbound.put(k, MvCodec.withState(old, packetId, state));
                }
            }
        }

        @Override
        public void removeOutbound(String clientId, long sequence) {
            synchronized (stripe(clientId)) {
                long key = keyOf(clientId);
                if (key >= 0) {
                    outbound.remove(new OutKey(key, sequence));
                }
            }
        }

        @Override
        public void addInboundQos2(String clientId, int packetId) {
            changeHeader(clientId, h -> {
                if (h.inboundQos2().contains(packetId)) {
                    return h;
                }
                Set<Integer> ids = new HashSet<>(h.inboundQos2());
                ids.add(packetId);
                return h.withInbound(ids);
            });
        }

        @Override
        public void removeInboundQos2(String clientId, int packetId) {
            changeHeader(clientId, h -> {
                if (!h.inboundQos2().contains(packetId)) {
                    return h;
                }
                Set<Integer> ids = new HashSet<>(h.inboundQos2());
                ids.remove(packetId);
                return h.withInbound(ids);
            });
        }

        @Override
        public void setWill(String clientId, StoredWill will) {
            changeHeader(clientId, h -> h.withWill(will));
        }

        @Override
        public CompletionStage<Void> sync() {
            return syncRequest();
        }

        @Override
        public boolean durable() {
            return durability == Durability.SYNC;
        }

        @Override
        public String toString() {
            return "MvStoreStores.sessions[" + file + "]";
        }
    }

    /** The retained side. */
    private final class Retained implements RetainedStore {

        @Override
        public void put(Message message) {
            retainedMap.put(message.topic(), MvCodec.retained(message));
        }

        @Override
        public void remove(String topic) {
            retainedMap.remove(topic);
        }

        @Override
        public Optional<Message> get(String topic) {
            byte[] bytes = retainedMap.get(topic);
            return bytes == null ? Optional.empty() : Optional.of(MvCodec.retained(topic, bytes));
        }

        @Override
        public void forEach(Consumer<Message> action) {
            Objects.requireNonNull(action, "action");
            Cursor<String, byte[]> cursor = retainedMap.cursor(null);
            while (cursor.hasNext()) {
                String topic = cursor.next();
                action.accept(MvCodec.retained(topic, cursor.getValue()));
            }
        }

        @Override
        public int size() {
            return retainedMap.size();
        }

        @Override
        public CompletionStage<Void> sync() {
            return syncRequest();
        }

        @Override
        public boolean durable() {
            return durability == Durability.SYNC;
        }

        @Override
        public String toString() {
            return "MvStoreStores.retained[" + file + "]";
        }
    }

    /**
     * One thread that commits and fsyncs: for every batch of sync requests (SYNC), or every interval
     * (PERIODIC).
     */
    private final class GroupCommitter implements Runnable {

        private final long intervalMillis;
        private final Thread thread;
        private List<CompletableFuture<Void>> pending = new ArrayList<>();
        private boolean closed;
        private long commits;

        GroupCommitter(long intervalMillis) {
            this.intervalMillis = intervalMillis;
            this.thread = new Thread(this, "mvstore-committer");
            thread.setDaemon(true);
            thread.start();
        }

        synchronized CompletionStage<Void> request() {
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (closed) {
                f.completeExceptionally(new IllegalStateException("store closed"));
            } else {
                pending.add(f);
                notifyAll();
            }
            return f;
        }

        @Override
        public void run() {
            while (true) {
                List<CompletableFuture<Void>> batch;
                boolean last;
                synchronized (this) {
                    try {
                        if (intervalMillis > 0) {
                            if (!closed) {
                                wait(intervalMillis);
                            }
                        } else {
                            while (pending.isEmpty() && !closed) {
                                wait();
                            }
                        }
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                    batch = pending;
                    pending = new ArrayList<>();
                    last = closed;
                }
                try {
                    meta.put(COMMIT_MARKER, ++commits);
                    store.commit();
                    store.sync();
                    batch.forEach(f -> f.complete(null));
                } catch (RuntimeException e) {
                    batch.forEach(f -> f.completeExceptionally(e));
                }
                if (last) {
                    return;
                }
            }
        }

        void close() {
            synchronized (this) {
                closed = true;
                notifyAll();
            }
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The key of an outgoing message: the session's key, then the message's sequence. */
    record OutKey(long session, long sequence) {
    }

    /** Orders {@link OutKey}s by session, then sequence; stores them as two varints. */
    static final class OutKeyType extends BasicDataType<OutKey> {

        static final OutKeyType INSTANCE = new OutKeyType();

        @Override
        public int compare(OutKey a, OutKey b) {
            int c = Long.compare(a.session(), b.session());
            return c != 0 ? c : Long.compare(a.sequence(), b.sequence());
        }

        @Override
        public int getMemory(OutKey key) {
            return 32;
        }

        @Override
        public void write(WriteBuffer buff, OutKey key) {
            buff.putVarLong(key.session()).putVarLong(key.sequence());
        }

        @Override
        public OutKey read(ByteBuffer buff) {
            return new OutKey(DataUtils.readVarLong(buff), DataUtils.readVarLong(buff));
        }

        @Override
        public OutKey[] createStorage(int size) {
            return new OutKey[size];
        }
    }
}
