package io.cairn.kernel.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The subscription index: for each topic filter, the subscribers (keys, such as sessions) and their subscription
 * values, found for a topic name by walking one level tree (MQTT 3.1.1 §4.7).
 *
 * <p>Thread-safe. {@link #match(String, MatchVisitor)} takes no lock and, once the tree is warm, allocates
 * nothing: it walks the topic by index and looks each level up by region. {@link #put(String, Object, Object)}
 * and {@link #remove(String, Object)} are serialized by one lock; a match running concurrently with them sees
 * each subscription either before or after the change, and always sees every subscription that is not being
 * changed. Keys are compared with {@code equals}.
 *
 * @param <K> the subscriber key, such as a session
 * @param <V> the subscription value, such as the granted QoS and options
 */
public final class TopicTree<K, V> {

    /**
     * Receives the subscriptions that match a topic, one call per matching (filter, key) pair, on the thread
     * that called {@link TopicTree#match(String, MatchVisitor)}.
     *
     * <p>Implementations MUST NOT block; they MAY call any method of the tree, including mutations.
     *
     * @param <K> the subscriber key
     * @param <V> the subscription value
     */
    @FunctionalInterface
    public interface MatchVisitor<K, V> {

        /** Called once for each subscription whose filter matches the topic. */
        void visit(K key, V value);
    }

    /** Subscriptions per chunk: bounds the copy made by a mutation on a filter with many subscribers. */
    static final int CHUNK = 128;

    /** Above this many subscriptions a node keeps a key-to-position index so that mutations do not scan. */
    private static final int INDEX_THRESHOLD = 16;

    private static final Object[][] NO_SUBSCRIPTIONS = new Object[0][];

    private final Object lock = new Object();
    private final Node root = new Node("", 0);
    private volatile int size;

    /** Creates an empty tree. */
    public TopicTree() {
    }

    /**
     * Subscribes {@code key} to exactly {@code filter} with {@code value}, replacing the value of an existing
     * subscription of the same key to the same filter [MQTT-3.8.4-3].
     *
     * @return the value replaced, or {@code null} if the subscription is new
     * @throws IllegalArgumentException if {@code filter} is not a valid topic filter
     * @throws NullPointerException     if any argument is {@code null}
     */
    public V put(String filter, K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        String problem = Topics.validateTopicFilter(filter, Topics.MAX_BYTES, Integer.MAX_VALUE);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        synchronized (lock) {
            Node node = root;
            int start = 0;
            while (true) {
                int end = Topics.levelEnd(filter, start);
                node = node.childForPut(filter, start, end);
                if (end == filter.length()) {
                    break;
                }
                start = end + 1;
            }
            V previous = node.put(key, value);
            if (previous == null) {
                size++;
            }
            return previous;
        }
    }

    /**
     * Removes the subscription of {@code key} to exactly {@code filter}, comparing the filter character by
     * character with wildcards taken literally [MQTT-3.10.4-1], and prunes the nodes it leaves empty.
     *
     * @return the value removed, or {@code null} if there was no such subscription
     * @throws NullPointerException if any argument is {@code null}
     */
    public V remove(String filter, K key) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(filter, "filter");
        synchronized (lock) {
            List<Node> path = new ArrayList<>();
            Node node = root;
            path.add(node);
            int start = 0;
            while (true) {
                int end = Topics.levelEnd(filter, start);
                node = node.existingChild(filter, start, end);
                if (node == null) {
                    return null;
                }
                path.add(node);
                if (end == filter.length()) {
                    break;
                }
                start = end + 1;
            }
            V removed = node.remove(key);
            if (removed == null) {
                return null;
            }
            size--;
            for (int i = path.size() - 1; i > 0 && path.get(i).isEmpty(); i--) {
                path.get(i - 1).detach(path.get(i));
            }
            return removed;
        }
    }

    /**
     * Calls {@code visitor} once for every subscription whose filter matches {@code topic}, in no particular
     * order; a key subscribed by several matching filters is visited once per filter and the caller deduplicates.
     * Filters whose first level is a wildcard do not match a topic starting with {@code '$'} [MQTT-4.7.2-1].
     *
     * <p>Lock-free and, after warm-up, allocation-free. The topic SHOULD be a valid topic name; wildcard
     * characters in it are matched as ordinary characters. Recursion depth is bounded by the number of
     * {@code '+'} levels of the deepest stored filter.
     *
     * @throws NullPointerException if any argument is {@code null}
     */
    public void match(String topic, MatchVisitor<? super K, ? super V> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        int end = Topics.levelEnd(topic, 0);
        if (topic.isEmpty() || topic.charAt(0) != '$') {
            Node multi = root.multi;
            if (multi != null) {
                visitAll(multi.subscriptions, visitor);
            }
            Node plus = root.plus;
            if (plus != null) {
                descend(plus, topic, end, visitor);
            }
        }
        Node child = (Node) root.child(topic, 0, end, LevelNode.hash(topic, 0, end));
        if (child != null) {
            descend(child, topic, end, visitor);
        }
    }

    /** The number of subscriptions. */
    public int size() {
        return size;
    }

    /** Tells whether there are no subscriptions. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** The number of nodes below the root, for tests of pruning; takes the lock and walks the whole tree. */
    int nodeCount() {
        synchronized (lock) {
            return root.countDescendants();
        }
    }

    /**
     * Visits the subscriptions matching the rest of {@code topic}, where {@code node} has matched every level up
     * to {@code end} (the index of the separator after that level, or the topic's length).
     */
    private static <K, V> void descend(Node node, String topic, int end, MatchVisitor<? super K, ? super V> visitor) {
        int length = topic.length();
        while (end != length) {
            Node multi = node.multi;
            if (multi != null) {
                visitAll(multi.subscriptions, visitor);
            }
            int start = end + 1;
            end = Topics.levelEnd(topic, start);
            Node plus = node.plus;
            if (plus != null) {
                descend(plus, topic, end, visitor);
            }
            node = (Node) node.child(topic, start, end, LevelNode.hash(topic, start, end));
            if (node == null) {
                return;
            }
        }
        visitAll(node.subscriptions, visitor);
        Node multi = node.multi;
        if (multi != null) {
            // "a/#" also matches "a"
            visitAll(multi.subscriptions, visitor);
        }
    }

    @SuppressWarnings("unchecked")
    private static <K, V> void visitAll(Object[][] subscriptions, MatchVisitor<? super K, ? super V> visitor) {
        for (Object[] chunk : subscriptions) {
            for (int i = 0; i < chunk.length; i += 2) {
                visitor.visit((K) chunk[i], (V) chunk[i + 1]);
            }
        }
    }

    /**
     * One filter level. Literal children live in the {@link LevelNode} table, the {@code '+'} and {@code '#'}
     * children in their own fields. Subscriptions are immutable chunks of key/value pairs, replaced on each
     * change: every chunk but the last holds {@link #CHUNK} pairs, so a change copies at most two chunks and the
     * array of chunks, however many subscribers the filter has.
     */
    private static final class Node extends LevelNode {

        volatile Node plus;
        volatile Node multi;
        volatile Object[][] subscriptions = NO_SUBSCRIPTIONS;

        /** Subscriptions at this node; written under the lock. */
        private int count;

        /** Key to position in {@link #subscriptions} while {@link #count} exceeds the threshold; under the lock. */
        private Map<Object, Integer> positions;

        Node(String level, int hash) {
            super(level, hash);
        }

        /** The child for the filter level {@code filter[start, end)}, created if missing; under the lock. */
        Node childForPut(String filter, int start, int end) {
            if (Topics.isLevel(filter, start, end, Topics.SINGLE_LEVEL)) {
                Node node = plus;
                if (node == null) {
                    node = new Node("+", 0);
                    plus = node;
                }
                return node;
            }
            if (Topics.isLevel(filter, start, end, Topics.MULTI_LEVEL)) {
                Node node = multi;
                if (node == null) {
                    node = new Node("#", 0);
                    multi = node;
                }
                return node;
            }
            int hash = LevelNode.hash(filter, start, end);
            Node node = (Node) child(filter, start, end, hash);
            if (node == null) {
                node = new Node(filter.substring(start, end), hash);
                addChild(node);
            }
            return node;
        }

        /** The existing child for the filter level {@code filter[start, end)}, or {@code null}. */
        Node existingChild(String filter, int start, int end) {
            if (Topics.isLevel(filter, start, end, Topics.SINGLE_LEVEL)) {
                return plus;
            }
            if (Topics.isLevel(filter, start, end, Topics.MULTI_LEVEL)) {
                return multi;
            }
            return (Node) child(filter, start, end, LevelNode.hash(filter, start, end));
        }

        /** Unlinks an empty child; under the lock. */
        void detach(Node child) {
            if (plus == child) {
                plus = null;
            } else if (multi == child) {
                multi = null;
            } else {
                removeChild(child);
            }
        }

        /** Tells whether this node holds nothing and can be pruned; under the lock. */
        boolean isEmpty() {
            return count == 0 && childCount() == 0 && plus == null && multi == null;
        }

        int countDescendants() {
            int total = 0;
            LevelNode[] table = childTable();
            for (int i = 0; i < table.length; i++) {
                LevelNode child = slot(table, i);
                if (child != null && child != TOMBSTONE) {
                    total += 1 + ((Node) child).countDescendants();
                }
            }
            if (plus != null) {
                total += 1 + plus.countDescendants();
            }
            if (multi != null) {
                total += 1 + multi.countDescendants();
            }
            return total;
        }

        /** Adds or replaces the subscription of {@code key}; returns the replaced value; under the lock. */
        @SuppressWarnings("unchecked")
        <V> V put(Object key, V value) {
            Object[][] chunks = subscriptions;
            int position = positionOf(key);
            if (position >= 0) {
                int c = position / CHUNK;
                int i = (position % CHUNK) * 2;
                V previous = (V) chunks[c][i + 1];
                Object[] chunk = chunks[c].clone();
                chunk[i + 1] = value;
                Object[][] updated = chunks.clone();
                updated[c] = chunk;
                subscriptions = updated;
                return previous;
            }
            Object[][] updated;
            if (count % CHUNK == 0) {
                updated = Arrays.copyOf(chunks, chunks.length + 1);
                updated[chunks.length] = new Object[] {key, value};
            } else {
                Object[] last = chunks[chunks.length - 1];
                Object[] chunk = Arrays.copyOf(last, last.length + 2);
                chunk[last.length] = key;
                chunk[last.length + 1] = value;
                updated = chunks.clone();
                updated[chunks.length - 1] = chunk;
            }
            subscriptions = updated;
            if (positions != null) {
                positions.put(key, count);
            }
            count++;
            if (positions == null && count > INDEX_THRESHOLD) {
                buildIndex(updated);
            }
            return null;
        }

        /** Removes the subscription of {@code key}; returns its value or {@code null}; under the lock. */
        @SuppressWarnings("unchecked")
        <V> V remove(Object key) {
            int position = positionOf(key);
            if (position < 0) {
                return null;
            }
            Object[][] chunks = subscriptions;
            int c = position / CHUNK;
            int i = (position % CHUNK) * 2;
            V removed = (V) chunks[c][i + 1];
            int lastChunk = chunks.length - 1;
            Object[] last = chunks[lastChunk];
            Object[][] updated = last.length == 2
                    ? Arrays.copyOf(chunks, lastChunk)
                    : chunks.clone();
            if (last.length > 2) {
                updated[lastChunk] = Arrays.copyOf(last, last.length - 2);
            }
            if (position != count - 1) {
                // the last subscription takes the removed one's place
                Object movedKey = last[last.length - 2];
                Object[] chunk = c == lastChunk ? updated[c] : chunks[c].clone();
                chunk[i] = movedKey;
                chunk[i + 1] = last[last.length - 1];
                updated[c] = chunk;
                if (positions != null) {
                    positions.put(movedKey, position);
                }
            }
            subscriptions = count == 1 ? NO_SUBSCRIPTIONS : updated;
            count--;
            if (positions != null) {
                positions.remove(key);
                if (count <= INDEX_THRESHOLD / 2) {
                    positions = null;
                }
            }
            return removed;
        }

        private int positionOf(Object key) {
            if (positions != null) {
                Integer position = positions.get(key);
                return position == null ? -1 : position;
            }
            int position = 0;
            for (Object[] chunk : subscriptions) {
                for (int i = 0; i < chunk.length; i += 2, position++) {
                    if (chunk[i].equals(key)) {
                        return position;
                    }
                }
            }
            return -1;
        }

        private void buildIndex(Object[][] chunks) {
            positions = new HashMap<>();
            int position = 0;
            for (Object[] chunk : chunks) {
                for (int i = 0; i < chunk.length; i += 2) {
                    positions.put(chunk[i], position++);
                }
            }
        }
    }
}
