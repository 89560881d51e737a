package io.cairn.client.internal;

import io.cairn.client.EnhancedAuthenticator;
import io.cairn.client.UserProperty;
import java.util.List;

/**
 * The MQTT 5 settings of one client, as the builder collected them; unused by an MQTT 3.1.1 client.
 *
 * @param sessionExpirySeconds      the Session Expiry Interval for CONNECT, 0 to 4294967295
 * @param receiveMaximum            the client's Receive Maximum, 1 to 65535 (65535 is not sent)
 * @param topicAliasMaximum         the highest alias the server may use towards the client, 0 for none
 * @param requestResponseInformation sent only when true
 * @param requestProblemInformation sent only when false
 * @param authenticator             the enhanced authenticator, or {@code null}
 * @param outgoingTopicAliases      whether the client uses topic aliases towards the server when allowed
 */
public record Mqtt5Options(long sessionExpirySeconds, int receiveMaximum, int topicAliasMaximum,
                           boolean requestResponseInformation, boolean requestProblemInformation,
                           List<UserProperty> userProperties, EnhancedAuthenticator authenticator,
                           boolean outgoingTopicAliases) {
}
