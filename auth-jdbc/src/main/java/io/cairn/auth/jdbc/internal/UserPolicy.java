package io.cairn.auth.jdbc.internal;

import java.util.List;

/**
 * What the authorizer knows of one user: the superuser flag and the compiled ACL rows, with the time they were
 * read. The rows and flag never change; a refresh that reads different ones replaces the whole object.
 */
public final class UserPolicy {

    /** In {@link #matchTopic}'s answer: a read row matched; the answer of {@link #subscribe} that allows. */
    public static final int READ = AclIndex.READ;
    /** In {@link #matchTopic}'s answer: a write row matched. */
    public static final int WRITE = AclIndex.WRITE;
    /** In {@link #matchTopic}'s answer: a deny row matched; the answer of {@link #subscribe} that denies. */
    public static final int DENY = AclIndex.DENY;

    private final boolean superuser;
    private final List<AclRow> rows;
    private final AclIndex index;
    /** When the rows were last read (System.nanoTime), including reads that found them unchanged. */
    private volatile long loadedAt;
    /** When the sweep last saw the user checked. */
    private volatile long lastUsed;
    /** Set by every check, cleared by the sweep. A plain field: a lost write only delays an eviction. */
    private boolean used;

    UserPolicy(boolean superuser, List<AclRow> rows, long loadedAt) {
        this.superuser = superuser;
        this.rows = List.copyOf(rows);
        this.index = AclIndex.of(this.rows);
        this.loadedAt = loadedAt;
        this.lastUsed = loadedAt;
    }

    /** Whether the user may do anything. */
    public boolean superuser() {
        return superuser;
    }

    /**
     * The access bits of the rows whose filter matches {@code topic} (a topic name), 0 for none; -1 when the user
     * has no rows at all. Allocates nothing.
     */
    public int matchTopic(String topic, String username, String clientId) {
        return index.isEmpty() ? -1 : index.matchTopic(topic, username, clientId);
    }

    /**
     * For a subscription to {@code filter}: {@link #DENY} if a deny row covers it, else {@link #READ} if a read
     * row's filter has a topic in common with it, else 0 (also when the user has no rows).
     */
    public int subscribe(String filter, String username, String clientId) {
        if (index.isEmpty()) {
            return 0;
        }
        if (index.denyCovers(filter, username, clientId)) {
            return DENY;
        }
        return index.readIntersects(filter, username, clientId) ? READ : 0;
    }

    List<AclRow> rows() {
        return rows;
    }

    AclIndex index() {
        return index;
    }

    /** Whether a read found the same flag and rows, in any order. */
    boolean sameAs(boolean otherSuperuser, List<AclRow> otherRows) {
        return superuser == otherSuperuser && rows.size() == otherRows.size()
                && new java.util.HashSet<>(rows).equals(new java.util.HashSet<>(otherRows));
    }

    long loadedAt() {
        return loadedAt;
    }

    void loadedAt(long nanos) {
        loadedAt = nanos;
    }

    void markUsed() {
        if (!used) {
            used = true;
        }
    }

    /** Called by the sweep: whether the user was checked since the last call. */
    boolean takeUsed(long now) {
        if (used) {
            used = false;
            lastUsed = now;
            return true;
        }
        return false;
    }

    long lastUsed() {
        return lastUsed;
    }

    void lastUsed(long nanos) {
        lastUsed = nanos;
    }
}
