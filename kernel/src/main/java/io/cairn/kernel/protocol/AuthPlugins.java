package io.cairn.kernel.protocol;

import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.auth.ServerRedirector;
import java.util.List;

/**
 * The authentication plugins in force, as one immutable snapshot: a connection sees one snapshot for its CONNECT
 * (the kernel swaps the whole of it when a plugin comes or goes).
 *
 * @param authenticators the enhanced authenticators, best ranked first
 * @param redirectors    the server redirectors, in the order they are asked
 */
public record AuthPlugins(List<EnhancedAuthenticator> authenticators, List<ServerRedirector> redirectors) {

    /** No plugin: no authentication method is offered and nobody is redirected. */
    public static final AuthPlugins NONE = new AuthPlugins(List.of(), List.of());

    public AuthPlugins {
        authenticators = List.copyOf(authenticators);
        redirectors = List.copyOf(redirectors);
    }

    /** The authenticator for {@code method}, or {@code null} if none offers it. */
    EnhancedAuthenticator authenticator(String method) {
        for (EnhancedAuthenticator a : authenticators) {
            if (method.equals(a.method())) {
                return a;
            }
        }
        return null;
    }
}
