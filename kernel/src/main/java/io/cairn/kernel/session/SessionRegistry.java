package io.cairn.kernel.session;

import io.cairn.api.persistence.SessionState;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every session of the broker by client identifier, and the one place where a connection gets its session:
 * a new one, the persistent one it resumes, or one taken over from another connection (MQTT 3.1.1 §3.1.4).
 *
 * <p>Everything that changes which connection a session belongs to runs on that session's home loop, so two
 * connections with the same client id are serialised without a lock.
 */
public final class SessionRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final SessionHost host;

    public SessionRegistry(SessionHost host) {
        this.host = host;
    }

    /**
     * Finds or creates the session for a connection, then calls {@code attached} on the connection's loop with
     * the session (now homed on that loop) and whether it was present. A connection attached to the session
     * before is closed first (takeover). With {@code clean}, any previous session is discarded.
     *
     * <p>Call on {@code outlet}'s event loop. {@code attached} MUST send CONNACK, then {@link Session#attach
     * attach} the session, and {@link #disconnected detach} it again if its connection closed meanwhile.
     */
    public void connect(String clientId, boolean clean, long expiryInterval, Outlet outlet,
                        BiConsumer<Session, Boolean> attached) {
        EventLoop loop = outlet.eventLoop();
        Session existing = sessions.get(clientId);
        if (existing == null) {
            Session fresh = new Session(clientId, expiryInterval, loop, host);
            existing = sessions.putIfAbsent(clientId, fresh);
            if (existing == null) {
                attached.accept(fresh, Boolean.FALSE);
                return;
            }
        }
        Session found = existing;
        runOnHome(found, () -> takeOver(found, clientId, clean, expiryInterval, outlet, attached));
    }

    private void takeOver(Session existing, String clientId, boolean clean, long expiryInterval, Outlet outlet,
                          BiConsumer<Session, Boolean> attached) {
        if (!existing.home().inEventLoop()) {
            runOnHome(existing, () -> takeOver(existing, clientId, clean, expiryInterval, outlet, attached));
            return;
        }
        if (existing.isDestroyed() || sessions.get(clientId) != existing) {
            // it ended (or was replaced) between our look-up and now: start again
            outlet.eventLoop().execute(() -> connect(clientId, clean, expiryInterval, outlet, attached));
            return;
        }
        Outlet old = existing.detachForTakeover();
        if (old != null) {
            LOG.debug("Client '{}' takes over its session from another connection", clientId);
            old.closeForTakeover();
        }
        EventLoop loop = outlet.eventLoop();
        if (clean || !existing.isPersistent()) {
            existing.destroy();
            Session fresh = new Session(clientId, expiryInterval, loop, host);
            sessions.replace(clientId, existing, fresh);
            loop.execute(() -> attached.accept(fresh, Boolean.FALSE));
        } else {
            existing.expiryInterval(expiryInterval); // the resuming connection's interval applies from now on
            existing.moveHome(loop);
            loop.execute(() -> attached.accept(existing, Boolean.TRUE));
        }
    }

    private static void runOnHome(Session session, Runnable task) {
        EventLoop home = session.home();
        if (home.inEventLoop()) {
            task.run();
        } else {
            home.execute(task);
        }
    }

    /**
     * Detaches {@code outlet} from {@code session}; a clean session ends and leaves the registry. Call on the
     * session's home loop.
     */
    public void disconnected(Session session, Outlet outlet) {
        if (session.detach(outlet) && session.isDestroyed()) {
            sessions.remove(session.clientId(), session);
        }
    }

    /** Forgets {@code session}, which expired; a newer session of the same client id stays. */
    public void expired(Session session) {
        if (sessions.remove(session.clientId(), session)) {
            host.sessionExpired(session.clientId());
        }
    }

    /** The session of {@code clientId}, or {@code null}. */
    public Session get(String clientId) {
        return sessions.get(clientId);
    }

    /** All sessions; a live view. */
    public Collection<Session> all() {
        return sessions.values();
    }

    public int size() {
        return sessions.size();
    }

    /**
     * Adds a session read from the store {@code from}, offline, unless a session with that client id exists. Its
     * home is an event loop chosen by client id.
     *
     * @return whether it was added
     */
    public boolean restore(SessionState state, EventLoopGroup loops, io.cairn.api.persistence.SessionStore from) {
        if (sessions.containsKey(state.clientId())) {
            return false;
        }
        boolean[] added = new boolean[1];
        sessions.computeIfAbsent(state.clientId(), id -> {
            added[0] = true;
            return Session.restore(state, loops.next(), host, from);
        });
        return added[0];
    }
}
