package io.cairn.bridge;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Recognises messages an MQTT 3.1.1 remote sends back to the bridge that published them (3.1.1 has no No
 * Local): the bridge notes what it sends on topics it also takes in, by topic and payload, for a while; a message
 * from the remote that matches a note uses it up and is not brought in. Bounded in time and count. Not
 * thread-safe: used on the bridge's event loop.
 */
final class EchoFilter {

    private record Key(String topic, long payload) {
    }

    private record Sent(Key key, long at) {
    }

    private final long ttlNanos;
    private final int capacity;
    /** When each key was sent and not echoed yet, oldest first. */
    private final Map<Key, ArrayDeque<Long>> pending = new HashMap<>();
    /** Every note in sending order, for expiry. */
    private final ArrayDeque<Sent> order = new ArrayDeque<>();

    EchoFilter(Duration ttl, int capacity) {
        this.ttlNanos = ttl.toNanos();
        this.capacity = capacity;
    }

    /** Notes that the bridge sent {@code payload} to {@code topic} on the remote. */
    void sent(String topic, ByteBuffer payload) {
        long now = System.nanoTime();
        expire(now);
        if (order.size() >= capacity) {
            forget(order.pollFirst());
        }
        Key key = new Key(topic, fingerprint(payload));
        pending.computeIfAbsent(key, k -> new ArrayDeque<>(2)).addLast(now);
        order.addLast(new Sent(key, now));
    }

    /** Whether a message from the remote is the echo of one the bridge sent; uses the note up if so. */
    boolean isEcho(String topic, ByteBuffer payload) {
        expire(System.nanoTime());
        Key key = new Key(topic, fingerprint(payload));
        ArrayDeque<Long> times = pending.get(key);
        if (times == null) {
            return false;
        }
        times.pollFirst();
        if (times.isEmpty()) {
            pending.remove(key);
        }
        return true;
    }

    /** How many notes are held. */
    int size() {
        return pending.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    private void expire(long now) {
        while (!order.isEmpty() && now - order.peekFirst().at() >= ttlNanos) {
            forget(order.pollFirst());
        }
    }

    /** Drops the note {@code s}, unless an echo used it up already. */
    private void forget(Sent s) {
        ArrayDeque<Long> times = pending.get(s.key());
        if (times != null && !times.isEmpty() && times.peekFirst() <= s.at()) {
            times.pollFirst();
            if (times.isEmpty()) {
                pending.remove(s.key());
            }
        }
    }

    /** Length and two checksums of the remaining bytes (position untouched): a collision needs all three equal. */
    private static long fingerprint(ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return (crc.getValue() << 32) ^ ((long) payload.hashCode() * 31 + payload.remaining());
    }
}
