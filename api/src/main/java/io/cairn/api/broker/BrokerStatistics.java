package io.cairn.api.broker;

/**
 * Counters of the broker since it started. A snapshot: the values are read one after the other without a
 * lock, so they are each exact but not taken at one instant.
 *
 * @param connectedClients  clients connected now
 * @param sessions          sessions held now, connected or not
 * @param subscriptions     subscriptions held now
 * @param retainedMessages  retained messages held now
 * @param messagesReceived  PUBLISH packets received from clients
 * @param messagesSent      PUBLISH packets sent to clients
 * @param bytesReceived     bytes read from client connections
 * @param bytesSent         bytes written to client connections
 * @param messagesDropped   messages not delivered to a subscriber because its queue was full or it could
 *                          not take them
 * @param connectionsTotal  connections accepted since start
 */
public record BrokerStatistics(long connectedClients, long sessions, long subscriptions, long retainedMessages,
                               long messagesReceived, long messagesSent, long bytesReceived, long bytesSent,
                               long messagesDropped, long connectionsTotal) {
}
