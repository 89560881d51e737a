package io.cairn.transport.tls.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** JDK TLS client contexts for tests, and a socket factory that remembers its sockets' sessions. */
public final class TlsClients {

    private TlsClients() {
    }

    /**
     * A client context for {@code protocol}: {@code TLSv1.2} offers TLS 1.2 at most, {@code TLSv1.3} also 1.3.
     *
     * @param keys the client's certificate, or {@code null} for none
     */
    public static SSLContext context(String protocol, TrustManagerFactory trust, KeyManagerFactory keys) {
        try {
            SSLContext context = SSLContext.getInstance(protocol);
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Wraps a socket factory and keeps every socket it made, to read the negotiated session afterwards. */
    public static final class Recording extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private final List<SSLSocket> sockets = new CopyOnWriteArrayList<>();

        public Recording(SSLContext context) {
            this.delegate = context.getSocketFactory();
        }

        /** The session of the last socket made (its handshake done). */
        public SSLSession lastSession() {
            return sockets.get(sockets.size() - 1).getSession();
        }

        /** The server certificate the last socket was shown. */
        public X509Certificate lastServerCertificate() throws IOException {
            return (X509Certificate) lastSession().getPeerCertificates()[0];
        }

        private Socket keep(Socket s) {
            sockets.add((SSLSocket) s);
            return s;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return keep(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return keep(delegate.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return keep(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return keep(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return keep(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return keep(delegate.createSocket(address, port, localAddress, localPort));
        }
    }
}
