package io.cairn.api.broker;

import java.util.Objects;

/**
 * A listening endpoint of the broker.
 *
 * @param name   the listener's configured name, unique in the broker
 * @param scheme the URI scheme clients use: {@code mqtt}, {@code mqtts}, {@code ws} or {@code wss}
 * @param host   the address the listener is bound to, as a literal
 * @param port   the bound port (never 0: the port actually bound when 0 was configured)
 */
public record ListenerInfo(String name, String scheme, String host, int port) {
    public ListenerInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
    }

    /** The listener as a URI, for example {@code mqtt://127.0.0.1:1883}. */
    public String uri() {
        return scheme + "://" + (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + port;
    }
}
