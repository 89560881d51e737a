package io.cairn.kernel.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A map from packet identifiers (1..65535) to values, for the messages a session has in flight.
 *
 * <p>Open addressing with linear probing and backward-shift deletion, like Netty's {@code IntObjectHashMap}, but
 * slots are chosen by Fibonacci hashing (the high bits of the key times 2<sup>32</sup>/φ). Packet identifiers are
 * handed out in sequence, and with the identity hash that map uses, thousands of identifiers in flight form one
 * cluster that every removal shifts: profiled at 73% of the broker's time in a 20:1 QoS 1 fan-in. Here
 * consecutive identifiers land far apart. Not thread-safe; no null values.
 */
final class PacketIdMap<V> {

    private static final int GOLDEN = 0x9E3779B9;

    private int[] keys;
    private Object[] values;
    private int shift;
    private int size;

    /** A map sized for {@code expected} entries before it grows. */
    PacketIdMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        allocate(capacity);
    }

    private void allocate(int capacity) {
        keys = new int[capacity];
        values = new Object[capacity];
        shift = 32 - Integer.numberOfTrailingZeros(capacity);
    }

    private int slot(int key) {
        return (key * GOLDEN) >>> shift;
    }

    private int indexOf(int key) {
        int mask = keys.length - 1;
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == null) {
                return -1;
            }
            if (keys[i] == key) {
                return i;
            }
        }
    }

    @SuppressWarnings("unchecked")
    V get(int key) {
        int i = indexOf(key);
        return i < 0 ? null : (V) values[i];
    }

    boolean containsKey(int key) {
        return indexOf(key) >= 0;
    }

    /** Maps {@code key} to {@code value}, replacing and returning any previous value. */
    @SuppressWarnings("unchecked")
    V put(int key, V value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        int mask = keys.length - 1;
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == null) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return null;
            }
            if (keys[i] == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
    }

    /** Removes {@code key}, returning its value or {@code null}. */
    @SuppressWarnings("unchecked")
    V remove(int key) {
        int i = indexOf(key);
        if (i < 0) {
            return null;
        }
        V old = (V) values[i];
        size--;
        // backward-shift: move later entries of the cluster into the hole when their home slot allows it
        int mask = keys.length - 1;
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = null;
        return old;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }

    /** The values, in no particular order, as a new list. */
    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (Object v : values) {
            if (v != null) {
                out.add((V) v);
            }
        }
        return out;
    }

    /** Calls {@code action} with every key, in no particular order. */
    void forEachKey(IntConsumer action) {
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != null) {
                action.accept(keys[i]);
            }
        }
    }

    private void grow() {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        allocate(oldKeys.length * 2);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                @SuppressWarnings("unchecked")
                V v = (V) oldValues[i];
                put(oldKeys[i], v);
            }
        }
    }
}
