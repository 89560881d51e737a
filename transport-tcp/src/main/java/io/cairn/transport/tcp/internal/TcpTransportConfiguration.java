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
}
