/**
 * Authentication plugins. This version holds the MQTT 5 parts: {@link io.cairn.api.auth.EnhancedAuthenticator}
 * carries out an authentication method over CONNECT and AUTH packets (MQTT 5.0 §4.12), re-authentication
 * included, and {@link io.cairn.api.auth.ServerRedirector} may send a client to another server (MQTT 5.0 §4.11).
 * Plugins register them as OSGi services (or hand them to the embedded broker's builder); the kernel uses every
 * one that is registered, in {@code service.ranking} order. The username/password authenticator and the
 * authorizer chains come in a later minor version of this package.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.api.auth;
