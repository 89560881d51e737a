package io.cairn.api.auth.testing;

import io.cairn.api.auth.ClientIdentity;
import io.cairn.api.auth.ConnectRequest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * Connect requests and client identities as the kernel hands them over, for the tests of authentication and
 * authorization plugins (in the api test-jar, like the persistence contract suite).
 */
public final class AuthFixtures {

    private AuthFixtures() {
    }

    /** A CONNECT from {@code user} with {@code password} (either may be null). */
    public static ConnectRequest connect(String user, String password) {
        byte[] bytes = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        return new ConnectRequest() {
            @Override
            public String clientId() {
                return "client-" + user;
            }

            @Override
            public String username() {
                return user;
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

    /** A client authenticated as {@code user} (null: none) with {@code clientId}. */
    public static ClientIdentity identity(String clientId, String user) {
        return identity(clientId, user, false);
    }

    /** A client that sent {@code user} and was let in anonymously (no authenticator accepted it). */
    public static ClientIdentity anonymous(String clientId, String user) {
        return identity(clientId, user, true);
    }

    private static ClientIdentity identity(String clientId, String user, boolean anonymous) {
        return new ClientIdentity() {
            @Override
            public String clientId() {
                return clientId;
            }

            @Override
            public String username() {
                return user;
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
                return anonymous;
            }
        };
    }
}
