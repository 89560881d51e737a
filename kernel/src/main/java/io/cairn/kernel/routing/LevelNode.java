package io.cairn.kernel.routing;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;

/**
 * A node of a level tree ({@link TopicTree}, {@link RetainedIndex}) holding its literal children in an
 * open-addressing hash table keyed by level string, which readers search without locks or allocation by a region
 * of a larger string.
 *
 * <p>Writers MUST be serialized by the owning tree (one lock for all mutations). Readers may run at any time: a
 * child is published with a release store after it is fully built, a removed child leaves a tombstone that
 * readers skip, and a resize builds a new table before publishing it, so the old table a reader may still hold
 * never changes again. Every table keeps at least half of its slots {@code null}, so a search always ends.
 */
abstract class LevelNode {

    /** A removed child's slot; readers skip it and keep probing, writers may reuse it. */
    static final LevelNode TOMBSTONE = new LevelNode("", 0) {
    };

    private static final LevelNode[] NO_CHILDREN = new LevelNode[1];
    private static final int MIN_CAPACITY = 4;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(LevelNode[].class);

    /**
     * Seeds the level hash, so that which level strings collide differs from one JVM to the next and clients
     * cannot choose colliding levels in advance to slow down the searches of a node.
     */
    private static final int SEED = new SecureRandom().nextInt();

    /** This node's level, as a string of its own. */
    final String level;

    /** {@link #hash(String, int, int)} of {@link #level}. */
    final int hash;

    /** The literal children; a power-of-two-length table, never full, replaced when resized. */
    private volatile LevelNode[] children = NO_CHILDREN;

    /** Live children; written under the tree's lock. */
    private int childCount;

    /** Live children plus tombstones in {@link #children}; written under the tree's lock. */
    private int usedSlots;

    LevelNode(String level, int hash) {
        this.level = level;
        this.hash = hash;
    }

    /**
     * Hashes the level {@code s[start, end)}; stored levels are hashed by the same function, so a region of a
     * topic finds the child whose level equals it.
     */
    static int hash(String s, int start, int end) {
        int h = SEED ^ (end - start);
        for (int i = start; i < end; i++) {
            h = (h ^ s.charAt(i)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    /** The literal child whose level equals {@code s[start, end)} with hash {@code hash}, or {@code null}. */
    final LevelNode child(String s, int start, int end, int hash) {
        LevelNode[] table = children;
        int mask = table.length - 1;
        int length = end - start;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            LevelNode node = (LevelNode) SLOT.getAcquire(table, i);
            if (node == null) {
                return null;
            }
            if (node.hash == hash && node != TOMBSTONE && node.level.length() == length
                    && node.level.regionMatches(0, s, start, length)) {
                return node;
            }
        }
    }

    /**
     * The current child table, for iteration by readers: skip {@code null} slots and {@link #TOMBSTONE}, and read
     * slots with {@link #slot(LevelNode[], int)}.
     */
    final LevelNode[] childTable() {
        return children;
    }

    /** Reads one slot of a table returned by {@link #childTable()}, with acquire semantics. */
    static LevelNode slot(LevelNode[] table, int index) {
        return (LevelNode) SLOT.getAcquire(table, index);
    }

    /** The number of literal children; only meaningful under the tree's lock. */
    final int childCount() {
        return childCount;
    }

    /**
     * Adds a fully built child; the caller MUST hold the tree's lock and MUST have checked that no child has the
     * same level.
     */
    final void addChild(LevelNode child) {
        LevelNode[] table = children;
        if ((usedSlots + 1) * 2 > table.length) {
            table = rehash(childCount + 1);
        }
        int mask = table.length - 1;
        int i = child.hash & mask;
        LevelNode node;
        while ((node = table[i]) != null && node != TOMBSTONE) {
            i = (i + 1) & mask;
        }
        if (node == null) {
            usedSlots++;
        }
        SLOT.setRelease(table, i, child);
        childCount++;
    }

    /** Removes a child previously added; the caller MUST hold the tree's lock. */
    final void removeChild(LevelNode child) {
        LevelNode[] table = children;
        int mask = table.length - 1;
        int i = child.hash & mask;
        while (table[i] != child) {
            if (table[i] == null) {
                throw new IllegalStateException("not a child of this node: " + child.level);
            }
            i = (i + 1) & mask;
        }
        SLOT.setRelease(table, i, TOMBSTONE);
        if (--childCount == 0) {
            children = NO_CHILDREN;
            usedSlots = 0;
        } else if (table.length > MIN_CAPACITY && childCount * 8 <= table.length) {
            rehash(childCount);
        }
    }

    /** Publishes a new table sized for {@code count} children holding the live ones, and returns it. */
    private LevelNode[] rehash(int count) {
        int capacity = Math.max(MIN_CAPACITY, Integer.highestOneBit(count * 2 - 1) << 1);
        LevelNode[] old = children;
        LevelNode[] table = new LevelNode[capacity];
        int mask = capacity - 1;
        for (LevelNode node : old) {
            if (node != null && node != TOMBSTONE) {
                int i = node.hash & mask;
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
                table[i] = node;
            }
        }
        usedSlots = childCount;
        children = table;
        return table;
    }
}
