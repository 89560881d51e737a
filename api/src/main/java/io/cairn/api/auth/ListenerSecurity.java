package io.cairn.api.auth;

import java.util.Objects;

/**
 * How one listener authenticates and authorizes its clients, from the listener's configuration.
 *
 * <p>A selector picks the providers of a chain from those registered: empty (or {@code *}) selects all;
 * {@code none} selects none (for authorizers: everything is allowed; a provider cannot be named {@code none}); a
 * list of names ({@code file, jdbc}) selects the providers whose {@code name} service property is one of them; a
 * string that starts with {@code (} is an LDAP-style filter (RFC 1960, as OSGi uses it) over the providers' service
 * properties, for example {@code (&(name=jdbc)(realm=devices))}. Whatever the selector, the chain is ordered by
 * {@code service.ranking}.
 *
 * @param allowAnonymous whether a client is let in without being accepted by an authenticator: with no
 *                       authenticator selected, every client; with some, a client that sent no user name and
 *                       that every authenticator deferred
 * @param authenticators the selector of the listener's authenticators
 * @param authorizers    the selector of the listener's authorizers
 */
public record ListenerSecurity(boolean allowAnonymous, String authenticators, String authorizers) {

    /**
     * The default of a listener whose configuration says nothing: every provider, and no anonymous access (a
     * listener with no authenticator refuses every client).
     */
    public static final ListenerSecurity DEFAULT = new ListenerSecurity(false, "", "");

    public ListenerSecurity {
        authenticators = Objects.requireNonNullElse(authenticators, "").strip();
        authorizers = Objects.requireNonNullElse(authorizers, "").strip();
    }

    /** Every provider, with anonymous access as given. */
    public static ListenerSecurity allProviders(boolean allowAnonymous) {
        return new ListenerSecurity(allowAnonymous, "", "");
    }
}
