/**
 * Authentication and authorization plugins.
 *
 * <p>{@link io.cairn.api.auth.Authenticator} checks a client's credentials at CONNECT and
 * {@link io.cairn.api.auth.Authorizer} decides what a connected client may publish, subscribe to and receive.
 * Plugins register them as OSGi services with a {@code name} property (or hand them to the embedded broker's
 * builder); each listener selects its own chains ({@link io.cairn.api.auth.ListenerSecurity}), ordered by
 * {@code service.ranking}. Chains are swapped whole when a provider comes or goes: a CONNECT or a PUBLISH sees
 * one chain.
 *
 * <p>For MQTT 5, {@link io.cairn.api.auth.EnhancedAuthenticator} carries out an authentication method over
 * CONNECT and AUTH packets (MQTT 5.0 §4.12), re-authentication included, and
 * {@link io.cairn.api.auth.ServerRedirector} may send a client to another server (MQTT 5.0 §4.11).
 *
 * <p>Version 1.1 added the authenticator and authorizer chains.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cairn.api.auth;
