package io.cairn.client.internal;

import io.netty.handler.ssl.SslContext;
import java.util.Objects;

/**
 * The TLS side of a connection, as the client's {@code ClientTls} built it.
 *
 * @param context    the client context (trust, key, protocols, hostname verification)
 * @param serverName the host name sent as SNI and verified against the server's certificate
 */
public record TlsOptions(SslContext context, String serverName) {
    public TlsOptions {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(serverName, "serverName");
    }
}
