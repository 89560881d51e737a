package io.cairn.kernel.delivery;

import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.session.Session;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One shared subscription (MQTT 5.0 §4.8.2): the sessions subscribed to {@code $share/{name}/{filter}}. Each
 * matching message goes to one member, chosen round robin among the members whose client is connected; only
 * when none is connected does it go to an offline member's session, which keeps it (QoS 1/2) until its client
 * returns or its session ends, when it passes the message on.
 *
 * <p>Thread-safe: members change under the group's lock and are read without one.
 */
public final class SharedGroup {

    /** A member: a session and its subscription to the group (its QoS, Retain As Published, identifier). */
    public record Member(Session session, Subscription subscription) {
    }

    private static final Member[] NONE = new Member[0];

    private final String name;
    private final String filter;
    private final AtomicInteger next = new AtomicInteger();
    private volatile Member[] members = NONE;

    SharedGroup(String name, String filter) {
        this.name = name;
        this.filter = filter;
    }

    /** The Share Name. */
    public String name() {
        return name;
    }

    /** The topic filter after the Share Name. */
    public String filter() {
        return filter;
    }

    /** Adds {@code session}, or replaces its subscription if it is a member already. */
    synchronized void put(Session session, Subscription subscription) {
        Member[] m = members;
        for (int i = 0; i < m.length; i++) {
            if (m[i].session == session) {
                Member[] updated = m.clone();
                updated[i] = new Member(session, subscription);
                members = updated;
                return;
            }
        }
        Member[] updated = Arrays.copyOf(m, m.length + 1);
        updated[m.length] = new Member(session, subscription);
        members = updated;
    }

    /** Removes {@code session}; returns whether the group is now empty. */
    synchronized boolean remove(Session session) {
        Member[] m = members;
        for (int i = 0; i < m.length; i++) {
            if (m[i].session == session) {
                Member[] updated = new Member[m.length - 1];
                System.arraycopy(m, 0, updated, 0, i);
                System.arraycopy(m, i + 1, updated, i, m.length - i - 1);
                members = updated;
                break;
            }
        }
        return members.length == 0;
    }

    /** The number of members. */
    public int size() {
        return members.length;
    }

    /**
     * The member that gets the next message: the next connected one in round-robin order, or if none is
     * connected the next offline one; never {@code excluded}, never a destroyed session; {@code null} if there is
     * no such member.
     */
    public Member pick(Session excluded) {
        Member[] m = members;
        int n = m.length;
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        Member offline = null;
        for (int i = 0; i < n; i++) {
            Member c = m[(start + i) % n];
            if (c.session == excluded || c.session.isDestroyed()) {
                continue;
            }
            if (c.session.outlet() != null) {
                return c;
            }
            if (offline == null) {
                offline = c;
            }
        }
        return offline;
    }

    /** Whether a member other than {@code excluded} has its client connected now. */
    public boolean hasConnectedMember(Session excluded) {
        for (Member c : members) {
            if (c.session != excluded && !c.session.isDestroyed() && c.session.outlet() != null) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "$share/" + name + '/' + filter;
    }
}
