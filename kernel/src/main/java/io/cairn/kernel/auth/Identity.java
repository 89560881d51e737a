package io.cairn.kernel.auth;

import io.cairn.api.auth.ClientIdentity;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/** The kernel's {@link ClientIdentity}: fixed when the client's CONNECT is accepted. */
public record Identity(String clientId, String username, List<X509Certificate> certificates, String listener,
                       InetSocketAddress remoteAddress, int protocolLevel, Map<String, String> attributes,
                       boolean anonymous) implements ClientIdentity {

    public Identity {
        certificates = List.copyOf(certificates);
        attributes = Map.copyOf(attributes);
    }
}
