package io.cairn.api.auth;

import io.cairn.api.message.QoS;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides what a connected client may do: publish to a topic, subscribe to a filter, receive a message on one of
 * its subscriptions.
 *
 * <p>Register it as an OSGi service (or pass it to the embedded broker's builder), with a {@code name} service
 * property by which listeners may select it ({@link ListenerSecurity#authorizers()}). The authorizers a listener
 * selects form its chain, asked in {@code service.ranking} order (highest first) until one allows or denies. For
 * publish and subscribe, a chain in which every authorizer defers denies; a listener with no authorizer allows
 * everything, unless its configuration names authorizers that are not there (then it denies everything).
 *
 * <p>Every method is called on a network thread, for every PUBLISH (and, for {@link #receive}, every delivery
 * on a wildcard subscription), so it MUST answer from memory at once: never block, never do I/O. An exception
 * counts as a deny and is logged.
 */
@ConsumerType
public interface Authorizer {

    /** Whether {@code client} may publish to {@code topic} (a topic name, no wildcards). */
    Permission publish(ClientIdentity client, String topic, QoS qos, boolean retain);

    /**
     * Whether {@code client} may subscribe to {@code filter} (which may contain wildcards). For a shared
     * subscription ({@code $share/<group>/<filter>}) the authorizer is asked about the filter after the group.
     */
    Permission subscribe(ClientIdentity client, String filter, QoS qos);

    /**
     * Whether {@code client} may receive a message published to {@code topic} through a subscription whose filter
     * has wildcards and which {@link #subscribe} allowed (for a filter without wildcards the subscribe decision
     * covers it). Unlike publish and subscribe, a chain in which every authorizer defers delivers the message:
     * an authorizer that allowed a wildcard subscription on the understanding that some topics under it are not
     * readable MUST answer {@link Permission#DENY} for those, not defer. Not asked for shared subscriptions (the
     * subscribe decision covers their filter). The default defers.
     */
    default Permission receive(ClientIdentity client, String topic) {
        return Permission.DEFER;
    }

    /**
     * Registers a listener the authorizer calls (from any thread) after its policy changed, for example after an
     * ACL file was reloaded: the broker then checks the subscriptions of connected clients again. The default
     * ignores it (a policy that never changes).
     */
    default void addPolicyListener(Runnable listener) {
    }

    /** Removes a listener added with {@link #addPolicyListener}. */
    default void removePolicyListener(Runnable listener) {
    }
}
