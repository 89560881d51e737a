/**
 * The Cairn MQTT client: {@link io.cairn.client.MqttClient}, built with {@link io.cairn.client.MqttClient#builder()},
 * connects to an MQTT 3.1.1, 3.1 or 5.0 server, publishes at QoS 0, 1 and 2, subscribes with a
 * {@link io.cairn.client.MessageListener} per filter, keeps persistent sessions across reconnects and reconnects
 * with backoff on its own. Every operation returns a {@link java.util.concurrent.CompletableFuture} of a result
 * object, so later protocol versions can add reason codes and properties without changing the signatures.
 *
 * <p>Version 1.1.0 adds MQTT 5: {@link io.cairn.client.MqttProtocolVersion#MQTT_5}, message and CONNACK
 * properties, reason codes in the results, subscription options and identifiers, DISCONNECT options and enhanced
 * authentication.
 *
 * <p>Version 1.2.0 adds TLS ({@link io.cairn.client.ClientTls}), connecting to any socket address including an
 * in-process Netty {@code LocalAddress}, and manual acknowledgement of received messages
 * ({@link io.cairn.client.ReceivedMessage#acknowledge()}).
 *
 * <p>Listeners and future completions run on the client's Netty event loop thread: they MUST NOT block.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.cairn.client;
