package io.cairn.bench;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The client side of {@code --tls}: one {@link SslContext} per run, and a fresh {@link SslHandler} per connection.
 *
 * <p><b>Every connection makes a full handshake</b>, so that the {@code conns} rate counts full handshakes: no
 * session id and no ticket is ever offered. The JDK keeps a client session for resumption only under host and
 * port, and the handler's engine gets the broker's host, or the {@code --sni} name (for SNI and the host name
 * check), but no port; the OpenSSL context's session cache is switched off. Thread-safe.
 */
final class TlsClient {

    /** {@code --tls-provider}: the client's TLS implementation. */
    enum ProviderChoice { AUTO, JDK, OPENSSL }

    private final SslContext context;
    private final SslProvider provider;
    private final boolean verifying;
    private final String sni;

    private TlsClient(SslContext context, SslProvider provider, boolean verifying, String sni) {
        this.context = context;
        this.provider = provider;
        this.verifying = verifying;
        this.sni = sni;
    }

    /**
     * The TLS client {@code options} describe.
     *
     * @throws BenchException {@link BenchException#USAGE} if the CA file does not load or OpenSSL was asked for
     *                        and does not load
     */
    static TlsClient of(BenchOptions options) {
        SslProvider provider = provider(options.tlsProvider);
        if (options.caFile != null && !Files.isReadable(options.caFile)) {
            throw new BenchException(BenchException.USAGE, "--cafile " + options.caFile + ": not a readable file");
        }
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(provider).protocols(
                    options.tlsProtocol != null ? List.of(options.tlsProtocol) : List.of("TLSv1.3", "TLSv1.2"));
            if (options.caFile != null) {
                b.trustManager(options.caFile.toFile()).endpointIdentificationAlgorithm("HTTPS");
            } else {
                // --insecure: any certificate, for any name
                b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
            }
            SslContext context = b.build();
            if (context.sessionContext() instanceof OpenSslSessionContext openSsl) {
                // Netty's OpenSSL client keeps sessions under host and port even without a port (4.2: "host:-1")
                openSsl.setSessionCacheEnabled(false);
            }
            return new TlsClient(context, provider, options.caFile != null, options.sni);
        } catch (SSLException | IllegalArgumentException e) {
            String where = options.caFile != null ? "--cafile " + options.caFile + ": " : "--tls: ";
            throw new BenchException(BenchException.USAGE, where + rootMessage(e), e);
        }
    }

    private static SslProvider provider(ProviderChoice choice) {
        return switch (choice) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new BenchException(BenchException.USAGE, "--tls-provider openssl: OpenSSL"
                            + " (netty-tcnative-boringssl-static) does not load here: "
                            + rootMessage(OpenSsl.unavailabilityCause()));
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** {@code OPENSSL} or {@code JDK}: what this run's connections use. */
    String provider() {
        return provider.name();
    }

    /** Whether the broker's certificate is checked ({@code --cafile}) rather than taken as is ({@code --insecure}). */
    boolean verifying() {
        return verifying;
    }

    /**
     * A handler for one new connection to {@code host}: a fresh engine, no session to resume (see above). The
     * engine's peer host is the {@code --sni} name when there is one: it is sent as SNI (a host name, not an
     * address) and the certificate must name it; the TCP connection still goes to {@code host}.
     */
    SslHandler newHandler(ByteBufAllocator alloc, String host) {
        return context.newHandler(alloc, sni != null ? sni : host, -1);
    }

    /**
     * What went wrong in a TLS handshake, for the user: a certificate the client does not accept is named as such.
     */
    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return "the broker's certificate was not accepted (--cafile, --sni): " + t.getMessage();
            }
        }
        return rootMessage(failure);
    }

    /** The message of the innermost cause that has one, else the outermost's class name. */
    static String rootMessage(Throwable failure) {
        String message = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message != null ? message : String.valueOf(failure);
    }

    /** {@code --version}: whether OpenSSL loads here, and which. */
    static String openSslStatus() {
        if (OpenSsl.isAvailable()) {
            return "TLS providers: JDK, OpenSSL (" + OpenSsl.versionString() + ") available";
        }
        return "TLS providers: JDK; OpenSSL unavailable: " + rootMessage(OpenSsl.unavailabilityCause());
    }
}
