package io.cairn.api.intercept;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** What an interceptor sees of a connected client. Implemented by the kernel; valid for the call it is given to. */
@ProviderType
public interface ClientView {

    /** The client identifier (assigned by the broker when the client sent none). */
    String clientId();

    /** The user name the client authenticated with, or {@code null}. */
    String username();

    /** The name of the listener the client connected through. */
    String listener();

    /** 3 (MQTT 3.1), 4 (MQTT 3.1.1) or 5 (MQTT 5.0). */
    int protocolLevel();

    /** The peer address, for example {@code 127.0.0.1:53122}. */
    String remoteAddress();

    /** The attributes {@link ConnectInterceptor}s set for this connection; unmodifiable, empty when none. */
    Map<String, Object> attributes();
}
