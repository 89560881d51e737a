package io.cairn.kernel.netty;

import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file-descriptor map of Netty's epoll loops, with the keys scattered.
 *
 * <p>Netty's {@link EpollIoHandler} finds a channel by its file descriptor in an {@link IntObjectHashMap}, which
 * places key {@code k} in slot {@code k & mask} and deletes by shifting the rest of the probe cluster back. The
 * kernel hands out descriptors lowest-free-first, so the connections of one loop are consecutive numbers that
 * fill one contiguous run of slots, and each removal walks the rest of that run: closing n connections costs
 * O(n²). Measured on a broker with one I/O loop: 19,000 disconnects took about a second of that loop's time,
 * {@code IntObjectHashMap.removeAt} was 70% of the samples, and 100,000 would stall it for half a minute. Here
 * each key is mixed by a bijection (a multiply by 2<sup>32</sup>/φ, then the high half folded into the low)
 * before it reaches the map, so consecutive descriptors land far apart and every cluster stays short.
 *
 * <p>The handler only puts, gets and removes by descriptor and iterates values; the operations that would
 * expose the mixed keys ({@code keySet}, {@code entrySet}, {@code entries}, {@code putAll}) are refused.
 * Not thread-safe, like the map it replaces: every call comes from the loop's thread.
 *
 * @param <V> the handler's registration type
 */
public final class FdMap<V> extends IntObjectHashMap<V> {

    private static final Logger LOG = LoggerFactory.getLogger(FdMap.class);
    private static final int GOLDEN = 0x9E3779B9;
    private static final Field REGISTRATIONS = registrationsField();
    private static final AtomicInteger INSTALLED = new AtomicInteger();

    /** Netty's own map starts at this capacity. */
    static final int INITIAL_CAPACITY = 4096;

    /** A map with room for {@code capacity} entries before it grows. */
    public FdMap(int capacity) {
        super(capacity);
    }

    /**
     * Netty's epoll handler factory, whose handlers use an {@link FdMap}. If this Netty has no such field (a
     * newer version may have fixed or renamed it), the handlers keep their own map and one line says so.
     */
    public static IoHandlerFactory epollFactory() {
        IoHandlerFactory netty = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                IoHandler handler = netty.newHandler(executor);
                install(handler);
                return handler;
            }

            @Override
            public boolean isChangingThreadSupported() {
                return netty.isChangingThreadSupported();
            }
        };
    }

    /** Epoll handlers created so far that took an {@link FdMap}. */
    public static int installed() {
        return INSTALLED.get();
    }

    private static void install(IoHandler handler) {
        if (REGISTRATIONS == null) {
            return;
        }
        try {
            IntObjectMap<?> current = (IntObjectMap<?>) REGISTRATIONS.get(handler);
            if (current.isEmpty()) { // a new handler: nothing registered yet
                REGISTRATIONS.set(handler, new FdMap<>(INITIAL_CAPACITY));
                INSTALLED.incrementAndGet();
            }
        } catch (IllegalAccessException | RuntimeException e) {
            keepsOwn(e);
        }
    }

    private static Field registrationsField() {
        try {
            Field f = EpollIoHandler.class.getDeclaredField("registrations");
            if (!IntObjectMap.class.isAssignableFrom(f.getType())) {
                throw new NoSuchFieldException("registrations is a " + f.getType().getName());
            }
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException | RuntimeException e) {
            keepsOwn(e);
            return null;
        }
    }

    private static void keepsOwn(Exception why) {
        LOG.info("Netty's epoll loop keeps its own descriptor map ({}); closing many connections on one loop"
                + " costs time quadratic in their number", why.toString());
    }

    private static int mix(int key) {
        int h = key * GOLDEN;
        return h ^ (h >>> 16);
    }

    @Override
    public V get(int key) {
        return super.get(mix(key));
    }

    @Override
    public V put(int key, V value) {
        return super.put(mix(key), value);
    }

    @Override
    public V remove(int key) {
        return super.remove(mix(key));
    }

    @Override
    public boolean containsKey(int key) {
        return super.containsKey(mix(key));
    }

    @Override
    public void putAll(Map<? extends Integer, ? extends V> source) {
        throw new UnsupportedOperationException("FdMap is filled one descriptor at a time");
    }

    @Override
    public Iterable<PrimitiveEntry<V>> entries() {
        throw new UnsupportedOperationException("FdMap does not expose its mixed keys");
    }

    @Override
    public Set<Integer> keySet() {
        throw new UnsupportedOperationException("FdMap does not expose its mixed keys");
    }

    @Override
    public Set<Map.Entry<Integer, V>> entrySet() {
        throw new UnsupportedOperationException("FdMap does not expose its mixed keys");
    }
}
