package io.cairn.auth.file;

import io.cairn.api.auth.Authorizer;
import io.cairn.api.auth.ClientIdentity;
import io.cairn.api.auth.Permission;
import io.cairn.api.message.QoS;
import io.cairn.auth.file.internal.AclRules;
import io.cairn.auth.file.internal.InvalidFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what clients may publish, subscribe to and receive from a Mosquitto-style ACL file (see the package
 * documentation for the syntax and the exact decisions).
 *
 * <p>The rules are indexed per user in a topic-level trie; a publish check walks only the levels of its topic and
 * allocates nothing. While no version of the file could be loaded, everything is denied. Thread-safe.
 */
public final class FileAuthorizer implements Authorizer {

    private static final Logger LOG = LoggerFactory.getLogger(FileAuthorizer.class);

    private final Path file;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** The version in force, or null while none could be loaded. */
    private volatile AclRules rules;

    /** Creates an authorizer for {@code aclFile} and loads it once ({@link #reload}). */
    public FileAuthorizer(Path aclFile) {
        this.file = Objects.requireNonNull(aclFile, "aclFile");
        reload();
    }

    /** The ACL file this authorizer reads. */
    public Path file() {
        return file;
    }

    /** Whether a version of the file is in force; until one is, everything is denied. */
    public boolean loaded() {
        return rules != null;
    }

    /**
     * Reads the file again. A valid file replaces the version in force, and then every policy listener is called;
     * an invalid or unreadable one is logged at ERROR, one line per problem, and the version in force stays.
     *
     * @return whether the file was loaded
     */
    public boolean reload() {
        boolean first = rules == null;
        AclRules next;
        try {
            next = AclRules.load(file);
        } catch (InvalidFileException e) {
            for (String problem : e.problems()) {
                LOG.error("ACL file {}", problem);
            }
            LOG.error("ACL file {} rejected ({} problem(s)); {}", file, e.problems().size(),
                    first ? "everything is denied until it is fixed" : "the previous version stays in force");
            return false;
        }
        rules = next;
        LOG.info("ACL file {} {}: {} users, {} rules", file, first ? "loaded" : "reloaded", next.users(),
                next.rules());
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.error("Policy listener {} failed after ACL file {} was reloaded", listener, file, e);
            }
        }
        return true;
    }

    /**
     * DENY when a {@code deny} rule of the client matches {@code topic}; ALLOW when a {@code write} or
     * {@code readwrite} rule matches; otherwise DEFER.
     */
    @Override
    public Permission publish(ClientIdentity client, String topic, QoS qos, boolean retain) {
        AclRules current = rules;
        if (current == null) {
            return Permission.DENY;
        }
        int bits = current.match(client.clientId(), user(client), topic);
        return (bits & AclRules.DENY) != 0 ? Permission.DENY
                : (bits & AclRules.WRITE) != 0 ? Permission.ALLOW : Permission.DEFER;
    }

    /**
     * DENY when a {@code deny} rule of the client matches every topic of {@code filter}; ALLOW when a {@code read}
     * or {@code readwrite} rule matches at least one topic that {@code filter} matches ({@link #receive} then
     * filters each message); otherwise DEFER. A shared subscription ({@code $share/group/f}) is judged by
     * {@code f}.
     */
    @Override
    public Permission subscribe(ClientIdentity client, String filter, QoS qos) {
        AclRules current = rules;
        if (current == null) {
            return Permission.DENY;
        }
        return current.subscribe(client.clientId(), user(client), filter);
    }

    /**
     * For a client with rules: ALLOW when a {@code read} or {@code readwrite} rule matches {@code topic} and no
     * {@code deny} rule does; DENY otherwise. For a client without any rule: DEFER.
     */
    @Override
    public Permission receive(ClientIdentity client, String topic) {
        AclRules current = rules;
        if (current == null) {
            return Permission.DENY;
        }
        return current.receive(client.clientId(), user(client), topic);
    }

    @Override
    public void addPolicyListener(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removePolicyListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** The user name the rules are chosen by: none for a client let in anonymously, whatever it sent. */
    private static String user(ClientIdentity client) {
        return client.anonymous() ? null : client.username();
    }

    @Override
    public String toString() {
        return "FileAuthorizer[" + file + ']';
    }
}
