package io.cairn.auth.file.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of one password file and/or ACL file: one {@code etc/io.cairn.auth.file-<name>.cfg} file.
 * Describes the keys for metatype; {@link FileAuthComponent} reads and validates the raw properties
 * ({@link FileAuthSettings}).
 */
@ObjectClassDefinition(name = "Cairn file authentication and authorization",
        description = "A Mosquitto-compatible password file and/or ACL file, reloaded when they change.")
public @interface FileAuthConfiguration {

    /** The providers' {@code name} service property, which listeners select by. */
    @AttributeDefinition(name = "Name", required = false,
            description = "Name listeners select these providers by (default: the <name> of the configuration file).")
    String name();

    /** The password file; relative to {@code cairn.home}. Without it no authenticator is registered. */
    @AttributeDefinition(name = "Password file", required = false,
            description = "username:hash lines as mosquitto_passwd or cairn-passwd write them.")
    String passwordFile();

    /** The ACL file; relative to {@code cairn.home}. Without it no authorizer is registered. */
    @AttributeDefinition(name = "ACL file", required = false,
            description = "Mosquitto ACL syntax: user, topic [read|write|readwrite|deny], pattern.")
    String aclFile();

    /** The providers' rank in their chains, highest first. */
    @AttributeDefinition(name = "Ranking", description = "service.ranking of the registered providers.")
    int service_ranking() default 0;

    /** How often the files are checked for changes; 0: never. */
    @AttributeDefinition(name = "Reload interval (ms)", min = "0")
    long reloadIntervalMillis() default 1000;

    /** How long a client waits for an expensive password check before it is refused with 0x88. */
    @AttributeDefinition(name = "Password check timeout (ms)", min = "1")
    long timeoutMillis() default 5000;

    /** How many successful password checks are remembered. */
    @AttributeDefinition(name = "Cache size", min = "0")
    int cacheSize() default 1024;

    /** How many threads check expensive password hashes. */
    @AttributeDefinition(name = "Verification threads", min = "1", max = "64")
    int verifyThreads() default 2;

    /** Whether user names the password file lacks are refused (0x86) rather than deferred to the next authenticator. */
    @AttributeDefinition(name = "Reject unknown users")
    boolean rejectUnknownUsers() default false;
}
