package io.cairn.kernel.auth;

import io.cairn.api.auth.ConnectRequest;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/** The kernel's {@link ConnectRequest}. */
public final class Request implements ConnectRequest {

    private final String clientId;
    private final String username;
    private final byte[] password;
    private final List<X509Certificate> certificates;
    private final String listener;
    private final InetSocketAddress remoteAddress;
    private final int protocolLevel;

    public Request(String clientId, String username, byte[] password, List<X509Certificate> certificates,
                   String listener, InetSocketAddress remoteAddress, int protocolLevel) {
        this.clientId = clientId;
        this.username = username;
        this.password = password;
        this.certificates = List.copyOf(certificates);
        this.listener = listener;
        this.remoteAddress = remoteAddress;
        this.protocolLevel = protocolLevel;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public String username() {
        return username;
    }

    @Override
    public byte[] password() {
        return password == null ? null : password.clone();
    }

    /** Whether the client sent a password. */
    public boolean hasPassword() {
        return password != null;
    }

    @Override
    public List<X509Certificate> certificates() {
        return certificates;
    }

    @Override
    public String listener() {
        return listener;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public int protocolLevel() {
        return protocolLevel;
    }

    @Override
    public String toString() {
        return "ConnectRequest[client '" + clientId + "', user " + (username == null ? "none" : "'" + username + "'")
                + ", listener " + listener + ']';
    }
}
