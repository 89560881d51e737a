package io.cairn.kernel.protocol;

import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.auth.ServerRedirector;
import io.cairn.kernel.auth.Provider;
import io.cairn.kernel.auth.Selector;
import java.util.List;

/**
 * The authentication plugins in force, as one immutable snapshot: a connection sees one snapshot for its CONNECT
 * (the kernel swaps the whole of it when a plugin comes or goes).
 *
 * @param authenticators the enhanced authenticators, best ranked first; a listener uses those its
 *                       {@code authenticators} selector picks, as for password authenticators
 * @param redirectors    the server redirectors, in the order they are asked
 */
public record AuthPlugins(List<Provider<EnhancedAuthenticator>> authenticators, List<ServerRedirector> redirectors) {

    /** No plugin: no authentication method is offered and nobody is redirected. */
    public static final AuthPlugins NONE = new AuthPlugins(List.of(), List.of());

    public AuthPlugins {
        authenticators = List.copyOf(authenticators);
        redirectors = List.copyOf(redirectors);
    }

    /** The authenticator for {@code method} among those {@code selector} picks, or {@code null} if none offers it. */
    EnhancedAuthenticator authenticator(String method, Selector selector) {
        for (Provider<EnhancedAuthenticator> p : authenticators) {
            if (selector.selects(p) && method.equals(p.service().method())) {
                return p.service();
            }
        }
        return null;
    }
}
