package io.cairn.kernel.routing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Retained messages by topic name, kept in a level tree so that a topic filter visits only the branches it can
 * match (MQTT 3.1.1 §3.3.1.3 and §4.7).
 *
 * <p>Thread-safe. Reads ({@link #get(String)}, {@link #match(String, Consumer)}, {@link #forEach(Consumer)}) take no
 * lock; mutations are serialized by one lock. A read running concurrently with mutations sees each changed topic
 * either before or after its change and always sees every topic that is not being changed.
 *
 * @param <V> the retained value, such as a message
 */
public final class RetainedIndex<V> {

    private final Object lock = new Object();
    private volatile Node root = new Node("", 0);
    private volatile int size;

    /** Creates an empty index. */
    public RetainedIndex() {
    }

    /**
     * Retains {@code value} for {@code topic}, replacing the value retained before [MQTT-3.3.1-5], [MQTT-3.3.1-7].
     *
     * @return the value replaced, or {@code null} if the topic had none
     * @throws IllegalArgumentException if {@code topic} is not a valid topic name
     * @throws NullPointerException     if any argument is {@code null}
     */
    public V put(String topic, V value) {
        Objects.requireNonNull(value, "value");
        String problem = Topics.validateTopicName(topic, Topics.MAX_BYTES, Integer.MAX_VALUE);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        synchronized (lock) {
            Node node = root;
            int start = 0;
            while (true) {
                int end = Topics.levelEnd(topic, start);
                int hash = LevelNode.hash(topic, start, end);
                Node child = (Node) node.child(topic, start, end, hash);
                if (child == null) {
                    child = new Node(topic.substring(start, end), hash);
                    node.addChild(child);
                }
                node = child;
                if (end == topic.length()) {
                    break;
                }
                start = end + 1;
            }
            V previous = node.value();
            node.value = value;
            if (previous == null) {
                size++;
            }
            return previous;
        }
    }

    /**
     * Drops the value retained for {@code topic}, as a retained message with an empty payload asks
     * [MQTT-3.3.1-10], and prunes the levels left empty.
     *
     * @return the value removed, or {@code null} if the topic had none
     * @throws NullPointerException if {@code topic} is {@code null}
     */
    public V remove(String topic) {
        return remove(topic, null);
    }

    /**
     * Drops the value retained for {@code topic} only if it is still {@code expected} (compared by identity): a
     * value that replaced it meanwhile stays. {@code null} drops any value.
     *
     * @return the value removed, or {@code null} if there was none or another one
     */
    public V remove(String topic, V expected) {
        Objects.requireNonNull(topic, "topic");
        synchronized (lock) {
            List<Node> path = new ArrayList<>();
            Node node = root;
            path.add(node);
            int start = 0;
            while (true) {
                int end = Topics.levelEnd(topic, start);
                node = (Node) node.child(topic, start, end, LevelNode.hash(topic, start, end));
                if (node == null) {
                    return null;
                }
                path.add(node);
                if (end == topic.length()) {
                    break;
                }
                start = end + 1;
            }
            V removed = node.value();
            if (removed == null || expected != null && removed != expected) {
                return null;
            }
            node.value = null;
            size--;
            for (int i = path.size() - 1; i > 0; i--) {
                Node empty = path.get(i);
                if (empty.value != null || empty.childCount() != 0) {
                    break;
                }
                path.get(i - 1).removeChild(empty);
            }
            return removed;
        }
    }

    /**
     * The value retained for exactly {@code topic} (no wildcard matching), or {@code null}.
     *
     * @throws NullPointerException if {@code topic} is {@code null}
     */
    public V get(String topic) {
        Node node = root;
        int start = 0;
        while (true) {
            int end = Topics.levelEnd(topic, start);
            node = (Node) node.child(topic, start, end, LevelNode.hash(topic, start, end));
            if (node == null) {
                return null;
            }
            if (end == topic.length()) {
                return node.value();
            }
            start = end + 1;
        }
    }

    /**
     * Calls {@code action} for every retained value whose topic matches {@code filter}, in no particular order,
     * as a new subscription asks [MQTT-3.3.1-6]. Only the branches of the level tree the filter can match are
     * visited; filters whose first level is a wildcard skip topics starting with {@code '$'} [MQTT-4.7.2-1].
     *
     * @throws IllegalArgumentException if {@code filter} is not a valid topic filter
     * @throws NullPointerException     if any argument is {@code null}
     */
    public void match(String filter, Consumer<? super V> action) {
        matchCounting(filter, action);
    }

    /**
     * Does what {@link #match(String, Consumer)} does and returns the number of levels it stepped into, so tests
     * can check that a filter visits only the branches it can match.
     */
    int matchCounting(String filter, Consumer<? super V> action) {
        Objects.requireNonNull(action, "action");
        String problem = Topics.validateTopicFilter(filter, Topics.MAX_BYTES, Integer.MAX_VALUE);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        Node top = root;
        int length = filter.length();
        int stepped = 0;
        ArrayDeque<Pending> pending = new ArrayDeque<>();
        pending.push(new Pending(top, 0));
        while (!pending.isEmpty()) {
            Pending next = pending.pop();
            Node node = next.node;
            int start = next.start;
            boolean skipDollar = node == top;
            int end = Topics.levelEnd(filter, start);
            if (Topics.isLevel(filter, start, end, Topics.MULTI_LEVEL)) {
                // "a/#" also matches "a"
                stepped += visitSubtree(node, skipDollar, action);
            } else if (Topics.isLevel(filter, start, end, Topics.SINGLE_LEVEL)) {
                LevelNode[] table = node.childTable();
                for (int i = 0; i < table.length; i++) {
                    LevelNode child = LevelNode.slot(table, i);
                    if (isChild(child) && !(skipDollar && startsWithDollar(child))) {
                        arrive((Node) child, end, length, pending, action);
                        stepped++;
                    }
                }
            } else {
                Node child = (Node) node.child(filter, start, end, LevelNode.hash(filter, start, end));
                if (child != null) {
                    arrive(child, end, length, pending, action);
                    stepped++;
                }
            }
        }
        return stepped;
    }

    /** Calls {@code action} for every retained value, {@code '$'} topics included, in no particular order. */
    public void forEach(Consumer<? super V> action) {
        Objects.requireNonNull(action, "action");
        visitSubtree(root, false, action);
    }

    /** The number of retained values. */
    public int size() {
        return size;
    }

    /** Tells whether nothing is retained. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Drops every retained value. */
    public void clear() {
        synchronized (lock) {
            root = new Node("", 0);
            size = 0;
        }
    }

    /** The number of levels below the root, for tests of pruning; takes the lock and walks the whole tree. */
    int nodeCount() {
        synchronized (lock) {
            int count = 0;
            ArrayDeque<Node> stack = new ArrayDeque<>();
            pushChildren(root, false, stack);
            while (!stack.isEmpty()) {
                count++;
                pushChildren(stack.pop(), false, stack);
            }
            return count;
        }
    }

    /** Handles the node reached by the filter level ending at {@code end}: visits it if last, else continues. */
    private static <V> void arrive(Node node, int end, int length, ArrayDeque<Pending> pending,
                                   Consumer<? super V> action) {
        if (end == length) {
            V value = node.value();
            if (value != null) {
                action.accept(value);
            }
        } else {
            pending.push(new Pending(node, end + 1));
        }
    }

    /** Visits the values at {@code from} and below it; returns the number of levels below it stepped into. */
    private static <V> int visitSubtree(Node from, boolean skipDollar, Consumer<? super V> action) {
        ArrayDeque<Node> stack = new ArrayDeque<>();
        V own = from.value();
        if (own != null) {
            action.accept(own);
        }
        pushChildren(from, skipDollar, stack);
        int stepped = 0;
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            stepped++;
            V value = node.value();
            if (value != null) {
                action.accept(value);
            }
            pushChildren(node, false, stack);
        }
        return stepped;
    }

    private static void pushChildren(Node node, boolean skipDollar, ArrayDeque<Node> stack) {
        LevelNode[] table = node.childTable();
        for (int i = 0; i < table.length; i++) {
            LevelNode child = LevelNode.slot(table, i);
            if (isChild(child) && !(skipDollar && startsWithDollar(child))) {
                stack.push((Node) child);
            }
        }
    }

    private static boolean isChild(LevelNode slot) {
        return slot != null && slot != LevelNode.TOMBSTONE;
    }

    private static boolean startsWithDollar(LevelNode node) {
        return !node.level.isEmpty() && node.level.charAt(0) == '$';
    }

    /** A filter position still to match below a node. */
    private record Pending(Node node, int start) {
    }

    /** One topic level and the value retained for the topic ending there, if any. */
    private static final class Node extends LevelNode {

        volatile Object value;

        Node(String level, int hash) {
            super(level, hash);
        }

        @SuppressWarnings("unchecked")
        <V> V value() {
            return (V) value;
        }
    }
}
