package io.cairn.kernel.protocol;

import io.cairn.api.auth.ConnectInfo;
import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.auth.ServerRedirector;
import io.cairn.api.bridge.BridgeContext;
import io.cairn.api.intercept.ConnectOutcome;
import io.cairn.api.message.Message;
import io.cairn.api.message.MessageProperties;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.StoredWill;
import io.cairn.kernel.Kernel;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.intercept.Interceptors;
import io.cairn.kernel.routing.Topics;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks a CONNECT (MQTT 3.1.1 §3.1) and either refuses it with the matching CONNACK return code or hands the
 * connection on to its session. Netty's decoder has already checked the protocol name and level, the reserved
 * flag and the UTF-8 of every string.
 */
final class ConnectFlow {

    private ConnectFlow() {
    }

    static void connect(MqttConnection c, MqttConnectMessage m) {
        MqttConnectVariableHeader h = m.variableHeader();
        MqttConnectPayload p = m.payload();
        BrokerSettings settings = c.kernel.settings();
        c.protocolLevel = h.version();
        c.clientId = p.clientIdentifier();
        if (c.protocolLevel >= 5 && !ConnectProperties5.read(c, h.properties())) {
            return; // refused or closed, with the reason
        }
        if (!h.isWillFlag() && (h.willQos() != 0 || h.isWillRetain())) {
            c.violation(h.willQos() != 0 ? "MQTT-3.1.2-13" : "MQTT-3.1.2-15",
                    "will QoS or will retain set without the will flag");
            return;
        }
        if (h.isWillFlag() && h.willQos() > 2) {
            c.violation("MQTT-3.1.2-14", "will QoS 3");
            return;
        }
        if (h.hasPassword() && !h.hasUserName() && c.protocolLevel < 5) {
            // 3.1.1 only: MQTT 5 allows a password without a user name (MQTT 5.0 §3.1.2.9), e.g. for a token
            c.violation("MQTT-3.1.2-22", "password flag set without the user name flag");
            return;
        }
        if (h.isWillFlag()) {
            String problem = Topics.validateTopicName(p.willTopic(), settings.maxTopicLength(),
                    settings.maxTopicLevels());
            if (problem != null) {
                c.violation("MQTT-3.1.3-10", "invalid will topic: " + problem);
                return;
            }
        }
        c.cleanSession = h.isCleanSession(); // MQTT 5: Clean Start
        if (c.protocolLevel < 5) {
            // 3.1.1: a clean session ends with its connection, any other never expires (§3.1.2.4)
            c.sessionExpiry = c.cleanSession ? 0 : SessionState.NEVER_EXPIRES;
        }
        if (c.clientId.isEmpty()) {
            if (c.protocolLevel >= 5) {
                c.clientId = c.kernel.newClientId(); // MQTT-3.1.3-6 (5.0): returned as Assigned Client Identifier
                c.assignedClientId = true;
            } else if (c.protocolLevel == 4 && c.cleanSession) {
                c.clientId = c.kernel.newClientId(); // MQTT-3.1.3-6
            } else {
                c.refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "MQTT-3.1.3-8",
                        "empty client identifier requires clean session");
                return;
            }
        }
        boolean bridgeEndpoint = Kernel.BRIDGE_LISTENER.equals(c.listener);
        if (c.clientId.startsWith(BridgeContext.CLIENT_ID_PREFIX) != bridgeEndpoint) {
            c.refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, null, bridgeEndpoint
                    ? "the bridge endpoint takes only client identifiers starting with " + BridgeContext.CLIENT_ID_PREFIX
                    : "client identifiers starting with " + BridgeContext.CLIENT_ID_PREFIX + " are reserved for the broker's bridges");
            return;
        }
        if (bridgeEndpoint) {
            // a bridge of this broker: trusted, not counted against the connection limit, never redirected
            ChainAuthentication.start(c, c.guard.chain(), c.connectRequest(null), m);
            return;
        }
        if (settings.maxConnections() > 0 && c.kernel.connectedCount() >= settings.maxConnections()) {
            c.refuse(ReasonCode.SERVER_BUSY, null,
                    "the broker holds its maximum of " + settings.maxConnections() + " connections");
            return;
        }
        c.username = h.hasUserName() ? p.userName() : null;
        if (!c.applyCertificateUsername()) {
            return;
        }
        ConnectInfo info = c.connectInfo(false);
        AuthPlugins plugins = c.kernel.authPlugins();
        for (ServerRedirector redirector : plugins.redirectors()) {
            ServerRedirector.Redirection to;
            try {
                to = redirector.redirect(info);
            } catch (RuntimeException e) {
                EventLog.PROTOCOL.warn("Server redirector {} failed for client '{}'; asking the next", redirector,
                        c.clientId, e);
                continue;
            }
            if (to != null) {
                c.redirect(to);
                return;
            }
        }
        if (c.authMethod != null) {
            EnhancedAuthenticator authenticator = plugins.authenticator(c.authMethod,
                    c.guard.chain().authenticatorSelector());
            if (authenticator == null) {
                c.counters.authFailed(ReasonCode.BAD_AUTHENTICATION_METHOD);
                c.refuse(ReasonCode.BAD_AUTHENTICATION_METHOD, null,
                        "authentication method '" + c.authMethod + "' is not offered");
                return;
            }
            c.authenticate(authenticator, info, m); // accept(c, m) follows once the exchange succeeds
            return;
        }
        // the listener's authenticator chain; accept(c, m) follows once it lets the client in
        ChainAuthentication.start(c, c.guard.chain(), c.connectRequest(h.hasPassword() ? p.passwordInBytes() : null),
                m);
    }

    /**
     * Goes on with a CONNECT that passed every check and its authentication: keep-alive, will, then the
     * session.
     */
    static void accept(MqttConnection c, MqttConnectMessage m) {
        MqttConnectVariableHeader h = m.variableHeader();
        MqttConnectPayload p = m.payload();
        c.keepAlive = h.keepAliveTimeSeconds();
        int maxKeepAlive = c.kernel.settings().maxKeepAlive();
        if (c.protocolLevel >= 5 && maxKeepAlive > 0 && (c.keepAlive == 0 || c.keepAlive > maxKeepAlive)) {
            c.keepAlive = maxKeepAlive; // announced as Server Keep Alive; the client uses it (MQTT-3.2.2-21)
            c.serverKeepAlive = true;
        }
        if (h.isWillFlag()) {
            byte[] payload = p.willMessageInBytes();
            MessageProperties properties = MessageProperties.NONE;
            long delay = 0;
            if (c.protocolLevel >= 5) {
                // MQTT 5.0 §3.1.3.2: the Will Delay Interval, and the properties the will message carries
                Integer d = Publish5.intValue(p.willProperties(), MqttProperties.WILL_DELAY_INTERVAL);
                delay = d == null ? 0 : d & 0xFFFF_FFFFL;
                try {
                    properties = Publish5.messageProperties(c, p.willProperties(), ByteBuffer.wrap(payload));
                } catch (Publish5.Problem e) {
                    c.refuse(e.reason, e.normativeId, "will: " + e.getMessage());
                    return;
                }
            }
            if (Kernel.isSysTopic(p.willTopic())
                    || !c.guard.chain().mayPublish(c.identity, p.willTopic(), QoS.of(h.willQos()), h.isWillRetain())) {
                // MQTT 5.0 §3.1.4: a CONNECT that fails an authorization check is refused
                c.refuseAuthentication(ReasonCode.NOT_AUTHORIZED, "may not publish its will to '" + p.willTopic()
                        + "'", "will topic not authorized");
                return;
            }
            c.will = new StoredWill(Message.of(p.willTopic(), payload, QoS.of(h.willQos()), h.isWillRetain(),
                    properties), delay);
        }
        Interceptors.Chains chains = c.kernel.interceptors().chains();
        if (!chains.connect().isEmpty()) {
            Map<String, Object> attributes = new HashMap<>();
            ConnectOutcome outcome = c.kernel.interceptors().connect(chains, c, attributes);
            if (!outcome.accepted()) {
                c.refuse(outcome.refusal(), null, "refused by an interceptor: " + outcome.reason());
                return;
            }
            c.attributes = Map.copyOf(attributes);
        }
        c.beginSession();
    }

    /** The MQTT 3.1.1 CONNACK return code for a refusal reason. */
    static MqttConnectReturnCode returnCode(ReasonCode reason) {
        return switch (reason) {
            case UNSUPPORTED_PROTOCOL_VERSION -> MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION;
            case CLIENT_IDENTIFIER_NOT_VALID -> MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
            case BAD_USER_NAME_OR_PASSWORD -> MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED, BANNED -> MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            default -> MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
        };
    }
}
