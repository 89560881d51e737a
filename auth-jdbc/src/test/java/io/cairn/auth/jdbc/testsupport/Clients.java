package io.cairn.auth.jdbc.testsupport;

import io.cairn.api.auth.ClientIdentity;
import io.cairn.api.auth.ConnectRequest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/** CONNECT requests and client identities as the kernel would hand them over. */
public final class Clients {

    private Clients() {
    }

    public static ConnectRequest connect(String username, String password) {
        byte[] bytes = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        return new ConnectRequest() {
            @Override
            public String clientId() {
                return "client-" + username;
            }

            @Override
            public String username() {
                return username;
            }

            @Override
            public byte[] password() {
                return bytes == null ? null : bytes.clone();
            }

            @Override
            public List<X509Certificate> certificates() {
                return List.of();
            }

            @Override
            public String listener() {
                return "default";
            }

            @Override
            public InetSocketAddress remoteAddress() {
                return null;
            }

            @Override
            public int protocolLevel() {
                return 5;
            }
        };
    }

    public static ClientIdentity identity(String username, String clientId) {
        return new ClientIdentity() {
            @Override
            public String clientId() {
                return clientId;
            }

            @Override
            public String username() {
                return username;
            }

            @Override
            public List<X509Certificate> certificates() {
                return List.of();
            }

            @Override
            public String listener() {
                return "default";
            }

            @Override
            public InetSocketAddress remoteAddress() {
                return null;
            }

            @Override
            public int protocolLevel() {
                return 5;
            }

            @Override
            public Map<String, String> attributes() {
                return Map.of();
            }

            @Override
            public boolean anonymous() {
                return false;
            }
        };
    }
}
