package io.cairn.kernel.intercept;

import io.cairn.api.intercept.ClientView;
import java.util.Map;

/**
 * A subscriber whose client is not connected, as a delivery interceptor sees it: its client identifier only (no
 * user, listener, protocol level or address: those belong to a connection).
 */
public record OfflineView(String clientId) implements ClientView {

    @Override
    public String username() {
        return null;
    }

    @Override
    public String listener() {
        return null;
    }

    @Override
    public int protocolLevel() {
        return 0;
    }

    @Override
    public String remoteAddress() {
        return null;
    }

    @Override
    public Map<String, Object> attributes() {
        return Map.of();
    }
}
