package io.cairn.kernel.protocol;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's event log: connects, disconnects and refused or closed connections, under the {@code event.*}
 * logger names so operators can route them to a file of their own.
 */
public final class EventLog {

    /** Clients connecting and disconnecting. */
    public static final Logger CLIENTS = LoggerFactory.getLogger("event.client");
    /** Authentication failures and authorization denials. */
    public static final Logger AUTH = LoggerFactory.getLogger("event.auth");
    /** Connections refused or closed for a protocol violation. */
    public static final Logger PROTOCOL = LoggerFactory.getLogger("event.protocol");

    private EventLog() {
    }
}
