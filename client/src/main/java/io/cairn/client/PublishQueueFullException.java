package io.cairn.client;

/**
 * A publish was refused because the in-flight window is full and the local queue behind it holds its maximum
 * of messages already. Retry after some earlier publish futures complete.
 */
public class PublishQueueFullException extends MqttClientException {

    public PublishQueueFullException(String message) {
        super(message);
    }
}
