package io.cairn.auth.file.internal;

/**
 * A map from topic levels to trie nodes that is looked up by a region of a longer string, so matching a topic
 * needs no substring. Open addressing, linear probing, filled once while a rule set is built and read-only
 * afterwards (safe to read from many threads once published).
 */
final class LevelMap<V> {

    private String[] keys = new String[4];
    private Object[] values = new Object[4];
    private int size;

    /** The value for {@code s.substring(from, to)}, or {@code null}; allocates nothing. */
    @SuppressWarnings("unchecked")
    V get(String s, int from, int to) {
        int mask = keys.length - 1;
        int i = spread(hash(s, from, to)) & mask;
        int length = to - from;
        for (String k; (k = keys[i]) != null; i = (i + 1) & mask) {
            if (k.length() == length && k.regionMatches(0, s, from, length)) {
                return (V) values[i];
            }
        }
        return null;
    }

    V get(String key) {
        return get(key, 0, key.length());
    }

    void put(String key, V value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = spread(key.hashCode()) & mask;
        for (String k; (k = keys[i]) != null; i = (i + 1) & mask) {
            if (k.equals(key)) {
                values[i] = value;
                return;
            }
        }
        keys[i] = key;
        values[i] = value;
        size++;
    }

    /** The number of slots, for iterating with {@link #keyAt} and {@link #valueAt}. */
    int slots() {
        return keys.length;
    }

    /** The key in slot {@code i}, or {@code null} when the slot is empty. */
    String keyAt(int i) {
        return keys[i];
    }

    /** The value in slot {@code i}. */
    @SuppressWarnings("unchecked")
    V valueAt(int i) {
        return (V) values[i];
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        String[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new String[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                put(oldKeys[i], (V) oldValues[i]);
            }
        }
    }

    /** The same value as {@code s.substring(from, to).hashCode()}. */
    private static int hash(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }

    private static int spread(int h) {
        return (h ^ (h >>> 16)) * 0x9E3779B9;
    }
}
