package io.cairn.auth.file.internal;

/**
 * The ACL rules that apply to one client, indexed by topic level: one node per level, exact levels in a
 * {@link LevelMap}, {@code +} in its own child, and the rules that end in {@code #} as bits on the node before it.
 * Each rule is a set of access bits ({@link #READ}, {@link #WRITE}, {@link #DENY}); a query answers the union of
 * the bits of every rule that applies, walking only the branches the topic can reach. Topics that start with
 * {@code $} are not matched by a rule whose first level is a wildcard, as in MQTT 5.0 §4.7.2.
 *
 * <p>Built by {@link #add} on one thread, then only read (safe to share once published).
 */
final class RuleTrie {

    static final int READ = 1;
    static final int WRITE = 2;
    static final int DENY = 4;

    /** An empty rule set (no client rules at all). */
    static final RuleTrie EMPTY = new RuleTrie();

    private static final class Node {
        final LevelMap<Node> children = new LevelMap<>();
        Node plus;
        /** The rules whose filter ends at this node. */
        int bits;
        /** The rules whose filter is this node's path followed by {@code /#} ({@code #} alone at the root). */
        int hashBits;
        /** The union of every rule at and below this node, {@code #} rules included. */
        int subtree;
    }

    private final Node root = new Node();
    private int rules;

    /** Adds a rule; {@code filter} MUST be valid ({@link Filters#problem} is null). */
    void add(String filter, int access) {
        rules++;
        root.subtree |= access;
        Node node = root;
        int start = 0;
        while (true) {
            int end = filter.indexOf('/', start);
            int levelEnd = end < 0 ? filter.length() : end;
            if (levelEnd - start == 1 && filter.charAt(start) == '#') {
                node.hashBits |= access;
                return;
            }
            Node next;
            if (levelEnd - start == 1 && filter.charAt(start) == '+') {
                if (node.plus == null) {
                    node.plus = new Node();
                }
                next = node.plus;
            } else {
                next = node.children.get(filter, start, levelEnd);
                if (next == null) {
                    next = new Node();
                    node.children.put(filter.substring(start, levelEnd), next);
                }
            }
            next.subtree |= access;
            node = next;
            if (end < 0) {
                node.bits |= access;
                return;
            }
            start = end + 1;
        }
    }

    /** Whether no rule was added. */
    boolean isEmpty() {
        return rules == 0;
    }

    /** The number of rules added. */
    int size() {
        return rules;
    }

    /** The bits of every rule whose filter matches {@code topic} (a topic name); allocates nothing. */
    int match(String topic) {
        return match(root, topic, 0, true);
    }

    private static int match(Node node, String topic, int start, boolean root) {
        int end = topic.indexOf('/', start);
        boolean last = end < 0;
        if (last) {
            end = topic.length();
        }
        boolean dollar = root && start < topic.length() && topic.charAt(start) == '$';
        int bits = dollar ? 0 : node.hashBits;
        Node exact = node.children.get(topic, start, end);
        if (exact != null) {
            bits |= last ? exact.bits | exact.hashBits : match(exact, topic, end + 1, false);
        }
        Node plus = node.plus;
        if (plus != null && !dollar) {
            bits |= last ? plus.bits | plus.hashBits : match(plus, topic, end + 1, false);
        }
        return bits;
    }

    /**
     * The bits of every rule whose filter shares at least one topic with {@code filter} (a subscription's filter,
     * wildcards allowed): the rules that may let some message of the subscription through.
     */
    int intersect(String filter) {
        return intersect(root, filter, 0, true);
    }

    private static int intersect(Node node, String filter, int start, boolean root) {
        int end = filter.indexOf('/', start);
        boolean last = end < 0;
        if (last) {
            end = filter.length();
        }
        boolean hash = end - start == 1 && filter.charAt(start) == '#';
        boolean plus = end - start == 1 && filter.charAt(start) == '+';
        if (hash) {
            if (!root) {
                return node.subtree;
            }
            int bits = node.hashBits | (node.plus == null ? 0 : node.plus.subtree);
            LevelMap<Node> children = node.children;
            for (int i = 0; i < children.slots(); i++) {
                String key = children.keyAt(i);
                if (key != null && !key.startsWith("$")) {
                    bits |= children.valueAt(i).subtree;
                }
            }
            return bits;
        }
        boolean dollar = root && !plus && start < filter.length() && filter.charAt(start) == '$';
        int bits = dollar ? 0 : node.hashBits;
        if (plus) {
            LevelMap<Node> children = node.children;
            for (int i = 0; i < children.slots(); i++) {
                String key = children.keyAt(i);
                if (key != null && !(root && key.startsWith("$"))) {
                    bits |= step(children.valueAt(i), filter, end, last);
                }
            }
        } else {
            Node exact = node.children.get(filter, start, end);
            if (exact != null) {
                bits |= step(exact, filter, end, last);
            }
        }
        if (node.plus != null && !dollar) {
            bits |= step(node.plus, filter, end, last);
        }
        return bits;
    }

    private static int step(Node child, String filter, int end, boolean last) {
        return last ? child.bits | child.hashBits : intersect(child, filter, end + 1, false);
    }

    /**
     * The bits of every rule whose filter matches every topic that {@code filter} matches: a deny among them
     * refuses the whole subscription.
     */
    int cover(String filter) {
        return cover(root, filter, 0, true);
    }

    private static int cover(Node node, String filter, int start, boolean root) {
        int end = filter.indexOf('/', start);
        boolean last = end < 0;
        if (last) {
            end = filter.length();
        }
        boolean hash = end - start == 1 && filter.charAt(start) == '#';
        boolean plus = end - start == 1 && filter.charAt(start) == '+';
        if (hash) {
            return node.hashBits;
        }
        boolean dollar = root && !plus && start < filter.length() && filter.charAt(start) == '$';
        int bits = dollar ? 0 : node.hashBits;
        if (!plus) {
            Node exact = node.children.get(filter, start, end);
            if (exact != null) {
                bits |= last ? exact.bits | exact.hashBits : cover(exact, filter, end + 1, false);
            }
        }
        if (node.plus != null && !dollar) {
            bits |= last ? node.plus.bits | node.plus.hashBits : cover(node.plus, filter, end + 1, false);
        }
        return bits;
    }
}
