package io.cairn.kernel.auth;

import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.Authorizer;
import io.cairn.api.auth.ClientIdentity;
import io.cairn.api.auth.Permission;
import io.cairn.api.message.QoS;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication and authorization chains of one listener, as one immutable snapshot: a CONNECT, a PUBLISH or
 * a SUBSCRIBE sees one chain from start to end (the kernel swaps the whole of it when a provider comes or goes or
 * the listener's configuration changes).
 *
 * @param listener        the listener's name
 * @param allowAnonymous  whether clients may be let in without an authenticator accepting them
 * @param authenticators  the authenticators, in the order they are asked
 * @param authenticatorSelector which authenticators the listener uses: also picks its MQTT 5 enhanced
 *                        authentication methods
 * @param authorizers     the authorizers, in the order they are asked
 * @param open            whether authorization lets everything through: no authorizer, and the listener names none
 * @param description     what the chain is made of, for log lines
 */
public record Chain(String listener, boolean allowAnonymous, List<Provider<Authenticator>> authenticators,
                    Selector authenticatorSelector, Provider<Authorizer>[] authorizers, boolean open,
                    String description) {

    private static final Logger LOG = LoggerFactory.getLogger(Chain.class);

    /** One question to every authorizer of the chain. */
    @FunctionalInterface
    private interface Question {
        Permission ask(Authorizer authorizer);
    }

    /**
     * Whether a publish or subscribe is allowed: the first authorizer that allows or denies decides; a chain in
     * which every authorizer defers denies; an open chain allows.
     */
    public boolean mayPublish(ClientIdentity client, String topic, QoS qos, boolean retain) {
        return open || decide(a -> a.publish(client, topic, qos, retain), false, client, "a publish to", topic);
    }

    /** As {@link #mayPublish}, for a subscription to {@code filter} (without any {@code $share/group/} prefix). */
    public boolean maySubscribe(ClientIdentity client, String filter, QoS qos) {
        return open || decide(a -> a.subscribe(client, filter, qos), false, client, "a subscription to", filter);
    }

    /** Whether {@link #mayReceive} can ever say no: there are authorizers to ask. */
    public boolean checksReceive() {
        return authorizers.length > 0;
    }

    /**
     * Whether a message on {@code topic} may go to {@code client} through a wildcard subscription that was
     * allowed: the first authorizer that allows or denies decides; when all defer, it goes.
     */
    public boolean mayReceive(ClientIdentity client, String topic) {
        return decide(a -> a.receive(client, topic), true, client, "a delivery of", topic);
    }

    /**
     * Asks the authorizers in order until one allows or denies; {@code whenAllDefer} when none does. An exception
     * counts as a deny and is logged with {@code what} and {@code subject}.
     */
    private boolean decide(Question question, boolean whenAllDefer, ClientIdentity client, String what,
                           String subject) {
        for (Provider<Authorizer> p : authorizers) {
            Permission answer;
            try {
                answer = question.ask(p.service());
            } catch (RuntimeException e) {
                LOG.error("Authorizer {} failed on {} '{}' for client '{}'; counted as a deny", p.label(), what,
                        subject, client.clientId(), e);
                return false;
            }
            if (answer == Permission.ALLOW) {
                return true;
            }
            if (answer == Permission.DENY) {
                return false;
            }
        }
        return whenAllDefer;
    }
}
