package io.cairn.transport.tcp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of one TCP listener: one {@code etc/io.cairn.transport.tcp-<name>.cfg} file.
 */
@ObjectClassDefinition(name = "Cairn TCP listener",
        description = "A plain TCP listener for MQTT clients; one configuration per listener.")
public @interface TcpTransportConfiguration {

    /** The listener's name, unique in the broker; when absent, the name of the configuration file is used. */
    @AttributeDefinition(name = "Name", required = false,
            description = "Listener name, unique in the broker (default: the <name> of the configuration file).")
    String name();

    /** The host name or address literal to bind. */
    @AttributeDefinition(name = "Host", description = "Address to bind, 127.0.0.1 for local clients only, "
            + "0.0.0.0 for every IPv4 interface.")
    String host() default "127.0.0.1";

    /** The TCP port, 0 for any free port. */
    @AttributeDefinition(name = "Port", min = "0", max = "65535", description = "TCP port, 0 for any free port.")
    int port() default 1883;

    /** The length of the queue of connections not yet accepted. */
    @AttributeDefinition(name = "Backlog", min = "1", description = "Accept queue length (SO_BACKLOG).")
    int backlog() default 1024;

    /** Whether clients may connect without an authenticator accepting them. */
    @AttributeDefinition(name = "Allow anonymous", description = "Let clients in without an authenticator "
            + "accepting them: with no authenticator, every client; with some, clients that send no user name.")
    boolean allowAnonymous() default false;

    /** Which authenticators the listener uses. */
    @AttributeDefinition(name = "Authenticators", required = false, description = "Empty for all; a list of "
            + "provider names (file, jdbc); or an LDAP filter over their service properties, such as (name=jdbc).")
    String authenticators() default "";

    /** Which authorizers the listener uses. */
    @AttributeDefinition(name = "Authorizers", required = false, description = "Empty for all; a list of "
            + "provider names; or an LDAP filter over their service properties.")
    String authorizers() default "";

    /** How long the socket waits for the next version of this bundle when the bundle stops (an update). */
    @AttributeDefinition(name = "Handover wait (ms)", min = "1", description = "When the transport bundle stops, as"
            + " it does when it is updated, the socket stays open this long for the next version to take over;"
            + " connection attempts wait meanwhile instead of being refused.")
    long handoverMillis() default 30_000;

    /** Over how long open connections are closed once the next version serves; 0 keeps them. */
    @AttributeDefinition(name = "Drain (ms)", min = "0", description = "0: connections stay open across a transport"
            + " update. More: once the new version serves, the open connections are closed (MQTT 5: reason 0x8B),"
            + " spread over this many milliseconds, and reconnect through the new version.")
    long drainMillis() default 0;
}
