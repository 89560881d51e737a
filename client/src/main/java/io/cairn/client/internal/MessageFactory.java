package io.cairn.client.internal;

import io.cairn.client.MessageProperties;
import io.cairn.client.Qos;
import io.cairn.client.ReceivedMessage;
import java.util.List;

/**
 * Makes the messages the client hands to listeners, with what only the client knows: the packet identifier and
 * the hook behind {@link ReceivedMessage#acknowledge()}. Implemented in the API package, whose constructor for
 * this is not public.
 */
@FunctionalInterface
public interface MessageFactory {

    /**
     * A received message.
     *
     * @param acknowledger run (at most once, on any thread) by {@link ReceivedMessage#acknowledge()}, or
     *                     {@code null} when acknowledging is not up to the application
     */
    ReceivedMessage create(String topic, byte[] payload, Qos qos, boolean retain, boolean dup,
                           MessageProperties properties, List<Integer> subscriptionIdentifiers, int packetId,
                           Runnable acknowledger);
}
