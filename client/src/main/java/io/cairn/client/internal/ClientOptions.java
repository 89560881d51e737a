package io.cairn.client.internal;

import io.cairn.client.ConnectionListener;
import io.cairn.client.MessageListener;
import io.cairn.client.MqttProtocolVersion;
import io.cairn.client.ReconnectPolicy;
import io.cairn.client.Will;
import io.netty.channel.EventLoopGroup;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The validated settings of one client, as the builder collected them.
 *
 * @param eventLoopGroup      the caller's group, or {@code null} for a group owned by the client
 * @param defaultListener     receives messages no subscription matches, or {@code null} to drop them
 * @param maxIncomingPacketSize the largest packet accepted from the server, in bytes
 * @param v5                  the MQTT 5 settings (defaults for other versions)
 * @param address             where to connect instead of host and port, or {@code null}
 * @param tls                 the TLS settings, or {@code null} for plain TCP
 * @param manualAcknowledgement whether received QoS 1/2 messages wait for {@code ReceivedMessage#acknowledge()}
 * @param messages            makes the messages handed to listeners
 */
public record ClientOptions(String host, int port, String clientId, String username, byte[] password,
                            Duration keepAlive, boolean cleanSession, Will will, int maxInflight,
                            int maxQueuedPublishes, Duration connectTimeout, ReconnectPolicy reconnectPolicy,
                            EventLoopGroup eventLoopGroup, MqttProtocolVersion protocolVersion,
                            List<ConnectionListener> connectionListeners, MessageListener defaultListener,
                            int maxIncomingPacketSize, Mqtt5Options v5, SocketAddress address,
                            TlsOptions tls, boolean manualAcknowledgement, MessageFactory messages) {

    /** Whether the client speaks MQTT 5. */
    public boolean mqtt5() {
        return protocolVersion == MqttProtocolVersion.MQTT_5;
    }
}
