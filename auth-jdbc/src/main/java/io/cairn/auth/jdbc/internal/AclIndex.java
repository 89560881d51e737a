package io.cairn.auth.jdbc.internal;

import java.util.Collection;

/**
 * One user's ACL rows compiled into a trie of topic levels, so that a check walks the topic once instead of
 * scanning every row, and allocates nothing.
 *
 * <p>A row's filter uses the MQTT wildcards ({@code +} one level, {@code #} the rest, as its last level; a filter
 * {@code a/#} also matches {@code a}) and two substitutions, each of which must fill a whole level: {@code %u}
 * matches the level equal to the client's user name, {@code %c} the level equal to its client identifier. As in
 * MQTT, a wildcard in the first level does not match a topic that starts with {@code $}.
 *
 * <p>Immutable once built, so any number of threads may read it.
 */
final class AclIndex {

    /** A read row (or the read half of readwrite) matched. */
    static final int READ = 1;
    /** A write row (or the write half of readwrite) matched. */
    static final int WRITE = 2;
    /** A deny row matched. */
    static final int DENY = 4;

    private static final AclIndex EMPTY = new AclIndex(new Node(), true);

    private final Node root;
    private final boolean empty;

    private AclIndex(Node root, boolean empty) {
        this.root = root;
        this.empty = empty;
    }

    /** The index of no rows: every check answers nothing. */
    static AclIndex empty() {
        return EMPTY;
    }

    /**
     * Compiles {@code rows}. A row whose filter is not a valid topic filter is left out (the caller logs it).
     */
    static AclIndex of(Collection<AclRow> rows) {
        if (rows.isEmpty()) {
            return EMPTY;
        }
        Node root = new Node();
        for (AclRow row : rows) {
            if (AclRow.validFilter(row.filter())) {
                add(root, row.filter(), row.bits());
            }
        }
        root.freeze();
        return new AclIndex(root, false);
    }

    /** Whether the user has no rows at all (then the authorizer has no opinion). */
    boolean isEmpty() {
        return empty;
    }

    /**
     * The access bits ({@link #READ}, {@link #WRITE}, {@link #DENY}) of every row whose filter matches
     * {@code topic}, a topic name.
     */
    int matchTopic(String topic, String username, String clientId) {
        return match(root, topic, 0, username, clientId);
    }

    /**
     * Whether a deny row covers the subscription {@code filter}: every topic the filter can match is matched by
     * that deny row.
     */
    boolean denyCovers(String filter, String username, String clientId) {
        return covers(root, filter, 0, username, clientId);
    }

    /** Whether a read row's filter has a topic in common with the subscription {@code filter}. */
    boolean readIntersects(String filter, String username, String clientId) {
        return intersects(root, filter, 0, username, clientId);
    }

    private static void add(Node root, String filter, int bits) {
        Node node = root;
        int start = 0;
        while (true) {
            int end = levelEnd(filter, start);
            if (end - start == 1 && filter.charAt(start) == '#') {
                node.restBits |= bits;
                return;
            }
            node = node.childFor(filter.substring(start, end));
            if (end == filter.length()) {
                node.bits |= bits;
                return;
            }
            start = end + 1;
        }
    }

    private static int levelEnd(String s, int start) {
        int slash = s.indexOf('/', start);
        return slash < 0 ? s.length() : slash;
    }

    private static boolean dollarRoot(String s, int start) {
        return start == 0 && !s.isEmpty() && s.charAt(0) == '$';
    }

    private static boolean levelEquals(String s, int start, int end, String value) {
        return value != null && value.length() == end - start && s.regionMatches(start, value, 0, end - start);
    }

    private static boolean isLevel(String s, int start, int end, char c) {
        return end - start == 1 && s.charAt(start) == c;
    }

    private static int match(Node node, String topic, int start, String user, String client) {
        boolean dollar = dollarRoot(topic, start);
        int bits = dollar ? 0 : node.restBits;
        if (start > topic.length()) {
            return bits | node.bits;
        }
        int end = levelEnd(topic, start);
        Node literal = node.literal(topic, start, end);
        if (literal != null) {
            bits |= match(literal, topic, end + 1, user, client);
        }
        if (node.plus != null && !dollar) {
            bits |= match(node.plus, topic, end + 1, user, client);
        }
        if (node.user != null && levelEquals(topic, start, end, user)) {
            bits |= match(node.user, topic, end + 1, user, client);
        }
        if (node.client != null && levelEquals(topic, start, end, client)) {
            bits |= match(node.client, topic, end + 1, user, client);
        }
        return bits;
    }

    private static boolean covers(Node node, String filter, int start, String user, String client) {
        boolean dollar = dollarRoot(filter, start);
        if (!dollar && (node.restBits & DENY) != 0) {
            return true;
        }
        if (start > filter.length()) {
            return (node.bits & DENY) != 0;
        }
        int end = levelEnd(filter, start);
        if (isLevel(filter, start, end, '#')) {
            return false;
        }
        if (isLevel(filter, start, end, '+')) {
            return node.plus != null && covers(node.plus, filter, end + 1, user, client);
        }
        Node literal = node.literal(filter, start, end);
        return literal != null && covers(literal, filter, end + 1, user, client)
                || node.plus != null && !dollar && covers(node.plus, filter, end + 1, user, client)
                || node.user != null && levelEquals(filter, start, end, user)
                && covers(node.user, filter, end + 1, user, client)
                || node.client != null && levelEquals(filter, start, end, client)
                && covers(node.client, filter, end + 1, user, client);
    }

    private static boolean intersects(Node node, String filter, int start, String user, String client) {
        boolean dollar = dollarRoot(filter, start);
        if (!dollar && (node.restBits & READ) != 0) {
            return true;
        }
        if (start > filter.length()) {
            return (node.bits & READ) != 0;
        }
        int end = levelEnd(filter, start);
        if (isLevel(filter, start, end, '#')) {
            return (node.subtreeBits & READ) != 0;
        }
        int next = end + 1;
        if (isLevel(filter, start, end, '+')) {
            Node[] children = node.children;
            for (Node child : children) {
                if (child != null && intersects(child, filter, next, user, client)) {
                    return true;
                }
            }
            return node.plus != null && intersects(node.plus, filter, next, user, client)
                    || node.user != null && intersects(node.user, filter, next, user, client)
                    || node.client != null && intersects(node.client, filter, next, user, client);
        }
        Node literal = node.literal(filter, start, end);
        return literal != null && intersects(literal, filter, next, user, client)
                || node.plus != null && !dollar && intersects(node.plus, filter, next, user, client)
                || node.user != null && levelEquals(filter, start, end, user)
                && intersects(node.user, filter, next, user, client)
                || node.client != null && levelEquals(filter, start, end, client)
                && intersects(node.client, filter, next, user, client);
    }

    /**
     * One level of the trie. Literal children sit in an open-addressing table keyed by the level's text, looked
     * up by a region of the topic (hash computed like {@link String#hashCode()} over the region), so a check
     * needs no substring.
     */
    private static final class Node {
        private static final Node[] NO_CHILDREN = new Node[0];

        String[] keys = new String[0];
        Node[] children = NO_CHILDREN;
        int size;
        Node plus;
        Node user;
        Node client;
        /** Bits of the rows whose filter ends at this node. */
        int bits;
        /** Bits of the rows whose filter is this node's path followed by {@code #}. */
        int restBits;
        /** Bits of every row at or below this node (computed by {@link #freeze()}). */
        int subtreeBits;

        Node childFor(String level) {
            switch (level) {
                case "+":
                    return plus == null ? (plus = new Node()) : plus;
                case "%u":
                    return user == null ? (user = new Node()) : user;
                case "%c":
                    return client == null ? (client = new Node()) : client;
                default:
                    Node found = literal(level, 0, level.length());
                    if (found != null) {
                        return found;
                    }
                    Node created = new Node();
                    put(level, created);
                    return created;
            }
        }

        Node literal(String s, int start, int end) {
            if (size == 0) {
                return null;
            }
            int mask = keys.length - 1;
            int i = spread(hash(s, start, end)) & mask;
            while (true) {
                String key = keys[i];
                if (key == null) {
                    return null;
                }
                if (key.length() == end - start && key.regionMatches(0, s, start, end - start)) {
                    return children[i];
                }
                i = (i + 1) & mask;
            }
        }

        private void put(String key, Node child) {
            if ((size + 1) * 2 > keys.length) {
                String[] oldKeys = keys;
                Node[] oldChildren = children;
                int capacity = Math.max(4, oldKeys.length * 2);
                keys = new String[capacity];
                children = new Node[capacity];
                size = 0;
                for (int j = 0; j < oldKeys.length; j++) {
                    if (oldKeys[j] != null) {
                        insert(oldKeys[j], oldChildren[j]);
                    }
                }
            }
            insert(key, child);
        }

        private void insert(String key, Node child) {
            int mask = keys.length - 1;
            int i = spread(key.hashCode()) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            children[i] = child;
            size++;
        }

        int freeze() {
            int all = bits | restBits;
            for (Node child : children) {
                if (child != null) {
                    all |= child.freeze();
                }
            }
            for (Node special : new Node[] {plus, user, client}) {
                if (special != null) {
                    all |= special.freeze();
                }
            }
            subtreeBits = all;
            return all;
        }

        private static int hash(String s, int start, int end) {
            int h = 0;
            for (int i = start; i < end; i++) {
                h = 31 * h + s.charAt(i);
            }
            return h;
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }
    }
}
